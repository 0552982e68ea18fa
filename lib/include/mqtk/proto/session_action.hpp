#pragma once
// What a client session asks its driver to do. The session never performs I/O or reads a
// clock: each input returns these actions, and the driver (an Asio loop, a test) carries them
// out in order. Views inside an action point into the action_list that holds it.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <boost/system/error_code.hpp>

#include "mqtk/proto/packet.hpp"

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
  std::uint8_t reason_code = 0;
  std::uint16_t packet_id = 0;
  list_view<std::uint8_t> reason_codes;
  property_list properties;  // of the acknowledgement (reason string, user properties)

  bool ok() const noexcept { return !error; }
};

// Close the transport. `error` is empty after a requested disconnect; `reason_code` is the
// broker's (CONNACK refusal, DISCONNECT) or the one we sent in our DISCONNECT, else 0.
struct close_action {
  boost::system::error_code error;
  std::uint8_t reason_code = 0;
  std::string_view message;  // one human line: "no PINGRESP within 60 s"
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
