#pragma once
// What the peer answered when it did not answer like an MQTT broker: the first bytes it sent
// are enough to tell a TLS listener (a TLS record, usually an alert) and an HTTP server (a
// status line: a WebSocket listener) from an MQTT one. Sans-I/O: bytes in, a verdict out.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mqtk::diag {

enum class peer_protocol : std::uint8_t {
  none,   // nothing was received
  mqtt,   // starts like a CONNACK
  tls,    // a TLS record (alert or handshake)
  http,   // an HTTP/1.x status line
  other,  // something else
};

std::string_view peer_protocol_name(peer_protocol p) noexcept;

struct peer_reply {
  peer_protocol protocol = peer_protocol::none;
  // For messages: "HTTP/1.0 403 Forbidden", "TLS alert protocol_version (70)", or the first
  // bytes as hex with their printable characters.
  std::string summary;
  int http_status = 0;  // for http
};

peer_reply classify_reply(std::span<const std::uint8_t> bytes);

// The TLS alert's name ("handshake_failure") for an alert description (RFC 8446 §6).
std::string_view tls_alert_name(std::uint8_t description) noexcept;

}  // namespace mqtk::diag
