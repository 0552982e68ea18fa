// Malformed input: every fault gets its named error and the offset where it was found.
#include <gtest/gtest.h>

#include "codec_test_util.hpp"

namespace mqtk::proto {
namespace {

struct malformed_case {
  std::string name;
  protocol_version version;
  std::string hex;
  decode_error error;
  std::size_t offset;
};

class malformed : public ::testing::TestWithParam<malformed_case> {};

TEST_P(malformed, gives_named_error_at_offset) {
  const auto& c = GetParam();
  const test::bytes wire = test::from_hex(c.hex);
  decode_scratch scratch;
  auto result = decode_packet(wire, c.version, scratch);
  ASSERT_TRUE(std::holds_alternative<decode_failure>(result)) << "decoded: " << to_string(std::get<packet>(result));
  const auto& f = std::get<decode_failure>(result);
  EXPECT_EQ(decode_error_name(f.error), decode_error_name(c.error));
  EXPECT_EQ(f.offset, c.offset);
  // The same fault is found by the stream decoder, at the same offset from the stream start.
  const auto streamed = test::decode_stream(wire, {}, c.version);
  ASSERT_TRUE(streamed.failure.has_value());
  EXPECT_EQ(streamed.failure->error, c.error);
  EXPECT_EQ(streamed.failure->offset, c.offset);
}

using E = decode_error;
constexpr auto v3 = protocol_version::v311;
constexpr auto v5 = protocol_version::v5;

INSTANTIATE_TEST_SUITE_P(
    codec, malformed,
    ::testing::Values(
        // Fixed header.
        malformed_case{"five_byte_remaining_length", v3, "30 ff ff ff ff 01", E::remaining_length_too_long, 4},
        malformed_case{"non_minimal_remaining_length", v3, "c0 80 00", E::remaining_length_not_minimal, 2},
        malformed_case{"non_minimal_remaining_length_three_bytes", v3, "30 85 80 00", E::remaining_length_not_minimal,
                       3},
        malformed_case{"reserved_type_0", v3, "00 00", E::reserved_packet_type, 0},
        malformed_case{"auth_before_v5_is_reserved", v3, "f0 00", E::reserved_packet_type, 0},
        malformed_case{"pubrel_without_flags", v3, "60 02 00 01", E::invalid_fixed_header_flags, 0},
        malformed_case{"subscribe_with_flags_0", v3, "80 06 00 01 00 01 61 00", E::invalid_fixed_header_flags, 0},
        malformed_case{"unsubscribe_with_flags_0", v3, "a0 05 00 01 00 01 61", E::invalid_fixed_header_flags, 0},
        malformed_case{"pingreq_with_flags", v3, "c1 00", E::invalid_fixed_header_flags, 0},
        malformed_case{"connack_with_flags", v3, "21 02 00 00", E::invalid_fixed_header_flags, 0},
        malformed_case{"publish_qos3", v3, "36 05 00 01 61 00 01", E::invalid_qos, 0},
        // Lengths and strings.
        malformed_case{"publish_topic_longer_than_packet", v3, "30 04 00 05 61 62", E::string_too_long, 2},
        malformed_case{"publish_topic_length_truncated", v3, "30 01 00", E::truncated, 2},
        malformed_case{"puback_too_short", v3, "40 01 00", E::truncated, 2},
        malformed_case{"puback_trailing_bytes_v311", v3, "40 03 00 01 00", E::trailing_bytes, 4},
        malformed_case{"pingreq_trailing_bytes", v3, "c0 01 00", E::trailing_bytes, 2},
        malformed_case{"disconnect_trailing_bytes_v311", v3, "e0 01 00", E::trailing_bytes, 2},
        // UTF-8.
        malformed_case{"topic_invalid_utf8_lone_continuation", v3, "30 04 00 02 61 80", E::invalid_utf8, 5},
        malformed_case{"topic_overlong_utf8", v3, "30 04 00 02 c0 80", E::invalid_utf8, 4},
        malformed_case{"topic_utf16_surrogate", v3, "30 05 00 03 ed a0 80", E::invalid_utf8, 4},
        malformed_case{"topic_above_u10ffff", v3, "30 06 00 04 f4 90 80 80", E::invalid_utf8, 4},
        malformed_case{"topic_truncated_multibyte", v3, "30 04 00 02 61 e2", E::invalid_utf8, 5},
        malformed_case{"topic_with_u0000", v3, "30 05 00 03 61 00 62", E::utf8_null_character, 5},
        malformed_case{"client_id_with_u0000", v3, "10 0f 00 04 4d 51 54 54 04 02 00 3c 00 03 61 00 62",
                       E::utf8_null_character, 15},
        malformed_case{"subscribe_filter_invalid_utf8", v3, "82 06 00 01 00 01 ff 00", E::invalid_utf8, 6},
        // Topic names.
        malformed_case{"publish_topic_with_plus", v3, "30 05 00 03 61 2f 2b", E::invalid_topic_name, 6},
        malformed_case{"publish_topic_with_hash", v3, "30 03 00 01 23", E::invalid_topic_name, 4},
        malformed_case{"publish_empty_topic_v311", v3, "30 02 00 00", E::invalid_topic_name, 2},
        malformed_case{"publish_empty_topic_v5_without_alias", v5, "30 03 00 00 00", E::invalid_topic_name, 2},
        // Packet identifiers.
        malformed_case{"publish_qos1_packet_id_0", v3, "32 05 00 01 61 00 00", E::packet_id_zero, 5},
        malformed_case{"puback_packet_id_0", v3, "40 02 00 00", E::packet_id_zero, 2},
        malformed_case{"subscribe_packet_id_0", v3, "82 06 00 00 00 01 61 00", E::packet_id_zero, 2},
        malformed_case{"unsuback_packet_id_0", v3, "b0 02 00 00", E::packet_id_zero, 2},
        // CONNECT.
        malformed_case{"connect_protocol_name_mqtx", v3, "10 0c 00 04 4d 51 54 58 04 02 00 3c 00 00",
                       E::invalid_protocol_name, 2},
        malformed_case{"connect_protocol_level_6", v3, "10 0c 00 04 4d 51 54 54 06 02 00 3c 00 00",
                       E::unsupported_protocol_version, 8},
        malformed_case{"connect_mqisdp_level_4", v3, "10 0e 00 06 4d 51 49 73 64 70 04 02 00 3c 00 00",
                       E::unsupported_protocol_version, 10},
        malformed_case{"connect_reserved_flag", v3, "10 0c 00 04 4d 51 54 54 04 03 00 3c 00 00",
                       E::invalid_connect_flags, 9},
        malformed_case{"connect_will_qos_without_will", v3, "10 0c 00 04 4d 51 54 54 04 0a 00 3c 00 00",
                       E::invalid_connect_flags, 9},
        malformed_case{"connect_will_qos3", v3, "10 11 00 04 4d 51 54 54 04 1e 00 3c 00 00 00 01 74 00 00",
                       E::invalid_qos, 9},
        malformed_case{"connect_password_without_username_v311", v3,
                       "10 0f 00 04 4d 51 54 54 04 42 00 3c 00 00 00 01 70", E::invalid_connect_flags, 9},
        malformed_case{"connect_will_topic_wildcard", v3, "10 11 00 04 4d 51 54 54 04 06 00 3c 00 00 00 01 23 00 00",
                       E::invalid_topic_name, 16},
        malformed_case{"connect_missing_client_id", v3, "10 0a 00 04 4d 51 54 54 04 02 00 3c", E::truncated, 12},
        malformed_case{"connack_reserved_flags", v3, "20 02 02 00", E::invalid_connack_flags, 2},
        // Subscriptions.
        malformed_case{"subscribe_qos3", v3, "82 06 00 01 00 01 61 03", E::invalid_qos, 7},
        malformed_case{"subscribe_reserved_option_bits_v311", v3, "82 06 00 01 00 01 61 04",
                       E::invalid_subscription_options, 7},
        malformed_case{"subscribe_retain_handling_3", v5, "82 07 00 01 00 00 01 61 30", E::invalid_subscription_options,
                       8},
        malformed_case{"subscribe_reserved_bits_v5", v5, "82 07 00 01 00 00 01 61 40", E::invalid_subscription_options,
                       8},
        malformed_case{"subscribe_without_filters", v3, "82 02 00 01", E::no_topic_filters, 4},
        malformed_case{"unsubscribe_without_filters", v3, "a2 02 00 01", E::no_topic_filters, 4},
        // Properties.
        malformed_case{"property_length_past_packet", v5, "30 06 00 01 61 09 01 01", E::property_length_overrun, 5},
        malformed_case{"property_value_past_block", v5, "30 08 00 01 61 02 02 00 00 00", E::property_length_overrun, 7},
        malformed_case{"unknown_property", v5, "30 06 00 01 61 02 05 00", E::unknown_property, 6},
        malformed_case{"property_not_allowed_in_publish", v5, "30 07 00 01 61 03 21 00 05",
                       E::property_not_allowed, 6},
        malformed_case{"property_not_allowed_in_puback", v5, "40 08 00 01 00 04 23 00 01 00",
                       E::property_not_allowed, 6},
        malformed_case{"duplicate_content_type", v5, "30 0c 00 01 61 08 03 00 01 61 03 00 01 62",
                       E::duplicate_property, 10},
        malformed_case{"duplicate_subscription_id_in_subscribe", v5, "82 0b 00 01 04 0b 01 0b 02 00 01 61 00",
                       E::duplicate_property, 7},
        malformed_case{"payload_format_indicator_2", v5, "30 06 00 01 61 02 01 02", E::invalid_property_value, 6},
        malformed_case{"receive_maximum_0", v5, "20 06 00 00 03 21 00 00", E::invalid_property_value, 5},
        malformed_case{"topic_alias_0", v5, "30 07 00 01 61 03 23 00 00", E::invalid_property_value, 6},
        malformed_case{"property_string_invalid_utf8", v5, "30 08 00 01 61 04 03 00 01 c3", E::invalid_utf8,
                       9},
        malformed_case{"property_string_with_u0000", v5, "30 08 00 01 61 04 03 00 01 00", E::utf8_null_character, 9},
        malformed_case{"property_varint_non_minimal", v5, "30 08 00 01 61 04 0b 81 80 00",
                       E::variable_byte_integer_invalid, 9}),
    [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mqtk::proto
