#pragma once
// What a client session asks its driver to do. The session never performs I/O or reads a
// clock: each input returns these actions, and the driver (an Asio loop, a test) carries them
// out in order. Views inside an action point into the action_list that holds it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <boost/system/error_code.hpp>

#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/packet.hpp"
#include "mqtk/proto/reason_code.hpp"

namespace mqtk::proto {

// Time is always an argument. steady_clock only names the type; the session never calls now().
using session_clock = std::chrono::steady_clock;
using session_time = session_clock::time_point;

// The timers a session may have running, one of each kind at most.
enum class timer_kind : std::uint8_t {
  keepalive,  // check whether a PINGREQ is due
  pingresp,   // the PINGRESP deadline
  connack,    // the CONNACK deadline
  ack,        // the deadline of the oldest request awaiting its acknowledgement
};
inline constexpr std::size_t timer_kind_count = 4;
std::string_view timer_kind_name(timer_kind k) noexcept;

// Identifies a publish, subscribe or unsubscribe request until its completion.
using operation_id = std::uint64_t;
enum class operation_kind : std::uint8_t { publish, subscribe, unsubscribe };
std::string_view operation_kind_name(operation_kind k) noexcept;

// Write these bytes to the transport, after every earlier send.
struct send_action {
  std::span<const std::uint8_t> bytes;
};

// (Re)start the timer of this kind to fire at `deadline`, replacing any earlier deadline.
struct arm_timer_action {
  timer_kind kind{};
  session_time deadline{};
};

struct cancel_timer_action {
  timer_kind kind{};
};

// An application message from the broker. The topic is resolved from a topic alias when the
// PUBLISH carried only the alias; the properties are those received (the alias included).
struct deliver_action {
  publish message;
};

// A request finished. `error` is empty on success; with session_error::rejected the broker's
// failure code is in `reason_code`. SUBACK and UNSUBACK codes are per filter, in request order.
struct complete_action {
  operation_id id = 0;
  operation_kind kind{};
  boost::system::error_code error;
  proto::reason_code reason_code;
  std::uint16_t packet_id = 0;
  list_view<proto::reason_code> reason_codes;
  property_list properties;  // of the acknowledgement (reason string, user properties)

  bool ok() const noexcept { return !error; }
};

// A packet the broker had begun to send when a deadline passed: what its fixed header announced,
// how much of it arrived, and how long before the deadline its last byte came, which tells a
// broker that trickles from one that stalled mid-packet (and both from one that stayed silent).
struct packet_in_progress {
  partial_packet packet;
  std::chrono::milliseconds waited{};           // the wait that ran out
  std::chrono::milliseconds since_last_byte{};  // before it ran out

  friend bool operator==(const packet_in_progress&, const packet_in_progress&) = default;
};

// Why the session closed the connection, as data: diag::close_message puts it into words, so
// the sentences live in one table (diag/session_close.hpp) and the session builds none. Strings
// view into the action_list, like the rest of an action.
namespace closing {
struct requested {};  // the caller asked to disconnect
// The deadlines: `receiving` is the broker's packet still arriving when it passed, if any.
struct no_pingresp {
  std::chrono::milliseconds waited{};
  std::optional<packet_in_progress> receiving;
};
struct no_connack {
  std::chrono::milliseconds waited{};
  std::optional<packet_in_progress> receiving;
};
struct packet_too_large {  // the broker announced more than our Maximum Packet Size
  std::optional<partial_packet> packet;  // what its fixed header announced, when it was read
  std::uint32_t maximum = 0;             // ours
};
// A request of ours waiting for its acknowledgement ("QoS 1 PUBLISH id 7" awaiting PUBACK).
struct awaited_ack {
  packet_type request{};  // publish, pubrel, subscribe or unsubscribe
  std::uint8_t qos = 0;   // of a PUBLISH
  std::uint16_t packet_id = 0;
  packet_type expected{};
};
struct no_ack {
  awaited_ack awaited;
  std::chrono::milliseconds waited{};
  std::optional<packet_in_progress> receiving;
};
struct wrong_ack {
  awaited_ack awaited;
  packet_type got{};
};
struct malformed_packet {
  std::string_view why;  // the decoder's description
};
struct unexpected_packet {
  packet_type type{};
  bool before_connack = false;
};
struct publish_without_topic {};
struct topic_alias_above_maximum {
  std::uint32_t alias = 0;
  std::uint32_t maximum = 0;  // our Topic Alias Maximum
};
struct topic_aliases_too_large {  // the topics the broker's aliases would hold
  std::size_t bytes = 0;
  std::size_t limit = 0;
};
struct topic_alias_unknown {
  std::uint32_t alias = 0;  // used before a PUBLISH gave it a topic
};
struct receive_maximum_exceeded {
  std::uint32_t receive_maximum = 0;  // ours
};
struct refused {  // a CONNACK with a failure code
  reason_code code;
  std::string_view reason_string;  // the broker's, raw (empty when none)
};
struct server_disconnect {  // the broker's DISCONNECT
  reason_code code;
  std::string_view reason_string;
};
}  // namespace closing

using close_cause =
    std::variant<closing::requested, closing::no_pingresp, closing::no_connack, closing::packet_too_large,
                 closing::malformed_packet, closing::unexpected_packet, closing::publish_without_topic,
                 closing::topic_alias_above_maximum, closing::topic_aliases_too_large, closing::topic_alias_unknown,
                 closing::no_ack, closing::wrong_ack,
                 closing::receive_maximum_exceeded, closing::refused, closing::server_disconnect>;

// "no_pingresp", "server_disconnect", ...: the cause's name for traces (its words: diag).
std::string_view close_cause_name(const close_cause& c) noexcept;

// The packet still arriving when a deadline cause (no PINGRESP, CONNACK or acknowledgement in
// time) was reported; nullopt for the other causes and when no byte of a packet had come.
std::optional<packet_in_progress> receiving_at_deadline(const close_cause& c) noexcept;

// Close the transport. `error` is empty after a requested disconnect; `reason_code` is the
// broker's (CONNACK refusal, DISCONNECT) or the one we sent in our DISCONNECT, else 0.
struct close_action {
  boost::system::error_code error;
  proto::reason_code reason_code;
  close_cause cause;  // what happened, for diag::close_message ("no PINGRESP within 60 s")
};

// CONNACK arrived, accepted or refused (a refusal is followed by a close_action).
struct connack_action {
  connack packet;
};

// The broker sent DISCONNECT (followed by a close_action).
struct server_disconnect_action {
  disconnect packet;
};

// The broker sent AUTH; the caller answers with session::auth().
struct auth_action {
  auth packet;
};

// A packet arrived (only with session_options::report_received_packets): for -d traces and for
// timing PINGRESP round trips. Emitted before the actions the packet causes.
struct packet_received_action {
  packet_type type{};
  std::span<const std::uint8_t> bytes;  // the whole packet as received
};

using action = std::variant<send_action, arm_timer_action, cancel_timer_action, deliver_action,
                            complete_action, close_action, connack_action,
                            server_disconnect_action, auth_action, packet_received_action>;

// One line for -d output and test failures, e.g. `arm_timer(keepalive, +60000 ms)`; times are
// shown relative to `epoch`.
std::string to_string(const action& a, session_time epoch = {});

}  // namespace mqtk::proto
