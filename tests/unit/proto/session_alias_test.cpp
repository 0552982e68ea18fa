// Topic aliases: incoming (alias -> topic, errors on unknown or too large aliases) and outgoing
// (assigned up to the broker's Topic Alias Maximum, forgotten with the connection).
#include "session_test_support.hpp"

namespace mqtk::test {
namespace {

using proto::property;
using proto::property_id;
using proto::qos;

proto::publish aliased(std::string_view topic, std::string_view payload, const std::vector<property>& props) {
  return proto::publish{.topic = topic, .payload = payload, .properties = props};
}

void establish_with_alias_maximum(session_harness& h, std::uint16_t max) {
  std::vector<property> props{{.id = property_id::topic_alias_maximum, .number = max}};
  proto::connect c = h.default_connect();
  c.properties = props;
  h.establish_with(c);
}

TEST(session_alias, incoming_alias_maps_to_its_topic) {
  session_harness h;
  establish_with_alias_maximum(h, 10);
  std::vector<property> a3{{.id = property_id::topic_alias, .number = 3}};
  EXPECT_EQ(h.recv(aliased("sensors/1", "a", a3)), lines{"deliver sensors/1 q0 alias=3 'a'"});
  EXPECT_EQ(h.recv(aliased("", "b", a3)), lines{"deliver sensors/1 q0 alias=3 'b'"});
  // The broker may remap an alias to another topic.
  EXPECT_EQ(h.recv(aliased("sensors/2", "c", a3)), lines{"deliver sensors/2 q0 alias=3 'c'"});
  EXPECT_EQ(h.recv(aliased("", "d", a3)), lines{"deliver sensors/2 q0 alias=3 'd'"});
}

TEST(session_alias, unknown_incoming_alias_is_protocol_error) {
  session_harness h;
  establish_with_alias_maximum(h, 10);
  std::vector<property> a4{{.id = property_id::topic_alias, .number = 4}};
  EXPECT_EQ(h.recv(aliased("", "x", a4)),
            (lines{"> DISCONNECT rc=0x94", "cancel keepalive",
                   "close topic_alias_invalid 'the broker used topic alias 4 before giving its topic'"}));
}

TEST(session_alias, incoming_alias_above_our_maximum_is_protocol_error) {
  session_harness h;
  establish_with_alias_maximum(h, 10);
  std::vector<property> a11{{.id = property_id::topic_alias, .number = 11}};
  EXPECT_EQ(h.recv(aliased("t", "x", a11)),
            (lines{"> DISCONNECT rc=0x94", "cancel keepalive",
                   "close topic_alias_invalid 'topic alias 11 is above the Topic Alias Maximum 10 we announced'"}));
}

TEST(session_alias, incoming_aliases_are_forgotten_with_the_connection) {
  session_harness h;
  establish_with_alias_maximum(h, 10);
  std::vector<property> a1{{.id = property_id::topic_alias, .number = 1}};
  h.recv(aliased("t", "x", a1));
  h.down();
  h.up();
  h.recv(connack_ok());
  EXPECT_EQ(h.recv(aliased("", "y", a1)),
            (lines{"> DISCONNECT rc=0x94", "cancel keepalive",
                   "close topic_alias_invalid 'the broker used topic alias 1 before giving its topic'"}));
}

TEST(session_alias, outgoing_aliases_assigned_up_to_the_limit) {
  session_harness h(proto::protocol_version::v5, {.outgoing_topic_alias_maximum = 2});
  h.establish(60, {{.id = property_id::topic_alias_maximum, .number = 5}});
  run_steps(h, {
      {"a gets alias 1", [](auto& s) { return s.publish("a", "1", qos::at_most_once); },
       {"> PUBLISH a q0 alias=1 '1'", "done 1 ok"}},
      {"a again: alias only", [](auto& s) { return s.publish("a", "2", qos::at_most_once); },
       {"> PUBLISH '' q0 alias=1 '2'", "done 2 ok"}},
      {"b gets alias 2", [](auto& s) { return s.publish("b", "3", qos::at_most_once); },
       {"> PUBLISH b q0 alias=2 '3'", "done 3 ok"}},
      {"c: no alias left", [](auto& s) { return s.publish("c", "4", qos::at_most_once); },
       {"> PUBLISH c q0 '4'", "done 4 ok"}},
      {"QoS 1 to b uses the alias", [](auto& s) { return s.publish("b", "5", qos::at_least_once); },
       {"> PUBLISH '' q1 #1 alias=2 '5'"}},
  });
}

TEST(session_alias, no_outgoing_aliases_when_the_broker_allows_none) {
  session_harness h(proto::protocol_version::v5, {.outgoing_topic_alias_maximum = 10});
  h.establish();
  EXPECT_EQ(h.publish("a", "1", qos::at_most_once), (lines{"> PUBLISH a q0 '1'", "done 1 ok"}));
  EXPECT_EQ(h.publish("a", "2", qos::at_most_once), (lines{"> PUBLISH a q0 '2'", "done 2 ok"}));
}

TEST(session_alias, resend_after_reconnect_carries_the_full_topic) {
  session_harness h(proto::protocol_version::v5, {.outgoing_topic_alias_maximum = 4});
  proto::connect c = h.default_connect();
  c.clean_start = false;
  h.establish_with(c, {{.id = property_id::topic_alias_maximum, .number = 4}});
  h.publish("a", "0", qos::at_most_once);
  EXPECT_EQ(h.publish("a", "1", qos::at_least_once), lines{"> PUBLISH '' q1 #1 alias=1 '1'"});
  h.down();
  h.up();
  std::vector<property> props{{.id = property_id::topic_alias_maximum, .number = 4}};
  EXPECT_EQ(h.recv(connack_ok(true, props)),
            (lines{"connack sp=1 rc=0x00", "> PUBLISH a q1 #1 dup '1'", "arm keepalive @60s"}));
  // Aliases start afresh on the new connection.
  EXPECT_EQ(h.publish("a", "2", qos::at_most_once), (lines{"> PUBLISH a q0 alias=1 '2'", "done 3 ok"}));
}

}  // namespace
}  // namespace mqtk::test
