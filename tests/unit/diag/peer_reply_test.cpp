// What the first bytes of a non-MQTT answer say about the port.
#include "mqtk/diag/peer_reply.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqtk::diag {
namespace {

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(peer_reply, nothing_is_none) { EXPECT_EQ(classify_reply({}).protocol, peer_protocol::none); }

TEST(peer_reply, http_status_line) {
  const auto r = classify_reply(bytes("HTTP/1.0 403 Forbidden\r\ncontent-type: text/html\r\n\r\n<html>"));
  EXPECT_EQ(r.protocol, peer_protocol::http);
  EXPECT_EQ(r.summary, "HTTP/1.0 403 Forbidden");
  EXPECT_EQ(r.http_status, 403);
}

TEST(peer_reply, a_short_read_of_http_is_still_http) {
  EXPECT_EQ(classify_reply(bytes("HTTP/")).protocol, peer_protocol::http);
}

TEST(peer_reply, tls_alert_is_named) {
  const auto r = classify_reply(std::vector<std::uint8_t>{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46});
  EXPECT_EQ(r.protocol, peer_protocol::tls);
  EXPECT_EQ(r.summary, "TLS alert protocol_version (70)");
}

TEST(peer_reply, tls_handshake_record) {
  const auto r = classify_reply(std::vector<std::uint8_t>{0x16, 0x03, 0x01, 0x00, 0x50});
  EXPECT_EQ(r.protocol, peer_protocol::tls);
  EXPECT_EQ(r.summary, "TLS handshake record");
}

TEST(peer_reply, connack_is_mqtt) {
  EXPECT_EQ(classify_reply(std::vector<std::uint8_t>{0x20, 0x02, 0x00, 0x00}).protocol, peer_protocol::mqtt);
}

TEST(peer_reply, anything_else_is_shown_as_hex_and_text) {
  const auto r = classify_reply(bytes("SSH-2.0-OpenSSH_9.2\r\n"));
  EXPECT_EQ(r.protocol, peer_protocol::other);
  EXPECT_EQ(r.summary.rfind("53 53 48 2d", 0), 0u) << r.summary;
  EXPECT_NE(r.summary.find("\"SSH-2.0-OpenSSH_"), std::string::npos) << r.summary;
}

TEST(peer_reply, every_alert_code_in_use_has_a_name) {
  for (const int d : {0, 10, 20, 22, 40, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 70, 71, 80, 86, 90, 109, 110, 112, 116, 120}) {
    EXPECT_NE(tls_alert_name(static_cast<std::uint8_t>(d)), "unknown") << d;
  }
  EXPECT_EQ(tls_alert_name(200), "unknown");
}

}  // namespace
}  // namespace mqtk::diag
