// mqtk-sub's options: mosquitto_sub's names and meanings, mqtk's additions, and the checks.
#include <gtest/gtest.h>

#include "common/sub_options.hpp"
#include "tools_test_support.hpp"
#include "support/param_name.hpp"

namespace mqtk::tools {
namespace {

using test::quiet_env;
using test::usage_error_of;

sub_options sub(std::vector<std::string> args) { return parse_sub_options(args, quiet_env()); }
std::string sub_error(std::vector<std::string> args) {
  return usage_error_of([&] { (void)sub(args); });
}

TEST(sub_options, defaults) {
  auto o = sub({"-t", "a/#"});
  EXPECT_EQ(o.topics, std::vector<std::string>{"a/#"});
  EXPECT_EQ(o.qos, proto::qos::at_most_once);
  EXPECT_TRUE(o.eol);
  EXPECT_FALSE(o.verbose);
  EXPECT_FALSE(o.count);
  EXPECT_EQ(o.connection.host, "localhost");
  EXPECT_EQ(o.connection.effective_port(), 1883);
  EXPECT_EQ(o.connection.client_id, "mqtk_sub_4321");
  EXPECT_EQ(o.printer().mode, report::output_mode::payload);
}

TEST(sub_options, repeated_topics_filters_and_unsubscribes_keep_order) {
  auto o = sub({"-t", "a", "--topic", "b/+", "-T", "b/x", "-T", "b/y", "-U", "old/#"});
  EXPECT_EQ(o.topics, (std::vector<std::string>{"a", "b/+"}));
  EXPECT_EQ(o.filter_out, (std::vector<std::string>{"b/x", "b/y"}));
  EXPECT_EQ(o.unsubscribe, std::vector<std::string>{"old/#"});
}

TEST(sub_options, unsubscribe_alone_is_enough) { EXPECT_TRUE(sub({"-U", "x"}).topics.empty()); }

TEST(sub_options, counting_and_waiting) {
  auto o = sub({"-t", "x", "-q", "2", "-C", "5", "-W", "3", "-E", "-R"});
  EXPECT_EQ(o.qos, proto::qos::exactly_once);
  EXPECT_EQ(o.count, 5u);
  EXPECT_EQ(o.timeout_s, 3u);
  EXPECT_TRUE(o.exit_after_subscribe);
  EXPECT_TRUE(o.no_retained);
}

TEST(sub_options, retained_flags) {
  auto o = sub({"-t", "x", "--retained-only", "--remove-retained", "--retain-as-published"});
  EXPECT_TRUE(o.retained_only);
  EXPECT_TRUE(o.remove_retained);
  EXPECT_TRUE(o.retain_as_published);
}

TEST(sub_options, output_modes) {
  EXPECT_EQ(sub({"-t", "x", "-v"}).printer().mode, report::output_mode::verbose);
  auto f = sub({"-t", "x", "-v", "-F", "%t %p", "-N", "--pretty"});
  EXPECT_EQ(f.printer().mode, report::output_mode::format);  // -F overrides -v, as in mosquitto
  EXPECT_EQ(f.printer().format, "%t %p");
  EXPECT_FALSE(f.printer().eol);
  EXPECT_TRUE(f.printer().pretty);
  auto j = sub({"-t", "x", "--json-payload"});
  EXPECT_EQ(j.printer().mode, report::output_mode::json);
  EXPECT_TRUE(j.printer().json.embed_json_payload);
}

TEST(sub_options, format_may_start_with_a_dash) {
  EXPECT_EQ(sub({"-t", "x", "-F", "-> %t"}).format, "-> %t");
}

TEST(sub_options, v5_subscription_options) {
  auto o = sub({"-t", "x", "-V", "5", "--no-local", "--retain-handling", "1", "--subscription-id", "77"});
  EXPECT_TRUE(o.no_local);
  EXPECT_EQ(o.retain_handling, 1);
  EXPECT_EQ(o.subscription_id, 77u);
}

TEST(sub_options, ready_signals_and_random_filter) {
  auto o = sub({"-t", "x", "--ready-fd", "3", "--ready-file", "/tmp/r", "--random-filter", "12.5"});
  EXPECT_EQ(o.ready_fd, 3);
  EXPECT_EQ(o.ready_file, "/tmp/r");
  EXPECT_DOUBLE_EQ(o.random_filter_percent, 12.5);
}

TEST(sub_options, url_topic_is_subscribed) {
  auto o = sub({"-L", "mqtt://u:pw@broker.example:1884/sensors/#"});
  EXPECT_EQ(o.topics, std::vector<std::string>{"sensors/#"});
  EXPECT_EQ(o.connection.host, "broker.example");
  EXPECT_EQ(o.connection.effective_port(), 1884);
  EXPECT_EQ(o.connection.username, "u");
  EXPECT_EQ(o.connection.password, "pw");
}

struct bad_args {
  std::vector<std::string> args;
  std::string option;  // the usage error must name it
};

class sub_usage_errors : public ::testing::TestWithParam<bad_args> {};

TEST_P(sub_usage_errors, name_the_option) {
  const auto msg = sub_error(GetParam().args);
  EXPECT_NE(msg.find(GetParam().option), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    all, sub_usage_errors,
    ::testing::Values(bad_args{{"-v"}, "-t"}, bad_args{{"-t", "a/#/b"}, "-t"}, bad_args{{"-t", "x", "-T", "a+"}, "-T"},
                      bad_args{{"-t", "x", "-U", "#/x"}, "-U"}, bad_args{{"-t", "x", "-q", "3"}, "-q"},
                      bad_args{{"-t", "x", "-C", "0"}, "-C"}, bad_args{{"-t", "x", "-C", "many"}, "-C"},
                      bad_args{{"-t", "x", "-W", "-1"}, "-W"}, bad_args{{"-t", "x", "-F", "%z"}, "-F"},
                      bad_args{{"-t", "x", "-F", "%t\\"}, "-F"}, bad_args{{"-t", "x", "--json", "-F", "%t"}, "--json"},
                      bad_args{{"-t", "x", "--retained-only", "-R"}, "--retained-only"},
                      bad_args{{"-t", "x", "--no-local"}, "--no-local"},
                      bad_args{{"-t", "x", "-V", "5", "--retain-handling", "3"}, "--retain-handling"},
                      bad_args{{"-t", "x", "--retain-handling", "1"}, "--retain-handling"},
                      bad_args{{"-t", "x", "-V", "5", "--subscription-id", "0"}, "--subscription-id"},
                      bad_args{{"-t", "x", "--random-filter", "0"}, "--random-filter"},
                      bad_args{{"-t", "x", "--ready-fd", "x"}, "--ready-fd"},
                      bad_args{{"-t", "x", "-m", "hello"}, "-m"}, bad_args{{"-t", "a\r"}, "-t"},
                      bad_args{{"-t", "x", "-W", "0"}, "-W"},
                      bad_args{{"-t", "x", "-D", "subscribe", "subscription-identifier", "0"}, "-D"},
                      bad_args{{"-t", "x", "-D", "subscribe", "subscription-identifier", "1", "-D", "subscribe",
                                "subscription-identifier", "2"},
                               "-D"},
                      bad_args{{"-t", "x", "-V", "5", "--subscription-id", "3", "-D", "subscribe",
                                "subscription-identifier", "2"},
                               "--subscription-id"}),
    [](const auto& info) { return mqtk::test::param_name(info.index, info.param.args); });

TEST(sub_options, fractional_wait_is_read_as_fractional_seconds) {
  EXPECT_DOUBLE_EQ(*sub({"-t", "x", "-W", "1.5"}).timeout_s, 1.5);
}

TEST(sub_options, url_filter_joins_the_t_filters_in_order) {
  auto o = sub({"-t", "a", "-L", "mqtt://h/b", "-t", "c"});
  EXPECT_EQ(o.topics, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(sub_options, format_error_carries_mosquittos_reason) {
  EXPECT_NE(sub_error({"-t", "x", "-F", "%z"}).find("Invalid format specifier 'z'"), std::string::npos);
}

TEST(sub_options, usage_error_exits_64_with_one_line) {
  std::vector<std::string> words{"mqtk-sub", "-t", "x", "-q", "7"};
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  sub_options o;
  testing::internal::CaptureStderr();
  int rc = load_sub_options(static_cast<int>(argv.size()), argv.data(), o);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 64);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
  EXPECT_NE(err.find("-q"), std::string::npos);
}

int load_with(std::vector<std::string> words, sub_options& o) {
  words.insert(words.begin(), "mqtk-sub");
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  return load_sub_options(static_cast<int>(argv.size()), argv.data(), o);
}

TEST(sub_options, help_lists_the_option_groups_and_exits_0) {
  sub_options o;
  testing::internal::CaptureStdout();
  int rc = load_with({"--help"}, o);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0);
  for (const char* word : {"--topic", "--will-topic", "--cafile", "--json", "-F", "--property", "--password-file"}) {
    EXPECT_NE(out.find(word), std::string::npos) << word;
  }
}

TEST(sub_options, good_arguments_go_on) {
  sub_options o;
  EXPECT_EQ(load_with({"-t", "a/b", "-v"}, o), -1);
  EXPECT_EQ(o.topics, std::vector<std::string>{"a/b"});
  EXPECT_TRUE(o.verbose);
}

}  // namespace
}  // namespace mqtk::tools
