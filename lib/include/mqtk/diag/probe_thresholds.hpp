#pragma once
// The limits a CI or monitoring run sets on a probe (--max-connect-ms, --max-rtt-ms,
// --max-loss), checked against what was measured: each limit exceeded is an error finding
// that names the measured figure and the limit.
#include <optional>
#include <vector>

#include "mqtk/diag/probe_finding.hpp"
#include "mqtk/diag/rtt_stats.hpp"

namespace mqtk::diag {

struct probe_thresholds {
  std::optional<double> max_connect_ms;    // from the start to CONNACK
  std::optional<double> max_rtt_ms;        // the slowest PINGREQ -> PINGRESP round trip
  std::optional<double> max_loss_percent;  // PINGREQs without PINGRESP

  bool any() const noexcept { return max_connect_ms || max_rtt_ms || max_loss_percent; }
};

// Findings for the limits exceeded (empty when all hold). A limit on round trips with no
// round trip measured is not checked (nothing was sent: -c 0 interrupted at once).
std::vector<probe_finding> check_thresholds(const probe_thresholds& limits, double connect_ms, const rtt_stats& rtt);

}  // namespace mqtk::diag
