#include "mqtk/diag/ping_check_text.hpp"

#include <cmath>
#include <cstdio>

#include "mqtk/proto/overloaded.hpp"
#include "mqtk/proto/reason_code.hpp"

namespace mqtk::diag {
namespace {

using proto::overloaded;

std::string qos_name(int qos) { return "QoS " + std::to_string(qos); }

}  // namespace

probe_finding roundtrip_finding(const roundtrip_problem& p) {
  return std::visit(
      overloaded{
          [](const roundtrip_subscribe_refused& e) {
            return probe_finding{finding_level::error, "subscribe_refused",
                                 "SUBSCRIBE to " + std::string(e.filter) + " refused: " + std::string(e.reason),
                                 "the broker's ACL must let this user read and write " + std::string(e.base) + "/..."};
          },
          [](const roundtrip_publish_failed& e) {
            return probe_finding{finding_level::error, "publish_failed",
                                 qos_name(e.qos) + " publish failed: " + std::string(e.reason),
                                 "the broker's ACL must let this user write " + std::string(e.topic)};
          },
          [](const roundtrip_not_delivered& e) {
            return probe_finding{finding_level::error, "not_delivered",
                                 qos_name(e.qos) + " message on " + std::string(e.topic) + " not delivered within " +
                                     std::string(e.waited_ms) + " ms",
                                 "the broker accepted the publish but did not deliver it to a matching subscription: "
                                 "check its ACL (read access) and its log"};
          },
          [](const roundtrip_wildcard_failed& e) {
            return probe_finding{finding_level::error, "wildcards",
                                 std::string("subscription with '+' ") +
                                     (e.subscription_accepted ? "accepted but nothing delivered" : "refused"),
                                 "the broker may not support or allow wildcard subscriptions"};
          },
          [](const roundtrip_retained_not_delivered&) {
            return probe_finding{finding_level::error, "retained",
                                 "a retained message was not delivered to a new subscription",
                                 "the broker may not support retained messages (5.0: Retain Available 0)"};
          },
      },
      p);
}

probe_finding capability_finding(const capability_problem& p) {
  return std::visit(
      overloaded{
          [](const capability_dropped_on_large_packet&) {
            return probe_finding{finding_level::info, "dropped_on_large_packet",
                                 "the broker closed the connection on a large PUBLISH (no PUBACK failure code)",
                                 "large messages from a device are dropped with the connection: check max_packet_size"};
          },
          [](const capability_short_client_ids& e) {
            return probe_finding{finding_level::warning, "short_client_ids",
                                 "the broker accepts client ids of at most " + std::to_string(e.longest) + " characters",
                                 "keep device ids short (MAC-based ids of 12-17 characters fit everywhere)"};
          },
      },
      p);
}

std::string keepalive_dropped_line(const keepalive_dropped& e) {
  char b[128];
  std::snprintf(b, sizeof b, "dropped after %.2f s of silence: %.2f s %s 1.5 x keep alive (%.1f s)", e.after_s,
                std::abs(e.grace_s), e.grace_s >= 0 ? "after" : "before", e.keep_alive_s * 1.5);
  std::string line = b;
  if (e.disconnect_code) line += ", with DISCONNECT " + e.disconnect_code->hex(proto::hex_case::upper);
  return line;
}

probe_finding keepalive_finding(const keepalive_event& e) {
  return std::visit(
      overloaded{
          [](const keepalive_overridden& k) {
            return probe_finding{finding_level::info, "server_keep_alive",
                                 "the broker replaced the keep alive " + std::to_string(k.asked_s) + " s with " +
                                     std::to_string(k.imposed_s) + " s",
                                 "a device must ping within the Server Keep Alive, not its own setting"};
          },
          [](const keepalive_not_enforced& k) {
            return probe_finding{finding_level::warning, "keepalive_not_enforced",
                                 "the broker did not drop a silent connection within " + std::to_string(k.waited_s) +
                                     " s (keep alive " + std::string(k.keep_alive_s) + " s)",
                                 "dead devices stay connected (and their wills unpublished) until TCP notices"};
          },
          [](const keepalive_dropped& k) {
            // Early is the harmful direction: a device pinging on time is dropped anyway.
            const bool early = k.grace_s < 0;
            return probe_finding{early ? finding_level::warning : finding_level::info,
                                 early ? "keepalive_early_drop" : "keepalive_long_grace", keepalive_dropped_line(k),
                                 early ? "devices must ping well within the keep alive" : ""};
          },
          [](const keepalive_will_not_published& k) {
            return probe_finding{finding_level::warning, "will_not_published",
                                 "the broker dropped the silent client but its will did not arrive on " +
                                     std::string(k.topic),
                                 "check the broker's ACL for will topics; a 5.0 Will Delay Interval postpones it"};
          },
      },
      e);
}

std::string run_stop_line(const run_stop& s) {
  return std::visit(
      overloaded{
          [](const versions_check_interrupted&) { return std::string("interrupted"); },
          [](const keepalive_check_interrupted&) { return std::string("interrupted during the keepalive check"); },
          [](const connect_interrupted& c) {
            return "interrupted while waiting for " + std::string(c.stage) + " (" + std::string(c.waited_ms) +
                   " ms after the start) \u2014 the stages above are what answered; raise -W to give the broker "
                   "longer";
          },
          [](const keepalive_connect_not_accepted&) {
            return std::string(
                "keepalive check: the broker did not accept the CONNECT \u2014 run mqtk-ping without "
                "--keepalive-check to see why");
          },
      },
      s);
}

std::string broker_not_ready_explanation(double waited_s, unsigned attempts, std::string_view last_explanation) {
  char b[96];
  std::snprintf(b, sizeof b, "broker not ready after %.1f s (%u attempts): ", waited_s, attempts);
  return b + std::string(last_explanation);
}

std::string_view device_check_gap_note(device_check_gap g) {
  switch (g) {
    case device_check_gap::no_connack:
      return "(the broker did not answer the device's CONNECT: only the library's own limits are checked)";
    case device_check_gap::no_v5_connack: return "(no 5.0 CONNECT accepted: the broker's 5.0 limits are unknown)";
  }
  return "";
}

}  // namespace mqtk::diag
