// CONNECT/CONNACK (3.1, 3.1.1, 5.0), refusals, CONNACK properties, server DISCONNECT, AUTH,
// the client's own DISCONNECT, and protocol errors from the broker.
#include "session_test_support.hpp"

#include "mqtk/diag/session_close.hpp"
#include "mqtk/proto/decoder.hpp"

namespace mqtk::test {
namespace {

using namespace std::chrono_literals;
using proto::property;
using proto::property_id;
using proto::protocol_version;
using proto::qos;
using proto::session_state;
using proto::timer_kind;

const proto::close_action* find_close(const proto::action_list& out) {
  for (const auto& a : out) {
    if (auto* c = std::get_if<proto::close_action>(&a)) return c;
  }
  return nullptr;
}

TEST(session_connect, connect_waits_for_transport_up) {
  session_harness h;
  EXPECT_EQ(h.connect(h.default_connect()), lines{});
  EXPECT_EQ(h.session.state(), session_state::down);
  EXPECT_EQ(h.up(), lines{"> CONNECT c ka=60 clean=1"});
  EXPECT_EQ(h.session.state(), session_state::connecting);
}

TEST(session_connect, connect_after_transport_up_sends_at_once) {
  session_harness h;
  EXPECT_EQ(h.up(), lines{});
  EXPECT_EQ(h.session.state(), session_state::up);
  EXPECT_EQ(h.connect(h.default_connect(30)), lines{"> CONNECT c ka=30 clean=1"});
}

TEST(session_connect, each_version_connects) {
  for (auto v : {protocol_version::v31, protocol_version::v311, protocol_version::v5}) {
    session_harness h(v);
    EXPECT_EQ(h.establish(60), (lines{"connack sp=0 rc=0x00", "arm keepalive @60s"})) << version_name(v);
    EXPECT_EQ(h.session.version(), v);
  }
}

TEST(session_connect, connect_bytes_carry_what_was_asked) {
  session_harness h;
  std::vector<property> props{{.id = property_id::session_expiry_interval, .number = 300},
                              {.id = property_id::user_property, .key = "k", .value = "v"}};
  proto::connect c = h.default_connect();
  c.username = "user";
  c.password = "secret";
  c.properties = props;
  c.will = proto::will_message{.topic = "will/t", .payload = "gone", .qos = qos::at_least_once};
  h.connect(c);
  props.clear();  // the session keeps its own copy
  h.up();
  ASSERT_EQ(h.out.size(), 1U);
  auto bytes = std::get<proto::send_action>(h.out[0]).bytes;
  proto::decode_scratch scratch;
  auto decoded = proto::decode_packet(bytes, protocol_version::v5, scratch);
  ASSERT_TRUE(std::holds_alternative<proto::packet>(decoded));
  const auto& sent = std::get<proto::connect>(std::get<proto::packet>(decoded));
  EXPECT_EQ(sent.username, std::optional<std::string_view>("user"));
  EXPECT_EQ(sent.password, std::optional<std::string_view>("secret"));
  ASSERT_TRUE(sent.will.has_value());
  EXPECT_EQ(sent.will->topic, "will/t");
  EXPECT_EQ(sent.properties.number(property_id::session_expiry_interval), 300U);
  ASSERT_NE(sent.properties.find(property_id::user_property), nullptr);
  EXPECT_EQ(sent.properties.find(property_id::user_property)->value, "v");
}

TEST(session_connect, refusal_v311_surfaces_return_code) {
  session_harness h(protocol_version::v311);
  h.connect(h.default_connect());
  h.up();
  EXPECT_EQ(h.recv(proto::connack{.reason_code = proto::reason_code{5}}),
            (lines{"connack sp=0 rc=0x05",
                   "close connection_refused 'connection refused: Not authorized (return code 5)'"}));
  ASSERT_NE(find_close(h.out), nullptr);
  EXPECT_EQ(find_close(h.out)->reason_code, proto::reason_code{5});
  EXPECT_EQ(h.session.state(), session_state::down);
}

TEST(session_connect, refusal_v5_surfaces_reason_code_and_reason_string) {
  session_harness h;
  h.connect(h.default_connect());
  h.up();
  std::vector<property> props{{.id = property_id::reason_string, .value = "bad password"}};
  EXPECT_EQ(h.recv(proto::connack{.reason_code = proto::reason_code{0x87}, .properties = props}),
            (lines{"connack sp=0 rc=0x87",
                   "close connection_refused 'connection refused: Not authorized (reason code 0x87): bad password'"}));
  EXPECT_EQ(find_close(h.out)->reason_code, proto::reason_code{0x87});
  EXPECT_EQ(find_close(h.out)->error, make_error_code(proto::session_error::connection_refused));
}

TEST(session_connect, connack_properties_are_honoured) {
  session_harness h;
  std::vector<property> props{
      {.id = property_id::receive_maximum, .number = 10},
      {.id = property_id::topic_alias_maximum, .number = 5},
      {.id = property_id::maximum_packet_size, .number = 1024},
      {.id = property_id::maximum_qos, .number = 1},
      {.id = property_id::retain_available, .number = 0},
      {.id = property_id::assigned_client_identifier, .value = "auto-123"},
  };
  proto::connect c = h.default_connect();
  c.client_id = "";
  h.establish_with(c, props);
  const auto& s = h.session.server();
  EXPECT_EQ(s.receive_maximum, 10);
  EXPECT_EQ(s.topic_alias_maximum, 5);
  EXPECT_EQ(s.maximum_packet_size, 1024U);
  EXPECT_EQ(s.maximum_qos, qos::at_least_once);
  EXPECT_FALSE(s.retain_available);
  EXPECT_EQ(h.session.client_id(), "auto-123");
}

TEST(session_connect, assigned_client_id_is_used_on_reconnect) {
  session_harness h;
  proto::connect c = h.default_connect();
  c.client_id = "";
  c.clean_start = false;
  h.establish_with(c, {{.id = property_id::assigned_client_identifier, .value = "auto-7"}});
  h.down();
  EXPECT_EQ(h.up(), lines{"> CONNECT auto-7 ka=60 clean=0"});
}

TEST(session_connect, connack_timeout) {
  session_harness h(protocol_version::v5, {.connack_timeout = 5s});
  h.connect(h.default_connect());
  EXPECT_EQ(h.up(), (lines{"> CONNECT c ka=60 clean=1", "arm connack @5s"}));
  EXPECT_EQ(h.at(4s).expire(timer_kind::connack), lines{});
  EXPECT_EQ(h.at(5s).expire(timer_kind::connack), lines{"close connack_timeout 'no CONNACK within 5 s'"});
}

TEST(session_connect, connack_cancels_its_timer) {
  session_harness h(protocol_version::v5, {.connack_timeout = 5s});
  h.connect(h.default_connect());
  h.up();
  EXPECT_EQ(h.at(1s).recv(connack_ok()), (lines{"cancel connack", "connack sp=0 rc=0x00", "arm keepalive @60s"}));
}

TEST(session_connect, packet_before_connack_is_protocol_error) {
  session_harness h;
  h.connect(h.default_connect());
  h.up();
  EXPECT_EQ(h.recv(incoming("t", "x", qos::at_most_once)),
            (lines{"> DISCONNECT rc=0x82", "close protocol_error 'unexpected PUBLISH before CONNACK'"}));
}

TEST(session_connect, second_connack_is_protocol_error) {
  session_harness h(protocol_version::v311);
  h.establish();
  EXPECT_EQ(h.recv(connack_ok()),
            (lines{"cancel keepalive", "close protocol_error 'unexpected CONNACK from the broker'"}));
}

TEST(session_connect, client_only_packet_from_broker_is_protocol_error) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.recv(proto::pingreq{}),
            (lines{"> DISCONNECT rc=0x82", "cancel keepalive", "close protocol_error 'unexpected PINGREQ from the broker'"}));
}

TEST(session_connect, malformed_bytes_close_with_decode_reason) {
  session_harness h;
  h.establish();
  // The offset counts from the start of this connection's stream: the 5-byte CONNACK came first.
  const std::string why = proto::decode_failure{proto::decode_error::reserved_packet_type, 5}.message();
  EXPECT_EQ(h.recv_bytes(from_hex("00 00")),
            (lines{"> DISCONNECT rc=0x81", "cancel keepalive",
                   "close malformed_packet 'malformed packet from the broker: " + why + "'"}));
  EXPECT_EQ(h.recv(incoming("t", "x", qos::at_most_once)), lines{}) << "input after close is ignored";
}

// A broker's Reason String reaches a person's terminal through the close message: its control
// characters (ESC c resets the terminal, CR LF forges a line, U+009B is a C1 CSI) are escaped.
TEST(session_connect, server_disconnect_reason_string_controls_escaped) {
  session_harness h;
  h.establish();
  std::vector<property> props{{.id = property_id::reason_string, .value = "bye\x1b" "c\r\nFAKE LINE\xc2\x9b"}};
  h.recv(proto::disconnect{.reason_code = proto::reason_code{0x00}, .properties = props});
  ASSERT_NE(find_close(h.out), nullptr);
  EXPECT_EQ(diag::close_message(find_close(h.out)->cause, proto::protocol_version::v5),
            "the broker disconnected: Normal disconnection (reason code 0x00): bye\\x1bc\\x0d\\x0aFAKE LINE\\xc2\\x9b");
}

TEST(session_connect, server_disconnect_passed_up_and_closed) {
  session_harness h;
  h.establish();
  std::vector<property> props{{.id = property_id::reason_string, .value = "maintenance"}};
  EXPECT_EQ(h.recv(proto::disconnect{.reason_code = proto::reason_code{0x8B}, .properties = props}),
            (lines{"server_disconnect rc=0x8b", "cancel keepalive",
                   "close server_disconnected 'the broker disconnected: Server shutting down (reason code 0x8b): maintenance'"}));
  EXPECT_EQ(find_close(h.out)->reason_code, proto::reason_code{0x8B});
  auto& event = std::get<proto::server_disconnect_action>(h.out[0]);
  EXPECT_EQ(event.packet.properties.string(property_id::reason_string), "maintenance");
}

TEST(session_connect, auth_challenge_is_passed_up_and_answered) {
  session_harness h;
  std::vector<property> method{{.id = property_id::authentication_method, .value = "SCRAM-SHA-1"}};
  proto::connect c = h.default_connect();
  c.properties = method;
  h.connect(c);
  h.up();
  std::vector<property> challenge{{.id = property_id::authentication_method, .value = "SCRAM-SHA-1"},
                                  {.id = property_id::authentication_data, .value = "server-first"}};
  EXPECT_EQ(h.recv(proto::auth{.reason_code = proto::reason_code{0x18}, .properties = challenge}), lines{"auth rc=0x18"});
  EXPECT_EQ(std::get<proto::auth_action>(h.out[0]).packet.properties.string(property_id::authentication_data),
            "server-first");
  std::vector<property> answer{{.id = property_id::authentication_method, .value = "SCRAM-SHA-1"},
                               {.id = property_id::authentication_data, .value = "client-final"}};
  EXPECT_EQ(h.auth(proto::auth{.reason_code = proto::reason_code{0x18}, .properties = answer}), lines{"> AUTH rc=0x18"});
  EXPECT_EQ(h.recv(connack_ok()), (lines{"connack sp=0 rc=0x00", "arm keepalive @60s"}));
}

TEST(session_connect, client_disconnect_sends_and_closes) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.disconnect(0x04),
            (lines{"> DISCONNECT rc=0x04", "cancel keepalive", "close ok 'disconnected by the client'"}));
  EXPECT_EQ(h.session.state(), session_state::down);
  // A disconnected session does not reconnect by itself when a transport comes up.
  EXPECT_EQ(h.up(), lines{});
  EXPECT_EQ(h.connect(h.default_connect()), lines{"> CONNECT c ka=60 clean=1"});
}

TEST(session_connect, bytes_split_anywhere_give_the_same_actions) {
  bytes stream;
  proto::encode_append(connack_ok(), protocol_version::v5, stream);
  proto::encode_append(incoming("a/b", "hello", qos::at_least_once, 3), protocol_version::v5, stream);
  proto::encode_append(incoming("a/c", "world", qos::at_most_once), protocol_version::v5, stream);
  const lines expected{"connack sp=0 rc=0x00", "arm keepalive @60s", "deliver a/b q1 #3 'hello'",
                       "> PUBACK #3", "deliver a/c q0 'world'"};
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{5}, stream.size()}) {
    session_harness h;
    h.connect(h.default_connect());
    h.up();
    lines got;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      auto part = h.recv_bytes(bytes(stream.begin() + static_cast<std::ptrdiff_t>(at),
                                     stream.begin() + static_cast<std::ptrdiff_t>(std::min(at + chunk, stream.size()))));
      got.insert(got.end(), part.begin(), part.end());
    }
    EXPECT_EQ(got, expected) << "chunk " << chunk;
  }
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

TEST(session_connect, connect_while_connected_only_changes_the_next_connect) {
  session_harness h;
  h.establish();
  proto::connect c = h.default_connect(15);
  c.clean_start = false;
  EXPECT_EQ(h.connect(c), lines{});
  h.down();
  EXPECT_EQ(h.up(), lines{"> CONNECT c ka=15 clean=0"});
}

TEST(session_connect, disconnect_before_connack) {
  session_harness h(proto::protocol_version::v5, {.connack_timeout = std::chrono::seconds(5)});
  h.connect(h.default_connect());
  h.up();
  EXPECT_EQ(h.disconnect(), (lines{"> DISCONNECT rc=0x00", "cancel connack", "close ok 'disconnected by the client'"}));
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

TEST(session_connect, fallback_to_v311_reencodes_queued_requests) {
  session_harness h;
  std::vector<proto::property> props{{.id = proto::property_id::user_property, .key = "k", .value = "v"}};
  h.connect(h.default_connect());
  h.publish(proto::publish{.topic = "a", .payload = "m", .qos = proto::qos::at_least_once, .properties = props});
  h.subscribe({{.filter = "s/#", .max_qos = proto::qos::at_least_once}});
  h.up();
  EXPECT_EQ(h.recv(proto::connack{.reason_code = proto::reason_code{0x84}}).back(),
            "close connection_refused 'connection refused: Unsupported Protocol Version (reason code 0x84)'");
  h.version = proto::protocol_version::v311;
  proto::connect c = h.default_connect();
  h.connect(c);
  EXPECT_EQ(h.up(), lines{"> CONNECT c ka=60 clean=1"});
  EXPECT_EQ(h.recv(connack_ok()), (lines{"connack sp=0 rc=0x00", "arm keepalive @60s", "> PUBLISH a q1 #1 'm'",
                                         "> SUBSCRIBE #2 s/#:1"}));
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

TEST(session_connect, connect_may_reuse_the_sessions_own_client_id) {
  session_harness h;
  proto::connect c = h.default_connect();
  c.client_id = "a-rather-long-client-identifier";
  h.establish_with(c);
  proto::connect again = h.default_connect(30);
  again.client_id = h.session.client_id();  // views into the session's own copy
  h.connect(again);
  h.down();
  EXPECT_EQ(h.up(), lines{"> CONNECT a-rather-long-client-identifier ka=30 clean=1"});
}

}  // namespace
}  // namespace mqtk::test
