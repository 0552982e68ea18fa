// The operation failure table: one case per event, in the words mqtk-pub, mqtk-sub and mqtk-bench print, and
// the escaping of the topics and filters they quote.
#include "mqtk/diag/operation_failure.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace mqtk::diag {
namespace {

using proto::packet_type;
using proto::protocol_version;
using proto::reason_code;

TEST(operation_failure_line, publish_over_the_brokers_maximum_qos) {
  EXPECT_EQ(operation_failure_line(publish_over_limit{.which = publish_over_limit::limit::maximum_qos,
                                                      .broker_value = 1,
                                                      .asked_qos = proto::qos::exactly_once}),
            "not sent: the broker allows at most QoS 1 (Maximum QoS in its CONNACK) and -q 2 asks for more "
            "\u2014 use -q 1 (reason code 0x9B, QoS not supported)");
}

TEST(operation_failure_line, publish_retained_without_retain_available) {
  EXPECT_EQ(operation_failure_line(publish_over_limit{.which = publish_over_limit::limit::retain_available}),
            "not sent: the broker does not keep retained messages (Retain Available 0 in its CONNACK) \u2014 drop -r "
            "(reason code 0x9A, Retain not supported)");
}

TEST(operation_failure_line, publish_over_the_brokers_maximum_packet_size) {
  EXPECT_EQ(operation_failure_line(
                publish_over_limit{.which = publish_over_limit::limit::maximum_packet_size, .broker_value = 128}),
            "not sent: the PUBLISH is larger than the broker's Maximum Packet Size of 128 bytes (in its CONNACK) "
            "\u2014 send a smaller message (reason code 0x95, Packet too large)");
}

TEST(operation_failure_line, the_exit_code_of_a_publish_over_a_limit_is_the_code_the_broker_would_send) {
  EXPECT_EQ(reason_for(publish_over_limit::limit::maximum_qos), reason_code::qos_not_supported);
  EXPECT_EQ(reason_for(publish_over_limit::limit::retain_available), reason_code::retain_not_supported);
  EXPECT_EQ(reason_for(publish_over_limit::limit::maximum_packet_size), reason_code::packet_too_large);
}

TEST(operation_failure_line, publish_refused_names_the_topic_and_explains_the_code) {
  const std::string line = operation_failure_line(publish_refused{
      .topic = "acl/denied", .code = reason_code::not_authorized, .where = packet_type::puback});
  EXPECT_EQ(line.rfind("publish to 'acl/denied' refused by the broker: not authorized (5.0 reason code 0x87) \u2014 ", 0),
            0u)
      << line;
}

TEST(operation_failure_line, one_denied_filter_among_others) {
  EXPECT_EQ(operation_failure_line(subscription_denied{{"a/#", reason_code::not_authorized}, protocol_version::v5}),
            "subscription to 'a/#': Not authorized (reason code 0x87) denied; receiving on the other filters \u2014 "
            "check the broker's ACL for this client and filter");
}

TEST(operation_failure_line, every_filter_denied_names_them_all_and_the_fix_of_the_first) {
  const std::array denied{denied_filter{"a/#", reason_code::not_authorized},
                          denied_filter{"$share/g/b", reason_code::shared_subscriptions_not_supported}};
  const std::string line = operation_failure_line(every_subscription_denied{denied, protocol_version::v5});
  EXPECT_EQ(line.rfind("every subscription denied by the broker: 'a/#': Not authorized (reason code 0x87), "
                       "'$share/g/b': Shared Subscriptions not supported (reason code 0x9e) \u2014 ",
                       0),
            0u)
      << line;
  const std::array one{denied_filter{"x", proto::reason_code::v311_subscription_failure}};
  EXPECT_EQ(operation_failure_line(every_subscription_denied{one, protocol_version::v311})
                .rfind("subscription denied by the broker: 'x': Failure (reason code 0x80) \u2014 ", 0),
            0u);
}

TEST(operation_failure_line, an_undefined_code_is_called_unknown) {
  EXPECT_EQ(operation_failure_line(subscription_denied{{"t", reason_code{0xA9}}, protocol_version::v5})
                .rfind("subscription to 't': Unknown reason code (reason code 0xa9) denied", 0),
            0u);
}

TEST(operation_failure_line, quoted_topics_and_filters_have_their_controls_escaped) {
  const std::string line = operation_failure_line(
      publish_refused{.topic = "a\x1b[2J'\xc2\x9b", .code = reason_code::not_authorized, .where = packet_type::puback});
  EXPECT_EQ(line.rfind("publish to 'a\\x1b[2J\\'\\xc2\\x9b' refused", 0), 0u) << line;
  const std::string sub =
      operation_failure_line(subscription_denied{{"x\r\nFAKE", reason_code::not_authorized}, protocol_version::v5});
  EXPECT_EQ(sub.rfind("subscription to 'x\\x0d\\x0aFAKE': ", 0), 0u) << sub;
}

TEST(operation_failure_line, a_stream_lost_again_and_again_gives_up_naming_the_last_reason) {
  EXPECT_EQ(operation_failure_line(publish_lost_repeatedly{3, "the broker disconnected: Normal disconnection (reason code 0x00)"}),
            "giving up: the connection was lost 3 times in a row with no message acknowledged in between (last: the "
            "broker disconnected: Normal disconnection (reason code 0x00)) \u2014 the broker most likely refuses a "
            "message it is sent again; its log says why");
}

TEST(operation_failure_line, qos0_messages_unconfirmed_when_the_connection_ended) {
  EXPECT_EQ(operation_failure_line(qos0_unconfirmed{"end of file"}),
            "the broker ended the connection (end of file) before confirming the QoS 0 message(s): it most likely "
            "refused a PUBLISH, which QoS 0 cannot acknowledge \u2014 check the topic (-t), the properties (-D) and "
            "the size; -d shows the exchange");
  // Whatever words the transport used, none reaches the terminal raw.
  EXPECT_EQ(operation_failure_line(qos0_unconfirmed{"x\x1b[2J"}).find('\x1b'), std::string::npos);
}

TEST(operation_failure_line, a_signal_during_the_connect_says_where_the_connect_stood) {
  EXPECT_EQ(operation_failure_line(publish_connect_interrupted{"SIGINT", "127.0.0.1:1883", false}),
            "interrupted by SIGINT while connecting to 127.0.0.1:1883 \u2014 no TCP connection yet; check -h/-p and "
            "that the broker is up; nothing was published");
  EXPECT_EQ(operation_failure_line(publish_connect_interrupted{"SIGTERM", "unix:/run/m.sock", true}),
            "interrupted by SIGTERM while waiting for the CONNACK from unix:/run/m.sock \u2014 something accepted the "
            "connection but did not answer CONNECT; is it an MQTT broker (check -p, TLS)?; nothing was published");
}

TEST(stalled_text, says_what_answered_so_far) {
  EXPECT_EQ(stalled_text(stalled_at::connecting, "b:1883"),
            "connecting to b:1883 \u2014 no TCP connection yet; check -h/-p and that the broker is up");
  EXPECT_EQ(stalled_text(stalled_at::awaiting_connack, "b:1883"),
            "waiting for the CONNACK from b:1883 \u2014 something accepted the connection but did not answer CONNECT; "
            "is it an MQTT broker (check -p, TLS)?");
  EXPECT_EQ(stalled_text(stalled_at::awaiting_suback, "b:1883"),
            "waiting for the SUBACK from b:1883 \u2014 the broker did not answer SUBSCRIBE");
}

TEST(stalled_text, names_a_broker_still_sending_its_answer) {
  const proto::packet_in_progress connack{.packet = {.first_byte = 0x20, .size = 4, .received = 3},
                                          .waited = std::chrono::seconds{3},
                                          .since_last_byte = std::chrono::milliseconds{900}};
  EXPECT_EQ(stalled_text(stalled_at::awaiting_connack, "b:1883", connack),
            "waiting for the CONNACK from b:1883 \u2014 the broker was still sending a 4-byte CONNACK (3 bytes so "
            "far): it sends too slowly (trickles)");
  EXPECT_EQ(stalled_text(stalled_at::awaiting_suback, "b:1883", connack),
            "waiting for the SUBACK from b:1883 \u2014 the broker was still sending a 4-byte CONNACK (3 bytes so far): "
            "it sends too slowly (trickles)");
}

// mqtk-sub's own lines: -W, signals, standard output, reconnecting.
TEST(operation_failure_line, subscriber_timeouts_say_what_was_awaited_or_how_many_arrived) {
  using namespace std::chrono_literals;
  EXPECT_EQ(operation_failure_line(subscribe_timed_out{3s, stalled_at::awaiting_connack, "b:1883", std::nullopt}),
            "timed out after 3 s waiting for the CONNACK from b:1883 \u2014 something accepted the connection but did "
            "not answer CONNECT; is it an MQTT broker (check -p, TLS)?");
  EXPECT_EQ(operation_failure_line(subscribe_timed_out{
                2500ms, stalled_at::awaiting_connack, "b:1883",
                proto::packet_in_progress{.packet = {.first_byte = 0x20, .size = 4, .received = 2},
                                          .waited = 2500ms,
                                          .since_last_byte = 500ms}}),
            "timed out after 2.5 s waiting for the CONNACK from b:1883 \u2014 the broker was still sending a 4-byte "
            "CONNACK (2 bytes so far): it sends too slowly (trickles)");
  EXPECT_EQ(operation_failure_line(receive_timed_out{5s, 0, std::nullopt}),
            "timed out after 5 s with 0 message(s) received");
  EXPECT_EQ(operation_failure_line(receive_timed_out{1500ms, 2, 10}),
            "timed out after 1.5 s with 2 message(s) of 10 received");
}

TEST(operation_failure_line, subscriber_interrupted_before_receiving_says_where_it_stood) {
  EXPECT_EQ(operation_failure_line(subscribe_interrupted{"SIGTERM", stalled_at::awaiting_suback, "b:1883"}),
            "interrupted by SIGTERM waiting for the SUBACK from b:1883 \u2014 the broker did not answer SUBSCRIBE");
}

TEST(operation_failure_line, standard_output_failures_say_what_became_of_the_messages) {
  EXPECT_EQ(operation_failure_line(output_write_failed{"No space left on device"}),
            "cannot write to standard output: No space left on device \u2014 messages not written were not "
            "acknowledged (with -c the broker keeps them)");
  EXPECT_EQ(operation_failure_line(output_closed_at_start{}),
            "standard output is closed, so no message could be printed \u2014 start mqtk-sub with stdout open "
            "(redirect it to /dev/null to discard the messages)");
}

TEST(operation_failure_line, subscriber_reconnecting_given_up_names_the_last_error) {
  EXPECT_EQ(operation_failure_line(subscribe_reconnect_gave_up{5, "Connection refused"}),
            "gave up reconnecting after 5 attempt(s): Connection refused");
}

// mqtk-pub's own lines about its input and a connection -l could not get back.
TEST(operation_failure_line, publisher_connection_not_reestablished_says_every_line_was_acknowledged) {
  EXPECT_EQ(operation_failure_line(publish_connection_not_reestablished{"b:1883", "Connection reset by peer"}),
            "connection to b:1883 lost (Connection reset by peer) and not re-established when the input ended; every "
            "line was acknowledged before");
  EXPECT_EQ(operation_failure_line(publish_connection_not_reestablished{"b:1883", ""}),
            "connection to b:1883 lost (no reason given) and not re-established when the input ended; every line was "
            "acknowledged before");
}

TEST(operation_failure_line, qos0_messages_lost_with_the_connection_are_counted) {
  EXPECT_EQ(operation_failure_line(qos0_lost_with_connection{4}),
            "4 QoS 0 message(s) were lost with the connection (QoS 0 is never resent); use -q 1 to have every line "
            "arrive across a broker restart");
}

TEST(operation_failure_line, publisher_input_failures_say_what_was_published) {
  EXPECT_EQ(operation_failure_line(input_read_failed{"standard input: Input/output error"}),
            "standard input: Input/output error; lines read before it were published");
  EXPECT_EQ(operation_failure_line(input_closed_at_start{true}),
            "standard input is closed, so -l has nothing to read \u2014 give it input (`< file`, a pipe), or use -n "
            "for an empty message");
  EXPECT_EQ(operation_failure_line(input_closed_at_start{false}),
            "standard input is closed, so -s has nothing to read \u2014 give it input (`< file`, a pipe), or use -n "
            "for an empty message");
}

TEST(operation_failure_line, a_signal_with_messages_unacknowledged_counts_them) {
  EXPECT_EQ(operation_failure_line(publish_interrupted{"SIGINT", 3}),
            "interrupted by SIGINT with 3 message(s) not acknowledged by the broker (they may or may not have "
            "arrived)");
}

TEST(operation_failure_line, reconnecting_given_up_names_the_last_error_and_what_is_unacknowledged) {
  EXPECT_EQ(operation_failure_line(publish_reconnect_gave_up{"b:1883", 5, "Connection refused", 2}),
            "gave up reconnecting to b:1883 after 5 attempt(s) (Connection refused); 2 message(s) not acknowledged "
            "\u2014 is the broker still up?");
}

TEST(denied_filters, pairs_failures_with_their_filters_by_version) {
  const std::vector<std::string> filters{"a", "b", "c"};
  const std::vector<proto::reason_code> codes{proto::reason_code{0x01}, proto::reason_code{0x87}, proto::reason_code{0x80}};
  const auto v5 = denied_filters(filters, codes, protocol_version::v5);
  ASSERT_EQ(v5.size(), 2u);
  EXPECT_EQ(v5[0].filter, "b");
  EXPECT_EQ(v5[0].code, reason_code::not_authorized);
  EXPECT_EQ(v5[1].filter, "c");
  // 3.1.1 SUBACK knows one failure, 0x80.
  const auto v311 = denied_filters(filters, codes, protocol_version::v311);
  ASSERT_EQ(v311.size(), 1u);
  EXPECT_EQ(v311[0].filter, "c");
}

// mqtk-bench's lines about a whole run: counts with the first connection's own line.
TEST(operation_failure_line, bench_protocol_broken_counts_connections_and_quotes_the_first) {
  EXPECT_EQ(operation_failure_line(bench_protocol_broken{1, "malformed PUBLISH"}),
            "the broker broke the protocol on 1 connection; the first: malformed PUBLISH");
  EXPECT_EQ(operation_failure_line(bench_protocol_broken{3, "x"}), "the broker broke the protocol on 3 connections; the first: x");
}

TEST(operation_failure_line, bench_connections_lost_counts_connections_and_quotes_the_first) {
  EXPECT_EQ(operation_failure_line(bench_connections_lost{2, "connection to b:1883 lost"}),
            "2 connections lost during the run; the first: connection to b:1883 lost");
}

TEST(operation_failure_line, bench_every_connection_failed_counts_them_and_quotes_the_first) {
  EXPECT_EQ(operation_failure_line(bench_every_connection_failed{10, "connection to b:1883 refused"}),
            "every connection failed (10); the first: connection to b:1883 refused");
}

TEST(operation_failure_line, bench_tls_setup_failed_names_the_files_to_check) {
  EXPECT_EQ(operation_failure_line(bench_tls_setup_failed{"No such file or directory"}),
            "TLS set-up failed: No such file or directory \u2014 check --cafile/--cert/--key");
}

TEST(operation_failure_line, a_bench_line_from_a_peer_reaches_the_terminal_escaped) {
  EXPECT_EQ(operation_failure_line(bench_connections_lost{1, "bye\x1b" "c"}),
            "1 connection lost during the run; the first: bye\\x1bc");
}

}  // namespace
}  // namespace mqtk::diag
