// mosquitto_sub -F: every specifier, flag, width, precision, @ time and \ escape, with the
// expected bytes worked out from mosquitto_sub 2.0.11's behaviour (and checked against the
// real binary in tests/integration/format_compat_test.cpp).
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mqtk/report/message_format.hpp"
#include "support/param_name.hpp"

namespace mqtk::report {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;
using proto::property;
using proto::property_id;

// 2020-05-06T21:48:00.123456789Z
const auto fixed_time = std::chrono::system_clock::time_point(std::chrono::nanoseconds(1588801680123456789LL));

void use_utc() {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

std::string fmt(std::string_view format, const message_view& m) {
  std::string out;
  message_format::parse(format).append(out, m);
  return out;
}

message_view hello() {
  return message_view{.topic = "a/b", .payload = "hello", .qos = proto::qos::at_least_once, .retain = true,
                      .packet_id = 7, .timestamp = fixed_time};
}

struct props_fixture {
  std::vector<property> list{
      property{.id = property_id::content_type, .value = "text/plain"},
      property{.id = property_id::user_property, .key = "k1", .value = "v1"},
      property{.id = property_id::response_topic, .value = "resp/t"},
      property{.id = property_id::correlation_data, .value = "c\0d"sv},
      property{.id = property_id::payload_format_indicator, .number = 1},
      property{.id = property_id::message_expiry_interval, .number = 300},
      property{.id = property_id::user_property, .key = "k1", .value = "v2"},
      property{.id = property_id::subscription_identifier, .number = 42},
      property{.id = property_id::topic_alias, .number = 3},
  };
  proto::property_list props{list};
  message_view view() {
    auto m = hello();
    m.properties = &props;
    return m;
  }
};

TEST(message_format, literal_text_passes_through) { EXPECT_EQ(fmt("plain text", hello()), "plain text"); }

TEST(message_format, topic_payload_qos_retain_length_mid) {
  EXPECT_EQ(fmt("%t %p %q %r %l %m", hello()), "a/b hello 1 1 5 7");
}

TEST(message_format, percent_at_and_escapes) {
  EXPECT_EQ(fmt("%%@@\\\\\\a\\e\\n\\r\\t\\v", hello()), "%@\\\a\033\n\r\t\v");
  EXPECT_EQ(fmt("a\\0b", hello()), "a\0b"s);
}

TEST(message_format, hex_lower_and_upper) {
  message_view m = hello();
  m.payload = "\x01\xab\xff"sv;
  EXPECT_EQ(fmt("%x|%X", m), "01abff|01ABFF");
}

TEST(message_format, integer_width_flags) {
  EXPECT_EQ(fmt("[%5l][%-5l][%05l][%-05l][%0l][%1l]", hello()), "[    5][5    ][00005][5    ][5][5]");
  EXPECT_EQ(fmt("[%3m][%03m]", hello()), "[  7][007]");
}

TEST(message_format, string_width_and_precision) {
  EXPECT_EQ(fmt("[%6t][%-6t][%.1t][%6.2t][%-6.2t][%.t][%06t]", hello()), "[   a/b][a/b   ][a][    a/][a/    ][][   a/b]");
}

TEST(message_format, payload_width_truncates_like_mosquitto) {
  EXPECT_EQ(fmt("[%8p][%08p][%-8p][%3p][%-3p]", hello()), "[   hello][000hello][hello   ][hel][hel]");
}

TEST(message_format, payload_left_align_without_width_pads_by_length) {
  // mosquitto prints |width - length| blanks after a left-aligned payload, even with no width.
  EXPECT_EQ(fmt("[%-p]", hello()), "[hello     ]");
  EXPECT_EQ(fmt("[%-x]", hello()), "[68656c6c6f     ]");
}

TEST(message_format, hex_width_halves_the_bytes_like_mosquitto) {
  // With a width, mosquitto clamps the byte count to the width and then halves it.
  EXPECT_EQ(fmt("[%12x]", hello()), "[        6865]");
  EXPECT_EQ(fmt("[%4x]", hello()), "[6865]");
  EXPECT_EQ(fmt("[%5X]", hello()), "[ 6865]");
  EXPECT_EQ(fmt("[%-12x]", hello()), "[6865        ]");
  EXPECT_EQ(fmt("[%012x]", hello()), "[000000006865]");
}

TEST(message_format, precision_is_ignored_for_payload_and_integers) {
  EXPECT_EQ(fmt("[%.3p][%.2l]", hello()), "[hello][5]");
}

TEST(message_format, v5_properties) {
  props_fixture f;
  EXPECT_EQ(fmt("%C|%R|%E|%F|%S|%A|%P", f.view()), "text/plain|resp/t|300|1|42|3|k1:v1 k1:v2");
  EXPECT_EQ(fmt("%D", f.view()), "c\0d"s);
}

TEST(message_format, v5_property_widths) {
  props_fixture f;
  EXPECT_EQ(fmt("[%12C][%-8R][%.4C][%05E][%-3F][%4S][%03A]", f.view()),
            "[  text/plain][resp/t  ][text][00300][1  ][  42][003]");
}

TEST(message_format, absent_properties_print_blanks_like_mosquitto) {
  // %A %E %F %S pad with the pad character, %C with blanks, %R %D %P print nothing.
  EXPECT_EQ(fmt("[%3A][%03E][%2F][%-2S][%4C][%04C][%5R][%3D][%3P]", hello()), "[   ][000][  ][  ][    ][    ][][][]");
}

TEST(message_format, message_expiry_above_int_max_prints_negative_like_mosquitto) {
  std::vector<property> list{property{.id = property_id::message_expiry_interval, .number = 0xFFFFFFFFu}};
  proto::property_list props{list};
  auto m = hello();
  m.properties = &props;
  EXPECT_EQ(fmt("%E", m), "-1");
  EXPECT_EQ(fmt("%05E", m), "-0001");
}

TEST(message_format, strings_stop_at_nul_but_payload_does_not) {
  message_view m = hello();
  m.payload = "x\0y"sv;
  EXPECT_EQ(fmt("%p|%l|%x", m), "x\0y|3|780079"s);
}

TEST(message_format, time_conversions_in_local_time) {
  use_utc();
  EXPECT_EQ(fmt("%I", hello()), "2020-05-06T21:48:00+0000");
  EXPECT_EQ(fmt("%U", hello()), "1588801680.123456789");
  EXPECT_EQ(fmt("@Y-@m-@d @H:@M:@S.@N", hello()), "2020-05-06 21:48:00.123456789");
  EXPECT_EQ(fmt("[%26I][%-26I][%.10I]", hello()), "[  2020-05-06T21:48:00+0000][2020-05-06T21:48:00+0000  ][2020-05-06]");
}

TEST(message_format, at_passes_any_character_to_strftime) {
  use_utc();
  EXPECT_EQ(fmt("@s @j @q", hello()), "1588801680 127 %q");
}

TEST(message_format, uses_time_only_when_asked) {
  EXPECT_FALSE(message_format::parse("%t %p %x").uses_time());
  EXPECT_TRUE(message_format::parse("%t @H").uses_time());
  EXPECT_TRUE(message_format::parse("%U").uses_time());
  EXPECT_TRUE(message_format::parse("%j").uses_time());
}

TEST(message_format, qos_zero_has_mid_zero) {
  message_view m{.topic = "t", .payload = "p"};
  EXPECT_EQ(fmt("%q %m %r", m), "0 0 0");
}

TEST(message_format, literals_are_compiled_into_one_piece) {
  auto f = message_format::parse("ab\\ncd%%e%tf");
  ASSERT_EQ(f.pieces().size(), 3u);
  EXPECT_EQ(f.pieces()[0].what, message_format::piece::kind::literal);
  EXPECT_EQ(f.pieces()[0].length, 7u);  // "ab\ncd%e"
  EXPECT_EQ(f.pieces()[1].conversion, 't');
}

struct bad_format {
  std::string format;
  std::string reason;
};

class message_format_errors : public ::testing::TestWithParam<bad_format> {};

TEST_P(message_format_errors, refused_with_mosquittos_reason) {
  try {
    (void)message_format::parse(GetParam().format);
    FAIL() << "accepted " << GetParam().format;
  } catch (const format_error& e) {
    EXPECT_EQ(std::string(e.what()), GetParam().reason);
  }
}

INSTANTIATE_TEST_SUITE_P(
    all, message_format_errors,
    ::testing::Values(bad_format{"%", "Incomplete format specifier."}, bad_format{"%5", "Incomplete format specifier."},
                      bad_format{"%-", "Incomplete format specifier."}, bad_format{"%.", "Incomplete format specifier."},
                      bad_format{"%5.3", "Incomplete format specifier."}, bad_format{"@", "Incomplete format specifier."},
                      bad_format{"\\", "Incomplete escape specifier."},
                      bad_format{"%z", "Invalid format specifier 'z'."},
                      bad_format{"%0-5t", "Invalid format specifier '-'."},
                      bad_format{"x\\q", "Invalid escape specifier 'q'."}),
    [](const auto& info) { return mqtk::test::param_name(info.index, {info.param.format}); });

TEST(message_format, appends_without_allocating_once_warm) {
  auto f = message_format::parse("%t %5l %x %p\\n");
  std::string out;
  out.reserve(4096);
  const char* before = out.data();
  for (int i = 0; i < 50; ++i) f.append(out, hello());
  EXPECT_EQ(out.data(), before);
  EXPECT_EQ(out.size(), 50u * std::string("a/b     5 68656c6c6f hello\n").size());
}

TEST(message_format, json_invalid_payload_reports_error_and_continues) {
  use_utc();
  std::string out, err;
  bool ok = message_format::parse("<%J>").append(out, hello(), &err);
  EXPECT_FALSE(ok);
  EXPECT_EQ(out, "<>");
  // mosquitto_sub's bytes, newline included: the caller prints it as it is (no blank line after).
  EXPECT_EQ(err, "Error: Message payload is not valid JSON on topic a/b.\n");
}

}  // namespace
}  // namespace mqtk::report
