// mqtk-ping's probe texts: one case per other-protocol finding, the keep-alive line and the
// findings of a refusal asked again as 5.0.
#include "mqtk/diag/probe_text.hpp"

#include <gtest/gtest.h>

#include "mqtk/diag/refusal.hpp"

namespace mqtk::diag {
namespace {

probe_finding found(other_listener l, bool asked_websocket = false, std::string_view certificate = {}) {
  return wrong_protocol_finding({.listener = l,
                                 .port = 1883,
                                 .where = "127.0.0.1:1883",
                                 .asked_websocket = asked_websocket,
                                 .tls_version = "TLSv1.3",
                                 .certificate_subject = certificate});
}

TEST(wrong_protocol_finding, plain_mqtt_where_websocket_was_asked) {
  EXPECT_EQ(found(other_listener::plain_mqtt_not_websocket),
            (probe_finding{finding_level::error, "wrong_protocol",
                           "port 1883 speaks plain MQTT (a CONNECT there gets a CONNACK), not WebSocket",
                           "use mqtt://127.0.0.1:1883 (-h/-p without -L ws://), or the broker's WebSocket port"}));
}

TEST(wrong_protocol_finding, tls_where_plain_or_websocket_was_asked) {
  EXPECT_EQ(found(other_listener::tls, false, "CN=localhost"),
            (probe_finding{finding_level::error, "wrong_protocol",
                           "port 1883 speaks TLS (a TLS handshake there succeeds: TLSv1.3, certificate CN=localhost)",
                           "connect with TLS: --cafile CA (or -L mqtts://127.0.0.1:1883)"}));
  const auto ws = found(other_listener::tls, true);
  EXPECT_EQ(ws.message, "port 1883 speaks TLS (a TLS handshake there succeeds: TLSv1.3)");
  EXPECT_EQ(ws.hint, "use wss://127.0.0.1:1883 with --cafile CA");
}

// The subject comes from whatever answered on the port: a forged one must not reach a terminal raw.
TEST(wrong_protocol_finding, the_certificate_subject_has_its_controls_escaped) {
  EXPECT_EQ(found(other_listener::tls, false, "CN=x\x1b]0;owned\x07").message,
            "port 1883 speaks TLS (a TLS handshake there succeeds: TLSv1.3, certificate CN=x\\x1b]0;owned\\x07)");
}

TEST(wrong_protocol_finding, http_where_plain_mqtt_was_asked) {
  const auto f = found(other_listener::http);
  EXPECT_EQ(f.message, "port 1883 speaks HTTP (a WebSocket upgrade there gets an answer)");
  EXPECT_EQ(f.hint, "use -L ws://127.0.0.1:1883/mqtt");
}

TEST(wrong_protocol_finding, plain_mqtt_where_tls_was_asked) {
  const auto f = found(other_listener::plain_mqtt_not_tls);
  EXPECT_EQ(f.message, "port 1883 speaks plain MQTT, not TLS (a CONNECT there gets a CONNACK)");
  EXPECT_EQ(f.hint, "drop --cafile and use mqtt://127.0.0.1:1883, or the broker's TLS port (usually 8883)");
}

TEST(wrong_protocol_finding, http_where_tls_was_asked) {
  const auto f = found(other_listener::http_not_tls);
  EXPECT_EQ(f.message, "port 1883 speaks plain HTTP/WebSocket, not TLS");
  EXPECT_EQ(f.hint, "use -L ws://127.0.0.1:1883/mqtt, or the broker's TLS port");
}

TEST(keepalive_unanswered_line, lists_the_candidates) {
  EXPECT_EQ(keepalive_unanswered_line("b:1883", "1000"),
            "no PINGRESP from b:1883 within 1000 ms: the broker accepted the connection but stopped answering \u2014 "
            "candidates: the broker is overloaded or stuck, or a firewall or NAT on the path drops the connection's "
            "packets; raise -W if answers are only slow");
}

TEST(v5_retry_findings, accepted_as_v5_names_the_refused_version) {
  EXPECT_EQ(accepted_as_v5_finding(proto::protocol_version::v311),
            (probe_finding{finding_level::info, "accepted_as_v5",
                           "the same CONNECT as MQTT 5.0 is accepted: the broker refuses this client only in 3.1.1",
                           "connect with -V 5"}));
}

TEST(v5_retry_findings, the_v5_reason_comes_from_the_refusal_table) {
  const auto table = explain_refusal(proto::reason_code{0x86}, proto::protocol_version::v5, proto::packet_type::connack);
  const auto f = v5_reason_finding(proto::reason_code{0x86});
  EXPECT_EQ(f.code, "v5_reason");
  EXPECT_EQ(f.message, "as MQTT 5.0 the broker says: " + std::string(table.name) + " (0x86): " + std::string(table.cause));
  EXPECT_EQ(f.hint, table.fix);
  const auto device = v5_reason_for_v311_refusal_finding(proto::reason_code{5}, proto::reason_code{0x87});
  const auto v5 = explain_refusal(proto::reason_code{0x87}, proto::protocol_version::v5, proto::packet_type::connack);
  EXPECT_EQ(device.code, "v5_reason_for_v311_refusal");
  EXPECT_EQ(device.message,
            "3.1.1 refusal 5 is, in 5.0 terms, " + std::string(v5.name) + " (0x87): " + std::string(v5.cause));
  EXPECT_EQ(device.hint, v5.fix);
}

}  // namespace
}  // namespace mqtk::diag
