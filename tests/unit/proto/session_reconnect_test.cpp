// Transport loss and reconnect: in-flight state survives, a present session gets the
// unacknowledged PUBLISH (DUP=1) and PUBREL again in original order before new traffic, and a
// lost session follows the configured policy.
#include "session_test_support.hpp"

namespace mqtk::test {
namespace {

using namespace std::chrono_literals;
using proto::lost_session_policy;
using proto::protocol_version;
using proto::qos;

// m1 (QoS 1, #1, unacked), m2 (QoS 2, #2, PUBREC seen), m3 (QoS 2, #3, unacked), then the
// transport drops at 10 s and m4 is published while it is down.
void in_flight_then_drop(session_harness& h) {
  proto::connect c = h.default_connect();
  c.clean_start = false;
  h.establish_with(c);
  EXPECT_EQ(h.publish("a", "m1", qos::at_least_once), lines{"> PUBLISH a q1 #1 'm1'"});
  EXPECT_EQ(h.publish("a", "m2", qos::exactly_once), lines{"> PUBLISH a q2 #2 'm2'"});
  EXPECT_EQ(h.publish("a", "m3", qos::exactly_once), lines{"> PUBLISH a q2 #3 'm3'"});
  EXPECT_EQ(h.recv(proto::pubrec{.packet_id = 2}), lines{"> PUBREL #2"});
  EXPECT_EQ(h.at(10s).down(), lines{"cancel keepalive"});
  EXPECT_EQ(h.publish("a", "m4", qos::at_least_once), lines{});
  EXPECT_EQ(h.session.inflight(), 3U);
  EXPECT_EQ(h.session.queued(), 1U);
  EXPECT_EQ(h.at(12s).up(), lines{"> CONNECT c ka=60 clean=0"});
}

// A persistent session (clean start 0) that has received QoS 2 message #7 and answered PUBREC.
void establish_with_qos2_received(session_harness& h) {
  proto::connect c = h.default_connect();
  c.clean_start = false;
  h.establish_with(c);
  EXPECT_EQ(h.recv(incoming("t", "x", qos::exactly_once, 7)), (lines{"deliver t q2 #7 'x'", "> PUBREC #7"}));
}

// The transport drops and comes back; the broker's CONNACK says whether it kept the session.
void reconnect(session_harness& h, bool session_present) {
  h.down();
  h.up();
  h.recv(connack_ok(session_present));
}

TEST(session_reconnect, present_session_resends_in_original_order_with_dup) {
  for (auto v : {protocol_version::v311, protocol_version::v5}) {
    session_harness h(v);
    in_flight_then_drop(h);
    EXPECT_EQ(h.recv(connack_ok(true)),
              (lines{"connack sp=1 rc=0x00", "> PUBLISH a q1 #1 dup 'm1'", "> PUBREL #2", "> PUBLISH a q2 #3 dup 'm3'",
                     "arm keepalive @72s", "> PUBLISH a q1 #4 'm4'"}))
        << version_name(v);
    run_steps(h, {
        {"m1 acked", [](auto& s) { return s.recv(proto::puback{.packet_id = 1}); }, {"done 1 ok"}},
        {"m2 completed", [](auto& s) { return s.recv(proto::pubcomp{.packet_id = 2}); }, {"done 2 ok"}},
        {"m3 received", [](auto& s) { return s.recv(proto::pubrec{.packet_id = 3}); }, {"> PUBREL #3"}},
        {"m3 completed", [](auto& s) { return s.recv(proto::pubcomp{.packet_id = 3}); }, {"done 3 ok"}},
        {"m4 acked", [](auto& s) { return s.recv(proto::puback{.packet_id = 4}); }, {"done 4 ok"}},
    });
  }
}

TEST(session_reconnect, resent_bytes_are_one_write) {
  session_harness h;
  in_flight_then_drop(h);
  h.recv(connack_ok(true));
  std::size_t sends = 0;
  for (const auto& a : h.out) sends += std::holds_alternative<proto::send_action>(a) ? 1 : 0;
  EXPECT_EQ(sends, 2U) << "the three resends coalesce; the new PUBLISH follows the timer action";
}

TEST(session_reconnect, lost_session_fails_in_flight_by_default) {
  session_harness h;
  in_flight_then_drop(h);
  // m2 had its PUBREC: the broker had taken it, so it completes; m1 and m3 are lost.
  EXPECT_EQ(h.recv(connack_ok(false)),
            (lines{"connack sp=0 rc=0x00", "done 1 session_lost", "done 2 ok", "done 3 session_lost",
                   "arm keepalive @72s", "> PUBLISH a q1 #4 'm4'"}));
  EXPECT_EQ(h.session.inflight(), 1U);
}

TEST(session_reconnect, lost_session_resend_as_new_uses_new_ids) {
  session_harness h(protocol_version::v5, {.on_lost_session = lost_session_policy::resend_as_new});
  in_flight_then_drop(h);
  EXPECT_EQ(h.recv(connack_ok(false)),
            (lines{"connack sp=0 rc=0x00", "done 2 ok", "arm keepalive @72s", "> PUBLISH a q1 #4 'm1'",
                   "> PUBLISH a q2 #5 'm3'", "> PUBLISH a q1 #6 'm4'"}));
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 4}), lines{"done 1 ok"});
  EXPECT_EQ(h.recv(proto::pubrec{.packet_id = 5}), lines{"> PUBREL #5"});
  EXPECT_EQ(h.recv(proto::pubcomp{.packet_id = 5}), lines{"done 3 ok"});
}

TEST(session_reconnect, resend_as_new_respects_the_new_window) {
  session_harness h(protocol_version::v5, {.on_lost_session = lost_session_policy::resend_as_new});
  in_flight_then_drop(h);
  std::vector<proto::property> props{{.id = proto::property_id::receive_maximum, .number = 1}};
  EXPECT_EQ(h.recv(connack_ok(false, props)),
            (lines{"connack sp=0 rc=0x00", "done 2 ok", "arm keepalive @72s", "> PUBLISH a q1 #4 'm1'"}));
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 4}), (lines{"done 1 ok", "> PUBLISH a q2 #5 'm3'"}));
}

TEST(session_reconnect, incoming_qos2_state_survives_with_the_session) {
  session_harness h;
  establish_with_qos2_received(h);
  reconnect(h, true);
  EXPECT_EQ(h.recv(incoming("t", "x", qos::exactly_once, 7, true)), lines{"> PUBREC #7"});
  EXPECT_EQ(h.recv(proto::pubrel{.packet_id = 7}), lines{"> PUBCOMP #7"});
}

// What mosquitto 2.0.11 does after a restart to messages beyond max_inflight_messages (issue
// 15): it publishes again, DUP set, one the subscriber already completed with PUBCOMP. By MQTT
// 4.3.3 that id names a new message once PUBCOMP went out, so it is delivered: dropping it
// would lose a real message that reuses the id. The duplicate is the broker's to avoid.
TEST(session_reconnect, a_publish_after_pubcomp_is_a_new_message_even_with_dup_on_a_resumed_session) {
  session_harness h;
  establish_with_qos2_received(h);
  EXPECT_EQ(h.recv(proto::pubrel{.packet_id = 7}), lines{"> PUBCOMP #7"});
  reconnect(h, true);
  EXPECT_EQ(h.recv(incoming("t", "x", qos::exactly_once, 7, true)), (lines{"deliver t q2 #7 dup 'x'", "> PUBREC #7"}));
}

TEST(session_reconnect, incoming_qos2_state_is_cleared_without_a_session) {
  session_harness h;
  h.establish();
  h.recv(incoming("t", "x", qos::exactly_once, 7));
  reconnect(h, false);
  EXPECT_EQ(h.recv(incoming("t", "y", qos::exactly_once, 7)), (lines{"deliver t q2 #7 'y'", "> PUBREC #7"}));
}

TEST(session_reconnect, closed_by_protocol_error_keeps_in_flight_for_the_next_connection) {
  session_harness h;
  proto::connect c = h.default_connect();
  c.clean_start = false;
  h.establish_with(c);
  h.publish("a", "m1", qos::at_least_once);
  h.recv(proto::pingreq{});  // protocol error: closed
  EXPECT_EQ(h.session.state(), proto::session_state::down);
  EXPECT_EQ(h.down(), lines{}) << "already down";
  h.up();
  EXPECT_EQ(h.recv(connack_ok(true)), (lines{"connack sp=1 rc=0x00", "> PUBLISH a q1 #1 dup 'm1'", "arm keepalive @60s"}));
}

TEST(session_reconnect, reconnect_after_refusal_then_success) {
  session_harness h(protocol_version::v311);
  h.connect(h.default_connect());
  h.up();
  h.recv(proto::connack{.reason_code = proto::reason_code{3}});  // server unavailable
  EXPECT_EQ(h.session.state(), proto::session_state::down);
  EXPECT_EQ(h.at(5s).up(), lines{"> CONNECT c ka=60 clean=1"});
  EXPECT_EQ(h.recv(connack_ok()), (lines{"connack sp=0 rc=0x00", "arm keepalive @65s"}));
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

using namespace std::chrono_literals;

const std::vector<proto::property> receive_maximum_2{{.id = proto::property_id::receive_maximum, .number = 2}};

TEST(session_reconnect, resends_respect_the_new_receive_maximum) {
  session_harness h;
  in_flight_then_drop(h);
  run_steps(h, {
      {"resume: m3 waits for a slot", [](auto& s) { return s.recv(connack_ok(true, receive_maximum_2)); },
       {"connack sp=1 rc=0x00", "> PUBLISH a q1 #1 dup 'm1'", "> PUBREL #2", "arm keepalive @72s"}},
      {"m1 acked: m3 goes with its old id and DUP", [](auto& s) { return s.recv(proto::puback{.packet_id = 1}); },
       {"done 1 ok", "> PUBLISH a q2 #3 dup 'm3'"}},
      {"m2 completed: new traffic", [](auto& s) { return s.recv(proto::pubcomp{.packet_id = 2}); },
       {"done 2 ok", "> PUBLISH a q1 #4 'm4'"}},
  });
}

TEST(session_reconnect, deferred_resends_belong_to_a_lost_session_too) {
  session_harness h;
  in_flight_then_drop(h);
  h.recv(connack_ok(true, receive_maximum_2));
  h.down();
  h.up();
  EXPECT_EQ(h.recv(connack_ok(false)),
            (lines{"connack sp=0 rc=0x00", "done 1 session_lost", "done 2 ok", "done 3 session_lost",
                   "arm keepalive @72s", "> PUBLISH a q1 #4 'm4'"}));
}

}  // namespace
}  // namespace mqtk::test
