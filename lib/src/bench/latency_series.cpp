#include "mqtk/bench/latency_series.hpp"

#include <utility>

#include <fmt/format.h>

namespace mqtk::bench {

histogram latency_series::close() { return std::exchange(current_, histogram()); }

std::string latency_csv_fields(const histogram& second) {
  if (second.count() == 0) return ",,,";
  const auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
  return fmt::format("{:.3f},{:.3f},{:.3f},{:.3f}", ms(second.percentile(50)), ms(second.percentile(90)),
                     ms(second.percentile(99)), ms(second.max()));
}

}  // namespace mqtk::bench
