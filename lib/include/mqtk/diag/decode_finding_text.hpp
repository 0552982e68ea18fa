#pragma once
// The words of mqtk-decode's findings (ARCHITECTURE.md, "The path of a packet through the
// decoder"): every sentence a finding prints lives in one table per finding kind in
// decode_finding_text.cpp, so that the wording is read, reviewed and tested in one place.
// capture/connection_tracker decides that something is a finding and gathers the facts; the
// functions here only put those facts into words. Refusals (connection_refused,
// server_disconnect) are explained by refusal.hpp, shared with the other tools.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mqtk/proto/decode_error.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::diag {

// Who sent the bytes a finding is about: "client→broker" or "broker→client".
enum class sender : std::uint8_t { client, broker };
std::string_view direction_text(sender from) noexcept;

// "1.500 s": how a finding cites a duration given in nanoseconds.
std::string seconds_text(std::int64_t ns);

// One entry of a finding kind's table: which case of the kind it words, and the sentence with
// {named} places for the facts.
struct finding_text_entry {
  std::uint8_t which;    // the kind's own case enum, as a number
  std::string_view text;
};

// Every table by finding kind name, for tests and reviews: each entry's places are filled by
// the function of that kind.
struct finding_text_table {
  std::string_view kind;  // capture::finding_kind_name: "keepalive_violated"
  std::span<const finding_text_entry> entries;
};
std::span<const finding_text_table> all_decode_finding_texts() noexcept;

// malformed_packet: bytes of one direction that do not decode as MQTT.
std::string malformed_packet_text(sender from, const proto::decode_failure& failure);

// protocol_violation: a packet that breaks a rule but could be read.
std::string protocol_violation_text(proto::packet_type type, sender from, proto::decode_error rule,
                                    std::size_t packet_offset);

// large_packet: one packet spread over many TCP segments.
struct large_packet_facts {
  proto::packet_type type{};
  std::size_t bytes = 0;
  sender from = sender::client;
  std::size_t frames = 0;
  std::uint64_t first_frame = 0;
  std::uint64_t last_frame = 0;
};
std::string large_packet_text(const large_packet_facts& f);

// subscription_refused: a SUBACK failure code for one filter (`filter_number` counts from 1).
std::string subscription_refused_text(std::uint16_t packet_id, std::size_t filter_number,
                                      proto::reason_code code, proto::protocol_version version);

// no_ping_response: a PINGREQ that got no PINGRESP before the next PINGREQ, or before the end.
enum class no_ping_response_case : std::uint8_t { next_pingreq, connection_ended };
std::string no_ping_response_text(no_ping_response_case which, std::uint64_t pingreq_frame,
                                  std::int64_t waited_ns = 0);

// packet_id_reused: a QoS 1/2 packet id sent again while its flow was still in flight.
struct packet_id_reused_facts {
  std::uint16_t packet_id = 0;
  sender from = sender::client;
  std::uint8_t qos = 1;
  std::uint64_t first_frame = 0;  // the PUBLISH still in flight
  std::string_view missing;       // flow_step_text of that flow
};
std::string packet_id_reused_text(const packet_id_reused_facts& f);

// incomplete_flow: a QoS 1/2 exchange left unfinished when the connection ended.
struct incomplete_flow_facts {
  std::uint8_t qos = 1;
  std::uint16_t packet_id = 0;
  sender from = sender::client;
  std::uint64_t frame = 0;
  std::string_view missing;  // flow_step_text
};
std::string incomplete_flow_text(const incomplete_flow_facts& f);

// Where a QoS flow stopped: "no PUBACK", "PUBREC received, no PUBREL", ... `step` counts the
// acknowledgements seen (0 awaiting PUBACK/PUBREC, 1 awaiting PUBREL, 2 awaiting PUBCOMP).
std::string_view flow_step_text(std::uint8_t qos, std::uint8_t step) noexcept;

// capture_gap: bytes missing from the capture.
std::string capture_gap_text(std::uint64_t missing, sender from, std::uint64_t frame);

// tls_not_decodable: `detail` (the ClientHello's server name, ...) may be empty.
std::string tls_not_decodable_text(std::string_view detail);

// truncated_at_close: a packet cut short by the end of the connection or the capture.
std::string truncated_at_close_text(std::size_t buffered, sender from);

// transport_anomaly: what the TCP or WebSocket layer saw (`what`, one line from capture),
// `times` times in that direction.
enum class anomaly_case : std::uint8_t { once, repeated };
std::string transport_anomaly_text(sender from, std::string_view what, std::uint64_t times);

// keepalive_violated.
enum class keepalive_case : std::uint8_t {
  broker_enforced,      // the broker closed the connection after the silence
  capture_ended,        // the silence ran to the end of the capture
  not_enforced,         // the connection was closed, later than the grace allows
  silence_ended,        // the client spoke again; the broker had let it be
};
struct keepalive_facts {
  std::uint16_t keepalive_s = 0;
  bool server_keep_alive = false;  // the broker's Server Keep Alive (5.0) replaced the client's
  std::int64_t silence_ns = 0;
  std::int64_t grace_ns = 0;       // 1.5 × keepalive
  std::string_view closer;         // capture::closer_name
  std::string_view how;            // capture::close_how_name
  std::uint64_t frame = 0;         // where the close or the silence's end shows
};
std::string keepalive_text(keepalive_case which, const keepalive_facts& f);

// no_connack.
enum class no_connack_case : std::uint8_t {
  answer_undecodable,  // the broker sent packets, none of them a readable CONNACK
  broker_closed,       // the broker closed without answering
  client_closed,       // the client hung up first
  nothing_answered,    // nothing from the broker, closer unknown
};
struct no_connack_facts {
  bool connect_read = true;          // false: the client's first packet was malformed
  std::uint64_t broker_packets = 0;  // answer_undecodable
  std::uint64_t broker_malformed = 0;
  std::string_view how;              // capture::close_how_name (broker_closed, client_closed)
};
std::string no_connack_text(no_connack_case which, const no_connack_facts& f);

// queued_delivery: messages from a persistent session before any SUBSCRIBE.
std::string queued_delivery_text(std::uint64_t messages);

// closed_without_disconnect.
std::string closed_without_disconnect_text(std::string_view how, std::string_view closer);

// topic_alias_error.
enum class topic_alias_case : std::uint8_t { zero, above_maximum, undefined };
std::string topic_alias_text(topic_alias_case which, std::uint16_t alias, std::uint16_t maximum = 0);

// packet_too_large: larger than the receiver's Maximum Packet Size. `from` is the sender; the
// limit is the other side's.
std::string packet_too_large_text(proto::packet_type type, std::size_t bytes, sender from,
                                  std::uint32_t maximum);

// will_published: seen while the connection was ending, or later (`after_ns` after its end).
enum class will_published_case : std::uint8_t { as_it_ended, after_it_ended };
struct will_published_facts {
  std::string_view topic;
  std::uint64_t stream = 0;  // the stream the broker published it to
  std::uint64_t frame = 0;
  std::int64_t after_ns = 0;
};
std::string will_published_text(will_published_case which, const will_published_facts& f);

// session_taken_over: by a connection seen in the capture, or by one that is not (5.0 only:
// the broker's DISCONNECT 0x8E says so).
enum class takeover_case : std::uint8_t { by_stream, by_stream_v5, by_unseen_v5 };
struct takeover_facts {
  std::string_view client_id;
  std::uint64_t stream = 0;  // by_stream: the newer connection
  std::uint64_t frame = 0;
};
std::string session_taken_over_text(takeover_case which, const takeover_facts& f);

}  // namespace mqtk::diag
