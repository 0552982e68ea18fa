// The words of mqtk-decode's findings: every entry of every table, filled with its facts, word
// for word (these are the sentences `mqtk-decode --summary` prints).
#include "mqtk/diag/decode_finding_text.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mqtk::diag {
namespace {

using proto::packet_type;
using proto::protocol_version;

TEST(decode_finding_text, every_table_is_named_once_and_has_no_empty_entry) {
  std::set<std::string_view> kinds;
  for (const auto& table : all_decode_finding_texts()) {
    EXPECT_TRUE(kinds.insert(table.kind).second) << table.kind;
    ASSERT_FALSE(table.entries.empty()) << table.kind;
    for (const auto& e : table.entries) EXPECT_FALSE(e.text.empty()) << table.kind << " " << int(e.which);
  }
}

TEST(decode_finding_text, directions_read_as_arrows) {
  EXPECT_EQ(direction_text(sender::client), "client→broker");
  EXPECT_EQ(direction_text(sender::broker), "broker→client");
}

TEST(decode_finding_text, seconds_have_three_decimals) {
  EXPECT_EQ(seconds_text(1'500'000'000), "1.500 s");
  EXPECT_EQ(seconds_text(0), "0.000 s");
}

TEST(decode_finding_text, malformed_packet_names_the_error_and_the_stream_offset) {
  const proto::decode_failure failure{proto::decode_error::remaining_length_too_long, 42};
  EXPECT_EQ(malformed_packet_text(sender::broker, failure),
            "malformed packet broker→client: " + failure.message() + " (remaining_length_too_long) at stream offset 42");
}

TEST(decode_finding_text, protocol_violation_names_the_rule_and_the_packet_offset) {
  EXPECT_EQ(protocol_violation_text(packet_type::publish, sender::client, proto::decode_error::invalid_qos, 0),
            "PUBLISH client→broker breaks a rule but was read: " +
                proto::make_error_code(proto::decode_error::invalid_qos).message() + " (invalid_qos) at packet offset 0");
}

TEST(decode_finding_text, large_packet_gives_its_frames) {
  EXPECT_EQ(large_packet_text({.type = packet_type::publish,
                               .bytes = 70000,
                               .from = sender::client,
                               .frames = 9,
                               .first_frame = 4,
                               .last_frame = 12}),
            "PUBLISH of 70000 bytes client→broker spread over 9 frames (4 to 12)");
}

TEST(decode_finding_text, subscription_refused_names_the_filter_and_the_code) {
  EXPECT_EQ(subscription_refused_text(7, 2, proto::reason_code::not_authorized, protocol_version::v5),
            "SUBACK id 7 refused filter #2: Not authorized (0x87)");
  EXPECT_EQ(subscription_refused_text(1, 1, proto::reason_code::v311_subscription_failure, protocol_version::v311),
            "SUBACK id 1 refused filter #1: Failure (0x80)");
}

TEST(decode_finding_text, no_ping_response_before_the_next_pingreq_or_the_end) {
  EXPECT_EQ(no_ping_response_text(no_ping_response_case::next_pingreq, 3),
            "No PING_RESP: PINGREQ at frame 3 got no PINGRESP before the next PINGREQ");
  EXPECT_EQ(no_ping_response_text(no_ping_response_case::connection_ended, 3, 2'250'000'000),
            "No PING_RESP: PINGREQ at frame 3 got no PINGRESP before the connection ended (2.250 s later)");
}

TEST(decode_finding_text, flow_steps_say_what_is_missing) {
  EXPECT_EQ(flow_step_text(1, 0), "no PUBACK");
  EXPECT_EQ(flow_step_text(2, 0), "no PUBREC");
  EXPECT_EQ(flow_step_text(2, 1), "PUBREC received, no PUBREL");
  EXPECT_EQ(flow_step_text(2, 2), "PUBREL sent, no PUBCOMP");
}

TEST(decode_finding_text, packet_id_reused_cites_the_flow_in_flight) {
  EXPECT_EQ(packet_id_reused_text({.packet_id = 5, .from = sender::client, .qos = 2, .first_frame = 8,
                                   .missing = flow_step_text(2, 1)}),
            "packet id 5 reused client→broker while its QoS 2 PUBLISH from frame 8 was still in flight "
            "(PUBREC received, no PUBREL)");
}

TEST(decode_finding_text, incomplete_flow_cites_the_publish) {
  EXPECT_EQ(incomplete_flow_text({.qos = 1, .packet_id = 9, .from = sender::broker, .frame = 11,
                                  .missing = flow_step_text(1, 0)}),
            "QoS 1 PUBLISH id 9 broker→client (frame 11) incomplete: no PUBACK before the connection ended");
}

TEST(decode_finding_text, capture_gap_says_how_many_bytes) {
  EXPECT_EQ(capture_gap_text(1200, sender::client, 17),
            "1200 bytes client→broker missing from the capture before frame 17; decoding resumed at the next "
            "plausible packet");
}

TEST(decode_finding_text, tls_with_and_without_detail) {
  EXPECT_EQ(tls_not_decodable_text(""), "the connection is TLS: its MQTT cannot be decoded from the capture");
  EXPECT_EQ(tls_not_decodable_text("SNI broker.example"),
            "the connection is TLS (SNI broker.example): its MQTT cannot be decoded from the capture");
}

TEST(decode_finding_text, truncated_at_close_counts_the_bytes) {
  EXPECT_EQ(truncated_at_close_text(3, sender::broker),
            "3 bytes of an incomplete packet broker→client when the connection ended");
}

TEST(decode_finding_text, transport_anomaly_once_and_repeated) {
  EXPECT_EQ(transport_anomaly_text(sender::client, "TCP zero-window probe", 1),
            "TCP zero-window probe (client→broker)");
  EXPECT_EQ(transport_anomaly_text(sender::broker, "TCP zero-window probe", 4),
            "TCP zero-window probe (broker→client, 4 times)");
}

TEST(decode_finding_text, keepalive_every_case) {
  const keepalive_facts f{.keepalive_s = 10,
                          .silence_ns = 16'000'000'000,
                          .grace_ns = 15'000'000'000,
                          .closer = "client",
                          .how = "fin",
                          .frame = 40};
  EXPECT_EQ(keepalive_text(keepalive_case::broker_enforced, f),
            "keepalive timeout: the client sent nothing for 16.000 s with keepalive 10 s; the broker closed the "
            "connection after 16.000 s of silence (its real grace; MQTT allows 1.5 × keepalive = 15.000 s)");
  EXPECT_EQ(keepalive_text(keepalive_case::capture_ended, f),
            "keepalive violated: the client sent nothing for 16.000 s with keepalive 10 s, more than 1.5 × "
            "keepalive = 15.000 s; the broker had not closed the connection when the capture ended");
  EXPECT_EQ(keepalive_text(keepalive_case::not_enforced, f),
            "keepalive violated: the client sent nothing for 16.000 s with keepalive 10 s, more than 1.5 × "
            "keepalive = 15.000 s; the broker did not enforce it (its real grace was at least 16.000 s): the "
            "client closed the connection (fin) at frame 40");
  auto server = f;
  server.server_keep_alive = true;
  EXPECT_EQ(keepalive_text(keepalive_case::silence_ended, server),
            "keepalive violated: the client sent nothing for 16.000 s with keepalive 10 s (the broker's Server "
            "Keep Alive), more than 1.5 × keepalive = 15.000 s; the silence ended at frame 40 and the broker did "
            "not close the connection");
}

TEST(decode_finding_text, no_connack_every_case) {
  EXPECT_EQ(no_connack_text(no_connack_case::answer_undecodable, {.broker_packets = 2, .broker_malformed = 1}),
            "no CONNACK could be read, although the broker sent 2 packet(s) (1 malformed): its answer to the "
            "CONNECT is among them but undecodable");
  EXPECT_EQ(no_connack_text(no_connack_case::broker_closed, {.how = "rst"}),
            "the broker closed the connection (rst) without a CONNACK: it rejected the CONNECT");
  EXPECT_EQ(no_connack_text(no_connack_case::client_closed, {.connect_read = false, .how = "fin"}),
            "the client closed the connection (fin) before any CONNACK: either it gave up waiting or the broker "
            "never answered the client's first packet (malformed)");
  EXPECT_EQ(no_connack_text(no_connack_case::nothing_answered, {}),
            "the connection ended without a CONNACK and nothing from the broker: the CONNECT was not answered");
}

TEST(decode_finding_text, queued_delivery_counts_the_messages) {
  EXPECT_EQ(queued_delivery_text(3),
            "3 message(s) delivered from the persistent session before any SUBSCRIBE (queued while the client "
            "was away)");
}

TEST(decode_finding_text, closed_without_disconnect_says_by_whom) {
  EXPECT_EQ(closed_without_disconnect_text("rst", "broker"),
            "the connection ended (rst from the broker) without a DISCONNECT from the client");
}

TEST(decode_finding_text, topic_alias_every_case) {
  EXPECT_EQ(topic_alias_text(topic_alias_case::zero, 0), "topic alias 0 is not allowed");
  EXPECT_EQ(topic_alias_text(topic_alias_case::above_maximum, 12, 10),
            "topic alias 12 is above the receiver's Topic Alias Maximum 10");
  EXPECT_EQ(topic_alias_text(topic_alias_case::undefined, 3),
            "topic alias 3 used with an empty topic before it was defined");
}

TEST(decode_finding_text, packet_too_large_names_whose_limit) {
  EXPECT_EQ(packet_too_large_text(packet_type::publish, 2048, sender::client, 1024),
            "PUBLISH of 2048 bytes is larger than the broker's Maximum Packet Size 1024");
  EXPECT_EQ(packet_too_large_text(packet_type::publish, 2048, sender::broker, 1024),
            "PUBLISH of 2048 bytes is larger than the client's Maximum Packet Size 1024");
}

TEST(decode_finding_text, will_published_as_and_after_the_end) {
  const will_published_facts f{.topic = "dev/status", .stream = 2, .frame = 30, .after_ns = 500'000'000};
  EXPECT_EQ(will_published_text(will_published_case::as_it_ended, f),
            "the broker published this connection's will on \"dev/status\" to stream 2 at frame 30 as the "
            "connection ended");
  EXPECT_EQ(will_published_text(will_published_case::after_it_ended, f),
            "the broker published this connection's will on \"dev/status\" to stream 2 at frame 30 (0.500 s "
            "after the connection ended)");
}

TEST(decode_finding_text, session_taken_over_every_case) {
  const takeover_facts f{.client_id = "twin", .stream = 1, .frame = 6};
  EXPECT_EQ(session_taken_over_text(takeover_case::by_stream, f),
            "session taken over: stream 1 connected with the same client id \"twin\" at frame 6 and the broker "
            "closed this connection");
  EXPECT_EQ(session_taken_over_text(takeover_case::by_stream_v5, f),
            "session taken over: stream 1 connected with the same client id \"twin\" at frame 6 and the broker "
            "closed this connection (DISCONNECT 0x8E Session taken over)");
  EXPECT_EQ(session_taken_over_text(takeover_case::by_unseen_v5, f),
            "session taken over: another connection with the same client id \"twin\" took the session "
            "(DISCONNECT 0x8E Session taken over)");
}

TEST(decode_finding_text, a_fact_that_looks_like_a_place_is_not_filled_again) {
  EXPECT_EQ(session_taken_over_text(takeover_case::by_unseen_v5, {.client_id = "{stream}"}),
            "session taken over: another connection with the same client id \"{stream}\" took the session "
            "(DISCONNECT 0x8E Session taken over)");
}

}  // namespace
}  // namespace mqtk::diag
