#pragma once
// Why a PUBLISH or a SUBSCRIBE failed, put into words for people: the one table behind the
// stderr lines of mqtk-pub, mqtk-sub and mqtk-bench about an operation or a run (a connection that failed is
// failure.hpp's or refusal.hpp's). Each event is typed: the tools say what happened, this says it
// for them, with the peer's and the user's strings escaped for the terminal.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session_action.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::diag {

// The broker's CONNACK announced a limit that this PUBLISH exceeds, so it was not sent (5.0).
struct publish_over_limit {
  enum class limit : std::uint8_t { maximum_qos, retain_available, maximum_packet_size };
  limit which = limit::maximum_qos;
  std::uint32_t broker_value = 0;  // the broker's Maximum QoS or Maximum Packet Size
  proto::qos asked_qos = proto::qos::at_most_once;
};

// The broker answered a PUBLISH with a failure code in PUBACK (QoS 1) or PUBREC (QoS 2).
struct publish_refused {
  std::string_view topic;
  proto::reason_code code;
  proto::packet_type where = proto::packet_type::puback;
  proto::protocol_version version = proto::protocol_version::v5;
};

// One filter of a SUBSCRIBE the broker denied in its SUBACK.
struct denied_filter {
  std::string_view filter;
  proto::reason_code code;
};

// Some filters were denied and the subscriber goes on with the others: one line per filter.
struct subscription_denied {
  denied_filter denied;
  proto::protocol_version version = proto::protocol_version::v5;
};

// Every filter was denied: nothing can arrive, one line names them all.
struct every_subscription_denied {
  std::span<const denied_filter> denied;
  proto::protocol_version version = proto::protocol_version::v5;
};

// A stream of publishes (-l) lost its connection again and again with nothing acknowledged in
// between: the broker most likely refuses something it is sent again.
struct publish_lost_repeatedly {
  std::size_t losses = 0;
  std::string_view last_reason;  // why the last connection ended
};

// The connection ended before the broker confirmed QoS 0 messages (QoS 0 has no acknowledgement
// to carry a refusal).
struct qos0_unconfirmed {
  std::string_view why;  // how the connection ended
};

// Where a connect or a subscribe stood when a signal or -W cut it short: what answered so far
// says what may be (not) listening.
enum class stalled_at : std::uint8_t { connecting, awaiting_connack, awaiting_suback };

// "waiting for the CONNACK from HOST:PORT — something accepted the connection but did not answer
// CONNECT; is it an MQTT broker (check -p, TLS)?", for "interrupted by SIGINT <this>" and "timed
// out after 5 s <this>". With a packet of the broker's still `receiving`, that is what it did
// ("— the broker was still sending a 4-byte CONNACK (3 bytes so far): ...").
std::string stalled_text(stalled_at where, std::string_view broker,
                         const std::optional<proto::packet_in_progress>& receiving = std::nullopt);

// A signal stopped the publisher before the connect completed: nothing was published. Where
// the connect stood says what was (not) listening.
struct publish_connect_interrupted {
  std::string_view signal;  // "SIGINT"
  std::string_view broker;  // "host:port" or "unix:PATH"
  bool awaiting_connack = false;  // the transport was up and CONNECT sent
};

// A signal stopped the publisher with messages the broker had not acknowledged yet.
struct publish_interrupted {
  std::string_view signal;
  std::size_t unacknowledged = 0;
};

// Reconnecting (--reconnect) ran out of attempts with messages not acknowledged.
struct publish_reconnect_gave_up {
  std::string_view broker;
  std::size_t attempts = 0;
  std::string_view last_error;  // why the last attempt failed, in the transport's words
  std::size_t unacknowledged = 0;
};

// mqtk-sub's -W ran out before it was connected and subscribed.
struct subscribe_timed_out {
  std::chrono::milliseconds waited{};
  stalled_at where = stalled_at::connecting;
  std::string_view broker;
  std::optional<proto::packet_in_progress> receiving;  // the broker's packet still arriving, if any
};

// A signal stopped mqtk-sub before it was connected and subscribed.
struct subscribe_interrupted {
  std::string_view signal;  // "SIGINT"
  stalled_at where = stalled_at::connecting;
  std::string_view broker;
};

// mqtk-sub's -W ran out while receiving, with fewer messages than -C asked for (or none).
struct receive_timed_out {
  std::chrono::milliseconds waited{};
  std::size_t received = 0;
  std::optional<std::size_t> wanted;  // -C
};

// Writing the messages to standard output failed (not a reader that went away: that is a
// normal end).
struct output_write_failed {
  std::string_view error;  // the OS's words (strerror)
};

// mqtk-sub was started with standard output closed: nothing could be printed.
struct output_closed_at_start {};

// mqtk-sub's reconnecting ran out of attempts.
struct subscribe_reconnect_gave_up {
  std::size_t attempts = 0;
  std::string_view last_error;  // why the last attempt failed, in the transport's words
};

// mqtk-pub -l: the input ended while the connection was down. Every line was acknowledged
// before the loss, but the clean end never happened.
struct publish_connection_not_reestablished {
  std::string_view broker;
  std::string_view why;  // how the connection was lost, empty when no reason was given
};

// mqtk-pub -l -q 0: messages that went down with a connection (QoS 0 is never resent).
struct qos0_lost_with_connection {
  std::size_t count = 0;
};

// Reading mqtk-pub's input (-l, -s) failed part-way.
struct input_read_failed {
  std::string_view error;  // what failed, in the reader's words
};

// mqtk-pub was started with standard input closed and -l (`lines`) or -s to read.
struct input_closed_at_start {
  bool lines = false;
};

// mqtk-bench, after its report: the broker broke the protocol on some connections (exit 76).
struct bench_protocol_broken {
  std::uint64_t connections = 0;
  std::string_view first;  // the first such connection's line, already in diag's words
};

// mqtk-bench, after its report: connections ended during the run without our DISCONNECT (75).
struct bench_connections_lost {
  std::uint64_t connections = 0;
  std::string_view first;  // the first lost connection's line
};

// mqtk-bench: not one connection came up, so there is nothing to measure.
struct bench_every_connection_failed {
  std::uint64_t connections = 0;
  std::string_view first;  // the first failed connection's line
};

// mqtk-bench's shared TLS context could not be built from --cafile/--cert/--key.
struct bench_tls_setup_failed {
  std::string_view error;  // OpenSSL's or the file's words
};

using operation_failure =
    std::variant<publish_over_limit, publish_refused, subscription_denied, every_subscription_denied,
                 publish_lost_repeatedly, qos0_unconfirmed, publish_connect_interrupted, publish_interrupted,
                 publish_reconnect_gave_up, subscribe_timed_out, subscribe_interrupted, receive_timed_out,
                 output_write_failed, output_closed_at_start, subscribe_reconnect_gave_up,
                 publish_connection_not_reestablished, qos0_lost_with_connection, input_read_failed,
                 input_closed_at_start, bench_protocol_broken, bench_connections_lost,
                 bench_every_connection_failed, bench_tls_setup_failed>;

// The line after "mqtk-pub: " / "mqtk-sub: " / "mqtk-bench: ", without a newline.
std::string operation_failure_line(const operation_failure& f);

// The reason code the broker would have answered a publish over its limit with (the exit code,
// ARCHITECTURE.md 128-162): 0x9B, 0x9A or 0x95.
proto::reason_code reason_for(publish_over_limit::limit which) noexcept;

// The failures among a SUBACK's codes, paired with their filters in request order.
template <class Filters, class Codes>
std::vector<denied_filter> denied_filters(const Filters& filters, const Codes& codes,
                                          proto::protocol_version version) {
  std::vector<denied_filter> out;
  for (std::size_t i = 0; i < codes.size() && i < filters.size(); ++i) {
    const proto::reason_code code = codes[i];
    if (code.is_failure(proto::packet_type::suback, version)) out.push_back({filters[i], code});
  }
  return out;
}

}  // namespace mqtk::diag
