#pragma once
// Everything mqtk-decode --summary says about one TCP connection: who it was, how the broker
// answered, how it ended, what flowed and what went wrong.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mqtk/capture/finding.hpp"
#include "mqtk/capture/stream_sink.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::capture {

// Round-trip samples kept as running figures, so a long connection costs constant memory.
struct rtt_stats {
  std::uint64_t count = 0;
  double min_ms = 0;
  double max_ms = 0;
  double sum_ms = 0;

  void add(double ms) noexcept {
    if (count == 0 || ms < min_ms) min_ms = ms;
    if (count == 0 || ms > max_ms) max_ms = ms;
    sum_ms += ms;
    ++count;
  }
  double avg_ms() const noexcept { return count ? sum_ms / static_cast<double>(count) : 0.0; }
  friend bool operator==(const rtt_stats&, const rtt_stats&) = default;
};

enum class closer : std::uint8_t { client, broker, unknown };
enum class close_how : std::uint8_t { disconnect, fin, rst, capture_end, open };

constexpr std::string_view closer_name(closer c) noexcept {
  switch (c) {
    case closer::client: return "client";
    case closer::broker: return "broker";
    case closer::unknown: return "unknown";
  }
  return "unknown";
}
constexpr std::string_view close_how_name(close_how h) noexcept {
  switch (h) {
    case close_how::disconnect: return "disconnect";
    case close_how::fin: return "fin";
    case close_how::rst: return "rst";
    case close_how::capture_end: return "capture_end";
    case close_how::open: return "open";
  }
  return "unknown";
}

struct connack_result {
  proto::reason_code code;
  std::string name;        // "Not authorized"
  bool session_present = false;
  bool refused = false;
  std::string explanation; // one line for people when refused
  std::uint64_t frame = 0;
  capture_time ts = 0;
};

struct close_result {
  closer by = closer::unknown;
  close_how how = close_how::open;
  std::optional<proto::reason_code> reason_code;  // a DISCONNECT's reason (5.0)
  std::string reason;                       // its name
  std::uint64_t frame = 0;
  capture_time ts = 0;
};

struct mqtt_connection_report {
  std::uint64_t stream = 0;
  endpoint client;
  endpoint server;
  carriage carried = carriage::tcp;
  std::uint64_t first_frame = 0;
  capture_time first_ts = 0;
  std::uint64_t last_frame = 0;
  capture_time last_ts = 0;

  bool connect_seen = false;
  std::string client_id;
  std::optional<proto::protocol_version> version;
  std::optional<std::uint16_t> keepalive;
  std::optional<bool> clean_start;
  std::optional<std::string> username;
  std::optional<std::string> will_topic;
  std::optional<connack_result> connack;
  close_result close;

  // Packets per type (index = packet type 1..15; 0 counts malformed) and direction.
  std::array<std::uint64_t, 16> c2s_packets{};
  std::array<std::uint64_t, 16> s2c_packets{};
  std::uint64_t c2s_bytes = 0;
  std::uint64_t s2c_bytes = 0;
  rtt_stats ping_rtt;     // PINGREQ -> PINGRESP
  rtt_stats qos1_rtt;     // PUBLISH -> PUBACK
  rtt_stats qos2_rtt;     // PUBLISH -> PUBCOMP
  std::vector<finding> findings;
};

}  // namespace mqtk::capture
