// mqtk-pub and mqtk-sub as drop-ins for mosquitto_pub/mosquitto_sub: the built executables run
// as a user's script would run them, against a real mosquitto, side by side with the reference
// clients. Byte-for-byte output comparison in every output mode (3.1.1 and 5.0), --json,
// stdout/stderr separation and closed pipes, exit codes, readiness signals, secrets, -l line
// mode, reconnects and sessions, the config file, and every transport scheme.
//
// Every wait is bounded; nothing asserts on how long something took.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/broker.hpp"
#include "support/cli_runner.hpp"
#include "support/process.hpp"

namespace mqtk {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::broker;
using test::broker_options;
using test::listener;
using test::process;
using test::process_options;
using test::run_result;

using test::at;
using test::concat;
using test::count_lines;
using test::pub_tool;
using test::str;
using test::sub_tool;
using test::wait_for_file;
using test::wait_for_subscribe;
using test::wait_until;

// -F %j / %J carry the receive time: the one thing that may differ.
std::string without_timestamps(const std::string& s) {
  static const std::regex tst(R"("tst":"[^"]*")");
  return std::regex_replace(s, tst, R"("tst":"")");
}

// One broker for the tests that need nothing special: every listener, every packet logged.
class shared {
 public:
  static broker& get() {
    static std::unique_ptr<broker> b = std::make_unique<broker>(broker_options{
        .tls = true, .ws = true, .wss = true, .verbose_log = true, .extra_config = "max_queued_messages 0\n"});
    return *b;
  }
};

// ---------------------------------------------------------------------------------------------
// Output: byte for byte what mosquitto_sub prints, in every mode, for 3.1.1 and 5.0.

struct published {
  std::vector<std::string> args;  // mosquitto_pub/mqtk-pub arguments after -t TOPIC
};

void output_compat(const std::string& version) {
  broker& b = shared::get();
  const bool v5 = version == "5";
  test::temp_dir dir("mqtk-pubsub-fmt");
  const std::string topic = "pubsub/fmt/v" + version;
  const char binary_bytes[] = "\x00\x01\x7f\x80\xfe\xff tab\there\nnext";
  std::string binary(binary_bytes, sizeof binary_bytes - 1);
  test::write_file(dir / "binary", binary);

  std::vector<published> messages = {
      {{"-q", "0", "-m", "hello"}},
      {{"-q", "1", "-n"}},
      {{"-q", "1", "-f", (dir / "binary").string()}},
      {{"-q", "2", "-m", "{\"a\":[1,2],\"b\":\"x\"}"}},
      {{"-q", "1", "-m", "héllo wörld %t \\n"}},
  };
  if (v5) {
    messages.push_back({{"-q", "1", "-m", "{\"with\":\"properties\"}", "-D", "publish", "content-type",
                         "application/json", "-D", "publish", "user-property", "k1", "v1", "-D", "publish",
                         "user-property", "k2", "v2", "-D", "publish", "response-topic", "reply/here", "-D",
                         "publish", "correlation-data", "corr-123", "-D", "publish", "payload-format-indicator",
                         "1"}});
  }

  std::vector<std::vector<std::string>> modes = {
      {},
      {"-v"},
      {"-N"},
      {"-v", "-N"},
      {"-F", "%t %p %l %m %q %r"},
      {"-F", "%x|%X"},
      {"-F", "[%20t][%-8p][%08l][%-3q][%5m]\\t\\\\%%\\e\\a|\\v\\r"},
      {"-F", "%j"},
      {"-F", "%J"},
  };
  if (v5) {
    modes.push_back({"-F", "C=%C|R=%R|D=%D|F=%F|P=%P|E=%E|A=%A"});
    modes.push_back({"-v", "-F", "%t:%P:%C:%R"});
  }
  const std::size_t expected = 2 * messages.size();  // each sent once by mosquitto_pub, once by mqtk-pub

  // One pair of subscribers per mode, all subscribed before anything is published. QoS 1
  // subscriptions: packet ids (%m) appear, and no QoS 2 PUBREL reordering.
  std::vector<std::unique_ptr<process>> theirs, ours;
  for (std::size_t i = 0; i < modes.size(); ++i) {
    const std::string id = "fmt-ref-v" + version + "-" + std::to_string(i) + "-x";
    std::vector<std::string> common = concat(at(b), {"-V", version == "5" ? "5" : "311", "-t", topic, "-q", "1",
                                                     "-C", std::to_string(expected), "-W", "60"});
    theirs.push_back(std::make_unique<process>(process_options{
        .args = concat(concat(concat({"mosquitto_sub"}, common), {"-i", id}), modes[i]), .env = {{"TZ", "UTC"}}}));
    const fs::path ready = dir / ("ready" + std::to_string(i));
    ours.push_back(std::make_unique<process>(process_options{
        .args = concat(concat(concat({sub_tool()}, common), {"--ready-file", ready.string()}), modes[i]),
        .env = {{"TZ", "UTC"}}}));
  }
  for (std::size_t i = 0; i < modes.size(); ++i) {
    ASSERT_TRUE(wait_for_subscribe(b, "fmt-ref-v" + version + "-" + std::to_string(i) + "-x")) << b.log();
    ASSERT_TRUE(wait_for_file(dir / ("ready" + std::to_string(i)), 15s)) << ours[i]->err();
  }
  for (const auto& m : messages) {
    for (const std::string& tool : {std::string("mosquitto_pub"), pub_tool()}) {
      auto args = concat(concat({tool}, at(b)), {"-V", v5 ? "5" : "311", "-t", topic});
      const auto r = test::run(concat(args, m.args), 20s);
      ASSERT_TRUE(r.status.success()) << r.describe();
      EXPECT_EQ(r.out, "") << tool;
    }
  }
  for (std::size_t i = 0; i < modes.size(); ++i) {
    std::string mode;
    for (const auto& a : modes[i]) mode += a + " ";
    const auto their_status = theirs[i]->wait_or_kill(30s);
    const auto our_status = ours[i]->wait_or_kill(30s);
    EXPECT_TRUE(their_status.success()) << mode << their_status.to_string() << theirs[i]->err();
    EXPECT_TRUE(our_status.success()) << mode << our_status.to_string() << ours[i]->err();
    EXPECT_EQ(without_timestamps(ours[i]->out()), without_timestamps(theirs[i]->out()))
        << "-V " << version << " mode: " << mode;
    EXPECT_FALSE(theirs[i]->out().empty()) << mode;
  }
}

TEST(pubsub_output, same_bytes_as_mosquitto_sub_v311) { output_compat("311"); }
TEST(pubsub_output, same_bytes_as_mosquitto_sub_v5) { output_compat("5"); }

// ---------------------------------------------------------------------------------------------
// --json

std::string base64_decode(const std::string& in) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -8;
  for (char c : in) {
    if (c == '=') break;
    const auto pos = chars.find(c);
    if (pos == std::string::npos) return "<invalid base64>";
    value = (value << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((value >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

TEST(pubsub_json, one_compact_object_per_message) {
  broker& b = shared::get();
  test::temp_dir dir("mqtk-pubsub-json");
  const std::string topic = "pubsub/json";
  const std::string binary("bin\x00\xff\x01", 6);
  test::write_file(dir / "binary", binary);
  process sub(process_options{.args = concat(concat({sub_tool()}, at(b)),
                                             {"-V", "5", "-q", "1", "-t", topic, "-C", "3", "-W", "30", "--json",
                                              "--ready-file", (dir / "ready").string()})});
  ASSERT_TRUE(wait_for_file(dir / "ready", 15s)) << sub.err();
  const auto base = concat(concat({pub_tool()}, at(b)), {"-V", "5", "-t", topic});
  for (const auto& extra : std::vector<std::vector<std::string>>{
           {"-q", "1", "-m", "héllo \"quoted\"\n", "-D", "publish", "content-type", "text/plain", "-D", "publish",
            "user-property", "k", "v", "-D", "publish", "user-property", "k", "v2", "-D", "publish",
            "response-topic", "re/sp", "-D", "publish", "correlation-data", "c0rr", "-D", "publish",
            "payload-format-indicator", "1", "-D", "publish", "message-expiry-interval", "3600"},
           {"-q", "0", "-f", (dir / "binary").string()},
           {"-q", "1", "-n"}}) {
    const auto r = test::run(concat(base, extra), 20s);
    ASSERT_TRUE(r.status.success()) << r.describe();
  }
  const auto status = sub.wait_or_kill(30s);
  ASSERT_TRUE(status.success()) << status.to_string() << sub.err();
  const std::string out = sub.out();
  ASSERT_EQ(count_lines(out), 3u) << out;

  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  static const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  for (std::string line; std::getline(in, line);) {
    EXPECT_EQ(line.find(": "), std::string::npos) << "not compact: " << line;
    auto j = nlohmann::json::parse(line);
    ASSERT_TRUE(j.is_object()) << line;
    ASSERT_TRUE(j.contains("ts")) << line;
    EXPECT_TRUE(std::regex_match(j["ts"].get<std::string>(), rfc3339)) << line;
    EXPECT_EQ(j["topic"], topic);
    lines.push_back(std::move(j));
  }
  EXPECT_EQ(lines[0]["payload"], "héllo \"quoted\"\n");
  EXPECT_EQ(lines[0]["payload_encoding"], "utf8");
  EXPECT_EQ(lines[0]["payload_len"], std::string("héllo \"quoted\"\n").size());
  EXPECT_EQ(lines[0]["qos"], 1);
  EXPECT_EQ(lines[0]["retain"], false);
  ASSERT_TRUE(lines[0].contains("properties")) << lines[0].dump();
  const auto& p = lines[0]["properties"];
  EXPECT_EQ(p["content_type"], "text/plain");
  EXPECT_EQ(p["response_topic"], "re/sp");
  EXPECT_EQ(p["payload_format_indicator"], 1);
  EXPECT_TRUE(p.contains("correlation_data")) << p.dump();
  EXPECT_TRUE(p.contains("message_expiry_interval")) << p.dump();
  EXPECT_EQ(p["user_properties"], nlohmann::json::parse(R"([["k","v"],["k","v2"]])"));
  EXPECT_EQ(lines[1]["payload_encoding"], "base64");
  EXPECT_EQ(base64_decode(lines[1]["payload"].get<std::string>()), binary);
  EXPECT_EQ(lines[1]["payload_len"], 6);
  EXPECT_EQ(lines[1]["qos"], 0);
  EXPECT_EQ(lines[2]["payload"], "");
  EXPECT_EQ(lines[2]["payload_len"], 0);

  // What a user pipes it into.
  if (!test::find_program("jq").empty()) {
    const auto jq = test::run({"jq", "-c", "."}, 10s, out);
    ASSERT_TRUE(jq.status.success()) << jq.describe();
    EXPECT_EQ(count_lines(jq.out), 3u);
    EXPECT_EQ(jq.out, out) << "jq -c . re-encodes differently: not compact JSON lines";
  }
}

// ---------------------------------------------------------------------------------------------
// stdout carries data only; a closed pipe ends the subscriber with 0.

TEST(pubsub_streams, debug_goes_to_stderr_stdout_has_payload_only) {
  broker& b = shared::get();
  const std::string topic = "pubsub/streams/debug";
  auto r = test::run(concat(concat({pub_tool()}, at(b)), {"-t", topic, "-r", "-m", "payload-only", "-d"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err, "") << "-d printed nothing on stderr";
  r = test::run(concat(concat({sub_tool()}, at(b)), {"-t", topic, "-C", "1", "-W", "10", "-d"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(r.out, "payload-only\n");
  EXPECT_NE(r.err, "");
}

TEST(pubsub_streams, closed_pipe_exits_zero) {
  broker& b = shared::get();
  test::temp_dir dir("mqtk-pubsub-pipe");
  const std::string topic = "pubsub/streams/pipe";
  std::string cmd = "'" + sub_tool() + "' -h " + b.host() + " -p " + str(b.port()) + " -t " + topic +
                    " --ready-file '" + (dir / "ready").string() + "' | head -1 > '" + (dir / "out").string() +
                    "'; echo \"${PIPESTATUS[0]}\" > '" + (dir / "rc").string() + "'";
  process script(process_options{.args = {"bash", "-c", cmd}});
  ASSERT_TRUE(wait_for_file(dir / "ready", 15s)) << script.err();
  // Keep publishing until the subscriber notices that nobody reads any more.
  for (int i = 0; i < 100 && script.running(); ++i) {
    const auto r = test::run({"mosquitto_pub", "-h", b.host(), "-p", str(b.port()), "-t", topic, "-m",
                              "line " + std::to_string(i)},
                             10s);
    ASSERT_TRUE(r.status.success()) << r.describe();
  }
  const auto status = script.wait_or_kill(20s);
  ASSERT_TRUE(status.success()) << status.to_string() << script.err();
  EXPECT_EQ(test::read_file(dir / "out"), "line 0\n");
  EXPECT_EQ(test::read_file(dir / "rc"), "0\n") << "mqtk-sub's exit status behind `| head -1`; stderr:\n"
                                                << script.err();
}

// ---------------------------------------------------------------------------------------------
// Exit codes (ARCHITECTURE.md).

TEST(pubsub_exit, unreachable_is_69) {
  const auto port = str(test::free_port());
  for (const auto& tool : {pub_tool(), sub_tool()}) {
    auto args = std::vector<std::string>{tool, "-h", "127.0.0.1", "-p", port, "-t", "x"};
    if (tool == pub_tool()) args.insert(args.end(), {"-m", "x"});
    const auto r = test::run(args, 30s);
    EXPECT_EQ(r.exit_code(), 69) << r.describe();
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  }
}

TEST(pubsub_exit, tls_unknown_ca_is_79) {
  broker b(broker_options{.tls = true, .cert = test::server_cert::unknown_ca});
  for (const auto& tool : {pub_tool(), sub_tool()}) {
    auto args = std::vector<std::string>{tool,   "-h", b.host(), "-p", str(b.port(listener::tls)), "--cafile",
                                         broker::certs().ca.cert.string(), "-t", "x"};
    if (tool == pub_tool()) args.insert(args.end(), {"-m", "x"});
    const auto r = test::run(args, 30s);
    EXPECT_EQ(r.exit_code(), 79) << r.describe();
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  }
}

TEST(pubsub_exit, sub_timeout_is_27) {
  broker& b = shared::get();
  // Nothing arrives: -W without -C.
  auto r = test::run(concat(concat({sub_tool()}, at(b)), {"-t", "pubsub/exit/nothing", "-W", "1"}), 20s);
  EXPECT_EQ(r.exit_code(), 27) << r.describe();
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  // One retained message arrives, -C 2 wants two.
  const std::string topic = "pubsub/exit/one";
  r = test::run({"mosquitto_pub", "-h", b.host(), "-p", str(b.port()), "-t", topic, "-r", "-m", "only"}, 10s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  r = test::run(concat(concat({sub_tool()}, at(b)), {"-t", topic, "-C", "2", "-W", "1"}), 20s);
  EXPECT_EQ(r.exit_code(), 27) << r.describe();
  EXPECT_EQ(r.out, "only\n");
  // Without -C, something arrived: success.
  r = test::run(concat(concat({sub_tool()}, at(b)), {"-t", topic, "-W", "1"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(r.out, "only\n");
}

class pubsub_auth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = std::make_unique<broker>(
        broker_options{.allow_anonymous = false, .users = {{"alice", "Sup3r-s3cret-pw"}}, .verbose_log = true});
  }
  static void TearDownTestSuite() { broker_.reset(); }
  static std::unique_ptr<broker> broker_;
  static constexpr const char* password = "Sup3r-s3cret-pw";
};
std::unique_ptr<broker> pubsub_auth::broker_;

TEST_F(pubsub_auth, refused_connection_exits_with_the_brokers_code) {
  broker& b = *broker_;
  for (const auto& [version, code] : std::vector<std::pair<std::string, int>>{{"311", 5}, {"5", 135}}) {
    for (const auto& tool : {pub_tool(), sub_tool()}) {
      auto args = concat(concat({tool}, at(b)), {"-V", version, "-u", "alice", "-P", "wrong", "-t", "x"});
      if (tool == pub_tool()) args.insert(args.end(), {"-m", "x"});
      const auto r = test::run(args, 20s);
      EXPECT_EQ(r.exit_code(), code) << r.describe();
      EXPECT_EQ(r.out, "");
      EXPECT_EQ(count_lines(r.err), 1u) << r.err;
      EXPECT_NE(r.err.find("not authorized"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("-u/-P"), std::string::npos) << "no fix named: " << r.err;
    }
    // What mosquitto_pub does, for the record: the same code.
    const auto ref = test::run(concat(concat({"mosquitto_pub"}, at(b)),
                                      {"-V", version, "-u", "alice", "-P", "wrong", "-t", "x", "-m", "x"}),
                               20s);
    EXPECT_EQ(ref.exit_code(), code) << ref.describe();
  }
}

TEST_F(pubsub_auth, password_from_environment_and_file_never_printed) {
  broker& b = *broker_;
  test::temp_dir dir("mqtk-pubsub-auth");
  test::write_file(dir / "pw", std::string(password) + "\n");
  const std::string topic = "pubsub/auth";
  process sub(process_options{
      .args = concat(concat({sub_tool()}, at(b)), {"-u", "alice", "-t", topic, "-C", "3", "-W", "30", "-d",
                                                   "--ready-file", (dir / "ready").string()}),
      .env = {{"MQTK_PASSWORD", password}}});
  ASSERT_TRUE(wait_for_file(dir / "ready", 15s)) << sub.err();

  auto r = test::run(process_options{.args = concat(concat({pub_tool()}, at(b)),
                                                    {"-u", "alice", "-t", topic, "-m", "from-env", "-d"}),
                                     .env = {{"MQTK_PASSWORD", password}}},
                     20s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(r.err.find(password), std::string::npos) << r.err;
  r = test::run(concat(concat({pub_tool()}, at(b)), {"-u", "alice", "--password-file", (dir / "pw").string(), "-t",
                                                     topic, "-m", "from-file", "-d", "-V", "5"}),
                20s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(r.err.find(password), std::string::npos) << r.err;
  // Even given on the command line or in a URL, -d shows no password.
  r = test::run({pub_tool(), "-L", "mqtt://alice:" + std::string(password) + "@" + b.host() + ":" + str(b.port()) +
                                       "/" + topic,
                 "-m", "from-url", "-d"},
                20s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(r.err.find(password), std::string::npos) << r.err;

  const auto status = sub.wait_or_kill(30s);
  ASSERT_TRUE(status.success()) << status.to_string() << sub.err();
  EXPECT_EQ(sub.out(), "from-env\nfrom-file\nfrom-url\n");
  EXPECT_EQ(sub.err().find(password), std::string::npos) << sub.err();

  // A wrong password in the environment is refused: the variable is really used.
  r = test::run(process_options{.args = concat(concat({pub_tool()}, at(b)), {"-u", "alice", "-t", topic, "-m", "x"}),
                                .env = {{"MQTK_PASSWORD", "wrong"}}},
                20s);
  EXPECT_EQ(r.exit_code(), 5) << r.describe();
}

// A 5.0 PUBACK/PUBREC failure: mosquitto 2.0.11 answers a PUBLISH over message_size_limit with
// reason code 0x95 (packet too large); mosquitto_pub exits 0 anyway, mqtk-pub exits 149.
// (Measured: payload-format-indicator 1 with invalid UTF-8 gets 0x10 "no matching subscribers"
// from 2.0.11, not 0x99.)
TEST(pubsub_exit, puback_failure_is_the_reason_code) {
  broker b(broker_options{.extra_config = "message_size_limit 100\n"});
  const std::string big(200, 'x');
  for (const std::string qos : {"1", "2"}) {
    auto r = test::run(concat(concat({pub_tool()}, at(b)), {"-V", "5", "-q", qos, "-t", "big", "-m", big}), 20s);
    EXPECT_EQ(r.exit_code(), 0x95) << "-q " << qos << r.describe();
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    r = test::run(concat(concat({"mosquitto_pub"}, at(b)), {"-V", "5", "-q", qos, "-t", "big", "-m", big}), 20s);
    EXPECT_EQ(r.exit_code(), 0) << "mosquitto_pub " << r.describe();
  }
  // -l: one refused line among good ones fails the run.
  auto r = test::run(concat(concat({pub_tool()}, at(b)), {"-V", "5", "-q", "1", "-t", "big", "-l"}), 20s,
                     "small\n" + big + "\nsmall again\n");
  EXPECT_EQ(r.exit_code(), 0x95) << r.describe();
  // Small messages still succeed.
  r = test::run(concat(concat({pub_tool()}, at(b)), {"-V", "5", "-q", "1", "-t", "big", "-m", "small"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
}

// ---------------------------------------------------------------------------------------------
// Readiness: -E, --ready-fd, --ready-file.

TEST(pubsub_ready, E_exits_zero_once_subscribed) {
  broker& b = shared::get();
  const auto r = test::run(concat(concat({sub_tool()}, at(b)), {"-t", "pubsub/ready/a", "-t", "pubsub/ready/b", "-E"}),
                           20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST(pubsub_ready, ready_fd_then_publish_is_not_racy) {
  broker& b = shared::get();
  test::temp_dir dir("mqtk-pubsub-readyfd");
  const std::string topic = "pubsub/ready/fd";
  // The CI pattern: start the subscriber in the background, wait for its signal on a file
  // descriptor, publish, wait for the subscriber.
  const std::string cmd = "exec 3>'" + (dir / "signal").string() + "'; exec '" + sub_tool() + "' -h " + b.host() +
                          " -p " + str(b.port()) + " -t " + topic + " -q 1 -C 1 -W 30 --ready-fd 3";
  process sub(process_options{.args = {"bash", "-c", cmd}});
  ASSERT_TRUE(wait_until([&] { return test::read_file(dir / "signal") == "ready\n"; }, 15s))
      << test::read_file(dir / "signal") << sub.err();
  ASSERT_TRUE(sub.running()) << "the subscriber must stay to receive";
  const auto r = test::run(concat(concat({pub_tool()}, at(b)), {"-t", topic, "-q", "1", "-m", "after-ready"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  const auto status = sub.wait_or_kill(30s);
  EXPECT_TRUE(status.success()) << status.to_string() << sub.err();
  EXPECT_EQ(sub.out(), "after-ready\n");
}

TEST(pubsub_ready, ready_file_in_a_shell_script) {
  broker& b = shared::get();
  test::temp_dir dir("mqtk-pubsub-readyfile");
  const std::string topic = "pubsub/ready/file";
  const std::string ready = (dir / "ready").string();
  const std::string script =
      "set -e\n"
      "'" + sub_tool() + "' -h " + b.host() + " -p " + str(b.port()) + " -t " + topic +
      " -C 2 -W 30 --ready-file '" + ready + "' > '" + (dir / "out").string() + "' &\n"
      "sub=$!\n"
      "for i in $(seq 1 500); do [ -e '" + ready + "' ] && break; sleep 0.02; done\n"
      "'" + pub_tool() + "' -h " + b.host() + " -p " + str(b.port()) + " -t " + topic + " -m one\n"
      "mosquitto_pub -h " + b.host() + " -p " + str(b.port()) + " -t " + topic + " -m two\n"
      "wait $sub\n";
  const auto r = test::run({"bash", "-c", script}, 60s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(test::read_file(dir / "out"), "one\ntwo\n");
}

// ---------------------------------------------------------------------------------------------
// -l line mode at QoS 1.

TEST(pubsub_lines, hundred_thousand_lines_at_qos1_all_delivered) {
  broker& b = shared::get();
  constexpr int n = 100'000;
  std::string input;
  input.reserve(n * 12);
  for (int i = 0; i < n; ++i) input += "line-" + std::to_string(i) + "\n";
  const std::string topic = "pubsub/lines/100k";
  process counter(process_options{.args = concat(concat({"mosquitto_sub"}, at(b)),
                                                 {"-t", topic, "-q", "1", "-C", std::to_string(n), "-W", "90", "-i",
                                                  "lines-counter"})});
  ASSERT_TRUE(wait_for_subscribe(b, "lines-counter")) << b.log();
  const auto r = test::run(process_options{.args = concat(concat({pub_tool()}, at(b)), {"-t", topic, "-q", "1", "-l"}),
                                           .input = test::stdin_mode::data,
                                           .stdin_data = input},
                           90s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(r.out, "");
  const auto status = counter.wait_or_kill(90s);
  EXPECT_TRUE(status.success()) << status.to_string() << counter.err();
  const std::string got = counter.out();
  EXPECT_EQ(count_lines(got), static_cast<std::size_t>(n));
  EXPECT_TRUE(got == input) << "the lines arrived changed or out of order";
}

TEST(pubsub_lines, lines_at_qos2_all_delivered_in_order) {
  broker& b = shared::get();
  constexpr int n = 5'000;
  std::string input;
  for (int i = 0; i < n; ++i) input += "q2-" + std::to_string(i) + "\n";
  const std::string printed = input;  // mosquitto_sub prints nothing at all for an empty payload
  input += "\n";                      // an empty line is an empty message, as in mosquitto_pub
  const std::string topic = "pubsub/lines/qos2";
  test::temp_dir dir("mqtk-pubsub-q2");
  process counter(process_options{.args = concat(concat({sub_tool()}, at(b)),
                                                 {"-t", topic, "-q", "2", "-C", std::to_string(n + 1), "-W", "60",
                                                  "--ready-file", (dir / "ready").string()})});
  ASSERT_TRUE(wait_for_file(dir / "ready", 15s)) << counter.err();
  const auto r = test::run(process_options{.args = concat(concat({pub_tool()}, at(b)), {"-t", topic, "-q", "2", "-l"}),
                                           .input = test::stdin_mode::data,
                                           .stdin_data = input},
                           60s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  const auto status = counter.wait_or_kill(60s);
  EXPECT_TRUE(status.success()) << status.to_string() << counter.err();
  EXPECT_TRUE(counter.out() == printed) << "received " << count_lines(counter.out()) << " lines";
}

TEST(pubsub_lines, broker_killed_mid_stream_fails) {
  broker b;
  const std::string topic = "pubsub/lines/killed";
  process pub(process_options{.args = concat(concat({pub_tool()}, at(b)), {"-t", topic, "-q", "1", "-l"}),
                              .input = test::stdin_mode::pipe});
  std::string chunk;
  for (int i = 0; i < 1000; ++i) chunk += "before-" + std::to_string(i) + "\n";
  pub.write_stdin(chunk);
  // Until the broker has seen some of them, so that the kill is really mid-stream.
  ASSERT_TRUE(wait_until([&] { return b.log().find("New client connected") != std::string::npos; }, 15s)) << b.log();
  b.kill();
  try {
    pub.write_stdin(chunk);
    pub.close_stdin();
  } catch (const std::exception&) {
    // The publisher may already have given up and closed its stdin.
  }
  const auto status = pub.wait_or_kill(60s);
  EXPECT_TRUE(status.exited) << status.to_string();
  EXPECT_NE(status.exit_code, 0) << pub.err();
  EXPECT_FALSE(pub.err().empty());
}

// ---------------------------------------------------------------------------------------------
// Reconnect, resubscribe, resume.

TEST(pubsub_reconnect, resubscribes_after_broker_restart) {
  broker b;
  test::temp_dir dir("mqtk-pubsub-reconnect");
  const std::string topic = "pubsub/reconnect/plain";
  process sub(process_options{.args = concat(concat({sub_tool()}, at(b)),
                                             {"-t", topic, "-q", "1", "-W", "60", "-C", "2", "--ready-file",
                                              (dir / "ready").string()})});
  ASSERT_TRUE(wait_for_file(dir / "ready", 15s)) << sub.err();
  auto r = test::run(concat(concat({"mosquitto_pub"}, at(b)), {"-t", topic, "-q", "1", "-m", "before"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  ASSERT_TRUE(sub.wait_for_output("before\n", 15s)) << sub.err();
  b.restart();
  ASSERT_TRUE(sub.wait_for_output("reconnected", 30s, true)) << sub.err();
  EXPECT_NE(sub.err().find("connection lost"), std::string::npos) << sub.err();
  EXPECT_NE(sub.err().find("resubscribed"), std::string::npos) << sub.err();
  r = test::run(concat(concat({"mosquitto_pub"}, at(b)), {"-t", topic, "-q", "1", "-m", "after"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  const auto status = sub.wait_or_kill(30s);
  EXPECT_TRUE(status.success()) << status.to_string() << sub.err();
  EXPECT_EQ(sub.out(), "before\nafter\n");
}

TEST(pubsub_reconnect, persistent_session_resumes_after_restart) {
  broker b(broker_options{.persistence = true});
  test::temp_dir dir("mqtk-pubsub-resume");
  const std::string topic = "pubsub/reconnect/session";
  process sub(process_options{.args = concat(concat({sub_tool()}, at(b)),
                                             {"-t", topic, "-q", "1", "-c", "-i", "resume-sub", "-W", "60", "-C", "3",
                                              "--ready-file", (dir / "ready").string()})});
  ASSERT_TRUE(wait_for_file(dir / "ready", 15s)) << sub.err();
  auto r = test::run(concat(concat({"mosquitto_pub"}, at(b)), {"-t", topic, "-q", "1", "-m", "before"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  ASSERT_TRUE(sub.wait_for_output("before\n", 15s)) << sub.err();
  b.stop();
  b.start();
  // Published right away, most likely before the subscriber is back: kept in its session.
  r = test::run(concat(concat({"mosquitto_pub"}, at(b)), {"-t", topic, "-q", "1", "-m", "while-away"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  ASSERT_TRUE(sub.wait_for_output("reconnected", 30s, true)) << sub.err();
  EXPECT_NE(sub.err().find("session resumed"), std::string::npos) << sub.err();
  r = test::run(concat(concat({"mosquitto_pub"}, at(b)), {"-t", topic, "-q", "1", "-m", "after"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  const auto status = sub.wait_or_kill(30s);
  EXPECT_TRUE(status.success()) << status.to_string() << sub.err();
  EXPECT_EQ(sub.out(), "before\nwhile-away\nafter\n");
}

TEST(pubsub_reconnect, persistent_session_across_runs) {
  broker& b = shared::get();
  const std::string topic = "pubsub/reconnect/runs";
  const auto sub_args = concat(concat({sub_tool()}, at(b)), {"-t", topic, "-q", "1", "-c", "-i", "runs-sub"});
  auto r = test::run(concat(sub_args, {"-E"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  for (const auto& m : {"away-1", "away-2"}) {
    r = test::run(concat(concat({pub_tool()}, at(b)), {"-t", topic, "-q", "1", "-m", m}), 20s);
    ASSERT_TRUE(r.status.success()) << r.describe();
  }
  r = test::run(concat(sub_args, {"-C", "2", "-W", "20"}), 30s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(r.out, "away-1\naway-2\n");
}

// ---------------------------------------------------------------------------------------------
// ~/.config/mqtk/mqtk_sub

TEST(pubsub_config, config_file_is_honoured) {
  broker& b = shared::get();
  test::temp_dir home("mqtk-pubsub-home");
  const std::string topic = "pubsub/config";
  auto r = test::run({"mosquitto_pub", "-h", b.host(), "-p", str(b.port()), "-t", topic, "-r", "-m", "configured"},
                     10s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  const std::string config = "# mqtk-sub defaults\n-h " + b.host() + "\n-p " + str(b.port()) + "\n-v\n";
  // $HOME/.config/mqtk/mqtk_sub
  fs::create_directories(home / ".config" / "mqtk");
  test::write_file(home / ".config" / "mqtk" / "mqtk_sub", config);
  r = test::run(process_options{.args = {sub_tool(), "-t", topic, "-C", "1", "-W", "10"},
                                .env = {{"HOME", home.path().string()}},
                                .unset_env = {"XDG_CONFIG_HOME"}},
                20s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(r.out, topic + " configured\n");
  // $XDG_CONFIG_HOME/mqtk/mqtk_sub wins.
  fs::create_directories(home / "xdg" / "mqtk");
  test::write_file(home / "xdg" / "mqtk" / "mqtk_sub", "-h " + b.host() + "\n-p " + str(b.port()) + "\n-F %t=%p\n");
  r = test::run(process_options{.args = {sub_tool(), "-t", topic, "-C", "1", "-W", "10"},
                                .env = {{"HOME", home.path().string()},
                                        {"XDG_CONFIG_HOME", (home / "xdg").string()}}},
                20s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  EXPECT_EQ(r.out, topic + "=configured\n");
}

// ---------------------------------------------------------------------------------------------
// Every scheme × version × QoS, -f with a binary file and a 1 MB file, received byte-exact by
// mosquitto_sub (retained, so no subscription race).

TEST(pubsub_schemes, every_scheme_version_qos_byte_exact) {
  broker& b = shared::get();
  test::temp_dir dir("mqtk-pubsub-schemes");
  std::string small;
  for (int i = 0; i < 256; ++i) small.push_back(static_cast<char>(i));
  small += std::string("\0\0end\0", 6);
  std::string big(1024 * 1024, '\0');
  std::uint32_t x = 12345;
  for (auto& c : big) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  test::write_file(dir / "small.bin", small);
  test::write_file(dir / "big.bin", big);
  const std::string ca = broker::certs().ca.cert.string();
  const std::string hostport_tcp = b.host() + ":" + str(b.port(listener::tcp));
  const std::string hostport_tls = b.host() + ":" + str(b.port(listener::tls));
  const std::string hostport_ws = b.host() + ":" + str(b.port(listener::ws));
  const std::string hostport_wss = b.host() + ":" + str(b.port(listener::wss));
  for (const std::string scheme : {"mqtt", "mqtts", "ws", "wss"}) {
    for (const std::string version : {"31", "311", "5"}) {
      for (const std::string qos : {"0", "1", "2"}) {
        for (const auto& [name, content] : std::vector<std::pair<std::string, const std::string*>>{
                 {"small.bin", &small}, {"big.bin", &big}}) {
          const std::string topic = "pubsub/scheme/" + scheme + "/" + version + "/" + qos + "/" + name;
          std::vector<std::string> args = {pub_tool()};
          if (scheme == "mqtt") args.insert(args.end(), {"-L", "mqtt://" + hostport_tcp + "/" + topic});
          if (scheme == "mqtts") args.insert(args.end(), {"-L", "mqtts://" + hostport_tls + "/" + topic, "--cafile", ca});
          if (scheme == "ws") args.insert(args.end(), {"-L", "ws://" + hostport_ws + "/mqtt", "-t", topic});
          if (scheme == "wss") {
            args.insert(args.end(), {"-L", "wss://" + hostport_wss + "/mqtt", "--cafile", ca, "-t", topic});
          }
          args.insert(args.end(), {"-V", version, "-q", qos, "-r", "-f", (dir / name).string()});
          const std::string what = scheme + " -V " + version + " -q " + qos + " " + name;
          auto r = test::run(args, 30s);
          ASSERT_TRUE(r.status.success()) << what << "\n" << r.describe();
          const fs::path received = dir / "received";
          r = test::run(process_options{.args = {"mosquitto_sub", "-h", b.host(), "-p", str(b.port()), "-t", topic,
                                                 "-N", "-C", "1", "-W", "20"},
                                        .stdout_file = received},
                        30s);
          ASSERT_TRUE(r.status.success()) << what << "\n" << r.describe();
          const std::string got = test::read_file(received);
          EXPECT_EQ(got.size(), content->size()) << what;
          EXPECT_TRUE(got == *content) << what << ": bytes differ";
          // Clear it: the broker need not keep 36 MB.
          r = test::run({"mosquitto_pub", "-h", b.host(), "-p", str(b.port()), "-t", topic, "-r", "-n"}, 10s);
          ASSERT_TRUE(r.status.success()) << r.describe();
        }
      }
    }
  }
}

}  // namespace
}  // namespace mqtk
