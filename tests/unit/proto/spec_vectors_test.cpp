// Byte-exact vectors from the MQTT 3.1.1 (OASIS, 2014) and 5.0 (OASIS, 2019) specifications.
#include <gtest/gtest.h>

#include "codec_test_util.hpp"

namespace mqtk::proto {
namespace {

using test::bytes;
using test::from_hex;

struct varint_vector {
  std::uint32_t value;
  const char* hex;
};

// 3.1.1 §2.2.3 table 2.4 and 5.0 §1.5.5: the size boundaries of the variable byte integer.
class remaining_length_vectors : public ::testing::TestWithParam<varint_vector> {};

TEST_P(remaining_length_vectors, encode_and_decode_exactly) {
  const auto& v = GetParam();
  std::uint8_t out[4];
  const std::size_t n = write_variable_byte_integer(v.value, out);
  EXPECT_EQ(test::to_hex(out, n), test::to_hex(from_hex(v.hex)));
  EXPECT_EQ(variable_byte_integer_size(v.value), n);
  // The same bytes as a fixed header's remaining length.
  bytes header{0x30};
  const bytes len = from_hex(v.hex);
  header.insert(header.end(), len.begin(), len.end());
  auto parsed = parse_fixed_header(header, 0xFFFFFFFFu);
  ASSERT_TRUE(std::holds_alternative<fixed_header>(parsed));
  EXPECT_EQ(std::get<fixed_header>(parsed).remaining_length, v.value);
  EXPECT_EQ(std::get<fixed_header>(parsed).header_size, 1 + n);
}

INSTANTIATE_TEST_SUITE_P(spec, remaining_length_vectors,
                         ::testing::Values(varint_vector{0, "00"}, varint_vector{127, "7f"},
                                           varint_vector{128, "80 01"}, varint_vector{16'383, "ff 7f"},
                                           varint_vector{16'384, "80 80 01"}, varint_vector{2'097'151, "ff ff 7f"},
                                           varint_vector{2'097'152, "80 80 80 01"},
                                           varint_vector{268'435'455, "ff ff ff 7f"}),
                         [](const auto& param_info) { return "value_" + std::to_string(param_info.param.value); });

// 3.1.1 §3.1.2.10, figure 3.6: protocol name, level 4, flags 0xCE, keep alive 10.
TEST(spec_vectors, v311_connect_variable_header) {
  const connect c{.version = protocol_version::v311,
                  .client_id = "",
                  .keep_alive = 10,
                  .clean_start = true,
                  .will = will_message{.topic = "w", .payload = "p", .qos = qos::at_least_once},
                  .username = "u",
                  .password = "p"};
  const bytes wire = test::encode_to_bytes(c, protocol_version::v311);
  // fixed header (2 bytes), then the ten bytes of the figure.
  const bytes header(wire.begin() + 2, wire.begin() + 12);
  EXPECT_EQ(test::to_hex(header), "00 04 4d 51 54 54 04 ce 00 0a");
}

// 5.0 §3.1.2.12, figure 3-6: level 5, flags 0xC2, keep alive 10, properties length 5, session
// expiry interval 10.
TEST(spec_vectors, v5_connect_variable_header) {
  const std::vector<property> props{{.id = property_id::session_expiry_interval, .number = 10}};
  const connect c{.version = protocol_version::v5,
                  .client_id = "",
                  .keep_alive = 10,
                  .clean_start = true,
                  .username = "u",
                  .password = "p",
                  .properties = property_list(props)};
  const bytes wire = test::encode_to_bytes(c, protocol_version::v5);
  const bytes header(wire.begin() + 2, wire.begin() + 18);
  EXPECT_EQ(test::to_hex(header), "00 04 4d 51 54 54 05 c2 00 0a 05 11 00 00 00 0a");
}

// 3.1.1 §3.3.2.3, figure 3.11: topic "a/b", packet identifier 10.
TEST(spec_vectors, v311_publish_variable_header) {
  const publish p{.topic = "a/b", .payload = "", .qos = qos::at_least_once, .packet_id = 10};
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(p, protocol_version::v311)), "32 07 00 03 61 2f 62 00 0a");
}

// 3.1.1 §1.5.3, figure 1.3: the UTF-8 string "A\u2A6D4" is 00 05 41 F0 AA 9B 94.
TEST(spec_vectors, utf8_string_encoding_example) {
  const publish p{.topic = "A\xf0\xaa\x9b\x94", .payload = ""};
  const bytes wire = test::encode_to_bytes(p, protocol_version::v311);
  EXPECT_EQ(test::to_hex(wire), "30 07 00 05 41 f0 aa 9b 94");
  decode_scratch scratch;
  EXPECT_TRUE(std::holds_alternative<packet>(decode_packet(wire, protocol_version::v311, scratch)));
}

// 3.1.1 §3.8.2, figure 3.21 and §3.8.3 figure 3.23: SUBSCRIBE packet identifier 10,
// "a/b" QoS 1 and "c/d" QoS 2.
TEST(spec_vectors, v311_subscribe_payload) {
  const std::vector<subscription> subs{{.filter = "a/b", .max_qos = qos::at_least_once},
                                       {.filter = "c/d", .max_qos = qos::exactly_once}};
  const subscribe s{.packet_id = 10, .subscriptions = list_view<subscription>(subs)};
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(s, protocol_version::v311)),
            "82 0e 00 0a 00 03 61 2f 62 01 00 03 63 2f 64 02");
}

// 3.1.1 §3.9.3, figure 3.26: SUBACK return codes 0, 1, 2 and 0x80.
TEST(spec_vectors, v311_suback_payload) {
  const std::vector<proto::reason_code> codes{proto::reason_code{0x00}, proto::reason_code{0x01}, proto::reason_code{0x02}, proto::reason_code{0x80}};
  const suback s{.packet_id = 10, .reason_codes = list_view<proto::reason_code>(codes)};
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(s, protocol_version::v311)), "90 06 00 0a 00 01 02 80");
}

// 3.1.1 §3.10.3, figure 3.30: UNSUBSCRIBE "a/b" and "c/d".
TEST(spec_vectors, v311_unsubscribe_payload) {
  const std::vector<std::string_view> filters{"a/b", "c/d"};
  const unsubscribe u{.packet_id = 10, .filters = list_view<std::string_view>(filters)};
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(u, protocol_version::v311)),
            "a2 0c 00 0a 00 03 61 2f 62 00 03 63 2f 64");
}

// 3.1.1 §3.12-3.14: PINGREQ, PINGRESP and DISCONNECT are two bytes each.
TEST(spec_vectors, two_byte_packets) {
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(pingreq{}, protocol_version::v311)), "c0 00");
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(pingresp{}, protocol_version::v311)), "d0 00");
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(disconnect{}, protocol_version::v311)), "e0 00");
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(disconnect{}, protocol_version::v5)), "e0 00");
}

// 3.1.1 §3.2: CONNACK with session present and return code 0; 5.0 adds the property length.
TEST(spec_vectors, connack_forms) {
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(connack{.session_present = true}, protocol_version::v311)),
            "20 02 01 00");
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(connack{.reason_code = proto::reason_code{0x87}}, protocol_version::v5)),
            "20 03 00 87 00");
}

// 5.0 §3.4.2.1: PUBACK with reason 0 and no properties may drop both; with a reason only,
// the property length may be dropped.
TEST(spec_vectors, v5_puback_short_forms) {
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(puback{.packet_id = 1}, protocol_version::v5)), "40 02 00 01");
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(puback{.packet_id = 1, .reason_code = proto::reason_code{0x10}}, protocol_version::v5)),
            "40 03 00 01 10");
  decode_scratch scratch;
  // The long form with an explicit zero property length decodes to the same packet.
  auto long_form = decode_packet(from_hex("40 04 00 01 00 00"), protocol_version::v5, scratch);
  ASSERT_TRUE(std::holds_alternative<packet>(long_form));
  EXPECT_EQ(std::get<packet>(long_form), packet(puback{.packet_id = 1}));
}

// 5.0 §3.6.1: PUBREL carries the fixed flags 0b0010.
TEST(spec_vectors, pubrel_fixed_flags) {
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(pubrel{.packet_id = 0x1234}, protocol_version::v311)), "62 02 12 34");
}

// 3.1: protocol name "MQIsdp" and level 3 (MQTT V3.1 Protocol Specification, IBM).
TEST(spec_vectors, v31_connect_protocol_name) {
  const connect c{.version = protocol_version::v31, .client_id = "a", .keep_alive = 60};
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(c, protocol_version::v31)),
            "10 0f 00 06 4d 51 49 73 64 70 03 02 00 3c 00 01 61");
}

// 5.0 §3.1.2.11.8, a user property is a UTF-8 string pair.
TEST(spec_vectors, v5_user_property_encoding) {
  const std::vector<property> props{{.id = property_id::user_property, .key = "k", .value = "v"}};
  const publish p{.topic = "t", .payload = "", .properties = property_list(props)};
  EXPECT_EQ(test::to_hex(test::encode_to_bytes(p, protocol_version::v5)), "30 0b 00 01 74 07 26 00 01 6b 00 01 76");
}

}  // namespace
}  // namespace mqtk::proto
