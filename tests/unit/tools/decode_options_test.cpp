// mqtk-decode's options through the shared loader: the config file first, the last of an option
// wins, a bad value is a usage error naming the option (and the config file's line).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/decode_options.hpp"
#include "tools_test_support.hpp"

namespace mqtk::tools {
namespace {

using test::quiet_env;
using test::usage_error_of;

decode_options decode(std::vector<std::string> args, const option_env& env = quiet_env()) {
  return parse_decode_options(args, env);
}
std::string decode_error(std::vector<std::string> args, const option_env& env = quiet_env()) {
  return usage_error_of([&] { (void)decode(args, env); });
}

// A config directory of its own, as $XDG_CONFIG_HOME, holding mqtk/mqtk_decode.
struct config_dir {
  std::filesystem::path dir;
  explicit config_dir(const std::string& text) {
    dir = std::filesystem::path(::testing::TempDir()) /
          ("mqtk_decode_cfg_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir / "mqtk");
    std::ofstream(dir / "mqtk" / "mqtk_decode") << text;
  }
  ~config_dir() { std::filesystem::remove_all(dir); }
  option_env env() const {
    option_env e = quiet_env();
    e.read_config_file = true;
    e.xdg_config_home = dir.string();
    return e;
  }
  std::string file() const { return (dir / "mqtk" / "mqtk_decode").string(); }
};

TEST(decode_options, file_and_filters) {
  const auto o = decode({"--json", "--summary-only", "--type", "publish,Puback", "--topic", "a/+", "--client-id", "dev",
                         "--count", "5", "--mqtt-version", "5", "cap.pcapng"});
  EXPECT_EQ(o.input, "cap.pcapng");
  EXPECT_TRUE(o.json);
  EXPECT_TRUE(o.summary);  // implied by --summary-only
  EXPECT_EQ(o.types, (std::vector<std::string>{"PUBLISH", "PUBACK"}));
  EXPECT_EQ(o.topic, "a/+");
  EXPECT_EQ(o.client_id, "dev");
  EXPECT_EQ(o.count, 5u);
  EXPECT_EQ(o.mqtt_version, proto::protocol_version::v5);
  EXPECT_FALSE(o.nlohmann_packets);
}

TEST(decode_options, mqtt_version_words) {
  EXPECT_EQ(decode({"--hex", "--mqtt-version", "3.1"}).mqtt_version, proto::protocol_version::v31);
  EXPECT_EQ(decode({"--hex", "--mqtt-version", "4"}).mqtt_version, proto::protocol_version::v311);
  EXPECT_EQ(decode({"--hex", "--mqtt-version", "5.0"}).mqtt_version, proto::protocol_version::v5);
  const auto e = decode_error({"--hex", "--mqtt-version", "6"});
  EXPECT_NE(e.find("--mqtt-version"), std::string::npos) << e;
  EXPECT_NE(e.find("6"), std::string::npos) << e;
}

TEST(decode_options, the_last_of_an_option_wins) {
  const auto o = decode({"--count", "1", "--count", "7", "--type", "CONNECT", "--type", "PUBLISH", "--mqtt-version",
                         "3.1", "--mqtt-version", "5", "-"});
  EXPECT_EQ(o.count, 7u);
  EXPECT_EQ(o.types, std::vector<std::string>{"PUBLISH"});
  EXPECT_EQ(o.mqtt_version, proto::protocol_version::v5);
}

TEST(decode_options, the_last_of_a_file_and_an_interface_wins) {
  auto o = decode({"-i", "lo", "cap.pcap"});
  EXPECT_EQ(o.input, "cap.pcap");
  EXPECT_TRUE(o.interface.empty());
  o = decode({"cap.pcap", "-i", "lo", "-f", "tcp port 1883"});
  EXPECT_EQ(o.interface, "lo");
  EXPECT_TRUE(o.input.empty());
  EXPECT_EQ(o.bpf, "tcp port 1883");
}

TEST(decode_options, bad_values_name_their_option) {
  EXPECT_NE(decode_error({"--type", "PUBLISH,BOGUS", "x"}).find("--type: unknown packet type \"BOGUS\""),
            std::string::npos);
  EXPECT_NE(decode_error({"--topic", "a/#/b", "x"}).find("--topic: \"a/#/b\" is not a valid topic filter"),
            std::string::npos);
  EXPECT_NE(decode_error({"--count", "-1", "x"}).find("--count"), std::string::npos);
  EXPECT_NE(decode_error({"--count", "ten", "x"}).find("--count"), std::string::npos);
  EXPECT_NE(decode_error({"--json-engine", "fastest", "x"}).find("--json-engine"), std::string::npos);
}

TEST(decode_options, checks_across_options) {
  EXPECT_NE(decode_error({}).find("give a capture file"), std::string::npos);
  EXPECT_NE(decode_error({"-f", "tcp", "x"}).find("-f: applies to live capture"), std::string::npos);
  EXPECT_NE(decode_error({"--hex", "-i", "lo"}).find("--hex"), std::string::npos);
}

TEST(decode_options, config_file_words_come_first_and_the_command_line_overrides_them) {
  const config_dir cfg("# mqtk-decode defaults\n--summary\n--count 10\n-i eth0\n");
  const auto o = decode({"--count", "3", "cap.pcap"}, cfg.env());
  EXPECT_TRUE(o.summary);
  EXPECT_EQ(o.count, 3u);
  EXPECT_EQ(o.input, "cap.pcap");
  EXPECT_TRUE(o.interface.empty()) << "the command line's FILE replaces the config file's -i";
  EXPECT_EQ(decode({}, cfg.env()).interface, "eth0");
}

TEST(decode_options, config_file_unknown_option_names_the_file_and_line) {
  const config_dir cfg("--summary\n\n--sumary-only\n");
  const auto e = decode_error({"cap.pcap"}, cfg.env());
  EXPECT_EQ(e.find(cfg.file() + ":3: "), 0u) << e;
  EXPECT_NE(e.find("--sumary-only"), std::string::npos) << e;
}

TEST(decode_options, config_file_bad_value_names_the_file_line_and_option) {
  const config_dir cfg("--count 5\n--type PUBLISH,NOPE\n");
  const auto e = decode_error({"cap.pcap"}, cfg.env());
  EXPECT_EQ(e.find(cfg.file() + ":2: --type: unknown packet type \"NOPE\""), 0u) << e;
}

TEST(decode_options, config_file_misspelt_option_does_not_repeat_its_value) {
  const config_dir cfg("--clientid s3cret-device\n");
  const auto e = decode_error({"cap.pcap"}, cfg.env());
  EXPECT_NE(e.find(":1: "), std::string::npos) << e;
  EXPECT_EQ(e.find("s3cret"), std::string::npos) << e;
}

}  // namespace
}  // namespace mqtk::tools
