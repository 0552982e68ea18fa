// to_string and type_of of every packet: exact text for each type (the format is a contract
// for -d output and decode traces), escaping, payload previews, and passwords kept out.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mqtk/proto/packet.hpp"

namespace mqtk::proto {
namespace {

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// --- one per packet type ------------------------------------------------------------------

TEST(to_string_connect, v311_with_will_and_credentials) {
  const connect c{.version = protocol_version::v311,
                  .client_id = "x",
                  .keep_alive = 60,
                  .clean_start = true,
                  .will = will_message{.topic = "t", .payload = "bye", .qos = qos::at_least_once},
                  .username = "u",
                  .password = "hunter2"};
  EXPECT_EQ(to_string(c),
            "CONNECT(v=3.1.1, client_id=\"x\", keepalive=60, clean=1, will={topic=\"t\", qos=1, "
            "retain=0, payload=3 bytes \"bye\"}, username=\"u\", password=<7 bytes>)");
}

TEST(to_string_connect, minimal_v31_omits_absent_fields) {
  const connect c{.version = protocol_version::v31, .client_id = "", .keep_alive = 0,
                  .clean_start = false};
  EXPECT_EQ(to_string(c), "CONNECT(v=3.1, client_id=\"\", keepalive=0, clean=0)");
}

TEST(to_string_connect, password_is_never_shown) {
  const connect c{.client_id = "dev", .username = "alice", .password = "s3cr3t-Pa55"};
  const auto text = to_string(c);
  EXPECT_FALSE(contains(text, "s3cr3t")) << text;
  EXPECT_TRUE(contains(text, "password=<11 bytes>")) << text;
}

TEST(to_string_connect, password_without_username_still_hidden) {
  const connect c{.client_id = "dev", .password = "topsecret"};
  const auto text = to_string(c);
  EXPECT_FALSE(contains(text, "topsecret")) << text;
  EXPECT_FALSE(contains(text, "username")) << text;
}

TEST(to_string_connect, v5_properties_by_name) {
  const std::vector<property> props{
      {.id = property_id::session_expiry_interval, .number = 3600},
      {.id = property_id::receive_maximum, .number = 20},
      {.id = property_id::user_property, .key = "k", .value = "v"}};
  const std::vector<property> will_props{{.id = property_id::will_delay_interval, .number = 5}};
  const connect c{.version = protocol_version::v5,
                  .client_id = "c5",
                  .will = will_message{.topic = "w", .payload = "", .properties = will_props},
                  .properties = props};
  EXPECT_EQ(to_string(c),
            "CONNECT(v=5.0, client_id=\"c5\", keepalive=60, clean=1, will={topic=\"w\", qos=0, "
            "retain=0, payload=0 bytes, props=[will_delay_interval=5]}, "
            "props=[session_expiry_interval=3600, receive_maximum=20, user_property=(\"k\", "
            "\"v\")])");
}

TEST(to_string_connect, authentication_data_shown_by_length_only) {
  const std::vector<property> props{
      {.id = property_id::authentication_method, .value = "SCRAM-SHA-1"},
      {.id = property_id::authentication_data, .value = "clientnonce"}};
  const connect c{.version = protocol_version::v5, .client_id = "a", .properties = props};
  const auto text = to_string(c);
  EXPECT_TRUE(contains(text, "authentication_method=\"SCRAM-SHA-1\"")) << text;
  EXPECT_TRUE(contains(text, "authentication_data=<11 bytes>")) << text;
  EXPECT_FALSE(contains(text, "clientnonce")) << text;
}

TEST(to_string_connack, v311_refusal_named) {
  EXPECT_EQ(to_string(connack{.session_present = false, .reason_code = proto::reason_code{5}}),
            "CONNACK(session_present=0, rc=0x05 (Not authorized))");
}

TEST(to_string_connack, v311_accepted) {
  EXPECT_EQ(to_string(connack{.session_present = true, .reason_code = proto::reason_code{0}}),
            "CONNACK(session_present=1, rc=0x00 (Connection Accepted))");
}

TEST(to_string_connack, v5_refusal_named) {
  EXPECT_EQ(to_string(connack{.reason_code = proto::reason_code{0x87}}),
            "CONNACK(session_present=0, rc=0x87 (Not authorized))");
}

TEST(to_string_connack, v5_success_with_properties) {
  const std::vector<property> props{
      {.id = property_id::assigned_client_identifier, .value = "auto-1"},
      {.id = property_id::maximum_qos, .number = 1}};
  EXPECT_EQ(to_string(connack{.reason_code = proto::reason_code{0}, .properties = props}),
            "CONNACK(session_present=0, rc=0x00 (Success), props=[assigned_client_identifier="
            "\"auto-1\", maximum_qos=1])");
}

TEST(to_string_publish, qos1_with_id_and_preview) {
  const publish p{.topic = "a/b", .payload = "hello", .qos = qos::at_least_once, .packet_id = 7};
  EXPECT_EQ(to_string(p),
            "PUBLISH(topic=\"a/b\", qos=1, retain=0, dup=0, id=7, payload=5 bytes \"hello\")");
}

TEST(to_string_publish, qos0_has_no_id) {
  const publish p{.topic = "t", .payload = "x", .retain = true};
  EXPECT_EQ(to_string(p), "PUBLISH(topic=\"t\", qos=0, retain=1, dup=0, payload=1 byte \"x\")");
}

TEST(to_string_publish, empty_payload) {
  const publish p{.topic = "t", .payload = "", .qos = qos::exactly_once, .dup = true,
                  .packet_id = 65535};
  EXPECT_EQ(to_string(p), "PUBLISH(topic=\"t\", qos=2, retain=0, dup=1, id=65535, payload=0 bytes)");
}

TEST(to_string_publish, binary_payload_escaped) {
  const std::string payload{"\x00\x01\xFF\"\\z", 6};
  const publish p{.topic = "bin", .payload = payload};
  EXPECT_EQ(to_string(p),
            "PUBLISH(topic=\"bin\", qos=0, retain=0, dup=0, payload=6 bytes "
            "\"\\x00\\x01\\xff\\\"\\\\z\")");
}

TEST(to_string_publish, preview_cut_after_32_bytes) {
  const std::string payload(300000, 'a');
  const publish p{.topic = "big", .payload = payload};
  const auto text = to_string(p);
  EXPECT_TRUE(contains(text, "payload=300000 bytes \"" + std::string(32, 'a') + "\"...)")) << text;
  EXPECT_LT(text.size(), 120u);
}

TEST(to_string_publish, v5_properties) {
  const std::vector<property> props{
      {.id = property_id::payload_format_indicator, .number = 1},
      {.id = property_id::content_type, .value = "text/plain"},
      {.id = property_id::correlation_data, .value = "\x01\x02"},
      {.id = property_id::topic_alias, .number = 3}};
  const publish p{.topic = "t", .payload = "ok", .properties = props};
  EXPECT_EQ(to_string(p),
            "PUBLISH(topic=\"t\", qos=0, retain=0, dup=0, payload=2 bytes \"ok\", "
            "props=[payload_format_indicator=1, content_type=\"text/plain\", "
            "correlation_data=\"\\x01\\x02\", topic_alias=3])");
}

TEST(to_string_publish, topic_control_characters_and_quotes_escaped) {
  const publish p{.topic = "a\"b\n", .payload = ""};
  EXPECT_TRUE(contains(to_string(p), "topic=\"a\\\"b\\x0a\"")) << to_string(p);
}

// -d shows a peer's strings as mqtk-decode does: C1 controls (U+009B, a CSI) and bytes that are
// not UTF-8 are escaped too, while other non-ASCII text stays readable.
TEST(to_string_publish, c1_controls_and_invalid_utf8_in_strings_escaped) {
  const publish p{.topic = "a\xC2\x9B" "2J\x1B" "c\xFF\xC3\xA9", .payload = ""};
  EXPECT_TRUE(contains(to_string(p), "topic=\"a\\xc2\\x9b2J\\x1bc\\xff\xC3\xA9\"")) << to_string(p);
}

TEST(to_string_publish, utf8_topic_kept_readable) {
  const publish p{.topic = "caf\xC3\xA9", .payload = ""};
  EXPECT_TRUE(contains(to_string(p), "topic=\"caf\xC3\xA9\"")) << to_string(p);
}

TEST(to_string_acks, puback_short_form) {
  EXPECT_EQ(to_string(puback{.packet_id = 7}), "PUBACK(id=7)");
}

TEST(to_string_acks, puback_with_reason) {
  EXPECT_EQ(to_string(puback{.packet_id = 7, .reason_code = proto::reason_code{0x10}}),
            "PUBACK(id=7, rc=0x10 (No matching subscribers))");
}

TEST(to_string_acks, pubrec_failure_with_reason_string) {
  const std::vector<property> props{{.id = property_id::reason_string, .value = "denied"}};
  EXPECT_EQ(to_string(pubrec{.packet_id = 9, .reason_code = proto::reason_code{0x87}, .properties = props}),
            "PUBREC(id=9, rc=0x87 (Not authorized), props=[reason_string=\"denied\"])");
}

TEST(to_string_acks, pubrel) {
  EXPECT_EQ(to_string(pubrel{.packet_id = 1}), "PUBREL(id=1)");
}

TEST(to_string_acks, pubcomp_not_found) {
  EXPECT_EQ(to_string(pubcomp{.packet_id = 2, .reason_code = proto::reason_code{0x92}}),
            "PUBCOMP(id=2, rc=0x92 (Packet Identifier not found))");
}

TEST(to_string_acks, undefined_code_shows_number_only) {
  EXPECT_EQ(to_string(puback{.packet_id = 3, .reason_code = proto::reason_code{0x8E}}), "PUBACK(id=3, rc=0x8E)");
}

TEST(to_string_subscribe, v311_filters) {
  const std::vector<subscription> subs{{.filter = "sensors/#", .max_qos = qos::exactly_once},
                                       {.filter = "a/+", .max_qos = qos::at_most_once}};
  EXPECT_EQ(to_string(subscribe{.packet_id = 1, .subscriptions = subs}),
            "SUBSCRIBE(id=1, subscriptions=[{filter=\"sensors/#\", qos=2}, {filter=\"a/+\", "
            "qos=0}])");
}

TEST(to_string_subscribe, v5_options_and_identifier) {
  const std::vector<subscription> subs{{.filter = "$share/g/jobs/#",
                                        .max_qos = qos::at_least_once,
                                        .no_local = true,
                                        .retain_as_published = true,
                                        .retain_handling = 2}};
  const std::vector<property> props{{.id = property_id::subscription_identifier, .number = 42}};
  EXPECT_EQ(to_string(subscribe{.packet_id = 5, .subscriptions = subs, .properties = props}),
            "SUBSCRIBE(id=5, subscriptions=[{filter=\"$share/g/jobs/#\", qos=1, no_local=1, "
            "retain_as_published=1, retain_handling=2}], props=[subscription_identifier=42])");
}

TEST(to_string_suback, codes_in_hex) {
  const std::vector<proto::reason_code> codes{proto::reason_code{0x00}, proto::reason_code{0x02}, proto::reason_code{0x80}};
  EXPECT_EQ(to_string(suback{.packet_id = 1, .reason_codes = codes}),
            "SUBACK(id=1, codes=[0x00, 0x02, 0x80])");
}

TEST(to_string_unsubscribe, filters_quoted) {
  const std::vector<std::string_view> filters{"a/b", "c/#"};
  EXPECT_EQ(to_string(unsubscribe{.packet_id = 4, .filters = filters}),
            "UNSUBSCRIBE(id=4, filters=[\"a/b\", \"c/#\"])");
}

TEST(to_string_unsuback, v311_has_no_codes) {
  EXPECT_EQ(to_string(unsuback{.packet_id = 4}), "UNSUBACK(id=4)");
}

TEST(to_string_unsuback, v5_codes) {
  const std::vector<proto::reason_code> codes{proto::reason_code{0x00}, proto::reason_code{0x11}};
  EXPECT_EQ(to_string(unsuback{.packet_id = 4, .reason_codes = codes}),
            "UNSUBACK(id=4, codes=[0x00, 0x11])");
}

TEST(to_string_ping, pingreq_and_pingresp) {
  EXPECT_EQ(to_string(pingreq{}), "PINGREQ()");
  EXPECT_EQ(to_string(pingresp{}), "PINGRESP()");
}

TEST(to_string_disconnect, plain) { EXPECT_EQ(to_string(disconnect{}), "DISCONNECT()"); }

TEST(to_string_disconnect, session_taken_over) {
  EXPECT_EQ(to_string(disconnect{.reason_code = proto::reason_code{0x8E}}),
            "DISCONNECT(rc=0x8E (Session taken over))");
}

TEST(to_string_disconnect, server_reference_property) {
  const std::vector<property> props{{.id = property_id::server_reference, .value = "b2:1883"}};
  EXPECT_EQ(to_string(disconnect{.reason_code = proto::reason_code{0x9D}, .properties = props}),
            "DISCONNECT(rc=0x9D (Server moved), props=[server_reference=\"b2:1883\"])");
}

TEST(to_string_auth, continue_authentication) {
  const std::vector<property> props{
      {.id = property_id::authentication_method, .value = "SCRAM-SHA-1"},
      {.id = property_id::authentication_data, .value = "r=abc"}};
  EXPECT_EQ(to_string(auth{.reason_code = proto::reason_code{0x18}, .properties = props}),
            "AUTH(rc=0x18 (Continue authentication), props=[authentication_method="
            "\"SCRAM-SHA-1\", authentication_data=<5 bytes>])");
}

TEST(to_string_properties, unknown_identifier_shown_raw) {
  const std::vector<property> props{{.id = static_cast<property_id>(0x7E), .number = 9}};
  EXPECT_EQ(to_string(disconnect{.reason_code = proto::reason_code{0x80}, .properties = props}),
            "DISCONNECT(rc=0x80 (Unspecified error), props=[property_0x7E=9])");
}

// --- type_of ------------------------------------------------------------------------------

TEST(type_of, every_alternative_maps_to_its_wire_type) {
  const std::pair<packet, packet_type> cases[] = {
      {connect{}, packet_type::connect},         {connack{}, packet_type::connack},
      {publish{}, packet_type::publish},         {puback{}, packet_type::puback},
      {pubrec{}, packet_type::pubrec},           {pubrel{}, packet_type::pubrel},
      {pubcomp{}, packet_type::pubcomp},         {subscribe{}, packet_type::subscribe},
      {suback{}, packet_type::suback},           {unsubscribe{}, packet_type::unsubscribe},
      {unsuback{}, packet_type::unsuback},       {pingreq{}, packet_type::pingreq},
      {pingresp{}, packet_type::pingresp},       {disconnect{}, packet_type::disconnect},
      {auth{}, packet_type::auth}};
  for (const auto& [p, expected] : cases) {
    EXPECT_EQ(type_of(p), expected) << packet_type_name(expected);
    // The text starts with the packet's name, so traces and type agree.
    EXPECT_EQ(to_string(p).rfind(packet_type_name(expected), 0), 0u) << to_string(p);
  }
}

}  // namespace
}  // namespace mqtk::proto
