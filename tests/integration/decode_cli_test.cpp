// mqtk-decode run as a user runs it: on the shared captures, on bad and missing files, on hex
// dumps from stdin; stdout lines must parse as JSON where promised, exit codes per ARCHITECTURE.md.
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/capture_streams.hpp"
#include "support/process.hpp"

namespace mqtk::test {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

run_result decode(std::vector<std::string> args, std::string input = {}) {
  args.insert(args.begin(), tool_path("mqtk-decode").string());
  return run(std::move(args), 60s, std::move(input));
}

TEST(decode_cli, every_capture_json_lines_parse_and_exit_0) {
  const auto names = capture_names();
  ASSERT_GE(names.size(), 16u) << "no recordings under " << data_dir() / "captures";
  for (const auto& name : names) {
    const auto r = decode({"--json", "--summary", capture_path(name).string()});
    ASSERT_EQ(r.exit_code(), 0) << name << ": " << r.describe();
    std::size_t packets = 0, connections = 0;
    for (const auto& line : lines_of(r.out)) {
      nlohmann::json j;
      ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << name << ": " << line;
      if (j.contains("event")) {
        EXPECT_EQ(j["event"], "connection");
        EXPECT_TRUE(j["findings"].is_array());
        ++connections;
      } else {
        EXPECT_TRUE(j.contains("frame") && j.contains("type") && j.contains("dir")) << line;
        ++packets;
      }
    }
    EXPECT_GT(packets, 0u) << name;
    EXPECT_GT(connections, 0u) << name;
  }
}

TEST(decode_cli, text_trace_and_summary) {
  const auto r = decode({"--summary", capture_path("refused_auth_v311").string()});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_NE(r.out.find("CONNACK session_present=0 rc=5 (Not authorized)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("connection refused: not authorized"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("password=\""), std::string::npos);
}

TEST(decode_cli, summary_only_prints_no_packet_lines) {
  const auto r = decode({"--json", "--summary-only", capture_path("keepalive_timeout").string()});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  const auto silent = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(silent["client_id"], "silent-esp32");
  bool keepalive = false;
  for (const auto& f : silent["findings"]) keepalive = keepalive || f["kind"] == "keepalive_violated";
  EXPECT_TRUE(keepalive) << lines[1];
}

TEST(decode_cli, filters_by_type_topic_and_client_id) {
  const auto path = capture_path("v311_basic").string();
  auto r = decode({"--json", "--type", "publish,puback", path});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  for (const auto& line : lines_of(r.out)) {
    const auto t = nlohmann::json::parse(line)["type"].get<std::string>();
    EXPECT_TRUE(t == "PUBLISH" || t == "PUBACK") << line;
  }
  r = decode({"--json", "--topic", "sensors/+/setpoint", path});
  const auto setpoint = lines_of(r.out);
  ASSERT_EQ(setpoint.size(), 2u) << r.out;  // the retained publish in and out
  for (const auto& line : setpoint)
    EXPECT_EQ(nlohmann::json::parse(line)["topic"], "sensors/kitchen/setpoint");
  r = decode({"--json", "--client-id", "pub-q2", path});
  const auto q2 = lines_of(r.out);
  ASSERT_FALSE(q2.empty());
  for (const auto& line : q2) EXPECT_EQ(nlohmann::json::parse(line)["stream"], 3) << line;
}

TEST(decode_cli, not_a_capture_exits_65) {
  temp_dir dir;
  write_file(dir / "notes.txt", "this is not a capture file at all\n");
  const auto r = decode({(dir / "notes.txt").string()});
  EXPECT_EQ(r.exit_code(), 65) << r.describe();
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
}

TEST(decode_cli, missing_file_exits_66) {
  const auto r = decode({"/nonexistent/dir/capture.pcapng"});
  EXPECT_EQ(r.exit_code(), 66) << r.describe();
  ASSERT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("mqtk-decode:"), std::string::npos);
}

TEST(decode_cli, usage_errors_exit_64) {
  EXPECT_EQ(decode({}).exit_code(), 64);
  EXPECT_EQ(decode({"--type", "BOGUS", capture_path("v311_basic").string()}).exit_code(), 64);
  EXPECT_EQ(decode({"--topic", "a/#/b", capture_path("v311_basic").string()}).exit_code(), 64);
  EXPECT_EQ(decode({"--no-such-option"}).exit_code(), 64);
}

TEST(decode_cli, capture_from_stdin) {
  const auto bytes = read_file(capture_path("v31_legacy"));
  const auto r = decode({"--json", "-"}, bytes);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(nlohmann::json::parse(lines[0])["version"], "3.1");
}

TEST(decode_cli, hex_from_stdin) {
  const auto r = decode({"--hex", "--json"}, "10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 61 62\n"
                                              "0x30,0x07,0x00,0x03,0x61,0x2f,0x62,0x68,0x69\n");
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(nlohmann::json::parse(lines[0])["client_id"], "ab");
  const auto pub = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(pub["topic"], "a/b");
  EXPECT_EQ(pub["payload"], "hi");
}

TEST(decode_cli, hex_xxd_file_with_version_option) {
  temp_dir dir;
  // A 5.0 CONNACK with a property: only readable as 5.0.
  write_file(dir / "dump.txt", "00000000: 2006 0000 0322 000a                      ....\".\n");
  const auto r = decode({"--hex", "--mqtt-version", "5", (dir / "dump.txt").string()});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_NE(r.out.find("CONNACK"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("topic_alias_maximum=10"), std::string::npos) << r.out;
}

TEST(decode_cli, bad_hex_exits_65_naming_line_and_column) {
  const auto r = decode({"--hex"}, "10 0c\n00 qq\n");
  EXPECT_EQ(r.exit_code(), 65) << r.describe();
  EXPECT_NE(r.err.find(":2:4:"), std::string::npos) << r.err;
}

TEST(decode_cli, missing_hex_file_exits_66) {
  EXPECT_EQ(decode({"--hex", "/nonexistent/dump.txt"}).exit_code(), 66);
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

TEST(decode_cli, json_error_also_on_stdout) {
  const auto r = run({tool_path("mqtk-decode").string(), "--json", "/nonexistent/x.pcap"}, 30s);
  EXPECT_EQ(r.exit_code(), 66) << r.describe();
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["event"], "error");
  EXPECT_EQ(j["exit_code"], 66);
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

TEST(decode_cli, unknown_interface_exits_66) {
  const auto r = run({tool_path("mqtk-decode").string(), "-i", "no-such-iface0"}, 30s);
  EXPECT_EQ(r.exit_code(), 66) << r.describe();
  EXPECT_NE(r.err.find("mqtk-decode:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mqtk::test

// ---------------------------------------------------------------------------------------------
// Options through the shared loader: ~/.config/mqtk/mqtk_decode (or $XDG_CONFIG_HOME's), read
// before the command line; a bad line there is one stderr line naming the file and the line.

namespace mqtk::test {
namespace {

// mqtk-decode with HOME (and XDG_CONFIG_HOME, when given) set by the test.
run_result decode_with_home(const temp_dir& home, std::vector<std::string> args, const std::string& xdg = {}) {
  args.insert(args.begin(), tool_path("mqtk-decode").string());
  process_options o{.args = std::move(args), .env = {{"HOME", home.path().string()}}};
  if (xdg.empty()) {
    o.unset_env = {"XDG_CONFIG_HOME"};
  } else {
    o.env.emplace_back("XDG_CONFIG_HOME", xdg);
  }
  return run(std::move(o), 60s);
}

void write_config(const std::filesystem::path& config_home, const std::string& text) {
  std::filesystem::create_directories(config_home / "mqtk");
  write_file(config_home / "mqtk" / "mqtk_decode", text);
}

void expect_one_usage_line(const run_result& r, const std::vector<std::string>& words) {
  EXPECT_EQ(r.exit_code(), 64) << r.describe();
  EXPECT_TRUE(r.out.empty()) << r.out;
  ASSERT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("mqtk-decode: ", 0), 0u) << r.err;
  for (const auto& w : words) EXPECT_NE(r.err.find(w), std::string::npos) << "no \"" << w << "\" in " << r.err;
}

TEST(decode_config, the_config_file_in_home_sets_defaults) {
  temp_dir home;
  write_config(home / ".config", "# summaries as JSON\n--json\n--summary-only\n");
  const auto r = decode_with_home(home, {capture_path("refused_auth_v311").string()});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) EXPECT_EQ(nlohmann::json::parse(line)["event"], "connection") << line;
}

TEST(decode_config, xdg_config_home_wins_over_home) {
  temp_dir home;
  write_config(home / ".config", "--type CONNECT\n");
  write_config(home / "xdg", "--json\n--type CONNACK\n");
  const auto r = decode_with_home(home, {capture_path("refused_auth_v311").string()}, (home / "xdg").string());
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) EXPECT_EQ(nlohmann::json::parse(line)["type"], "CONNACK") << line;
}

TEST(decode_config, the_command_line_overrides_the_config_file) {
  temp_dir home;
  write_config(home / ".config", "--json\n--type CONNECT\n--count 1\n-i no-such-iface0\n");
  // --type and --count again, and a capture file instead of the config file's interface.
  const auto r = decode_with_home(home, {"--type", "CONNACK", "--count", "2", capture_path("refused_auth_v311").string()});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  for (const auto& line : lines) EXPECT_EQ(nlohmann::json::parse(line)["type"], "CONNACK") << line;
}

TEST(decode_config, an_unknown_option_in_the_config_file_exits_64_naming_file_and_line) {
  temp_dir home;
  write_config(home / ".config", "--json\n\n--sumary\n");
  const auto file = (home / ".config" / "mqtk" / "mqtk_decode").string();
  expect_one_usage_line(decode_with_home(home, {capture_path("v311_basic").string()}), {file + ":3:", "--sumary"});
}

TEST(decode_config, a_bad_value_in_the_config_file_exits_64_naming_file_line_and_option) {
  temp_dir home;
  write_config(home / ".config", "--count ten\n");
  const auto file = (home / ".config" / "mqtk" / "mqtk_decode").string();
  expect_one_usage_line(decode_with_home(home, {capture_path("v311_basic").string()}), {file + ":1:", "--count", "ten"});
}

TEST(decode_config, a_misspelt_option_in_the_config_file_does_not_show_its_value) {
  temp_dir home;
  write_config(home / ".config", "--clientid s3cret-device-key\n");
  const auto r = decode_with_home(home, {capture_path("v311_basic").string()});
  expect_one_usage_line(r, {":1:", "--clientid"});
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
}

TEST(decode_options_cli, the_last_of_an_option_wins) {
  const auto r = decode({"--json", "--count", "1", "--type", "CONNECT", "--count", "3", "--type", "PUBLISH",
                         capture_path("v311_basic").string()});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (const auto& line : lines) EXPECT_EQ(nlohmann::json::parse(line)["type"], "PUBLISH") << line;
}

TEST(decode_options_cli, bad_values_exit_64_with_one_line_naming_the_option) {
  const auto file = capture_path("v311_basic").string();
  expect_one_usage_line(decode({"--count", "-1", file}), {"--count", "(see mqtk-decode --help)"});
  expect_one_usage_line(decode({"--mqtt-version", "6", file}), {"--mqtt-version", "6"});
  expect_one_usage_line(decode({"--type", "PUBLISH,BOGUS", file}), {"--type", "\"BOGUS\""});
  expect_one_usage_line(decode({"--topic", "a/#/b", file}), {"--topic", "a/#/b"});
  expect_one_usage_line(decode({"-f", "tcp port 1883", file}), {"-f", "-i IFACE"});
  expect_one_usage_line(decode({}), {"give a capture file"});
}

}  // namespace
}  // namespace mqtk::test
