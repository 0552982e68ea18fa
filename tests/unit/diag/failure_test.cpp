// Local failures: the exit code of each kind (ARCHITECTURE.md table) and the one-line message.
#include "mqtk/diag/failure.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mqtk::diag {
namespace {

constexpr failure_kind all_kinds[] = {
    failure_kind::unreachable,    failure_kind::dns,        failure_kind::tcp_refused,
    failure_kind::connect_timeout, failure_kind::tls,       failure_kind::websocket,
    failure_kind::connection_lost, failure_kind::protocol_error, failure_kind::timeout,
    failure_kind::usage,          failure_kind::input,      failure_kind::cannot_open,
    failure_kind::internal,       failure_kind::check_failed};

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

struct exit_case {
  failure_kind kind;
  exit_code expected;
};

class failure_exit_code : public testing::TestWithParam<exit_case> {};

TEST_P(failure_exit_code, follows_design_table) {
  const failure f{.kind = GetParam().kind};
  EXPECT_EQ(f.exit_code(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    kinds, failure_exit_code,
    testing::Values(exit_case{failure_kind::unreachable, exit_code::unreachable},
                    exit_case{failure_kind::dns, exit_code::unreachable},
                    exit_case{failure_kind::tcp_refused, exit_code::unreachable},
                    exit_case{failure_kind::connect_timeout, exit_code::unreachable},
                    exit_case{failure_kind::tls, exit_code::tls_failed},
                    exit_case{failure_kind::websocket, exit_code::websocket_rejected},
                    exit_case{failure_kind::connection_lost, exit_code::connection_lost},
                    exit_case{failure_kind::protocol_error, exit_code::protocol_error},
                    exit_case{failure_kind::timeout, exit_code::timeout},
                    exit_case{failure_kind::usage, exit_code::usage},
                    exit_case{failure_kind::input, exit_code::bad_input},
                    exit_case{failure_kind::cannot_open, exit_code::cannot_open_input},
                    exit_case{failure_kind::internal, exit_code::internal},
                    exit_case{failure_kind::check_failed, exit_code::check_failed}),
    [](const testing::TestParamInfo<exit_case>& p) {
      return std::string{failure_kind_name(p.param.kind)};
    });

TEST(failure_exit_code_values, match_the_numbers_scripts_see) {
  EXPECT_EQ(to_int(failure{.kind = failure_kind::tcp_refused}.exit_code()), 69);
  EXPECT_EQ(to_int(failure{.kind = failure_kind::timeout}.exit_code()), 27);
  EXPECT_EQ(to_int(failure{.kind = failure_kind::tls}.exit_code()), 79);
  EXPECT_EQ(to_int(failure{.kind = failure_kind::connection_lost}.exit_code()), 75);
}

TEST(failure_line, tcp_refused_says_what_why_and_what_to_try) {
  const failure f{.kind = failure_kind::tcp_refused,
                  .subject = "localhost:1883",
                  .reason = "Connection refused"};
  EXPECT_EQ(f.line(),
            "connection to localhost:1883 refused: Connection refused \u2014 nothing listens on "
            "that port: check -p (1883 mqtt, 8883 mqtts) and that the broker runs; mosquitto 2.x "
            "without a listener line accepts only local connections");
}

TEST(failure_line, custom_hint_replaces_default) {
  const failure f{.kind = failure_kind::websocket,
                  .subject = "ws://b:8080/mqtt",
                  .reason = "HTTP 404 Not Found",
                  .hint = "the broker serves MQTT over WebSocket at /ws"};
  EXPECT_EQ(f.line(),
            "WebSocket upgrade to ws://b:8080/mqtt rejected: HTTP 404 Not Found \u2014 the broker "
            "serves MQTT over WebSocket at /ws");
}

TEST(failure_line, without_subject_or_reason_still_reads) {
  const failure f{.kind = failure_kind::connection_lost};
  EXPECT_TRUE(f.line().starts_with("connection to the broker lost \u2014 ")) << f.line();
  EXPECT_TRUE(contains(f.line(), "same id")) << f.line();
}

TEST(failure_line, tls_mentions_cafile_and_insecure) {
  const failure f{.kind = failure_kind::tls, .subject = "b:8883",
                  .reason = "certificate verify failed"};
  EXPECT_TRUE(contains(f.line(), "--cafile")) << f.line();
  EXPECT_TRUE(contains(f.line(), "--insecure")) << f.line();
}

TEST(failure_line, timeout_suggests_raising_w) {
  const failure f{.kind = failure_kind::timeout, .subject = "PUBACK for packet 7"};
  EXPECT_TRUE(f.line().starts_with("timed out waiting for PUBACK for packet 7 \u2014 ")) << f.line();
  EXPECT_TRUE(contains(f.line(), "-W")) << f.line();
}

TEST(failure_line, usage_points_to_help) {
  const failure f{.kind = failure_kind::usage, .subject = "-q", .reason = "must be 0, 1 or 2"};
  EXPECT_EQ(f.line(), "invalid -q: must be 0, 1 or 2 \u2014 run with --help to see the options");
}

TEST(failure_line, input_and_cannot_open_name_the_file) {
  const failure bad{.kind = failure_kind::input, .subject = "x.pcap", .reason = "bad magic"};
  EXPECT_TRUE(bad.line().starts_with("x.pcap is not valid input: bad magic \u2014 ")) << bad.line();
  const failure missing{.kind = failure_kind::cannot_open, .subject = "x.pcap"};
  EXPECT_TRUE(missing.line().starts_with("cannot open x.pcap \u2014 ")) << missing.line();
}

TEST(failure_line, every_kind_is_one_line_with_advice) {
  for (const auto kind : all_kinds) {
    const failure f{.kind = kind, .subject = "s", .reason = "r"};
    const auto text = f.line();
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    EXPECT_FALSE(f.default_hint().empty()) << failure_kind_name(kind);
    EXPECT_TRUE(contains(text, f.default_hint())) << text;
    EXPECT_TRUE(contains(text, ": r \u2014 ")) << text;
  }
}

TEST(failure_kind_name, distinct_snake_case_names) {
  std::set<std::string_view> names;
  for (const auto kind : all_kinds) {
    const auto name = failure_kind_name(kind);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos)
        << name;
  }
}

TEST(failure, compares_by_value) {
  const failure a{.kind = failure_kind::dns, .subject = "nohost", .reason = "not found"};
  failure b = a;
  EXPECT_EQ(a, b);
  b.reason = "timeout";
  EXPECT_NE(a, b);
}


// The reason often quotes a peer (an HTTP reason phrase, a certificate name, a Reason String):
// the line never carries its control characters raw, and escapes made earlier stay as they are.
TEST(failure_line, peer_controls_in_the_reason_are_escaped_once) {
  const failure f{.kind = failure_kind::connection_lost,
                  .subject = "127.0.0.1:1883",
                  .reason = "bye\x1b" "c\r\nFAKE LINE\xc2\x9b (already \\x1b)",
                  .hint = "try again"};
  EXPECT_EQ(f.line(),
            "connection to 127.0.0.1:1883 lost: bye\\x1bc\\x0d\\x0aFAKE LINE\\xc2\\x9b (already \\x1b) \u2014 try again");
}

}  // namespace
}  // namespace mqtk::diag
