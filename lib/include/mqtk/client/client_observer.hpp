#pragma once
// Observer hooks of a client, beyond the transport's own (net::connect_observer: resolved,
// tcp connected, tls done, websocket upgraded). Each hook is optional and runs on the client's
// executor; the views in an event are valid during the call only. What -d prints and what
// mqtk-ping times.
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "mqtk/proto/packet.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session.hpp"

namespace mqtk::client {

using clock = std::chrono::steady_clock;

enum class direction : std::uint8_t { sent, received };

// One MQTT control packet, as written or as read. Sends that the client coalesced into one
// write are still reported one packet at a time.
struct packet_event {
  clock::time_point at;
  client::direction direction{};
  std::span<const std::uint8_t> raw;  // the whole packet, fixed header included
  const proto::packet* decoded = nullptr;  // null when the bytes do not decode (a broken broker)
  proto::protocol_version version{};
};

// The CONNACK of a connect or reconnect, accepted or refused.
struct connack_event {
  clock::time_point at;
  const proto::connack& packet;
  proto::protocol_version version{};
  const proto::server_limits& limits;  // meaningful when accepted
};

// An established connection ended without the caller asking for it.
struct connection_lost_event {
  clock::time_point at;
  boost::system::error_code error;
  proto::reason_code reason_code;  // the broker's DISCONNECT reason (5.0), else 0
  std::string_view message;      // one line: "no PINGRESP within 1 s", "connection reset by peer"
  bool will_reconnect = false;
};

// A reconnect attempt is about to wait `delay` and then connect.
struct reconnecting_event {
  clock::time_point at;
  std::uint32_t attempt = 0;  // 1-based, counted since the loss
  std::chrono::milliseconds delay{};
  boost::system::error_code last_error;  // why the connection (or the previous attempt) failed
};

// A reconnect succeeded (CONNACK accepted).
struct reconnected_event {
  clock::time_point at;
  std::uint32_t attempts = 0;
  bool session_present = false;
  std::size_t resubscribed = 0;  // SUBSCRIBE requests sent again because the session was gone
};

// The client gave up reconnecting (reconnect_policy::max_attempts).
struct gave_up_event {
  clock::time_point at;
  std::uint32_t attempts = 0;
  boost::system::error_code last_error;
};

struct client_observer {
  std::function<void(const packet_event&)> on_packet;
  std::function<void(const connack_event&)> on_connack;
  std::function<void(const connection_lost_event&)> on_connection_lost;
  std::function<void(const reconnecting_event&)> on_reconnecting;
  std::function<void(const reconnected_event&)> on_reconnected;
  std::function<void(const gave_up_event&)> on_gave_up;
};

}  // namespace mqtk::client
