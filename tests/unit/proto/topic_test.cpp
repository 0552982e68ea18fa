// Topic names, filters and matching against MQTT 3.1.1 §4.7 and 5.0 §4.7-4.8, including the
// spec's own examples ("sport/tennis/player1/#", "sport/+", "$SYS/...").
#include "mqtk/proto/topic.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mqtk::proto {
namespace {

struct validation_case {
  const char* test_name;
  std::string topic;
  topic_error expected;
};

void PrintTo(const validation_case& c, std::ostream* os) { *os << c.test_name; }

std::string case_name(const testing::TestParamInfo<validation_case>& info) {
  return info.param.test_name;
}

// --- topic names --------------------------------------------------------------------------

class topic_name_validation : public testing::TestWithParam<validation_case> {};

TEST_P(topic_name_validation, gives_expected_error) {
  const auto& c = GetParam();
  EXPECT_EQ(validate_topic_name(c.topic), c.expected)
      << "topic: " << c.topic << " -> " << topic_error_message(validate_topic_name(c.topic));
}

INSTANTIATE_TEST_SUITE_P(
    names, topic_name_validation,
    testing::Values(
        validation_case{"simple", "sensors/temp", topic_error::none},
        validation_case{"single_level", "a", topic_error::none},
        validation_case{"leading_slash", "/home/temp", topic_error::none},
        validation_case{"trailing_slash", "home/", topic_error::none},
        validation_case{"only_slash", "/", topic_error::none},
        validation_case{"empty_levels", "a//b", topic_error::none},
        validation_case{"with_space", "my home/living room", topic_error::none},
        validation_case{"dollar_sys", "$SYS/broker/uptime", topic_error::none},
        validation_case{"utf8_two_and_three_byte", "caf\xC3\xA9/\xE2\x82\xAC", topic_error::none},
        validation_case{"utf8_four_byte_emoji", "emoji/\xF0\x9F\x98\x80", topic_error::none},
        validation_case{"empty", "", topic_error::empty},
        validation_case{"plus", "a/+/c", topic_error::wildcard_in_name},
        validation_case{"hash", "a/#", topic_error::wildcard_in_name},
        validation_case{"plus_inside_level", "a+b", topic_error::wildcard_in_name},
        validation_case{"nul_character", std::string("a\0b", 3), topic_error::null_character},
        validation_case{"lone_continuation_byte", "a\x80", topic_error::invalid_utf8},
        validation_case{"truncated_sequence", "a\xE2\x82", topic_error::invalid_utf8},
        validation_case{"overlong_slash", "a\xC0\xAF", topic_error::invalid_utf8},
        validation_case{"overlong_nul", "a\xC0\x80", topic_error::invalid_utf8},
        validation_case{"surrogate_half", "a\xED\xA0\x80", topic_error::invalid_utf8},
        validation_case{"above_u10ffff", "a\xF4\x90\x80\x80", topic_error::invalid_utf8},
        validation_case{"byte_ff", "a\xFF", topic_error::invalid_utf8}),
    case_name);

TEST(topic_name, longest_allowed_is_65535_bytes) {
  EXPECT_EQ(validate_topic_name(std::string(65535, 'a')), topic_error::none);
}

TEST(topic_name, one_byte_over_the_limit_is_too_long) {
  EXPECT_EQ(validate_topic_name(std::string(65536, 'a')), topic_error::too_long);
}

TEST(topic_name, utf8_error_found_after_many_valid_characters) {
  std::string name(1000, 'x');
  name += "\xC3";  // a lead byte with nothing after it
  EXPECT_EQ(validate_topic_name(name), topic_error::invalid_utf8);
}

// --- topic filters ------------------------------------------------------------------------

class topic_filter_validation : public testing::TestWithParam<validation_case> {};

TEST_P(topic_filter_validation, gives_expected_error) {
  const auto& c = GetParam();
  EXPECT_EQ(validate_topic_filter(c.topic), c.expected)
      << "filter: " << c.topic << " -> " << topic_error_message(validate_topic_filter(c.topic));
}

INSTANTIATE_TEST_SUITE_P(
    filters, topic_filter_validation,
    testing::Values(
        validation_case{"plain", "sensors/temp", topic_error::none},
        validation_case{"hash_alone", "#", topic_error::none},
        validation_case{"plus_alone", "+", topic_error::none},
        validation_case{"hash_last_level", "sport/tennis/player1/#", topic_error::none},
        validation_case{"plus_middle", "sport/+/player1", topic_error::none},
        validation_case{"plus_then_hash", "+/tennis/#", topic_error::none},
        validation_case{"plus_plus", "+/+", topic_error::none},
        validation_case{"leading_slash_plus", "/+", topic_error::none},
        validation_case{"plus_empty_level_after", "+/", topic_error::none},
        validation_case{"hash_after_empty_level", "a//#", topic_error::none},
        validation_case{"dollar_filter", "$SYS/#", topic_error::none},
        validation_case{"empty", "", topic_error::empty},
        validation_case{"hash_not_last", "sport/#/ranking", topic_error::misplaced_multi_level},
        validation_case{"hash_glued_to_text", "sport/tennis#", topic_error::misplaced_multi_level},
        validation_case{"hash_before_text", "sport/#tennis", topic_error::misplaced_multi_level},
        validation_case{"hash_with_trailing_slash", "#/", topic_error::misplaced_multi_level},
        validation_case{"double_hash", "##", topic_error::misplaced_multi_level},
        validation_case{"plus_glued_after", "sport+", topic_error::misplaced_single_level},
        validation_case{"plus_glued_before", "sport/+tennis", topic_error::misplaced_single_level},
        validation_case{"double_plus", "a/++/b", topic_error::misplaced_single_level},
        validation_case{"nul_character", std::string("a/\0", 3), topic_error::null_character},
        validation_case{"invalid_utf8", "a/\xC3\x28", topic_error::invalid_utf8},
        validation_case{"shared_simple", "$share/group/sensors/#", topic_error::none},
        validation_case{"shared_plus_filter", "$share/g/+", topic_error::none},
        validation_case{"shared_no_filter", "$share/group", topic_error::invalid_shared},
        validation_case{"shared_empty_filter", "$share/group/", topic_error::invalid_shared},
        validation_case{"shared_empty_group", "$share//a", topic_error::invalid_shared},
        validation_case{"shared_nothing", "$share/", topic_error::invalid_shared},
        validation_case{"shared_group_plus", "$share/g+/a", topic_error::invalid_shared},
        validation_case{"shared_group_hash", "$share/#/a", topic_error::invalid_shared},
        validation_case{"shared_bad_inner_filter", "$share/g/a#",
                        topic_error::misplaced_multi_level},
        validation_case{"share_word_without_slash", "$share", topic_error::none},
        validation_case{"share_prefix_is_case_sensitive", "$SHARE/g/a", topic_error::none}),
    case_name);

TEST(topic_filter, too_long_filter_is_rejected) {
  EXPECT_EQ(validate_topic_filter(std::string(65536, '+')), topic_error::too_long);
}

TEST(topic_filter, every_topic_name_is_also_a_valid_filter) {
  for (const char* t : {"a", "/a", "a/b/c", "$SYS/load", "a//b"}) {
    EXPECT_EQ(validate_topic_name(t), topic_error::none) << t;
    EXPECT_EQ(validate_topic_filter(t), topic_error::none) << t;
  }
}

// --- shared subscriptions -----------------------------------------------------------------

TEST(shared_subscription, splits_group_and_filter) {
  const auto s = parse_shared_subscription("$share/workers/jobs/#");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->group, "workers");
  EXPECT_EQ(s->filter, "jobs/#");
}

TEST(shared_subscription, filter_keeps_its_leading_slash) {
  const auto s = parse_shared_subscription("$share/g//a");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->group, "g");
  EXPECT_EQ(s->filter, "/a");
}

TEST(shared_subscription, ordinary_filter_is_not_shared) {
  EXPECT_FALSE(parse_shared_subscription("sensors/#").has_value());
  EXPECT_FALSE(parse_shared_subscription("$SYS/#").has_value());
  EXPECT_FALSE(parse_shared_subscription("$share").has_value());
}

TEST(shared_subscription, malformed_ones_give_nothing) {
  EXPECT_FALSE(parse_shared_subscription("$share/").has_value());
  EXPECT_FALSE(parse_shared_subscription("$share/g").has_value());
  EXPECT_FALSE(parse_shared_subscription("$share/g/").has_value());
  EXPECT_FALSE(parse_shared_subscription("$share//a").has_value());
  EXPECT_FALSE(parse_shared_subscription("$share/g+/a").has_value());
}

// --- matching -----------------------------------------------------------------------------

struct match_case {
  const char* test_name;
  const char* filter;
  const char* name;
  bool matches;
};

void PrintTo(const match_case& c, std::ostream* os) {
  *os << c.filter << " vs " << c.name;
}

std::string match_name(const testing::TestParamInfo<match_case>& p) {
  return p.param.test_name;
}

class topic_matching : public testing::TestWithParam<match_case> {};

TEST_P(topic_matching, gives_expected_result) {
  const auto& c = GetParam();
  // The inputs must be valid for the result to mean anything.
  ASSERT_EQ(validate_topic_filter(c.filter), topic_error::none) << c.filter;
  ASSERT_EQ(validate_topic_name(c.name), topic_error::none) << c.name;
  EXPECT_EQ(topic_matches(c.filter, c.name), c.matches)
      << "filter " << c.filter << " name " << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    matches, topic_matching,
    testing::Values(
        match_case{"exact", "a/b", "a/b", true},
        match_case{"exact_differs", "a/b", "a/c", false},
        match_case{"case_sensitive", "ACCOUNTS", "Accounts", false},
        match_case{"prefix_is_not_a_match", "a/b", "a/b/c", false},
        match_case{"longer_filter_no_match", "a/b/c", "a/b", false},
        match_case{"trailing_slash_is_a_level", "a/b", "a/b/", false},
        match_case{"leading_slash_is_a_level", "a/b", "/a/b", false},
        match_case{"hash_all", "#", "a/b/c", true},
        match_case{"hash_all_leading_slash", "#", "/a", true},
        match_case{"hash_children", "sport/tennis/player1/#", "sport/tennis/player1/ranking",
                   true},
        match_case{"hash_grandchildren", "sport/tennis/player1/#",
                   "sport/tennis/player1/score/wimbledon", true},
        match_case{"hash_matches_parent", "sport/#", "sport", true},
        match_case{"hash_matches_parent_deep", "sport/tennis/player1/#", "sport/tennis/player1",
                   true},
        match_case{"hash_matches_empty_last_level", "sport/#", "sport/", true},
        match_case{"hash_no_match_other_root", "sport/#", "sports", false},
        match_case{"hash_not_grandparent", "sport/tennis/#", "sport", false},
        match_case{"plus_one_level", "sport/tennis/+", "sport/tennis/player1", true},
        match_case{"plus_not_two_levels", "sport/tennis/+", "sport/tennis/player1/ranking", false},
        match_case{"plus_not_parent", "sport/+", "sport", false},
        match_case{"plus_matches_empty_level", "sport/+", "sport/", true},
        match_case{"plus_alone_not_leading_slash", "+", "/finance", false},
        match_case{"plus_plus_leading_slash", "+/+", "/finance", true},
        match_case{"slash_plus_leading_slash", "/+", "/finance", true},
        match_case{"plus_middle", "a/+/c", "a/b/c", true},
        match_case{"plus_middle_empty", "a/+/c", "a//c", true},
        match_case{"plus_middle_mismatch", "a/+/c", "a/b/d", false},
        match_case{"plus_then_hash", "+/tennis/#", "sport/tennis/player1", true},
        match_case{"plus_then_hash_parent", "+/tennis/#", "sport/tennis", true},
        match_case{"hash_skips_dollar_sys", "#", "$SYS/broker/uptime", false},
        match_case{"plus_skips_dollar_sys", "+/monitor/Clients", "$SYS/monitor/Clients", false},
        match_case{"explicit_dollar_sys_hash", "$SYS/#", "$SYS/broker/uptime", true},
        match_case{"dollar_then_plus", "$SYS/monitor/+", "$SYS/monitor/Clients", true},
        match_case{"dollar_only_first_level_matters", "a/#", "a/$b", true},
        match_case{"shared_matches_inner", "$share/g/sensors/+", "sensors/temp", true},
        match_case{"shared_inner_mismatch", "$share/g/sensors/+", "other/temp", false},
        match_case{"shared_hash_skips_dollar", "$share/g/#", "$SYS/x", false},
        match_case{"unicode_levels", "caf\xC3\xA9/+", "caf\xC3\xA9/x", true}),
    match_name);

// --- messages -----------------------------------------------------------------------------

TEST(topic_error_message, every_error_has_a_distinct_message) {
  const topic_error all[] = {topic_error::none,
                             topic_error::empty,
                             topic_error::too_long,
                             topic_error::wildcard_in_name,
                             topic_error::misplaced_multi_level,
                             topic_error::misplaced_single_level,
                             topic_error::null_character,
                             topic_error::invalid_utf8,
                             topic_error::invalid_shared};
  for (std::size_t i = 0; i < std::size(all); ++i) {
    EXPECT_FALSE(topic_error_message(all[i]).empty()) << static_cast<int>(all[i]);
    for (std::size_t j = 0; j < i; ++j) {
      EXPECT_NE(topic_error_message(all[i]), topic_error_message(all[j]));
    }
  }
}

TEST(topic_error_message, names_the_offending_wildcard) {
  EXPECT_NE(topic_error_message(topic_error::misplaced_multi_level).find('#'),
            std::string_view::npos);
  EXPECT_NE(topic_error_message(topic_error::misplaced_single_level).find('+'),
            std::string_view::npos);
}

}  // namespace
}  // namespace mqtk::proto
