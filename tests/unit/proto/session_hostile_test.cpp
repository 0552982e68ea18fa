// A broker that misbehaves: topic aliases we never allowed, acknowledgements of the wrong type
// or none at all, packets over our maximum size, a packet that stops arriving. Each ends the
// connection with an error that names what the broker did (issue 15).
#include "session_test_support.hpp"

#include "mqtk/proto/decoder.hpp"

namespace mqtk::test {
namespace {

using namespace std::chrono_literals;
using proto::property;
using proto::property_id;
using proto::protocol_version;
using proto::qos;
using proto::timer_kind;

proto::publish aliased(std::string_view topic, const std::vector<property>& storage) {
  return proto::publish{.topic = topic, .payload = "x", .properties = storage};
}

std::vector<property> alias_props(std::uint16_t alias) { return {{.id = property_id::topic_alias, .number = alias}}; }

void establish_announcing_aliases(session_harness& h, std::uint16_t max) {
  std::vector<property> props{{.id = property_id::topic_alias_maximum, .number = max}};
  proto::connect c = h.default_connect();
  c.properties = props;
  h.establish_with(c);
}

// ---------------------------------------------------------------------------------------------
// Topic aliases

struct alias_case {
  std::string name;
  std::optional<std::uint16_t> announced;  // CONNECT's Topic Alias Maximum; nullopt: absent
  std::uint16_t alias;
  std::string topic;
  std::string message;
};

class session_hostile_alias : public ::testing::TestWithParam<alias_case> {};

TEST_P(session_hostile_alias, is_a_protocol_error_naming_the_alias) {
  const alias_case& c = GetParam();
  session_harness h;
  if (c.announced) {
    establish_announcing_aliases(h, *c.announced);
  } else {
    h.establish();
  }
  const auto props = alias_props(c.alias);
  EXPECT_EQ(h.recv(aliased(c.topic, props)),
            (lines{"> DISCONNECT rc=0x94", "cancel keepalive", "close topic_alias_invalid '" + c.message + "'"}));
}

INSTANTIATE_TEST_SUITE_P(
    cases, session_hostile_alias,
    ::testing::Values(
        alias_case{"none_announced", std::nullopt, 1, "t",
                   "topic alias 1 is above the Topic Alias Maximum 0 we announced"},
        alias_case{"above_the_announced_maximum", 5, 7, "t",
                   "topic alias 7 is above the Topic Alias Maximum 5 we announced"},
        alias_case{"unknown_alias_without_topic", 5, 3, "",
                   "the broker used topic alias 3 before giving its topic"}),
    [](const auto& row) { return row.param.name; });

TEST(session_hostile, alias_zero_is_a_malformed_packet) {
  session_harness h;
  establish_announcing_aliases(h, 5);
  const auto props = alias_props(0);
  EXPECT_EQ(h.recv(aliased("t", props)),
            (lines{"> DISCONNECT rc=0x81", "cancel keepalive",
                   "close malformed_packet 'malformed packet from the broker: property value is out of range (at byte "
                   "11)'"}));
}

TEST(session_hostile, alias_topics_are_bounded_in_bytes) {
  session_harness h(protocol_version::v5, {.max_incoming_alias_bytes = 100});
  establish_announcing_aliases(h, 10);
  const std::string topic60(60, 't');
  const auto a1 = alias_props(1);
  const auto a2 = alias_props(2);
  EXPECT_EQ(h.recv(aliased(topic60, a1)), lines{"deliver " + topic60 + " q0 alias=1 'x'"});
  // Remapping alias 1 to a short topic gives its bytes back.
  EXPECT_EQ(h.recv(aliased("s", a1)), lines{"deliver s q0 alias=1 'x'"});
  EXPECT_EQ(h.recv(aliased(topic60, a2)), lines{"deliver " + topic60 + " q0 alias=2 'x'"});
  EXPECT_EQ(h.recv(aliased(topic60, a1)),
            (lines{"> DISCONNECT rc=0x94", "cancel keepalive",
                   "close topic_alias_invalid 'the broker's topic aliases would hold 120 bytes of topics, over our "
                   "limit of 100'"}));
}

// ---------------------------------------------------------------------------------------------
// Acknowledgements of the wrong type

struct wrong_ack_case {
  std::string name;
  qos q;
  std::function<lines(session_harness&)> before;  // moves the exchange on first (may be empty)
  proto::packet ack;
  std::string message;
};

class session_hostile_wrong_ack : public ::testing::TestWithParam<wrong_ack_case> {};

TEST_P(session_hostile_wrong_ack, is_a_protocol_error_naming_both_packets) {
  const wrong_ack_case& c = GetParam();
  session_harness h;
  h.establish();
  h.publish("a", "m", c.q);
  if (c.before) c.before(h);
  EXPECT_EQ(h.recv(c.ack), (lines{"> DISCONNECT rc=0x82", "cancel keepalive", "close protocol_error '" + c.message + "'"}));
}

const std::vector<proto::reason_code> granted{proto::reason_code{0x00}};

INSTANTIATE_TEST_SUITE_P(
    cases, session_hostile_wrong_ack,
    ::testing::Values(
        wrong_ack_case{"pubrec_for_qos1", qos::at_least_once, {}, proto::pubrec{.packet_id = 1},
                       "the broker answered QoS 1 PUBLISH id 1 with PUBREC (expected PUBACK)"},
        wrong_ack_case{"pubcomp_for_qos1", qos::at_least_once, {}, proto::pubcomp{.packet_id = 1},
                       "the broker answered QoS 1 PUBLISH id 1 with PUBCOMP (expected PUBACK)"},
        wrong_ack_case{"puback_for_qos2", qos::exactly_once, {}, proto::puback{.packet_id = 1},
                       "the broker answered QoS 2 PUBLISH id 1 with PUBACK (expected PUBREC)"},
        wrong_ack_case{"pubcomp_before_pubrel", qos::exactly_once, {}, proto::pubcomp{.packet_id = 1},
                       "the broker answered QoS 2 PUBLISH id 1 with PUBCOMP (expected PUBREC)"},
        wrong_ack_case{"puback_for_pubrel", qos::exactly_once,
                       [](session_harness& s) { return s.recv(proto::pubrec{.packet_id = 1}); },
                       proto::puback{.packet_id = 1},
                       "the broker answered PUBREL id 1 with PUBACK (expected PUBCOMP)"},
        wrong_ack_case{"suback_for_publish", qos::at_least_once, {},
                       proto::suback{.packet_id = 1, .reason_codes = proto::list_view<proto::reason_code>(granted)},
                       "the broker answered QoS 1 PUBLISH id 1 with SUBACK (expected PUBACK)"}),
    [](const auto& row) { return row.param.name; });

TEST(session_hostile, acks_for_ids_not_in_flight_stay_ignored) {
  // A late duplicate after a resend is no proof of a broken broker.
  session_harness h;
  h.establish();
  h.publish("a", "m", qos::at_least_once);
  EXPECT_EQ(h.recv(proto::pubcomp{.packet_id = 9}), lines{});
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 9}), lines{});
  EXPECT_EQ(h.recv(proto::puback{.packet_id = 1}), lines{"done 1 ok"});
}

// ---------------------------------------------------------------------------------------------
// Acknowledgement deadline

TEST(session_hostile, no_puback_within_the_ack_timeout_fails_the_connection) {
  session_harness h(protocol_version::v5, {.ack_timeout = 5s});
  h.establish(60);
  run_steps(h, {
      {"first publish arms the deadline", [](auto& s) { return s.at(1s).publish("a", "1", qos::at_least_once); },
       {"> PUBLISH a q1 #1 '1'", "arm ack @6s"}},
      {"a second one does not re-arm", [](auto& s) { return s.at(3s).publish("a", "2", qos::at_least_once); },
       {"> PUBLISH a q1 #2 '2'"}},
      {"the first is acknowledged", [](auto& s) { return s.at(4s).recv(proto::puback{.packet_id = 1}); },
       {"done 1 ok"}},
      {"expiry moves on to the second", [](auto& s) { return s.at(6s).expire(timer_kind::ack); },
       {"arm ack @8s"}},
      {"the second never comes", [](auto& s) { return s.at(8s).expire(timer_kind::ack); },
       {"cancel keepalive", "close ack_timeout 'the broker sent no PUBACK for QoS 1 PUBLISH id 2 within 5 s'"}},
  });
}

TEST(session_hostile, the_deadline_of_a_qos2_publish_restarts_with_its_pubrel) {
  session_harness h(protocol_version::v5, {.ack_timeout = 5s});
  h.establish(60);
  run_steps(h, {
      {"publish", [](auto& s) { return s.publish("a", "1", qos::exactly_once); },
       {"> PUBLISH a q2 #1 '1'", "arm ack @5s"}},
      {"PUBREC at 4 s", [](auto& s) { return s.at(4s).recv(proto::pubrec{.packet_id = 1}); }, {"> PUBREL #1"}},
      {"not late yet at 5 s", [](auto& s) { return s.at(5s).expire(timer_kind::ack); }, {"arm ack @9s"}},
      {"no PUBCOMP by 9 s", [](auto& s) { return s.at(9s).expire(timer_kind::ack); },
       {"cancel keepalive", "close ack_timeout 'the broker sent no PUBCOMP for PUBREL id 1 within 5 s'"}},
  });
}

TEST(session_hostile, no_suback_within_the_ack_timeout_fails_the_subscribe) {
  session_harness h(protocol_version::v311, {.ack_timeout = 2s});
  h.establish(60);
  EXPECT_EQ(h.subscribe({{.filter = "a"}}), (lines{"> SUBSCRIBE #1 a:0", "arm ack @2s"}));
  EXPECT_EQ(h.at(2s).expire(timer_kind::ack),
            (lines{"cancel keepalive", "close ack_timeout 'the broker sent no SUBACK for SUBSCRIBE id 1 within 2 s'",
                   "done 1 ack_timeout"}));
}

TEST(session_hostile, without_an_ack_timeout_no_deadline_is_armed) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.publish("a", "1", qos::at_least_once), lines{"> PUBLISH a q1 #1 '1'"});
}

// ---------------------------------------------------------------------------------------------
// Maximum packet size, and a packet that stops arriving

TEST(session_hostile, an_announced_length_over_our_maximum_fails_before_the_body_arrives) {
  // 3.1.1 has no property to announce it, but the limit holds all the same.
  session_harness h(protocol_version::v311, {.max_incoming_packet_size = 1024});
  h.establish();
  // PUBLISH with remaining length 268,435,455 (0xFF 0xFF 0xFF 0x7F): the header alone.
  EXPECT_EQ(h.recv_bytes({0x30, 0xFF, 0xFF, 0xFF, 0x7F}),
            (lines{"cancel keepalive",
                   "close packet_too_large 'the broker announced a PUBLISH of 268435460 bytes, over our maximum "
                   "packet size of 1024 bytes'"}));
}

TEST(session_hostile, a_pingresp_stuck_behind_a_stalled_packet_names_it) {
  session_harness h(protocol_version::v311);
  h.establish(10);
  // A PUBLISH announcing 1000 bytes of which 9 arrive.
  EXPECT_EQ(h.recv_bytes({0x30, 0xE5, 0x07, 0x00, 0x01, 't', 'a', 'b', 'c'}), lines{});
  const auto partial = h.session.receiving();
  ASSERT_TRUE(partial.has_value());
  EXPECT_EQ(*partial, (proto::partial_packet{.first_byte = 0x30, .size = 1000, .received = 9}));
  EXPECT_EQ(h.at(10s).expire(timer_kind::keepalive), (lines{"> PINGREQ", "arm pingresp @20s", "arm keepalive @20s"}));
  EXPECT_EQ(h.at(20s).expire(timer_kind::pingresp),
            (lines{"cancel keepalive",
                   "close pingresp_timeout 'no PINGRESP within 10 s: the broker stopped 9 bytes into a 1,000-byte "
                   "PUBLISH and sent nothing more for 20 s: it stalled mid-packet'"}));
}

// A broker that sends its CONNACK one byte a second: the deadline names the packet still
// arriving, and when its last byte came, so that diag tells a trickle from silence.
TEST(session_hostile, a_connack_deadline_passing_while_the_connack_trickles_names_it) {
  session_harness h(protocol_version::v311, {.connack_timeout = 2s});
  h.connect(h.default_connect());
  h.up();
  EXPECT_EQ(h.at(0s).recv_bytes({0x20}), lines{});
  EXPECT_EQ(h.at(1s).recv_bytes({0x02}), lines{});
  EXPECT_EQ(h.session.receiving(h.now + 500ms, 2s),
            (proto::packet_in_progress{.packet = {.first_byte = 0x20, .size = 4, .received = 2},
                                       .waited = 2s,
                                       .since_last_byte = 500ms}));
  EXPECT_EQ(h.at(2s).expire(timer_kind::connack),
            (lines{"close connack_timeout 'no CONNACK within 2 s: the broker was still sending a 4-byte CONNACK (2 "
                   "bytes so far): it sends too slowly (trickles)'"}));
}

TEST(session_hostile, the_stream_decoder_reports_the_packet_it_refused) {
  proto::stream_decoder d({.max_packet_size = 64, .version = protocol_version::v311});
  // Split inside the fixed header: the refusal comes on the byte that completes it.
  const std::uint8_t head[] = {0x30, 0x80};
  EXPECT_EQ(d.put(head).state, proto::stream_decoder::status::need_more);
  EXPECT_EQ(d.partial(), std::nullopt);
  const std::uint8_t rest[] = {0x80, 0x01};
  const auto r = d.put(rest);
  EXPECT_EQ(r.state, proto::stream_decoder::status::error);
  EXPECT_EQ(r.failure.error, proto::decode_error::packet_too_large);
  EXPECT_EQ(d.partial(), (proto::partial_packet{.first_byte = 0x30, .size = 16388, .received = 4}));
  d.reset();
  EXPECT_EQ(d.partial(), std::nullopt);
}

}  // namespace
}  // namespace mqtk::test
