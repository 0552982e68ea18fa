#pragma once
// Local policy of a client session: limits the broker does not dictate, and what to do with
// in-flight messages when the broker has lost the session.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace mqtk::proto {

// What happens to unacknowledged QoS 1/2 messages when a reconnect finds no session on the
// broker (CONNACK session present = 0).
enum class lost_session_policy : std::uint8_t {
  fail,           // complete each with session_error::session_lost
  resend_as_new,  // send again with new packet ids, DUP=0, ahead of queued traffic
};

struct session_options {
  // Upper bound on outgoing QoS 1/2 messages awaiting acknowledgement; the broker's Receive
  // Maximum lowers it further.
  std::uint16_t max_inflight = 65535;
  // Wait for PINGRESP after a PINGREQ; unset means the keep alive interval in force.
  std::optional<std::chrono::milliseconds> pingresp_timeout;
  // Wait for CONNACK after CONNECT; unset means no limit from the session.
  std::optional<std::chrono::milliseconds> connack_timeout;
  // Wait for each request's acknowledgement (PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK) from
  // when its packet went out; unset means no limit from the session. A broker that answers
  // PINGREQ but never acknowledges would otherwise keep a publisher waiting for ever.
  std::optional<std::chrono::milliseconds> ack_timeout;
  // Outgoing topic aliases we are willing to assign (5.0); the broker's Topic Alias Maximum
  // lowers it. 0 sends every topic in full.
  std::uint16_t outgoing_topic_alias_maximum = 0;
  // Largest packet we accept when CONNECT does not carry a Maximum Packet Size property
  // (checked from the fixed header, before the body is buffered; enforced in 3.1.1 too).
  std::uint32_t max_incoming_packet_size = 268'435'460;
  // Bytes of topic the broker's incoming topic aliases may hold in all (5.0): we announce the
  // Topic Alias Maximum (CONNECT's property, absent = 0), and every alias stores a topic of up
  // to 64 KiB, so the count alone does not bound the memory they take.
  std::size_t max_incoming_alias_bytes = 4u << 20;
  lost_session_policy on_lost_session = lost_session_policy::fail;
  // Emit a packet_received_action for every packet from the broker.
  bool report_received_packets = false;
  // Incoming QoS 1/2 messages are acknowledged (PUBACK, PUBREC) only when the caller says so
  // with session::acknowledge(), not on delivery: a subscriber that stops after -C messages
  // or cannot write its output must leave the rest with the broker, for the next run.
  bool manual_acknowledgement = false;
};

}  // namespace mqtk::proto
