// The session close table: one case per cause the session reports, in the words every tool
// prints after "connection lost: " or in its failure line.
#include "mqtk/diag/session_close.hpp"

#include <gtest/gtest.h>

namespace mqtk::diag {
namespace {

using namespace std::chrono_literals;
using proto::protocol_version;
using proto::reason_code;
namespace closing = proto::closing;

std::string v5(const proto::close_cause& c) { return close_message(c, protocol_version::v5); }

TEST(close_message, requested_disconnect) { EXPECT_EQ(v5(closing::requested{}), "disconnected by the client"); }

TEST(close_message, timeouts_in_the_unit_people_set) {
  EXPECT_EQ(v5(closing::no_pingresp{60s}), "no PINGRESP within 60 s");
  EXPECT_EQ(v5(closing::no_pingresp{1500ms}), "no PINGRESP within 1.5 s");
  EXPECT_EQ(v5(closing::no_connack{5s}), "no CONNACK within 5 s");
  EXPECT_EQ(seconds_text(250ms), "0.25 s");
}

TEST(close_message, protocol_errors_of_the_broker) {
  EXPECT_EQ(v5(closing::packet_too_large{}), "the broker sent a packet larger than our maximum packet size");
  EXPECT_EQ(v5(closing::malformed_packet{"remaining length uses more than 4 bytes"}),
            "malformed packet from the broker: remaining length uses more than 4 bytes");
  EXPECT_EQ(v5(closing::unexpected_packet{proto::packet_type::publish, true}), "unexpected PUBLISH before CONNACK");
  EXPECT_EQ(v5(closing::unexpected_packet{proto::packet_type::pingreq, false}), "unexpected PINGREQ from the broker");
  EXPECT_EQ(v5(closing::publish_without_topic{}), "PUBLISH without a topic");
  EXPECT_EQ(v5(closing::topic_alias_above_maximum{11, 10}), "the broker used topic alias 11, above our maximum of 10");
  EXPECT_EQ(v5(closing::topic_alias_unknown{4}), "the broker used topic alias 4 before giving its topic");
  EXPECT_EQ(v5(closing::receive_maximum_exceeded{1}), "the broker sent more than 1 unacknowledged QoS 2 messages");
}

TEST(close_message, refusals_cite_the_code_as_the_version_does) {
  EXPECT_EQ(close_message(closing::refused{reason_code::v311_not_authorized, ""}, protocol_version::v311),
            "connection refused: Not authorized (return code 5)");
  EXPECT_EQ(v5(closing::refused{reason_code::not_authorized, "bad password"}),
            "connection refused: Not authorized (reason code 0x87): bad password");
  EXPECT_EQ(v5(closing::refused{reason_code{0xA9}, ""}), "connection refused: unknown reason code (reason code 0xa9)");
}

TEST(close_message, server_disconnect_with_its_reason_string) {
  EXPECT_EQ(v5(closing::server_disconnect{reason_code::server_shutting_down, "maintenance"}),
            "the broker disconnected: Server shutting down (reason code 0x8b): maintenance");
  EXPECT_EQ(v5(closing::server_disconnect{reason_code::normal_disconnection, ""}),
            "the broker disconnected: Normal disconnection (reason code 0x00)");
}

// A broker's Reason String may carry ESC c (reset), CR LF (a forged line) or U+009B (C1 CSI).
TEST(close_message, reason_strings_have_their_controls_escaped) {
  EXPECT_EQ(v5(closing::server_disconnect{reason_code::normal_disconnection, "bye\x1b" "c\r\nFAKE LINE\xc2\x9b"}),
            "the broker disconnected: Normal disconnection (reason code 0x00): bye\\x1bc\\x0d\\x0aFAKE LINE\\xc2\\x9b");
  EXPECT_EQ(v5(closing::refused{reason_code::banned, "\x1b]0;owned\x07"}),
            "connection refused: Banned (reason code 0x8a): \\x1b]0;owned\\x07");
}

TEST(connection_lost_line, with_and_without_the_broker_and_a_reconnect) {
  EXPECT_EQ(connection_lost_line("", "no PINGRESP within 1 s", true), "connection lost: no PINGRESP within 1 s; reconnecting");
  EXPECT_EQ(connection_lost_line("b:1883", "end of file", false), "connection lost (b:1883): end of file");
  EXPECT_EQ(connection_lost_line("", "x\r\nFAKE", false), "connection lost: x\\x0d\\x0aFAKE");
}

// A DISCONNECT whose code reports no failure is not explained as a lost connection.
TEST(disconnect_without_failure_hint, names_the_candidates) {
  EXPECT_EQ(disconnect_without_failure_hint(),
            "the broker ended the session on purpose without reporting a failure: candidates are a broker shutting "
            "down or restarting, or an administrator or plugin removing this client; its log says which");
}

}  // namespace
}  // namespace mqtk::diag
