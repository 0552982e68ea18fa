#include "mqtk/bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace mqtk::bench {
namespace {

constexpr std::uint64_t sub_count = std::uint64_t{1} << histogram::sub_bucket_bits;  // 128
// Values >= exact_limit have a highest bit of at least 8; each bit position above 7 owns
// sub_count buckets.
constexpr unsigned first_shifted_bit = 8;

}  // namespace

std::size_t histogram::bucket_count() {
  return exact_limit + (64 - std::countl_zero(max_value) - first_shifted_bit) * sub_count;
}

std::size_t histogram::bucket_of(std::uint64_t value) {
  value = std::min(value, max_value);
  if (value < exact_limit) return static_cast<std::size_t>(value);
  const unsigned top_bit = 63u - static_cast<unsigned>(std::countl_zero(value));  // >= 8
  const unsigned shift = top_bit - sub_bucket_bits;                                // >= 1
  const std::uint64_t sub = (value >> shift) - sub_count;                          // 0..127
  return static_cast<std::size_t>(exact_limit + (top_bit - first_shifted_bit) * sub_count + sub);
}

std::uint64_t histogram::bucket_low(std::size_t index) {
  if (index < exact_limit) return index;
  const std::size_t rel = index - exact_limit;
  const unsigned top_bit = first_shifted_bit + static_cast<unsigned>(rel / sub_count);
  const unsigned shift = top_bit - sub_bucket_bits;
  return (sub_count + rel % sub_count) << shift;
}

std::uint64_t histogram::bucket_high(std::size_t index) {
  if (index + 1 >= bucket_count()) return max_value;
  return bucket_low(index + 1) - 1;
}

histogram::histogram() : counts_(bucket_count(), 0) {}

void histogram::record(std::uint64_t value_us, std::uint64_t times) {
  if (times == 0) return;
  counts_[bucket_of(value_us)] += times;
  if (count_ == 0 || value_us < min_) min_ = value_us;
  max_ = std::max(max_, value_us);
  count_ += times;
  sum_ += value_us * times;
}

void histogram::merge(const histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void histogram::clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = min_ = max_ = sum_ = 0;
}

std::uint64_t histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  // The extremes are known exactly: no bucket rounding for them.
  if (rank == 1) return min_;
  if (rank == count_) return max_;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::uint64_t low = bucket_low(i);
      const std::uint64_t mid = low + (bucket_high(i) - low) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

nlohmann::json histogram::to_json() const {
  auto buckets = nlohmann::json::array();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) buckets.push_back({bucket_low(i), counts_[i]});
  }
  return {{"unit", "us"}, {"count", count_}, {"min", min()}, {"max", max_}, {"sum", sum_}, {"buckets", std::move(buckets)}};
}

histogram histogram::from_json(const nlohmann::json& j) {
  auto fail = [](const std::string& why) { throw std::invalid_argument("histogram: " + why); };
  if (!j.is_object()) fail("not a JSON object");
  if (j.value("unit", std::string()) != "us") fail("unit is not \"us\"");
  for (const char* key : {"count", "min", "max", "sum"}) {
    if (!j.contains(key) || !j[key].is_number_unsigned()) fail(std::string("\"") + key + "\" missing or not a count");
  }
  if (!j.contains("buckets") || !j["buckets"].is_array()) fail("\"buckets\" missing or not an array");
  histogram h;
  std::uint64_t total = 0;
  std::size_t previous = 0;
  std::size_t lowest = 0;
  bool first = true;
  for (const auto& b : j["buckets"]) {
    if (!b.is_array() || b.size() != 2 || !b[0].is_number_unsigned() || !b[1].is_number_unsigned()) {
      fail("a bucket is not [value, count]");
    }
    const auto low = b[0].get<std::uint64_t>();
    if (low > max_value) fail("bucket value " + std::to_string(low) + " out of range");
    const std::size_t index = bucket_of(low);
    if (bucket_low(index) != low) fail("bucket value " + std::to_string(low) + " is not a bucket boundary");
    if (!first && index <= previous) fail("buckets out of order");
    if (first) lowest = index;
    first = false;
    previous = index;
    h.counts_[index] = b[1].get<std::uint64_t>();
    total += h.counts_[index];
  }
  h.count_ = j["count"].get<std::uint64_t>();
  h.min_ = j["min"].get<std::uint64_t>();
  h.max_ = j["max"].get<std::uint64_t>();
  h.sum_ = j["sum"].get<std::uint64_t>();
  if (total != h.count_) fail("bucket counts add up to " + std::to_string(total) + ", not count " + std::to_string(h.count_));
  if (h.count_ != 0 && (h.min_ > h.max_ || bucket_of(h.min_) != lowest || bucket_of(h.max_) != previous ||
                        h.counts_[bucket_of(h.max_)] == 0)) {
    fail("min/max do not match the buckets");
  }
  if (h.count_ == 0) h.min_ = h.max_ = h.sum_ = 0;
  return h;
}

}  // namespace mqtk::bench
