#include "mqtk/diag/probe_thresholds.hpp"

#include <cstdio>
#include <string>

namespace mqtk::diag {
namespace {

std::string fixed(double v, int decimals = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

}  // namespace

std::vector<probe_finding> check_thresholds(const probe_thresholds& limits, double connect_ms, const rtt_stats& rtt) {
  std::vector<probe_finding> out;
  if (limits.max_connect_ms && connect_ms > *limits.max_connect_ms) {
    out.push_back({finding_level::error, "max_connect_ms_exceeded",
                   "connect took " + fixed(connect_ms) + " ms, over --max-connect-ms " + fixed(*limits.max_connect_ms, 0),
                   "the stage timings show which layer is slow"});
  }
  if (limits.max_rtt_ms && rtt.received_count() > 0 && rtt.max_ms() > *limits.max_rtt_ms) {
    out.push_back({finding_level::error, "max_rtt_ms_exceeded",
                   "slowest PINGREQ round trip " + fixed(rtt.max_ms()) + " ms, over --max-rtt-ms " +
                       fixed(*limits.max_rtt_ms, 0),
                   "a loaded broker or a slow network path; compare with ping(8) to the host"});
  }
  if (limits.max_loss_percent && rtt.sent_count() > 0 && rtt.loss_percent() > *limits.max_loss_percent) {
    out.push_back({finding_level::error, "max_loss_exceeded",
                   fixed(rtt.loss_percent(), 1) + "% of PINGREQs unanswered (" + std::to_string(rtt.received_count()) +
                       " of " + std::to_string(rtt.sent_count()) + "), over --max-loss " +
                       fixed(*limits.max_loss_percent, 1) + "%",
                   "raise -W if the answers are only slow"});
  }
  return out;
}

}  // namespace mqtk::diag
