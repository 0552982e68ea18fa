// mqtk-pub's options and its payload sources.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/payload_source.hpp"
#include "common/pub_options.hpp"
#include "tools_test_support.hpp"

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
