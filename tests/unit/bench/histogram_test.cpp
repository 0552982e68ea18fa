#include "mqtk/bench/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mqtk::bench {
namespace {

std::uint64_t exact_percentile(std::vector<std::uint64_t> v, double p) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  rank = std::clamp<std::uint64_t>(rank, 1, v.size());
  return v[rank - 1];
}

histogram of(const std::vector<std::uint64_t>& v) {
  histogram h;
  for (auto x : v) h.record(x);
  return h;
}

void expect_percentiles_within_one_percent(const std::vector<std::uint64_t>& v) {
  const histogram h = of(v);
  for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    const auto exact = static_cast<double>(exact_percentile(v, p));
    const auto got = static_cast<double>(h.percentile(p));
    EXPECT_LE(std::abs(got - exact), exact * 0.01) << "p" << p << ": exact " << exact << ", histogram " << got;
  }
  EXPECT_EQ(h.min(), *std::min_element(v.begin(), v.end()));
  EXPECT_EQ(h.max(), *std::max_element(v.begin(), v.end()));
  EXPECT_EQ(h.count(), v.size());
}

TEST(histogram, bucket_boundaries_are_contiguous_and_narrow) {
  for (std::size_t i = 0; i + 1 < histogram::bucket_count(); ++i) {
    ASSERT_EQ(histogram::bucket_high(i) + 1, histogram::bucket_low(i + 1)) << i;
    ASSERT_EQ(histogram::bucket_of(histogram::bucket_low(i)), i);
    ASSERT_EQ(histogram::bucket_of(histogram::bucket_high(i)), i);
    const double width = static_cast<double>(histogram::bucket_high(i) - histogram::bucket_low(i) + 1);
    if (histogram::bucket_low(i) >= histogram::exact_limit) {
      ASSERT_LE(width / static_cast<double>(histogram::bucket_low(i)), 1.0 / 128) << i;
    }
  }
  EXPECT_EQ(histogram::bucket_high(histogram::bucket_count() - 1), histogram::max_value);
  EXPECT_EQ(histogram::bucket_of(3'600'000'000ull) + 1 <= histogram::bucket_count(), true);  // 1 h fits
}

TEST(histogram, percentiles_of_uniform_random_data_within_one_percent) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::uint64_t> d(1, 3'600'000'000ull);
  std::vector<std::uint64_t> v(20'000);
  for (auto& x : v) x = d(rng);
  expect_percentiles_within_one_percent(v);
}

TEST(histogram, percentiles_of_log_normal_latencies_within_one_percent) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> d(7.0, 1.5);  // ~1 ms median, long tail
  std::vector<std::uint64_t> v(50'000);
  for (auto& x : v) x = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(d(rng)));
  expect_percentiles_within_one_percent(v);
}

TEST(histogram, adversarial_data_bucket_edges_and_a_single_outlier) {
  std::vector<std::uint64_t> v;
  for (std::size_t i = 300; i < histogram::bucket_count(); i += 37) {
    v.push_back(histogram::bucket_low(i));
    v.push_back(histogram::bucket_high(i));
  }
  expect_percentiles_within_one_percent(v);
  // 9,999 fast samples and one stall: p99.99 must not hide it, p99.9 must not invent it.
  std::vector<std::uint64_t> w(9'999, 500);
  w.push_back(1'000'000);
  const histogram h = of(w);
  EXPECT_EQ(h.percentile(100), 1'000'000u);
  EXPECT_EQ(h.percentile(99.99), exact_percentile(w, 99.99));
  EXPECT_EQ(h.percentile(99.9), 500u);
  // All samples identical: every percentile is that value exactly (clamped to min/max).
  const histogram same = of(std::vector<std::uint64_t>(100, 123'457));
  EXPECT_EQ(same.percentile(0), 123'457u);
  EXPECT_EQ(same.percentile(50), 123'457u);
}

TEST(histogram, values_beyond_the_range_keep_exact_max_and_sum) {
  histogram h;
  h.record(histogram::max_value + 1000);
  h.record(1);
  EXPECT_EQ(h.max(), histogram::max_value + 1000);
  EXPECT_EQ(h.sum(), histogram::max_value + 1001);
  EXPECT_EQ(h.percentile(100), histogram::max_value + 1000);
}

TEST(histogram, empty_reports_zero) {
  histogram h;
  EXPECT_EQ(h.percentile(99), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(histogram, merge_equals_histogram_of_the_union) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<std::uint64_t> d(0, 10'000'000);
  std::vector<std::uint64_t> a(3'000), b(5'000);
  for (auto& x : a) x = d(rng);
  for (auto& x : b) x = d(rng) / 100;  // a different range: min and max come from different sides
  std::vector<std::uint64_t> all = a;
  all.insert(all.end(), b.begin(), b.end());
  histogram m = of(a);
  m.merge(of(b));
  EXPECT_EQ(m, of(all));
  histogram reversed = of(b);
  reversed.merge(of(a));
  EXPECT_EQ(reversed, m);
  histogram with_empty = of(a);
  with_empty.merge(histogram{});
  EXPECT_EQ(with_empty, of(a));
  histogram empty;
  empty.merge(of(b));
  EXPECT_EQ(empty, of(b));
}

TEST(histogram, json_round_trip_is_exact_and_compact) {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> d(1.0 / 2000);
  histogram h;
  for (int i = 0; i < 10'000; ++i) h.record(static_cast<std::uint64_t>(d(rng)));
  const nlohmann::json j = h.to_json();
  EXPECT_LT(j["buckets"].size(), 1500u);  // only the non-zero buckets
  EXPECT_EQ(histogram::from_json(nlohmann::json::parse(j.dump())), h);
  EXPECT_EQ(histogram::from_json(histogram{}.to_json()), histogram{});
}

TEST(histogram, from_json_rejects_inconsistent_input) {
  histogram h;
  h.record(1000);
  h.record(5000);
  nlohmann::json bad = h.to_json();
  bad["count"] = 3;
  EXPECT_THROW(histogram::from_json(bad), std::invalid_argument);
  bad = h.to_json();
  bad["buckets"][0][0] = 1001;  // not a bucket boundary
  EXPECT_THROW(histogram::from_json(bad), std::invalid_argument);
  bad = h.to_json();
  std::swap(bad["buckets"][0], bad["buckets"][1]);
  EXPECT_THROW(histogram::from_json(bad), std::invalid_argument);
  bad = h.to_json();
  bad["min"] = 3000;
  EXPECT_THROW(histogram::from_json(bad), std::invalid_argument);
  bad = h.to_json();
  bad["unit"] = "ms";
  EXPECT_THROW(histogram::from_json(bad), std::invalid_argument);
  EXPECT_THROW(histogram::from_json(nlohmann::json::array()), std::invalid_argument);
}

}  // namespace
}  // namespace mqtk::bench
