#pragma once
// The words of mqtk-ping's checks (--roundtrip, --capabilities, --keepalive-check, --wait, the
// device check) and of a run that stops early. The checks observe and decide; these tables say
// what they saw, one table per kind of event, so that a correction reaches every tool that
// learns the same facts. Figures the tool formats its own way (milliseconds as ping(8) prints
// them) arrive already formatted.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "mqtk/diag/probe_finding.hpp"
#include "mqtk/proto/reason_code.hpp"

namespace mqtk::diag {

// --- --roundtrip: what did not come back (each an error finding) ---

// The SUBSCRIBE to `filter` (the test tree `base` + "/#") was refused; `reason` says why.
struct roundtrip_subscribe_refused {
  std::string_view filter;
  std::string_view base;
  std::string_view reason;
};
// A publish at `qos` to `topic` failed; `reason` is the operation's failure line.
struct roundtrip_publish_failed {
  int qos = 0;
  std::string_view topic;
  std::string_view reason;
};
// A publish the broker accepted did not come back on the matching subscription.
struct roundtrip_not_delivered {
  int qos = 0;
  std::string_view topic;
  std::string_view waited_ms;  // "2000"
};
// The '+' subscription was refused, or accepted without delivering anything.
struct roundtrip_wildcard_failed {
  bool subscription_accepted = false;
};
// A retained message did not reach a new subscription.
struct roundtrip_retained_not_delivered {};

using roundtrip_problem = std::variant<roundtrip_subscribe_refused, roundtrip_publish_failed, roundtrip_not_delivered,
                                       roundtrip_wildcard_failed, roundtrip_retained_not_delivered>;
probe_finding roundtrip_finding(const roundtrip_problem& p);

// --- --capabilities: limits a device would run into ---

// The broker closed the connection on a large PUBLISH instead of refusing it with a code.
struct capability_dropped_on_large_packet {};
// The longest client id the broker accepted is below 64 characters.
struct capability_short_client_ids {
  std::size_t longest = 0;
};

using capability_problem = std::variant<capability_dropped_on_large_packet, capability_short_client_ids>;
probe_finding capability_finding(const capability_problem& p);

// --- --keepalive-check: a silent client and its will ---

// The 5.0 CONNACK replaced the asked keep alive with a Server Keep Alive.
struct keepalive_overridden {
  std::uint16_t asked_s = 0;
  std::uint16_t imposed_s = 0;
};
// The broker never dropped the silent connection.
struct keepalive_not_enforced {
  int waited_s = 0;
  std::string_view keep_alive_s;  // the keep alive in force, formatted
};
// The broker dropped the silent connection `after_s` seconds in, `grace_s` after 1.5 x keep alive
// (negative: before it).
struct keepalive_dropped {
  double after_s = 0;
  double grace_s = 0;
  double keep_alive_s = 0;
  std::optional<proto::reason_code> disconnect_code;  // the DISCONNECT the broker sent first, if any
};
// The broker dropped the silent client but its will never arrived on `topic`.
struct keepalive_will_not_published {
  std::string_view topic;
};

using keepalive_event =
    std::variant<keepalive_overridden, keepalive_not_enforced, keepalive_dropped, keepalive_will_not_published>;
// keepalive_dropped gives the finding of a drop outside the 1.5 rule (early: a warning; late: info).
probe_finding keepalive_finding(const keepalive_event& e);
// "dropped after 7.52 s of silence: 0.02 s after 1.5 x keep alive (7.5 s)": the check's line and
// the message of its finding.
std::string keepalive_dropped_line(const keepalive_dropped& e);

// --- a run that ends without a verdict of its own ---

// Interrupted (SIGINT/SIGTERM) during --versions, during --keepalive-check, or while waiting for
// a connection stage ("dns", "tcp", "tls", "websocket", "connack").
struct versions_check_interrupted {};
struct keepalive_check_interrupted {};
struct connect_interrupted {
  std::string_view stage;
  std::string_view waited_ms;  // since the start, formatted
};
// The keepalive check's own CONNECT was not accepted (the normal connect explains why).
struct keepalive_connect_not_accepted {};

using run_stop = std::variant<versions_check_interrupted, keepalive_check_interrupted, connect_interrupted,
                              keepalive_connect_not_accepted>;
// "<what happened> — <what to try>" (the hint may be absent), the line mqtk-ping's report splits.
std::string run_stop_line(const run_stop& s);

// --wait gave up: "broker not ready after 5.2 s (9 attempts): " before the last attempt's explanation.
std::string broker_not_ready_explanation(double waited_s, unsigned attempts, std::string_view last_explanation);

// --- the device check: why some of the broker's limits could not be checked ---
enum class device_check_gap {
  no_connack,     // the broker did not answer the device's CONNECT
  no_v5_connack,  // no 5.0 CONNECT was accepted, so the 5.0 limits are unknown
};
std::string_view device_check_gap_note(device_check_gap g);

}  // namespace mqtk::diag
