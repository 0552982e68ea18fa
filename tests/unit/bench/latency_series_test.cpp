#include "mqtk/bench/latency_series.hpp"

#include <gtest/gtest.h>

namespace mqtk::bench {
namespace {

TEST(latency_series, each_second_holds_only_the_samples_recorded_in_it) {
  latency_series s;
  for (std::uint64_t us = 1; us <= 100; ++us) s.record(us);
  const histogram first = s.close();
  s.record(5000);
  const histogram second = s.close();
  EXPECT_EQ(first.count(), 100U);
  EXPECT_EQ(first.max(), 100U);
  EXPECT_EQ(second.count(), 1U);
  EXPECT_EQ(second.min(), 5000U);
  EXPECT_EQ(s.current().count(), 0U);
}

TEST(latency_series, the_seconds_of_two_workers_merge_into_the_histogram_of_all_their_samples) {
  latency_series a, b;
  histogram all;
  for (std::uint64_t us = 1; us <= 1000; ++us) {
    (us % 3 == 0 ? a : b).record(us * 7);
    all.record(us * 7);
  }
  histogram merged = a.close();
  merged.merge(b.close());
  EXPECT_EQ(merged, all);
  // Not the average of the two workers' p99s: the p99 of the samples.
  EXPECT_EQ(latency_csv_fields(merged), latency_csv_fields(all));
}

TEST(latency_series, csv_fields_are_p50_p90_p99_and_max_in_milliseconds) {
  histogram h;
  // 0.002 .. 0.200 ms: below 256 us every value is its own bucket, so the figures are exact.
  for (std::uint64_t us = 1; us <= 100; ++us) h.record(us * 2);
  EXPECT_EQ(latency_csv_fields(h), "0.100,0.180,0.198,0.200");
}

TEST(latency_series, a_second_without_samples_has_empty_fields) {
  EXPECT_EQ(latency_csv_fields(histogram()), ",,,");
  EXPECT_EQ(std::string(latency_csv_header), "p50_ms,p90_ms,p99_ms,max_ms");
}

}  // namespace
}  // namespace mqtk::bench
