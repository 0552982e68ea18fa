// Every packet type in every protocol version: encode, decode, compare; sizes agree.
#include <gtest/gtest.h>

#include <array>

#include "codec_test_util.hpp"

namespace mqtk::proto {
namespace {

using test::bytes;

// Storage the sample packets view into; lives for the whole test program.
const std::vector<property> connect_props{
    {.id = property_id::session_expiry_interval, .number = 3600},
    {.id = property_id::receive_maximum, .number = 20},
    {.id = property_id::maximum_packet_size, .number = 65536},
    {.id = property_id::topic_alias_maximum, .number = 10},
    {.id = property_id::request_response_information, .number = 1},
    {.id = property_id::request_problem_information, .number = 0},
    {.id = property_id::user_property, .key = "k", .value = "v1"},
    {.id = property_id::user_property, .key = "k", .value = "v2"},
    {.id = property_id::authentication_method, .value = "SCRAM-SHA-1"},
    {.id = property_id::authentication_data, .value = std::string_view("\x00\x01\x02", 3)},
};
const std::vector<property> will_props{
    {.id = property_id::will_delay_interval, .number = 30},
    {.id = property_id::payload_format_indicator, .number = 1},
    {.id = property_id::message_expiry_interval, .number = 120},
    {.id = property_id::content_type, .value = "text/plain"},
    {.id = property_id::response_topic, .value = "reply/here"},
    {.id = property_id::correlation_data, .value = "corr"},
    {.id = property_id::user_property, .key = "why", .value = "gone"},
};
const std::vector<property> connack_props{
    {.id = property_id::session_expiry_interval, .number = 0},
    {.id = property_id::receive_maximum, .number = 100},
    {.id = property_id::maximum_qos, .number = 1},
    {.id = property_id::retain_available, .number = 1},
    {.id = property_id::maximum_packet_size, .number = 1024},
    {.id = property_id::assigned_client_identifier, .value = "auto-1234"},
    {.id = property_id::topic_alias_maximum, .number = 5},
    {.id = property_id::reason_string, .value = "welcome"},
    {.id = property_id::wildcard_subscription_available, .number = 1},
    {.id = property_id::subscription_identifier_available, .number = 1},
    {.id = property_id::shared_subscription_available, .number = 0},
    {.id = property_id::server_keep_alive, .number = 30},
    {.id = property_id::response_information, .value = "resp/"},
    {.id = property_id::server_reference, .value = "other:1883"},
};
const std::vector<property> publish_props{
    {.id = property_id::payload_format_indicator, .number = 1},
    {.id = property_id::message_expiry_interval, .number = 60},
    {.id = property_id::topic_alias, .number = 3},
    {.id = property_id::response_topic, .value = "r/t"},
    {.id = property_id::correlation_data, .value = std::string_view("\xff\x00", 2)},
    {.id = property_id::user_property, .key = "a", .value = "1"},
    {.id = property_id::subscription_identifier, .number = 268'435'455},
    {.id = property_id::subscription_identifier, .number = 7},
    {.id = property_id::content_type, .value = "application/json"},
};
const std::vector<property> reason_props{
    {.id = property_id::reason_string, .value = "quota"},
    {.id = property_id::user_property, .key = "x", .value = "y"},
};
const std::vector<property> subscribe_props{
    {.id = property_id::subscription_identifier, .number = 42},
    {.id = property_id::user_property, .key = "s", .value = "t"},
};
const std::vector<property> disconnect_props{
    {.id = property_id::session_expiry_interval, .number = 10},
    {.id = property_id::reason_string, .value = "bye"},
    {.id = property_id::server_reference, .value = "b2"},
};
const std::vector<property> auth_props{
    {.id = property_id::authentication_method, .value = "SCRAM-SHA-1"},
    {.id = property_id::authentication_data, .value = "challenge"},
    {.id = property_id::reason_string, .value = "continue"},
};
const std::vector<subscription> subs_v3{
    {.filter = "a/b", .max_qos = qos::at_most_once},
    {.filter = "sensors/+/temp", .max_qos = qos::at_least_once},
    {.filter = "#", .max_qos = qos::exactly_once},
};
const std::vector<subscription> subs_v5{
    {.filter = "a/b", .max_qos = qos::exactly_once, .no_local = true},
    {.filter = "$share/g/jobs/#", .max_qos = qos::at_least_once, .retain_as_published = true},
    {.filter = "x", .max_qos = qos::at_most_once, .retain_handling = 2},
};
const std::vector<proto::reason_code> suback_codes_v3{proto::reason_code{0}, proto::reason_code{1}, proto::reason_code{2}, proto::reason_code{0x80}};
const std::vector<proto::reason_code> suback_codes_v5{proto::reason_code{0}, proto::reason_code{1}, proto::reason_code{2}, proto::reason_code{0x80}, proto::reason_code{0x87}, proto::reason_code{0x8F}, proto::reason_code{0x91}, proto::reason_code{0x97}, proto::reason_code{0x9E}, proto::reason_code{0xA1}, proto::reason_code{0xA2}};
const std::vector<std::string_view> filters{"a/b", "sensors/#", "+/x"};
const std::vector<proto::reason_code> unsuback_codes{proto::reason_code{0x00}, proto::reason_code{0x11}, proto::reason_code{0x87}};
const std::string big_payload(70'000, 'z');  // needs a three-byte remaining length

struct sample {
  std::string name;
  protocol_version version;
  packet value;
};

std::vector<sample> samples() {
  using V = protocol_version;
  std::vector<sample> s;
  for (V v : {V::v31, V::v311, V::v5}) {
    const std::string tag = v == V::v31 ? "v31" : v == V::v311 ? "v311" : "v5";
    const bool is5 = v == V::v5;
    const property_list none;
    s.push_back({tag + "_connect_minimal", v, connect{.version = v, .client_id = "c1", .keep_alive = 60}});
    s.push_back({tag + "_connect_empty_client_id", v, connect{.version = v, .client_id = "", .keep_alive = 0}});
    s.push_back({tag + "_connect_full", v,
                 connect{.version = v,
                         .client_id = "device-42",
                         .keep_alive = 65535,
                         .clean_start = false,
                         .will = will_message{.topic = "status/device-42",
                                              .payload = std::string_view("off\0line", 8),
                                              .qos = qos::exactly_once,
                                              .retain = true,
                                              .properties = is5 ? property_list(will_props) : none},
                         .username = "user",
                         .password = std::string_view("p\0ss", 4),
                         .properties = is5 ? property_list(connect_props) : none}});
    s.push_back({tag + "_connect_username_only", v,
                 connect{.version = v, .client_id = "u", .username = "alice"}});
    s.push_back({tag + "_connack_accepted", v, connack{.session_present = true, .reason_code = proto::reason_code{0}}});
    s.push_back({tag + "_connack_refused", v, connack{.reason_code = proto::reason_code{static_cast<std::uint8_t>(is5 ? 0x87 : 5)}}});
    if (is5) s.push_back({tag + "_connack_all_properties", v, connack{.properties = property_list(connack_props)}});
    s.push_back({tag + "_publish_qos0", v, publish{.topic = "a/b", .payload = "hello"}});
    s.push_back({tag + "_publish_qos1_retain", v,
                 publish{.topic = "a/b", .payload = "x", .qos = qos::at_least_once, .retain = true, .packet_id = 1}});
    s.push_back({tag + "_publish_qos2_dup", v,
                 publish{.topic = "t", .payload = std::string_view("\x00\xff\x80", 3), .qos = qos::exactly_once,
                         .dup = true, .packet_id = 65535}});
    s.push_back({tag + "_publish_empty_payload", v, publish{.topic = "clear/me", .payload = "", .retain = true}});
    s.push_back({tag + "_publish_big_payload", v,
                 publish{.topic = "big", .payload = big_payload, .qos = qos::at_least_once, .packet_id = 9}});
    s.push_back({tag + "_publish_utf8_topic", v, publish{.topic = "caf\xc3\xa9/\xf0\x9f\x98\x80", .payload = "1"}});
    if (is5) {
      s.push_back({tag + "_publish_properties", v,
                   publish{.topic = "p", .payload = "{}", .qos = qos::at_least_once, .packet_id = 2,
                           .properties = property_list(publish_props)}});
      s.push_back({tag + "_publish_alias_only", v,
                   publish{.topic = "", .payload = "v",
                           .properties = property_list(std::span<const property>(publish_props.data() + 2, 1))}});
    }
    s.push_back({tag + "_puback", v, puback{.packet_id = 7}});
    s.push_back({tag + "_pubrec", v, pubrec{.packet_id = 8}});
    s.push_back({tag + "_pubrel", v, pubrel{.packet_id = 9}});
    s.push_back({tag + "_pubcomp", v, pubcomp{.packet_id = 10}});
    if (is5) {
      s.push_back({tag + "_puback_reason_only", v, puback{.packet_id = 7, .reason_code = proto::reason_code{0x10}}});
      s.push_back({tag + "_puback_failure_properties", v,
                   puback{.packet_id = 7, .reason_code = proto::reason_code{0x97}, .properties = property_list(reason_props)}});
      s.push_back({tag + "_pubrec_failure", v, pubrec{.packet_id = 8, .reason_code = proto::reason_code{0x80}}});
      s.push_back({tag + "_pubrel_not_found", v, pubrel{.packet_id = 9, .reason_code = proto::reason_code{0x92}}});
      s.push_back({tag + "_pubcomp_properties", v,
                   pubcomp{.packet_id = 10, .reason_code = proto::reason_code{0x92}, .properties = property_list(reason_props)}});
    }
    s.push_back({tag + "_subscribe", v,
                 subscribe{.packet_id = 3,
                           .subscriptions = is5 ? list_view<subscription>(subs_v5) : list_view<subscription>(subs_v3),
                           .properties = is5 ? property_list(subscribe_props) : none}});
    s.push_back({tag + "_suback", v,
                 suback{.packet_id = 3,
                        .reason_codes = is5 ? list_view<proto::reason_code>(suback_codes_v5)
                                            : list_view<proto::reason_code>(suback_codes_v3),
                        .properties = is5 ? property_list(reason_props) : none}});
    s.push_back({tag + "_unsubscribe", v,
                 unsubscribe{.packet_id = 4, .filters = list_view<std::string_view>(filters),
                             .properties = is5 ? property_list(std::span<const property>(subscribe_props.data() + 1, 1))
                                               : none}});
    s.push_back({tag + "_unsuback", v,
                 unsuback{.packet_id = 4,
                          .reason_codes = is5 ? list_view<proto::reason_code>(unsuback_codes) : list_view<proto::reason_code>()}});
    s.push_back({tag + "_pingreq", v, pingreq{}});
    s.push_back({tag + "_pingresp", v, pingresp{}});
    s.push_back({tag + "_disconnect", v, disconnect{}});
    if (is5) {
      s.push_back({tag + "_disconnect_with_will", v, disconnect{.reason_code = proto::reason_code{0x04}}});
      s.push_back({tag + "_disconnect_properties", v,
                   disconnect{.reason_code = proto::reason_code{0x8E}, .properties = property_list(disconnect_props)}});
      s.push_back({tag + "_auth_continue", v,
                   auth{.reason_code = proto::reason_code{0x18}, .properties = property_list(auth_props)}});
      s.push_back({tag + "_auth_empty", v, auth{}});
    }
  }
  return s;
}

class roundtrip : public ::testing::TestWithParam<sample> {};

TEST_P(roundtrip, decodes_to_the_same_packet_and_reencodes_to_the_same_bytes) {
  const sample& s = GetParam();
  const bytes wire = test::encode_to_bytes(s.value, s.version);
  ASSERT_EQ(wire.size(), encoded_size(s.value, s.version));
  decode_scratch scratch;
  auto decoded = decode_packet(wire, s.version, scratch);
  ASSERT_TRUE(std::holds_alternative<packet>(decoded))
      << decode_error_name(std::get<decode_failure>(decoded).error) << " at "
      << std::get<decode_failure>(decoded).offset << " in " << test::to_hex(wire);
  EXPECT_EQ(std::get<packet>(decoded), s.value);
  EXPECT_EQ(test::encode_to_bytes(std::get<packet>(decoded), s.version), wire);
}

INSTANTIATE_TEST_SUITE_P(codec, roundtrip, ::testing::ValuesIn(samples()),
                         [](const ::testing::TestParamInfo<sample>& param_info) { return param_info.param.name; });

TEST(roundtrip_append, encode_append_matches_encode) {
  std::vector<std::uint8_t> out{0xAA};
  const packet p = publish{.topic = "a", .payload = "b", .qos = qos::at_least_once, .packet_id = 5};
  encode_append(p, protocol_version::v311, out);
  bytes expected{0xAA};
  const bytes body = test::encode_to_bytes(p, protocol_version::v311);
  expected.insert(expected.end(), body.begin(), body.end());
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace mqtk::proto
