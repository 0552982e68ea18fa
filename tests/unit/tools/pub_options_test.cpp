// mqtk-pub's options and its payload sources.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/payload_source.hpp"
#include "common/pub_options.hpp"
#include "tools_test_support.hpp"
#include "support/param_name.hpp"

namespace mqtk::tools {
namespace {

using test::quiet_env;
using test::usage_error_of;

pub_options pub(std::vector<std::string> args) { return parse_pub_options(args, quiet_env()); }
std::string pub_error(std::vector<std::string> args) {
  return usage_error_of([&] { (void)pub(args); });
}

TEST(pub_options, message) {
  auto o = pub({"-t", "a/b", "-m", "hello", "-q", "1", "-r"});
  EXPECT_EQ(o.topic, "a/b");
  EXPECT_EQ(o.source, payload_kind::message);
  EXPECT_EQ(o.message, "hello");
  EXPECT_EQ(o.qos, proto::qos::at_least_once);
  EXPECT_TRUE(o.retain);
  EXPECT_EQ(o.connection.client_id, "mqtk_pub_4321");
}

TEST(pub_options, values_may_start_with_a_dash) {
  EXPECT_EQ(pub({"-t", "t", "-m", "-hello"}).message, "-hello");
  EXPECT_EQ(pub({"-t", "t", "-m", "--"}).message, "--");
  EXPECT_EQ(pub({"-t", "t", "-m", "-1"}).message, "-1");
}

TEST(pub_options, each_source) {
  EXPECT_EQ(pub({"-t", "t", "-f", "x.bin"}).source, payload_kind::file);
  EXPECT_EQ(pub({"-t", "t", "-s"}).source, payload_kind::stdin_whole);
  EXPECT_EQ(pub({"-t", "t", "-l"}).source, payload_kind::stdin_lines);
  EXPECT_EQ(pub({"-t", "t", "-n"}).source, payload_kind::null_message);
  EXPECT_EQ(pub({"-t", "t", "--null-message"}).source, payload_kind::null_message);
}

TEST(pub_options, repeat) {
  auto o = pub({"-t", "t", "-m", "x", "--repeat", "3", "--repeat-delay", "0.5"});
  EXPECT_EQ(o.repeat, 3u);
  EXPECT_DOUBLE_EQ(o.repeat_delay_s, 0.5);
}

TEST(pub_options, topic_from_url) {
  auto o = pub({"-L", "mqtt://h:1/x/y", "-n"});
  EXPECT_EQ(o.topic, "x/y");
  EXPECT_EQ(o.connection.host, "h");
}

TEST(pub_options, usage_errors_name_the_option) {
  EXPECT_NE(pub_error({"-t", "t", "-m", "a", "-n"}).find("-n"), std::string::npos);
  EXPECT_NE(pub_error({"-t", "t", "-l", "-s"}).find("-s"), std::string::npos);
  EXPECT_NE(pub_error({"-m", "a"}).find("-t"), std::string::npos);
  EXPECT_NE(pub_error({"-t", "t"}).find("-m"), std::string::npos);
  EXPECT_NE(pub_error({"-t", "a/+", "-m", "x"}).find("-t"), std::string::npos);
  EXPECT_NE(pub_error({"-t", "t", "-m", "x", "--repeat", "0"}).find("--repeat"), std::string::npos);
  EXPECT_NE(pub_error({"-t", "t", "-l", "--repeat", "2"}).find("--repeat"), std::string::npos);
  EXPECT_NE(pub_error({"-t", "t", "-m", "x", "--repeat-delay", "-1"}).find("--repeat-delay"), std::string::npos);
  EXPECT_NE(pub_error({"-t", "t", "-m", "x", "-v"}).find("-v"), std::string::npos);
}

std::vector<std::string> drain(payload_source& s) {
  std::vector<std::string> out;
  std::string m;
  while (s.next(m)) out.push_back(m);
  return out;
}

TEST(payload_source, message_once) {
  std::istringstream in;
  payload_source s(payload_kind::message, "hi", in);
  EXPECT_EQ(drain(s), std::vector<std::string>{"hi"});
}

TEST(payload_source, null_message_once) {
  std::istringstream in;
  payload_source s(payload_kind::null_message, "", in);
  EXPECT_EQ(drain(s), std::vector<std::string>{""});
}

TEST(payload_source, file_whole_and_binary) {
  const std::string file = ::testing::TempDir() + "mqtk_payload_test.bin";
  std::ofstream(file, std::ios::binary) << std::string("a\0b\nc", 5);
  std::istringstream in;
  payload_source s(payload_kind::file, file, in);
  EXPECT_EQ(drain(s), std::vector<std::string>{std::string("a\0b\nc", 5)});
  EXPECT_THROW(payload_source(payload_kind::file, file + ".missing", in), options_file_error);
}

TEST(payload_source, stdin_whole) {
  std::istringstream in("line1\nline2\n");
  payload_source s(payload_kind::stdin_whole, "", in);
  EXPECT_EQ(drain(s), std::vector<std::string>{"line1\nline2\n"});
}

}  // namespace
}  // namespace mqtk::tools

namespace mqtk::tools {
namespace {

pub_options pub2(std::vector<std::string> args) { return parse_pub_options(args, test::quiet_env()); }
std::string pub2_error(std::vector<std::string> args) {
  return test::usage_error_of([&] { (void)pub2(args); });
}

// What the broker would refuse is refused here, naming the option (exit 64).
struct refused_case {
  std::vector<std::string> args;
  std::string option;
  std::string why;  // a word of the reason
};
class pub_refuses : public ::testing::TestWithParam<refused_case> {};

TEST_P(pub_refuses, before_connecting_naming_the_option) {
  const auto msg = pub2_error(GetParam().args);
  EXPECT_NE(msg.find(GetParam().option), std::string::npos) << msg;
  EXPECT_NE(msg.find(GetParam().why), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\r'), std::string::npos) << "control characters are shown escaped";
}

INSTANTIATE_TEST_SUITE_P(
    topics_and_properties, pub_refuses,
    ::testing::Values(
        refused_case{{"-t", "a/b\r", "-m", "x"}, "-t", "control character"},
        refused_case{{"-t", "a\x7f", "-m", "x"}, "-t", "control character"},
        refused_case{{"-t", "a\xc2\x85", "-m", "x"}, "-t", "control character"},
        refused_case{{"-t", "a\xff", "-m", "x"}, "-t", "UTF-8"},
        refused_case{{"-t", "a/+", "-m", "x"}, "-t", "wildcards"},
        refused_case{{"-t", "", "-m", "x"}, "-t", "empty"},
        refused_case{{"-t", std::string(65536, 'a'), "-m", "x"}, "-t", "longer than 65535"},
        refused_case{{"-t", "a", "-m", "x", "--will-topic", "w\r"}, "--will-topic", "control character"},
        refused_case{{"-t", "a", "-m", "x", "-D", "publish", "topic-alias", "0"}, "-D", "topic-alias must not be 0"},
        refused_case{{"-t", "a", "-m", "x", "-D", "connect", "receive-maximum", "0"}, "-D", "must not be 0"},
        refused_case{{"-t", "a", "-m", "x", "-D", "connect", "maximum-packet-size", "0"}, "-D", "must not be 0"},
        refused_case{{"-t", "a", "-m", "x", "-D", "connect", "request-problem-information", "2"}, "-D", "0 or 1"},
        refused_case{{"-t", "a", "-m", "x", "-D", "connect", "request-response-information", "7"}, "-D", "0 or 1"},
        refused_case{{"-t", "a", "-m", "x", "-D", "publish", "payload-format-indicator", "2"}, "-D", "0 or 1"},
        refused_case{{"-t", "a", "-m", "x", "-D", "connect", "session-expiry-interval", "5", "-D", "connect",
                      "session-expiry-interval", "6"},
                     "-D", "given twice"},
        refused_case{{"-t", "a", "-m", "x", "-D", "publish", "content-type", "a", "-D", "publish", "content-type", "b"},
                     "-D", "given twice"},
        refused_case{{"-t", "a", "-m", "x", "-D", "publish", "content-type", "text\r"}, "-D", "control character"},
        refused_case{{"-t", "a", "-m", "x", "-D", "publish", "user-property", "k\n", "v"}, "-D", "control character"},
        refused_case{{"-t", "a", "-m", "x", "-D", "publish", "response-topic", "r/#"}, "-D", "wildcards"},
        refused_case{{"-t", "a", "-m", "x", "-D", "publish", "subscription-identifier", "1"}, "-D", "not allowed"},
        refused_case{{"-t", "a", "-m", "x", "-D", "connect", "topic-alias", "1"}, "-D", "not allowed"}),
    [](const auto& info) { return mqtk::test::param_name(info.index, info.param.args); });

TEST(pub_options_order, the_last_of_topic_and_url_wins_as_in_mosquitto) {
  EXPECT_EQ(pub2({"-t", "X", "-L", "mqtt://h/Y", "-m", "x"}).topic, "Y");
  EXPECT_EQ(pub2({"-L", "mqtt://h/Y", "-t", "X", "-m", "x"}).topic, "X");
  EXPECT_EQ(pub2({"-t", "X", "-L", "mqtt://h", "-m", "x"}).topic, "X") << "a URL without a topic keeps -t's";
}

TEST(pub_options_accepts, what_mosquitto_pub_accepts) {
  auto o = pub2({"-t", "a", "-m", "x", "--repeat", "1", "--repeat-delay", "2"});
  EXPECT_EQ(o.repeat, 1u);
  auto e = pub2({"-t", "a", "-m", "x", "-D", "publish", "user-property", "trace", "", "-D", "publish", "content-type",
                 ""});
  ASSERT_EQ(e.connection.properties.size(), 2u);
  EXPECT_EQ(e.connection.properties[0].value, "");
  EXPECT_EQ(e.connection.properties[1].value, "");
}

TEST(pub_options_files, a_directory_given_to_f_is_refused_as_such) {
  auto o = pub2({"-t", "a", "-f", std::filesystem::temp_directory_path().string()});
  try {
    check_pub_files(o);
    ADD_FAILURE() << "expected options_file_error";
  } catch (const options_file_error& e) {
    EXPECT_NE(std::string(e.what()).find("-f: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mqtk::tools
