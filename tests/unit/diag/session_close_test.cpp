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
  EXPECT_EQ(v5(closing::packet_too_large{std::nullopt, 1048576}),
            "the broker announced a packet, over our maximum packet size of 1048576 bytes");
  EXPECT_EQ(v5(closing::packet_too_large{proto::partial_packet{.first_byte = 0x30, .size = 268435460, .received = 5},
                                         1048576}),
            "the broker announced a PUBLISH of 268435460 bytes, over our maximum packet size of 1048576 bytes");
  EXPECT_EQ(v5(closing::malformed_packet{"remaining length uses more than 4 bytes"}),
            "malformed packet from the broker: remaining length uses more than 4 bytes");
  EXPECT_EQ(v5(closing::unexpected_packet{proto::packet_type::publish, true}), "unexpected PUBLISH before CONNACK");
  EXPECT_EQ(v5(closing::unexpected_packet{proto::packet_type::pingreq, false}), "unexpected PINGREQ from the broker");
  EXPECT_EQ(v5(closing::publish_without_topic{}), "PUBLISH without a topic");
  EXPECT_EQ(v5(closing::topic_alias_above_maximum{11, 10}),
            "topic alias 11 is above the Topic Alias Maximum 10 we announced");
  EXPECT_EQ(v5(closing::topic_aliases_too_large{4194400, 4194304}),
            "the broker's topic aliases would hold 4194400 bytes of topics, over our limit of 4194304");
  EXPECT_EQ(v5(closing::topic_alias_unknown{4}), "the broker used topic alias 4 before giving its topic");
  EXPECT_EQ(v5(closing::receive_maximum_exceeded{1}), "the broker sent more than 1 unacknowledged QoS 2 messages");
}

// A broker that answers a request with the wrong packet, or not at all, is named with the
// request it left waiting.
TEST(close_message, acknowledgements_of_the_wrong_type_or_none) {
  using proto::packet_type;
  const closing::awaited_ack qos1{packet_type::publish, 1, 7, packet_type::puback};
  const closing::awaited_ack pubrel{packet_type::pubrel, 0, 3, packet_type::pubcomp};
  const closing::awaited_ack subscribe{packet_type::subscribe, 0, 1, packet_type::suback};
  EXPECT_EQ(v5(closing::wrong_ack{qos1, packet_type::pubrec}),
            "the broker answered QoS 1 PUBLISH id 7 with PUBREC (expected PUBACK)");
  EXPECT_EQ(v5(closing::wrong_ack{subscribe, packet_type::unsuback}),
            "the broker answered SUBSCRIBE id 1 with UNSUBACK (expected SUBACK)");
  EXPECT_EQ(v5(closing::no_ack{qos1, 5s}), "the broker sent no PUBACK for QoS 1 PUBLISH id 7 within 5 s");
  EXPECT_EQ(v5(closing::no_ack{pubrel, 2500ms}), "the broker sent no PUBCOMP for PUBREL id 3 within 2.5 s");
}

// A deadline that passed while a packet was still arriving names what the broker did: it kept
// sending, too slowly (a trickle), or it stopped part-way for most of the wait (a stall).
proto::packet_in_progress arriving(std::uint8_t first_byte, std::uint64_t size, std::size_t received,
                                   std::chrono::milliseconds waited, std::chrono::milliseconds since_last_byte) {
  return {.packet = {.first_byte = first_byte, .size = size, .received = received},
          .waited = waited,
          .since_last_byte = since_last_byte};
}

TEST(close_message, a_pingresp_stuck_behind_a_packet_that_stopped_arriving) {
  EXPECT_EQ(v5(closing::no_pingresp{10s, arriving(0x30, 1000, 9, 10s, 9s)}),
            "no PINGRESP within 10 s: the broker stopped 9 bytes into a 1,000-byte PUBLISH and sent nothing more for "
            "9 s: it stalled mid-packet");
  EXPECT_EQ(v5(closing::no_pingresp{10s, arriving(0x00, 20, 1, 10s, 6s)}),
            "no PINGRESP within 10 s: the broker stopped 1 byte into a 20-byte packet of reserved type 0 and sent "
            "nothing more for 6 s: it stalled mid-packet");
}

TEST(close_message, a_deadline_passed_while_the_broker_trickled) {
  EXPECT_EQ(v5(closing::no_connack{2s, arriving(0x20, 1024, 37, 2s, 400ms)}),
            "no CONNACK within 2 s: the broker was still sending a 1,024-byte CONNACK (37 bytes so far): it sends "
            "too slowly (trickles)");
  const closing::awaited_ack qos1{proto::packet_type::publish, 1, 1, proto::packet_type::puback};
  EXPECT_EQ(v5(closing::no_ack{qos1, 5s, arriving(0x30, 1000, 5, 5s, 1s)}),
            "the broker sent no PUBACK for QoS 1 PUBLISH id 1 within 5 s: the broker was still sending a 1,000-byte "
            "PUBLISH (5 bytes so far): it sends too slowly (trickles)");
  EXPECT_EQ(v5(closing::no_pingresp{90s, arriving(0x30, 268435460, 65541, 90s, 30s)}),
            "no PINGRESP within 90 s: the broker was still sending a 268,435,460-byte PUBLISH (65,541 bytes so "
            "far): it sends too slowly (trickles)");
}

// A stall is nothing for most of the wait, and for 2 s at least: a short wait with one byte a
// second is still a trickle.
TEST(receiving_text, tells_a_stall_from_a_trickle_by_the_last_byte) {
  EXPECT_NE(receiving_text(arriving(0x20, 4, 2, 2s, 1900ms)).find("trickles"), std::string::npos);
  EXPECT_NE(receiving_text(arriving(0x20, 4, 2, 2s, 2s)).find("stalled"), std::string::npos);
  EXPECT_NE(receiving_text(arriving(0x30, 9, 2, 60s, 29s)).find("trickles"), std::string::npos);
  EXPECT_NE(receiving_text(arriving(0x30, 9, 2, 60s, 30s)).find("stalled"), std::string::npos);
}

TEST(explain_broker_misbehaviour, a_slow_sender_gets_the_advice_for_what_it_did) {
  const failure f{.kind = failure_kind::timeout, .subject = "b:1883", .reason = "r"};
  const auto trickled = explain_broker_misbehaviour(
      {.what = broker_misbehaviour::slow_sender, .receiving = arriving(0x30, 1000, 5, 5s, 1s)}, f);
  EXPECT_EQ(trickled.reason, "r");
  EXPECT_EQ(trickled.hint, receiving_hint(arriving(0x30, 1000, 5, 5s, 1s)));
  EXPECT_NE(trickled.hint.find("too slowly"), std::string::npos);
  const auto stalled = explain_broker_misbehaviour(
      {.what = broker_misbehaviour::slow_sender, .receiving = arriving(0x30, 1000, 5, 5s, 4s)}, f);
  EXPECT_NE(stalled.hint.find("stopped part-way"), std::string::npos);
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

// A packet cut short is named with how far it got, and never explained as a refusal.
TEST(broker_misbehaviour, a_packet_cut_short_is_named_and_not_called_a_refusal) {
  broker_misbehaviour_event e{.what = broker_misbehaviour::cut_short,
                              .cut_short = {.first_byte = 0x30, .size = 268435460, .received = 65541}};
  failure f = explain_broker_misbehaviour(e, failure{.reason = "connection lost"});
  EXPECT_EQ(f.reason, "the broker closed the connection 65541 bytes into a 268435460-byte PUBLISH");
  EXPECT_NE(f.hint.find("a packet cut short is no refusal"), std::string::npos);
  e.reset = true;
  EXPECT_EQ(explain_broker_misbehaviour(e, failure{}).reason,
            "the connection was reset 65541 bytes into a 268435460-byte PUBLISH");
}

TEST(broker_misbehaviour, each_protocol_breach_gets_its_own_advice_and_keeps_the_reason) {
  for (auto what : {broker_misbehaviour::packet_too_large, broker_misbehaviour::topic_alias_invalid,
                    broker_misbehaviour::ack_timeout}) {
    const failure f = explain_broker_misbehaviour({.what = what}, failure{.reason = "the session's words"});
    EXPECT_EQ(f.reason, "the session's words");
    EXPECT_FALSE(f.hint.empty());
  }
  EXPECT_NE(explain_broker_misbehaviour({.what = broker_misbehaviour::packet_too_large}, failure{}).hint.find(
                "--max-packet-size"),
            std::string::npos);
  EXPECT_NE(explain_broker_misbehaviour({.what = broker_misbehaviour::topic_alias_invalid}, failure{}).hint.find(
                "Topic Alias Maximum"),
            std::string::npos);
  EXPECT_NE(explain_broker_misbehaviour({.what = broker_misbehaviour::ack_timeout}, failure{}).hint.find("-k"),
            std::string::npos);
  EXPECT_EQ(explain_broker_misbehaviour({}, failure{.reason = "r", .hint = "h"}).hint, "h");
}

}  // namespace
}  // namespace mqtk::diag
