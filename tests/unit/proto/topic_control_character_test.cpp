// The control characters mosquitto refuses in strings, and the property values the
// specification forbids: what the tools check before a broker would refuse.
#include <gtest/gtest.h>

#include "mqtk/proto/property.hpp"
#include "mqtk/proto/topic.hpp"

namespace mqtk::proto {
namespace {

TEST(find_control_character, c0_del_and_c1_but_not_other_text) {
  EXPECT_EQ(find_control_character("abc"), std::string_view::npos);
  EXPECT_EQ(find_control_character("ab\r"), 2u);
  EXPECT_EQ(find_control_character("\x1f"), 0u);
  EXPECT_EQ(find_control_character("a\x7f"), 1u);
  EXPECT_EQ(find_control_character("a\xc2\x80"), 1u);   // U+0080
  EXPECT_EQ(find_control_character("a\xc2\x9f"), 1u);   // U+009F
  EXPECT_EQ(find_control_character("a\xc2\xa0"), std::string_view::npos);  // U+00A0, no-break space
  EXPECT_EQ(find_control_character("\xc3\xa9t\xc3\xa9"), std::string_view::npos);  // "été"
}

TEST(validate_topic, control_characters_are_refused_only_when_asked) {
  EXPECT_EQ(validate_topic_name("a/b\r"), topic_error::none);
  EXPECT_EQ(validate_topic_name("a/b\r", control_characters::refused), topic_error::control_character);
  EXPECT_EQ(validate_topic_filter("a/+\t", control_characters::refused), topic_error::control_character);
  EXPECT_EQ(validate_topic_filter("a/+", control_characters::refused), topic_error::none);
  EXPECT_EQ(validate_topic_name(std::string_view("a\0b", 3), control_characters::refused), topic_error::null_character);
}

TEST(property_value_error, forbidden_values) {
  EXPECT_FALSE(property_value_error(property_id::topic_alias, 0).empty());
  EXPECT_TRUE(property_value_error(property_id::topic_alias, 1).empty());
  EXPECT_FALSE(property_value_error(property_id::receive_maximum, 0).empty());
  EXPECT_FALSE(property_value_error(property_id::maximum_packet_size, 0).empty());
  EXPECT_FALSE(property_value_error(property_id::subscription_identifier, 0).empty());
  EXPECT_FALSE(property_value_error(property_id::subscription_identifier, 268'435'456).empty());
  EXPECT_TRUE(property_value_error(property_id::subscription_identifier, 268'435'455).empty());
  EXPECT_FALSE(property_value_error(property_id::request_problem_information, 2).empty());
  EXPECT_TRUE(property_value_error(property_id::request_problem_information, 1).empty());
  EXPECT_FALSE(property_value_error(property_id::payload_format_indicator, 2).empty());
  EXPECT_TRUE(property_value_error(property_id::session_expiry_interval, 0).empty());
}

}  // namespace
}  // namespace mqtk::proto
