#include "mqtk/diag/peer_reply.hpp"

#include <algorithm>
#include <cstdio>

namespace mqtk::diag {

std::string_view peer_protocol_name(peer_protocol p) noexcept {
  switch (p) {
    case peer_protocol::none: return "none";
    case peer_protocol::mqtt: return "mqtt";
    case peer_protocol::tls: return "tls";
    case peer_protocol::http: return "http";
    case peer_protocol::other: return "other";
  }
  return "other";
}

std::string_view tls_alert_name(std::uint8_t d) noexcept {
  switch (d) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return "unknown";
  }
}

namespace {

std::string hex_dump(std::span<const std::uint8_t> bytes) {
  const auto n = std::min<std::size_t>(bytes.size(), 16);
  std::string hex;
  std::string text;
  for (std::size_t i = 0; i < n; ++i) {
    char b[4];
    std::snprintf(b, sizeof b, "%02x", bytes[i]);
    if (i) hex += ' ';
    hex += b;
    text += (bytes[i] >= 0x20 && bytes[i] < 0x7F) ? static_cast<char>(bytes[i]) : '.';
  }
  return hex + " \"" + text + "\"" + (bytes.size() > n ? " ..." : "");
}

}  // namespace

peer_reply classify_reply(std::span<const std::uint8_t> bytes) {
  peer_reply r;
  if (bytes.empty()) return r;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.starts_with("HTTP/1.") || (text.size() < 7 && std::string_view("HTTP/1.").starts_with(text))) {
    r.protocol = peer_protocol::http;
    r.summary = std::string(text.substr(0, std::min(text.find_first_of("\r\n"), std::size_t{80})));
    if (text.size() >= 12) {
      int status = 0;
      for (std::size_t i = 9; i < 12; ++i) {
        if (text[i] < '0' || text[i] > '9') {
          status = 0;
          break;
        }
        status = status * 10 + (text[i] - '0');
      }
      r.http_status = status;
    }
    return r;
  }
  // A TLS record: content type 20-23, protocol version 3.x (x <= 4).
  if (bytes[0] >= 0x14 && bytes[0] <= 0x17 && (bytes.size() < 2 || bytes[1] == 0x03) &&
      (bytes.size() < 3 || bytes[2] <= 0x04)) {
    r.protocol = peer_protocol::tls;
    if (bytes[0] == 0x15 && bytes.size() >= 7) {
      r.summary = "TLS alert " + std::string(tls_alert_name(bytes[6])) + " (" + std::to_string(bytes[6]) + ")";
    } else if (bytes[0] == 0x16) {
      r.summary = "TLS handshake record";
    } else {
      r.summary = "TLS record";
    }
    return r;
  }
  // CONNACK: 0x20 and remaining length 2 (3.1.1) or more (5.0).
  if (bytes[0] == 0x20) {
    r.protocol = peer_protocol::mqtt;
    r.summary = "MQTT CONNACK";
    return r;
  }
  r.protocol = peer_protocol::other;
  r.summary = hex_dump(bytes);
  return r;
}

}  // namespace mqtk::diag
