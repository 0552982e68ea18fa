#pragma once
// A log-linear latency histogram in the style of HdrHistogram: values (microseconds) below
// 256 are counted exactly; above, every power of two is split into 128 equal sub-buckets, so a
// bucket is never wider than 1/128 of its lowest value and a percentile reported as the
// bucket's midpoint is within 0.4 % of the exact sample (1 % is the promise). The range is
// 0 .. 2^32-1 us (71 minutes); larger values land in the top bucket (min, max and sum stay
// exact).
//
// Histograms are plain counts, so merging (one per worker thread, one per load machine) is
// addition and loses nothing: merge(A, B) equals the histogram of A's and B's samples. That
// is why bench never averages percentiles. The JSON form lists only non-zero buckets, each as
// [lowest value of the bucket, count], so that it stays small and self-describing.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace mqtk::bench {

class histogram {
 public:
  static constexpr unsigned sub_bucket_bits = 7;        // 128 sub-buckets per power of two
  static constexpr std::uint64_t exact_limit = 256;     // values below are their own bucket
  static constexpr std::uint64_t max_value = 0xFFFFFFFFull;
  static std::size_t bucket_count();
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_low(std::size_t index);   // lowest value in the bucket
  static std::uint64_t bucket_high(std::size_t index);  // highest value in the bucket

  histogram();

  void record(std::uint64_t value_us, std::uint64_t times = 1);
  void merge(const histogram& other);
  void clear();

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  std::uint64_t max() const noexcept { return max_; }
  std::uint64_t sum() const noexcept { return sum_; }
  double mean() const noexcept { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // Nearest-rank percentile (the sample at rank ceil(p/100 * count), 1-based), reported as the
  // midpoint of its bucket clamped to [min, max] (the first and last ranks: min and max
  // exactly); p in [0, 100]. 0 when empty.
  std::uint64_t percentile(double p) const;

  bool operator==(const histogram&) const = default;

  // {"unit": "us", "count", "min", "max", "sum", "buckets": [[low, count], ...]}
  nlohmann::json to_json() const;
  // Throws std::invalid_argument naming what is wrong (a report from another tool, a
  // hand-edited file): counts that do not add up, values out of range, buckets out of order.
  static histogram from_json(const nlohmann::json& j);

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

}  // namespace mqtk::bench
