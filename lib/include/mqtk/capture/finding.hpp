#pragma once
// What mqtk-decode found wrong (or worth knowing) about one MQTT connection. Findings are
// plain data: connection_tracker fills them in (words from diag/decode_finding_text),
// lib/report prints them as text or JSON.
#include <cstdint>
#include <string>
#include <string_view>

#include "mqtk/capture/stream_sink.hpp"

namespace mqtk::capture {

enum class severity : std::uint8_t { info, warning, error };

enum class finding_kind : std::uint8_t {
  connection_refused,       // CONNACK with a refusal code
  no_connack,               // CONNECT answered by a close, not a CONNACK
  server_disconnect,        // 5.0 DISCONNECT from the broker with a failure reason
  keepalive_violated,       // the client stayed silent longer than its keepalive allows
  no_ping_response,         // a PINGREQ that never got its PINGRESP
  incomplete_flow,          // a QoS 1/2 exchange left unfinished at close
  packet_id_reused,         // a packet id reused while its flow was still in flight
  session_taken_over,       // another connection with the same client id took the session
  will_published,           // the broker published this connection's will
  closed_without_disconnect,// the client's connection ended with no DISCONNECT
  topic_alias_error,        // alias 0, above the declared maximum, or never defined
  packet_too_large,         // larger than the maximum packet size the receiver declared
  malformed_packet,         // bytes that do not decode as MQTT
  capture_gap,              // bytes missing from the capture
  tls_not_decodable,        // the connection is TLS: its MQTT cannot be read
  subscription_refused,     // SUBACK failure code for a filter
  queued_delivery,          // messages delivered from a persistent session before any SUBSCRIBE
  large_packet,             // one packet spread over many TCP segments
  truncated_at_close,       // a packet cut short by the end of the connection or capture
  protocol_violation,       // a packet that breaks a rule but could still be read
  transport_anomaly,        // TCP or WebSocket trouble: conflicting retransmission, upgrade refused, ...
};

// snake_case names used in JSON ("keepalive_violated").
constexpr std::string_view finding_kind_name(finding_kind k) noexcept {
  switch (k) {
    case finding_kind::connection_refused: return "connection_refused";
    case finding_kind::no_connack: return "no_connack";
    case finding_kind::server_disconnect: return "server_disconnect";
    case finding_kind::keepalive_violated: return "keepalive_violated";
    case finding_kind::no_ping_response: return "no_ping_response";
    case finding_kind::incomplete_flow: return "incomplete_flow";
    case finding_kind::packet_id_reused: return "packet_id_reused";
    case finding_kind::session_taken_over: return "session_taken_over";
    case finding_kind::will_published: return "will_published";
    case finding_kind::closed_without_disconnect: return "closed_without_disconnect";
    case finding_kind::topic_alias_error: return "topic_alias_error";
    case finding_kind::packet_too_large: return "packet_too_large";
    case finding_kind::malformed_packet: return "malformed_packet";
    case finding_kind::capture_gap: return "capture_gap";
    case finding_kind::tls_not_decodable: return "tls_not_decodable";
    case finding_kind::subscription_refused: return "subscription_refused";
    case finding_kind::queued_delivery: return "queued_delivery";
    case finding_kind::large_packet: return "large_packet";
    case finding_kind::truncated_at_close: return "truncated_at_close";
    case finding_kind::protocol_violation: return "protocol_violation";
    case finding_kind::transport_anomaly: return "transport_anomaly";
  }
  return "unknown";
}

constexpr std::string_view severity_name(severity s) noexcept {
  switch (s) {
    case severity::info: return "info";
    case severity::warning: return "warning";
    case severity::error: return "error";
  }
  return "unknown";
}

struct finding {
  finding_kind kind{};
  severity level = severity::warning;
  std::uint64_t frame = 0;  // where it shows (0 when it has no single frame)
  capture_time ts = 0;
  std::string message;      // one line for people
  std::string cause;        // likely cause, when known (refusals: diag/refusal)
  std::string fix;          // what to try, when known (refusals: diag/refusal)

  friend bool operator==(const finding&, const finding&) = default;
};

}  // namespace mqtk::capture
