// Outgoing and incoming QoS 0/1/2, the in-flight window, packet ids, failure reason codes,
// broker limits (Maximum QoS, Retain Available, Maximum Packet Size) and ours.
#include "session_test_support.hpp"

namespace mqtk::test {
namespace {

using namespace std::chrono_literals;
using proto::property;
using proto::property_id;
using proto::protocol_version;
using proto::qos;

std::vector<std::uint8_t> big(std::size_t n) { return std::vector<std::uint8_t>(n, 'x'); }

TEST(session_qos, qos0_completes_when_written) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.publish("a/b", "hi", qos::at_most_once, true), (lines{"> PUBLISH a/b q0 retain 'hi'", "done 1 ok"}));
  EXPECT_EQ(h.session.inflight(), 0U);
}

TEST(session_qos, qos1_round_trip) {
  session_harness h;
  h.establish();
  run_steps(h, {
      {"publish", [](auto& s) { return s.publish("a", "m", qos::at_least_once); }, {"> PUBLISH a q1 #1 'm'"}},
      {"PUBACK for another id is ignored", [](auto& s) { return s.recv(proto::puback{.packet_id = 2}); }, {}},
      {"PUBACK", [](auto& s) { return s.recv(proto::puback{.packet_id = 1}); }, {"done 1 ok"}},
      {"duplicate PUBACK", [](auto& s) { return s.recv(proto::puback{.packet_id = 1}); }, {}},
  });
}

TEST(session_qos, qos2_round_trip) {
  session_harness h;
  h.establish();
  run_steps(h, {
      {"publish", [](auto& s) { return s.publish("a", "m", qos::exactly_once); }, {"> PUBLISH a q2 #1 'm'"}},
      {"PUBREC", [](auto& s) { return s.recv(proto::pubrec{.packet_id = 1}); }, {"> PUBREL #1"}},
      {"duplicate PUBREC gets PUBREL again", [](auto& s) { return s.recv(proto::pubrec{.packet_id = 1}); },
       {"> PUBREL #1"}},
      {"PUBCOMP", [](auto& s) { return s.recv(proto::pubcomp{.packet_id = 1}); }, {"done 1 ok"}},
  });
  EXPECT_EQ(h.session.inflight(), 0U);
}

TEST(session_qos, qos1_on_v311) {
  session_harness h(protocol_version::v311);
  h.establish();
  EXPECT_EQ(h.publish("a", "m", qos::at_least_once), lines{"> PUBLISH a q1 #1 'm'"});
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 1}), lines{"done 1 ok"});
}

TEST(session_qos, puback_failure_code_is_the_operation_result) {
  session_harness h;
  h.establish();
  h.publish("a", "m", qos::at_least_once);
  std::vector<property> props{{.id = property_id::reason_string, .value = "acl"}};
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 1, .reason_code = proto::reason_code{0x87}, .properties = props}),
            lines{"done 1 rejected rc=0x87"});
  auto& done = std::get<proto::complete_action>(h.out[0]);
  EXPECT_EQ(done.properties.string(property_id::reason_string), "acl");
  EXPECT_EQ(done.packet_id, 1);
}

TEST(session_qos, puback_no_matching_subscribers_is_success) {
  session_harness h;
  h.establish();
  h.publish("a", "m", qos::at_least_once);
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 1, .reason_code = proto::reason_code{0x10}}), lines{"done 1 ok rc=0x10"});
}

TEST(session_qos, pubrec_failure_ends_the_exchange_and_frees_the_slot) {
  session_harness h;
  h.establish(60, {{.id = property_id::receive_maximum, .number = 1}});
  h.publish("a", "m1", qos::exactly_once);
  EXPECT_EQ(h.publish("a", "m2", qos::exactly_once), lines{});
  EXPECT_EQ(h.recv(proto::pubrec{.packet_id = 1, .reason_code = proto::reason_code{0x97}}),
            (lines{"done 1 rejected rc=0x97", "> PUBLISH a q2 #2 'm2'"}));
}

TEST(session_qos, receive_maximum_bounds_the_window) {
  session_harness h;
  h.establish(60, {{.id = property_id::receive_maximum, .number = 2}});
  run_steps(h, {
      {"1st", [](auto& s) { return s.publish("a", "p1", qos::at_least_once); }, {"> PUBLISH a q1 #1 'p1'"}},
      {"2nd", [](auto& s) { return s.publish("a", "p2", qos::exactly_once); }, {"> PUBLISH a q2 #2 'p2'"}},
      {"3rd waits", [](auto& s) { return s.publish("a", "p3", qos::at_least_once); }, {}},
      {"4th waits", [](auto& s) { return s.publish("a", "p4", qos::at_least_once); }, {}},
      {"PUBACK frees one slot", [](auto& s) { return s.recv(proto::puback{.packet_id = 1}); },
       {"done 1 ok", "> PUBLISH a q1 #3 'p3'"}},
      {"PUBREC does not free a slot", [](auto& s) { return s.recv(proto::pubrec{.packet_id = 2}); },
       {"> PUBREL #2"}},
      {"PUBCOMP does", [](auto& s) { return s.recv(proto::pubcomp{.packet_id = 2}); },
       {"done 2 ok", "> PUBLISH a q1 #4 'p4'"}},
  });
  EXPECT_EQ(h.session.inflight(), 2U);
  EXPECT_EQ(h.session.queued(), 0U);
}

TEST(session_qos, user_inflight_limit_applies_below_receive_maximum) {
  session_harness h(protocol_version::v311, {.max_inflight = 1});
  h.establish();
  EXPECT_EQ(h.publish("a", "p1", qos::at_least_once), lines{"> PUBLISH a q1 #1 'p1'"});
  EXPECT_EQ(h.publish("a", "p2", qos::at_least_once), lines{});
  EXPECT_EQ(h.session.queued(), 1U);
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 1}), (lines{"done 1 ok", "> PUBLISH a q1 #2 'p2'"}));
}

TEST(session_qos, qos0_queues_behind_a_blocked_qos1_to_keep_order) {
  session_harness h;
  h.establish(60, {{.id = property_id::receive_maximum, .number = 1}});
  h.publish("a", "p1", qos::at_least_once);
  h.publish("a", "p2", qos::at_least_once);
  EXPECT_EQ(h.publish("a", "p3", qos::at_most_once), lines{});
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 1}),
            (lines{"done 1 ok", "> PUBLISH a q1 #2 'p2'", "> PUBLISH a q0 'p3'", "done 3 ok"}));
}

TEST(session_qos, requests_before_connack_go_out_after_it) {
  session_harness h;
  h.connect(h.default_connect());
  EXPECT_EQ(h.publish("a", "early", qos::at_least_once), lines{});
  EXPECT_EQ(h.publish("a", "zero", qos::at_most_once), lines{});
  h.up();
  EXPECT_EQ(h.recv(connack_ok()), (lines{"connack sp=0 rc=0x00", "arm keepalive @60s", "> PUBLISH a q1 #1 'early'",
                                         "> PUBLISH a q0 'zero'", "done 2 ok"}));
}

TEST(session_qos, packet_ids_wrap_and_skip_those_in_use) {
  session_harness h;
  h.establish();
  h.publish("a", "held", qos::at_least_once);  // id 1 stays in flight throughout
  proto::action_list out;
  for (int i = 2; i <= 65535; ++i) {
    out.clear();
    h.session.publish(proto::publish{.topic = "a", .payload = "x", .qos = qos::at_least_once}, h.now, out);
    h.session.received(bytes{0x40, 0x02, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i & 0xFF)},
                       h.now, out);
    ASSERT_EQ(h.session.inflight(), 1U) << "id " << i;
  }
  // 1 is still held, so after 65535 the pool wraps to 2.
  EXPECT_EQ(h.publish("a", "wrapped", qos::at_least_once), lines{"> PUBLISH a q1 #2 'wrapped'"});
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 1}), lines{"done 1 ok"});
}

TEST(session_qos, maximum_qos_refuses_higher_qos) {
  session_harness h;
  h.establish(60, {{.id = property_id::maximum_qos, .number = 1}});
  EXPECT_EQ(h.publish("a", "m", qos::exactly_once), lines{"done 1 qos_not_supported"});
  EXPECT_EQ(h.publish("a", "m", qos::at_least_once), lines{"> PUBLISH a q1 #1 'm'"});
}

TEST(session_qos, retain_not_available_refuses_retained) {
  session_harness h;
  h.establish(60, {{.id = property_id::retain_available, .number = 0}});
  EXPECT_EQ(h.publish("a", "m", qos::at_most_once, true), lines{"done 1 retain_not_supported"});
  EXPECT_EQ(h.publish("a", "m", qos::at_least_once, true), lines{"done 2 retain_not_supported"});
  EXPECT_EQ(h.publish("a", "m", qos::at_most_once, false), (lines{"> PUBLISH a q0 'm'", "done 3 ok"}));
}

TEST(session_qos, server_maximum_packet_size_refuses_larger_publish) {
  session_harness h;
  h.establish(60, {{.id = property_id::maximum_packet_size, .number = 32}});
  auto payload = big(40);
  std::string_view p(reinterpret_cast<const char*>(payload.data()), payload.size());
  EXPECT_EQ(h.publish("a", p, qos::at_least_once), lines{"done 1 packet_too_large"});
  EXPECT_EQ(h.publish("a", p, qos::at_most_once), lines{"done 2 packet_too_large"});
  EXPECT_EQ(h.session.inflight(), 0U);
  EXPECT_EQ(h.publish("a", "small", qos::at_least_once), lines{"> PUBLISH a q1 #1 'small'"});
}

TEST(session_qos, our_maximum_packet_size_goes_to_the_decoder) {
  session_harness h;
  std::vector<property> props{{.id = property_id::maximum_packet_size, .number = 32}};
  proto::connect c = h.default_connect();
  c.properties = props;
  h.establish_with(c);
  EXPECT_EQ(h.recv(incoming("t", "short", qos::at_most_once)), lines{"deliver t q0 'short'"});
  auto payload = big(40);
  std::string_view p(reinterpret_cast<const char*>(payload.data()), payload.size());
  EXPECT_EQ(h.recv(incoming("t", p, qos::at_most_once)),
            (lines{"> DISCONNECT rc=0x95", "cancel keepalive",
                   "close packet_too_large 'the broker announced a PUBLISH of 46 bytes, over our maximum packet "
                   "size of 32 bytes'"}));
}

TEST(session_qos, incoming_qos1_is_delivered_and_acked) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.recv(incoming("t/1", "m", qos::at_least_once, 42)), (lines{"deliver t/1 q1 #42 'm'", "> PUBACK #42"}));
  // A redelivery (DUP) of QoS 1 is delivered again: at-least-once allows it.
  EXPECT_EQ(h.recv(incoming("t/1", "m", qos::at_least_once, 42, true)),
            (lines{"deliver t/1 q1 #42 dup 'm'", "> PUBACK #42"}));
}

TEST(session_qos, incoming_qos2_is_delivered_exactly_once) {
  session_harness h;
  h.establish();
  run_steps(h, {
      {"PUBLISH", [](auto& s) { return s.recv(incoming("t", "once", qos::exactly_once, 7)); },
       {"deliver t q2 #7 'once'", "> PUBREC #7"}},
      {"duplicate PUBLISH is not delivered",
       [](auto& s) { return s.recv(incoming("t", "once", qos::exactly_once, 7, true)); }, {"> PUBREC #7"}},
      {"PUBREL", [](auto& s) { return s.recv(proto::pubrel{.packet_id = 7}); }, {"> PUBCOMP #7"}},
      {"a new message may reuse the id",
       [](auto& s) { return s.recv(incoming("t", "again", qos::exactly_once, 7)); },
       {"deliver t q2 #7 'again'", "> PUBREC #7"}},
  });
}

TEST(session_qos, unknown_pubrel_is_answered_with_packet_id_not_found) {
  session_harness h5;
  h5.establish();
  EXPECT_EQ(h5.recv(proto::pubrel{.packet_id = 9}), lines{"> PUBCOMP #9 rc=0x92"});
  session_harness h3(protocol_version::v311);
  h3.establish();
  EXPECT_EQ(h3.recv(proto::pubrel{.packet_id = 9}), lines{"> PUBCOMP #9"});
}

TEST(session_qos, unknown_pubrec_is_answered_with_packet_id_not_found) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.recv(proto::pubrec{.packet_id = 4}), lines{"> PUBREL #4 rc=0x92"});
}

TEST(session_qos, incoming_receive_maximum_is_enforced) {
  session_harness h;
  std::vector<property> props{{.id = property_id::receive_maximum, .number = 1}};
  proto::connect c = h.default_connect();
  c.properties = props;
  h.establish_with(c);
  EXPECT_EQ(h.recv(incoming("t", "1", qos::exactly_once, 1)), (lines{"deliver t q2 #1 '1'", "> PUBREC #1"}));
  EXPECT_EQ(h.recv(incoming("t", "2", qos::exactly_once, 2)),
            (lines{"> DISCONNECT rc=0x93", "cancel keepalive",
                   "close receive_maximum_exceeded 'the broker sent more than 1 unacknowledged QoS 2 messages'"}));
}

TEST(session_qos, delivered_message_owns_its_bytes_and_properties) {
  session_harness h;
  h.establish();
  std::vector<property> props{{.id = property_id::content_type, .value = "text/plain"},
                              {.id = property_id::user_property, .key = "k", .value = "v"}};
  bytes wire;
  proto::encode_append(proto::publish{.topic = "t", .payload = "body", .properties = props}, protocol_version::v5,
                       wire);
  proto::action_list out;
  h.session.received(wire, h.now, out);
  std::fill(wire.begin(), wire.end(), std::uint8_t{0});  // the input buffer is gone
  ASSERT_EQ(out.size(), 1U);
  const auto& m = std::get<proto::deliver_action>(out[0]).message;
  EXPECT_EQ(m.topic, "t");
  EXPECT_EQ(m.payload, "body");
  EXPECT_EQ(m.properties.string(property_id::content_type), "text/plain");
  ASSERT_NE(m.properties.find(property_id::user_property), nullptr);
  EXPECT_EQ(m.properties.find(property_id::user_property)->key, "k");
}

TEST(session_qos, invalid_requests_complete_at_once) {
  session_harness h;
  EXPECT_EQ(h.publish("a", "before connect()", qos::at_most_once), lines{"done 1 invalid_request"});
  h.establish();
  EXPECT_EQ(h.publish("a/+", "m", qos::at_least_once), lines{"done 2 invalid_request"});
  EXPECT_EQ(h.publish("", "m", qos::at_most_once), lines{"done 3 invalid_request"});
}

TEST(session_qos, cancel_all_completes_queued_and_inflight) {
  session_harness h;
  h.establish(60, {{.id = property_id::receive_maximum, .number = 1}});
  h.publish("a", "1", qos::at_least_once);
  h.publish("a", "2", qos::at_least_once);
  proto::action_list out;
  h.session.cancel_all({}, out);
  EXPECT_EQ(render(out, protocol_version::v5, h.epoch), (lines{"done 1 cancelled", "done 2 cancelled"}));
  EXPECT_EQ(h.session.inflight(), 0U);
  EXPECT_EQ(h.session.queued(), 0U);
  EXPECT_EQ(h.publish("a", "3", qos::at_least_once), lines{"> PUBLISH a q1 #2 '3'"});
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

TEST(session_qos, qos2_on_mqtt31) {
  session_harness h(proto::protocol_version::v31);
  h.establish();
  run_steps(h, {
      {"publish", [](auto& s) { return s.publish("a", "m", proto::qos::exactly_once); }, {"> PUBLISH a q2 #1 'm'"}},
      {"PUBREC", [](auto& s) { return s.recv(proto::pubrec{.packet_id = 1}); }, {"> PUBREL #1"}},
      {"PUBCOMP", [](auto& s) { return s.recv(proto::pubcomp{.packet_id = 1}); }, {"done 1 ok"}},
  });
}

TEST(session_qos, several_acks_in_one_read_refill_the_window_in_order) {
  session_harness h;
  h.establish(60, {{.id = proto::property_id::receive_maximum, .number = 2}});
  for (const char* p : {"p1", "p2", "p3", "p4", "p5"}) h.publish("a", p, proto::qos::at_least_once);
  bytes acks;
  proto::encode_append(proto::puback{.packet_id = 1}, proto::protocol_version::v5, acks);
  proto::encode_append(proto::puback{.packet_id = 2}, proto::protocol_version::v5, acks);
  EXPECT_EQ(h.recv_bytes(acks), (lines{"done 1 ok", "> PUBLISH a q1 #3 'p3'", "done 2 ok", "> PUBLISH a q1 #4 'p4'"}));
  EXPECT_EQ(h.session.queued(), 1U);
}

}  // namespace
}  // namespace mqtk::test
