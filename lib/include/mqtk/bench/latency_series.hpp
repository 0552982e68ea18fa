#pragma once
// The latency column of mqtk-bench's --csv time series: p50, p90, p99 and max of the samples
// recorded in each second. Each worker records into the histogram of the second under way (its
// own: nothing shared on the hot path); when a second ends, the main thread collects every
// worker's histogram of it and merges them, so the figures are percentiles of the merged
// samples, never averages of per-thread percentiles. The report's totals are separate
// histograms over the measurement window; merging every second's histogram gives the histogram
// of all samples of the run (warm-up included).
#include <cstdint>
#include <string>

#include "mqtk/bench/histogram.hpp"

namespace mqtk::bench {

class latency_series {
 public:
  void record(std::uint64_t us) { current_.record(us); }
  // Ends the second under way: its samples, and an empty histogram for the next one.
  histogram close();
  const histogram& current() const noexcept { return current_; }

 private:
  histogram current_;
};

// The CSV header of the latency fields, and their values in milliseconds for one second:
// "p50,p90,p99,max"; four empty fields when nothing was recorded in it.
inline constexpr const char* latency_csv_header = "p50_ms,p90_ms,p99_ms,max_ms";
std::string latency_csv_fields(const histogram& second);

}  // namespace mqtk::bench
