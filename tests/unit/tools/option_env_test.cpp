// Config files (mosquitto's format, mqtk's place) and -D property words.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/option_env.hpp"
#include "common/property_option.hpp"
#include "common/sub_options.hpp"

namespace mqtk::tools {
namespace {

TEST(config_file, path_prefers_xdg_config_home) {
  option_env env{.home = "/home/u", .xdg_config_home = "/cfg"};
  EXPECT_EQ(config_file_path(env, "mqtk_sub"), std::filesystem::path("/cfg/mqtk/mqtk_sub"));
  env.xdg_config_home = "";
  EXPECT_EQ(config_file_path(env, "mqtk_pub"), std::filesystem::path("/home/u/.config/mqtk/mqtk_pub"));
  EXPECT_FALSE(config_file_path(option_env{}, "mqtk_pub"));
}

TEST(config_file, lines_are_command_line_words) {
  auto words = config_text_args("# defaults\n-h broker.local\n-p 1884\r\n\n-F %t says %p\n-v\n"
                                "-D connect user-property a b\n  -q 1\n");
  EXPECT_EQ(words, (std::vector<std::string>{"-h", "broker.local", "-p", "1884", "-F", "%t says %p", "-v", "-D",
                                             "connect", "user-property", "a", "b", "-q", "1"}));
}

TEST(config_file, command_line_overrides_file) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "mqtk_cfg_test";
  std::filesystem::create_directories(dir / "mqtk");
  std::ofstream(dir / "mqtk" / "mqtk_sub") << "-h from-file\n-p 1000\n-t file/topic\n-v\n";
  option_env env{.xdg_config_home = dir.string(), .pid = 1};
  auto o = parse_sub_options({"-p", "2000", "-t", "cli/topic"}, env);
  EXPECT_EQ(o.connection.host, "from-file");
  EXPECT_EQ(o.connection.port, 2000);
  EXPECT_TRUE(o.verbose);
  EXPECT_EQ(o.topics, (std::vector<std::string>{"file/topic", "cli/topic"}));
  env.read_config_file = false;
  EXPECT_EQ(parse_sub_options({"-t", "x"}, env).connection.host, "localhost");
}

TEST(config_file, missing_file_is_no_words) {
  EXPECT_TRUE(config_file_args("/nonexistent/mqtk/mqtk_sub").empty());
}

TEST(property_option, typed_values) {
  auto p = parse_property_option({"publish", "message-expiry-interval", "3600"});
  EXPECT_EQ(p.command, property_command::publish);
  EXPECT_EQ(p.id, proto::property_id::message_expiry_interval);
  EXPECT_EQ(p.number, 3600u);
  auto u = parse_property_option({"connect", "user-property", "key", "value"});
  EXPECT_EQ(u.key, "key");
  EXPECT_EQ(u.value, "value");
  EXPECT_EQ(parse_property_option({"will", "content-type", "text/plain"}).value, "text/plain");
  EXPECT_EQ(parse_property_option({"publish", "payload-format-indicator", "1"}).number, 1u);
  EXPECT_EQ(parse_property_option({"subscribe", "subscription-identifier", "268435455"}).number, 268435455u);
}

TEST(property_option, every_pair_mosquitto_accepts) {
  const std::vector<std::vector<std::string>> ok{
      {"connect", "authentication-data", "x"},        {"connect", "authentication-method", "m"},
      {"connect", "maximum-packet-size", "1000"},     {"connect", "receive-maximum", "10"},
      {"connect", "request-problem-information", "1"}, {"connect", "request-response-information", "1"},
      {"connect", "session-expiry-interval", "10"},   {"connect", "topic-alias-maximum", "10"},
      {"publish", "content-type", "x"},               {"publish", "correlation-data", "x"},
      {"publish", "response-topic", "r"},             {"publish", "topic-alias", "1"},
      {"unsubscribe", "user-property", "a", "b"},     {"disconnect", "session-expiry-interval", "0"},
      {"disconnect", "reason-string", "bye"},         {"will", "will-delay-interval", "5"},
      {"will", "message-expiry-interval", "5"},       {"will", "response-topic", "r"},
      {"will", "correlation-data", "c"},              {"will", "payload-format-indicator", "0"}};
  for (const auto& words : ok) EXPECT_NO_THROW(parse_property_option(words)) << words[0] << " " << words[1];
}

TEST(property_option, refusals) {
  const std::vector<std::vector<std::string>> bad{
      {"connect", "content-type", "x"},          {"publish", "subscription-identifier", "1"},
      {"subscribe", "content-type", "x"},        {"auth", "reason-string", "x"},
      {"nosuch", "user-property", "a", "b"},     {"connect", "no-such-property", "1"},
      {"connect", "receive-maximum", "65536"},   {"connect", "receive-maximum", "-1"},
      {"connect", "receive-maximum", "ten"},     {"publish", "payload-format-indicator", "256"},
      {"connect", "user-property", "only-key"},  {"connect", "session-expiry-interval", "1", "2"},
      {"subscribe", "subscription-identifier", "268435456"}, {"connect"}};
  for (const auto& words : bad) {
    EXPECT_THROW(parse_property_option(words), std::invalid_argument) << words[0];
  }
}

TEST(property_option, properties_for_one_command_in_order) {
  std::vector<property_option> opts{parse_property_option({"connect", "user-property", "a", "1"}),
                                    parse_property_option({"publish", "content-type", "x"}),
                                    parse_property_option({"connect", "user-property", "b", "2"})};
  auto props = properties_for(opts, property_command::connect);
  ASSERT_EQ(props.size(), 2u);
  EXPECT_EQ(props[0].key, "a");
  EXPECT_EQ(props[1].key, "b");
}

}  // namespace
}  // namespace mqtk::tools
