// mqtk-ping's check texts: every event of every table, word for word (the integration tests of
// mqtk-ping see only the ones a real broker can be made to produce).
#include "mqtk/diag/ping_check_text.hpp"

#include <gtest/gtest.h>

namespace mqtk::diag {
namespace {

TEST(roundtrip_finding, a_refused_subscribe_names_the_filter_the_reason_and_the_tree_to_allow) {
  EXPECT_EQ(roundtrip_finding(roundtrip_subscribe_refused{
                .filter = "mqtk/ping/id/ab/#", .base = "mqtk/ping/id/ab", .reason = "Not authorized (0x87)"}),
            (probe_finding{finding_level::error, "subscribe_refused",
                           "SUBSCRIBE to mqtk/ping/id/ab/# refused: Not authorized (0x87)",
                           "the broker's ACL must let this user read and write mqtk/ping/id/ab/..."}));
}

TEST(roundtrip_finding, a_failed_publish_names_its_qos_and_topic) {
  EXPECT_EQ(roundtrip_finding(roundtrip_publish_failed{.qos = 1, .topic = "t/q1", .reason = "PUBACK 0x87"}),
            (probe_finding{finding_level::error, "publish_failed", "QoS 1 publish failed: PUBACK 0x87",
                           "the broker's ACL must let this user write t/q1"}));
}

TEST(roundtrip_finding, an_undelivered_message_says_how_long_it_was_awaited) {
  EXPECT_EQ(roundtrip_finding(roundtrip_not_delivered{.qos = 2, .topic = "t/q2", .waited_ms = "2000"}),
            (probe_finding{finding_level::error, "not_delivered", "QoS 2 message on t/q2 not delivered within 2000 ms",
                           "the broker accepted the publish but did not deliver it to a matching subscription: check "
                           "its ACL (read access) and its log"}));
}

TEST(roundtrip_finding, a_wildcard_subscription_refused_or_silent) {
  const std::string hint = "the broker may not support or allow wildcard subscriptions";
  EXPECT_EQ(roundtrip_finding(roundtrip_wildcard_failed{.subscription_accepted = false}),
            (probe_finding{finding_level::error, "wildcards", "subscription with '+' refused", hint}));
  EXPECT_EQ(roundtrip_finding(roundtrip_wildcard_failed{.subscription_accepted = true}),
            (probe_finding{finding_level::error, "wildcards", "subscription with '+' accepted but nothing delivered",
                           hint}));
}

TEST(roundtrip_finding, a_retained_message_missing_from_a_new_subscription) {
  EXPECT_EQ(roundtrip_finding(roundtrip_retained_not_delivered{}),
            (probe_finding{finding_level::error, "retained", "a retained message was not delivered to a new subscription",
                           "the broker may not support retained messages (5.0: Retain Available 0)"}));
}

TEST(capability_finding, a_connection_dropped_on_a_large_publish) {
  EXPECT_EQ(capability_finding(capability_dropped_on_large_packet{}),
            (probe_finding{finding_level::info, "dropped_on_large_packet",
                           "the broker closed the connection on a large PUBLISH (no PUBACK failure code)",
                           "large messages from a device are dropped with the connection: check max_packet_size"}));
}

TEST(capability_finding, short_client_ids_name_the_longest_accepted) {
  EXPECT_EQ(capability_finding(capability_short_client_ids{.longest = 23}),
            (probe_finding{finding_level::warning, "short_client_ids",
                           "the broker accepts client ids of at most 23 characters",
                           "keep device ids short (MAC-based ids of 12-17 characters fit everywhere)"}));
}

TEST(keepalive_finding, a_server_keep_alive_replacing_the_asked_one) {
  EXPECT_EQ(keepalive_finding(keepalive_overridden{.asked_s = 5, .imposed_s = 60}),
            (probe_finding{finding_level::info, "server_keep_alive", "the broker replaced the keep alive 5 s with 60 s",
                           "a device must ping within the Server Keep Alive, not its own setting"}));
}

TEST(keepalive_finding, a_silent_connection_never_dropped) {
  EXPECT_EQ(keepalive_finding(keepalive_not_enforced{.waited_s = 17, .keep_alive_s = "5.00"}),
            (probe_finding{finding_level::warning, "keepalive_not_enforced",
                           "the broker did not drop a silent connection within 17 s (keep alive 5.00 s)",
                           "dead devices stay connected (and their wills unpublished) until TCP notices"}));
}

TEST(keepalive_finding, an_early_drop_is_a_warning_and_a_late_one_information) {
  EXPECT_EQ(keepalive_finding(keepalive_dropped{.after_s = 5.25, .grace_s = -2.25, .keep_alive_s = 5}),
            (probe_finding{finding_level::warning, "keepalive_early_drop",
                           "dropped after 5.25 s of silence: 2.25 s before 1.5 x keep alive (7.5 s)",
                           "devices must ping well within the keep alive"}));
  EXPECT_EQ(keepalive_finding(keepalive_dropped{.after_s = 10, .grace_s = 2.5, .keep_alive_s = 5}),
            (probe_finding{finding_level::info, "keepalive_long_grace",
                           "dropped after 10.00 s of silence: 2.50 s after 1.5 x keep alive (7.5 s)", ""}));
}

TEST(keepalive_finding, a_will_that_never_arrived_names_its_topic) {
  EXPECT_EQ(keepalive_finding(keepalive_will_not_published{.topic = "dev/will"}),
            (probe_finding{finding_level::warning, "will_not_published",
                           "the broker dropped the silent client but its will did not arrive on dev/will",
                           "check the broker's ACL for will topics; a 5.0 Will Delay Interval postpones it"}));
}

TEST(keepalive_dropped_line, names_the_disconnect_the_broker_sent_first) {
  EXPECT_EQ(keepalive_dropped_line({.after_s = 7.52, .grace_s = 0.02, .keep_alive_s = 5, .disconnect_code = proto::reason_code{0x8d}}),
            "dropped after 7.52 s of silence: 0.02 s after 1.5 x keep alive (7.5 s), with DISCONNECT 0x8D");
  EXPECT_EQ(keepalive_dropped_line({.after_s = 7.52, .grace_s = 0.02, .keep_alive_s = 5}),
            "dropped after 7.52 s of silence: 0.02 s after 1.5 x keep alive (7.5 s)");
}

TEST(run_stop_line, every_way_a_run_stops_early) {
  EXPECT_EQ(run_stop_line(versions_check_interrupted{}), "interrupted");
  EXPECT_EQ(run_stop_line(keepalive_check_interrupted{}), "interrupted during the keepalive check");
  EXPECT_EQ(run_stop_line(connect_interrupted{.stage = "tls", .waited_ms = "812"}),
            "interrupted while waiting for tls (812 ms after the start) \u2014 the stages above are what answered; "
            "raise -W to give the broker longer");
  EXPECT_EQ(run_stop_line(keepalive_connect_not_accepted{}),
            "keepalive check: the broker did not accept the CONNECT \u2014 run mqtk-ping without --keepalive-check "
            "to see why");
}

TEST(broker_not_ready_explanation, puts_the_time_and_attempts_before_the_last_failure) {
  EXPECT_EQ(broker_not_ready_explanation(5.23, 9, "connection refused by 127.0.0.1:1"),
            "broker not ready after 5.2 s (9 attempts): connection refused by 127.0.0.1:1");
}

TEST(device_check_gap_note, each_gap_in_what_the_broker_told) {
  EXPECT_EQ(device_check_gap_note(device_check_gap::no_connack),
            "(the broker did not answer the device's CONNECT: only the library's own limits are checked)");
  EXPECT_EQ(device_check_gap_note(device_check_gap::no_v5_connack),
            "(no 5.0 CONNECT accepted: the broker's 5.0 limits are unknown)");
}

}  // namespace
}  // namespace mqtk::diag
