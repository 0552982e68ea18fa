// session_options::manual_acknowledgement: incoming QoS 1/2 messages are acknowledged when the
// caller says so (mqtk-sub: once written to stdout), never on delivery alone.
#include "session_test_support.hpp"

namespace mqtk::test {
namespace {

using proto::qos;

proto::publish incoming_message(std::string_view topic, std::string_view payload, qos q, std::uint16_t id,
                                bool dup = false) {
  return proto::publish{.topic = topic, .payload = payload, .qos = q, .dup = dup, .packet_id = id};
}

proto::session_options manual() {
  proto::session_options o;
  o.manual_acknowledgement = true;
  return o;
}

lines acknowledge(session_harness& h, qos q, std::uint16_t id) {
  h.out.clear();
  h.session.acknowledge(q, id, h.now, h.out);
  return render(h.out, h.version, h.epoch);
}

TEST(session_manual_ack, qos1_is_acknowledged_only_when_the_caller_says_so) {
  session_harness h(proto::protocol_version::v5, manual());
  h.establish();
  EXPECT_EQ(h.recv(incoming_message("jobs", "a", qos::at_least_once, 7)), lines{"deliver jobs q1 #7 'a'"});
  EXPECT_EQ(h.recv(incoming_message("jobs", "b", qos::at_least_once, 8)), lines{"deliver jobs q1 #8 'b'"});
  EXPECT_EQ(acknowledge(h, qos::at_least_once, 7), lines{"> PUBACK #7"});
  EXPECT_EQ(acknowledge(h, qos::at_least_once, 7), lines{}) << "acknowledged twice";
  EXPECT_EQ(acknowledge(h, qos::at_least_once, 9), lines{}) << "never delivered";
  EXPECT_EQ(acknowledge(h, qos::at_most_once, 8), lines{}) << "wrong QoS";
}

TEST(session_manual_ack, qos2_pubrec_waits_for_the_caller_and_a_resend_is_not_delivered_again) {
  session_harness h(proto::protocol_version::v311, manual());
  h.establish();
  EXPECT_EQ(h.recv(incoming_message("jobs", "a", qos::exactly_once, 3)), lines{"deliver jobs q2 #3 'a'"});
  EXPECT_EQ(h.recv(incoming_message("jobs", "a", qos::exactly_once, 3, true)), lines{})
      << "a resend before the acknowledgement is neither delivered nor answered";
  EXPECT_EQ(acknowledge(h, qos::exactly_once, 3), lines{"> PUBREC #3"});
  EXPECT_EQ(h.recv(incoming_message("jobs", "a", qos::exactly_once, 3, true)), lines{"> PUBREC #3"});
  EXPECT_EQ(h.recv(proto::pubrel{.packet_id = 3}), lines{"> PUBCOMP #3"});
}

TEST(session_manual_ack, unacknowledged_qos1_is_forgotten_with_the_connection) {
  session_harness h(proto::protocol_version::v5, manual());
  h.establish();
  h.recv(incoming_message("jobs", "a", qos::at_least_once, 7));
  h.down();
  h.up();
  h.recv(proto::connack{.session_present = true});
  // The broker sends it again on the resumed session; the stale acknowledgement answers nothing.
  EXPECT_EQ(acknowledge(h, qos::at_least_once, 7), lines{});
  EXPECT_EQ(h.recv(incoming_message("jobs", "a", qos::at_least_once, 7, true)), lines{"deliver jobs q1 #7 dup 'a'"});
  EXPECT_EQ(acknowledge(h, qos::at_least_once, 7), lines{"> PUBACK #7"});
}

TEST(session_manual_ack, nothing_is_acknowledged_while_disconnected) {
  session_harness h(proto::protocol_version::v5, manual());
  h.establish();
  h.recv(incoming_message("jobs", "a", qos::exactly_once, 4));
  h.down();
  EXPECT_EQ(acknowledge(h, qos::exactly_once, 4), lines{});
  h.up();
  h.recv(proto::connack{.session_present = true});
  // Still owed after the resumed session: the late acknowledgement answers the resend.
  EXPECT_EQ(h.recv(incoming_message("jobs", "a", qos::exactly_once, 4, true)), lines{});
  EXPECT_EQ(acknowledge(h, qos::exactly_once, 4), lines{"> PUBREC #4"});
}

TEST(session_manual_ack, automatic_by_default) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.recv(incoming_message("jobs", "a", qos::exactly_once, 5)), (lines{"deliver jobs q2 #5 'a'", "> PUBREC #5"}));
  EXPECT_EQ(acknowledge(h, qos::exactly_once, 5), lines{});
}

}  // namespace
}  // namespace mqtk::test
