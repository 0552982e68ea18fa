// mqtk-pub and mqtk-sub options as a script uses them, against a real mosquitto and compared
// with mosquitto_pub/mosquitto_sub 2.0: what the broker would refuse is refused before
// connecting (exit 64, one line naming the option) where mosquitto_pub fails too; unreadable
// files are exit 66 naming the file; secrets never appear in any output; --quiet silences
// error lines; the last of -L/-h/-p/-t wins (a config file's -h no longer refuses -L); empty
// -D values are sent; TLS-PSK both ways with mosquitto_pub over a real PSK listener.
//
// Every wait is bounded; nothing asserts on how long something took.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/broker.hpp"
#include "support/cli_runner.hpp"
#include "support/ready_subscriber.hpp"
#include "support/process.hpp"
#include "support/param_name.hpp"

namespace mqtk {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::broker;
using test::broker_options;
using test::concat;
using test::count_lines;
using test::process;
using test::process_options;
using test::pub_tool;
using test::run_result;
using test::str;
using test::sub_tool;
using test::wait_until;

constexpr int exit_usage = 64;
constexpr int exit_cannot_open = 66;
constexpr int exit_unreachable = 69;
constexpr int exit_tls = 79;

const std::string psk_identity = "esp32-dev";
const std::string psk_key = "5ec7e7c0ffee42";  // a secret: must never be printed
const std::string psk_port_file_name = "psk.txt";

// One broker: plain TCP (every packet logged) and a TLS-PSK listener with psk_hint and a
// psk_file, as an ESP32 with esp-tls would use.
struct psk_broker {
  test::temp_dir dir{"mqtk-psk"};
  std::uint16_t psk_port = test::free_port();
  std::uint16_t psk12_port = test::free_port();  // TLS 1.2 only: the PSK cipher suites
  std::unique_ptr<broker> b;

  psk_broker() {
    std::ofstream(dir / psk_port_file_name) << psk_identity << ":" << psk_key << "\n";
    // extra_config goes before the broker's own listeners: this block is a listener of its own.
    b = std::make_unique<broker>(broker_options{
        .verbose_log = true,
        .extra_config = "psk_file " + (dir / psk_port_file_name).string() + "\nlistener " + str(psk_port) +
                        " 127.0.0.1\npsk_hint mqtk-test-hint\nlistener " + str(psk12_port) +
                        " 127.0.0.1\npsk_hint mqtk-test-hint\ntls_version tlsv1.2"});
    for (const auto port : {psk_port, psk12_port}) {
      if (!test::wait_for_port("127.0.0.1", port, 10s)) throw std::runtime_error("PSK listener did not start");
    }
  }
};

psk_broker& shared() {
  static std::unique_ptr<psk_broker> p = std::make_unique<psk_broker>();
  return *p;
}
const broker& mosq() { return *shared().b; }
std::vector<std::string> at() { return test::at(mosq()); }
std::vector<std::string> over_psk(std::uint16_t port = 0) {
  return {"-h", "127.0.0.1", "-p", str(port ? port : shared().psk_port), "--psk", psk_key, "--psk-identity",
          psk_identity};
}

run_result pub(const std::vector<std::string>& args, std::vector<std::pair<std::string, std::string>> env = {}) {
  return test::run(process_options{.args = concat({pub_tool()}, args), .env = std::move(env)}, 20s);
}
run_result sub(const std::vector<std::string>& args) { return test::run(concat({sub_tool()}, args), 20s); }

using ready_sub = test::ready_subscriber;

using test::expect_one_error_line;

// ---------------------------------------------------------------------------------------------
// What the broker refuses is refused locally, where mosquitto_pub fails as well.

struct refusal {
  std::vector<std::string> args;  // after the connection options
  std::string option;
};
class pub_refuses_locally : public ::testing::TestWithParam<refusal> {};

TEST_P(pub_refuses_locally, with_exit_64_naming_the_option_as_mosquitto_pub_fails) {
  const auto& c = GetParam();
  const auto r = pub(concat(at(), c.args));
  expect_one_error_line(r, exit_usage, {c.option});
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "a control character is shown escaped";
  const auto m = test::run(concat(concat({"mosquitto_pub"}, at()), c.args), 20s);
  EXPECT_NE(m.exit_code(), 0) << "mosquitto_pub accepted it: " << m.describe();
}

INSTANTIATE_TEST_SUITE_P(
    topics_and_properties, pub_refuses_locally,
    ::testing::Values(refusal{{"-t", "crlf/topic\r", "-m", "x"}, "-t"},
                      refusal{{"-t", "del\x7f", "-m", "x"}, "-t"},
                      refusal{{"-t", "c1\xc2\x80", "-m", "x"}, "-t"},
                      refusal{{"-t", "bad\xff", "-m", "x"}, "-t"},
                      refusal{{"-t", "a/#", "-m", "x"}, "-t"},
                      refusal{{"-t", std::string(70000, 'a'), "-m", "x"}, "-t"},
                      refusal{{"-t", "a", "-m", "x", "--will-topic", "w\r"}, "--will-topic"},
                      refusal{{"-t", "a", "-m", "x", "-D", "publish", "topic-alias", "0"}, "-D"},
                      refusal{{"-t", "a", "-m", "x", "-D", "connect", "receive-maximum", "0"}, "-D"},
                      refusal{{"-t", "a", "-m", "x", "-D", "connect", "maximum-packet-size", "0"}, "-D"},
                      refusal{{"-t", "a", "-m", "x", "-D", "connect", "request-problem-information", "2"}, "-D"},
                      refusal{{"-t", "a", "-m", "x", "-D", "connect", "session-expiry-interval", "5", "-D", "connect",
                               "session-expiry-interval", "6"},
                              "-D"},
                      refusal{{"-t", "a", "-m", "x", "-x", "6", "-D", "connect", "session-expiry-interval", "5"}, "-x"},
                      refusal{{"-t", "a", "-m", "x", "-D", "publish", "content-type", "a", "-D", "publish",
                               "content-type", "b"},
                              "-D"},
                      refusal{{"-t", "a", "-m", "x", "-D", "publish", "content-type", "text\r"}, "-D"}),
    [](const auto& info) { return mqtk::test::param_name(info.index, info.param.args); });

TEST(sub_refuses_locally, subscription_identifier_zero_or_twice_and_control_characters) {
  expect_one_error_line(sub(concat(at(), {"-t", "a", "-D", "subscribe", "subscription-identifier", "0"})), exit_usage,
                        {"-D"});
  const std::vector<std::string> twice = {"-t", "a", "-D", "subscribe", "subscription-identifier", "1",
                                          "-D", "subscribe", "subscription-identifier", "2"};
  expect_one_error_line(sub(concat(at(), twice)), exit_usage, {"-D", "twice"});
  EXPECT_NE(test::run(concat(concat({"mosquitto_sub"}, at()), concat(twice, {"-W", "1"})), 20s).exit_code(), 0);
  expect_one_error_line(sub(concat(at(), {"-t", "a/+\r"})), exit_usage, {"-t", "control character"});
}

// ---------------------------------------------------------------------------------------------
// Exit codes that say what went wrong.

TEST(pubsub_exit_codes, bind_address_that_is_not_an_address_is_a_usage_error) {
  expect_one_error_line(pub(concat(at(), {"-A", "notanaddr", "-t", "a", "-m", "x"})), exit_usage, {"-A", "notanaddr"});
}

TEST(pubsub_exit_codes, unreadable_tls_files_are_66_naming_the_file) {
  expect_one_error_line(pub(concat(at(), {"--cafile", "/nonexistent/ca.pem", "-t", "a", "-m", "x"})),
                        exit_cannot_open, {"--cafile", "/nonexistent/ca.pem"});
  expect_one_error_line(sub(concat(at(), {"--capath", "/nonexistent/certs", "-t", "a"})), exit_cannot_open,
                        {"--capath", "/nonexistent/certs"});
  const auto ca = broker::certs().ca.cert.string();
  expect_one_error_line(pub(concat(at(), {"--cafile", ca, "--cert", "/nonexistent/c.pem", "--key", "/nonexistent/k.pem",
                                          "-t", "a", "-m", "x"})),
                        exit_cannot_open, {"--cert", "/nonexistent/c.pem"});
}

TEST(pubsub_exit_codes, a_directory_for_f_or_password_file_says_so) {
  test::temp_dir dir("mqtk-opt-dir");
  expect_one_error_line(pub(concat(at(), {"-t", "a", "-f", dir.path().string()})), exit_cannot_open,
                        {"-f", "is a directory"});
  expect_one_error_line(pub(concat(at(), {"-t", "a", "-m", "x", "-u", "u", "--password-file", dir.path().string()})),
                        exit_cannot_open, {"--password-file", "is a directory"});
}

// ---------------------------------------------------------------------------------------------
// Secrets: grep everything printed.

TEST(pubsub_secrets, url_errors_and_debug_output_never_show_the_password) {
  const std::string secret = "Ur1-s3cret";
  const auto bad = pub({"-L", "mqtt://alice:" + secret + "@127.0.0.1:99999/t", "-m", "x"});
  expect_one_error_line(bad, exit_usage, {"-L", "alice:****@"});
  EXPECT_EQ((bad.out + bad.err).find(secret), std::string::npos) << bad.describe();
  // -d against the real broker (anonymous allowed, so the credentials are simply accepted).
  const auto ok = pub({"-d", "-L", "mqtt://alice:" + secret + "@" + mosq().host() + ":" + str(mosq().port()) + "/t",
                       "-m", "x"});
  EXPECT_EQ(ok.exit_code(), 0) << ok.describe();
  EXPECT_NE(ok.err.find("CONNECT"), std::string::npos) << ok.err;
  EXPECT_EQ((ok.out + ok.err).find(secret), std::string::npos) << ok.describe();
}

TEST(pubsub_secrets, a_malformed_ws_header_and_a_misspelt_option_in_the_config_file_are_not_echoed) {
  const auto h = pub(concat(at(), {"--ws-header", "Authorization Bearer T0KEN-s3cret", "-t", "a", "-m", "x"}));
  expect_one_error_line(h, exit_usage, {"--ws-header"});
  EXPECT_EQ(h.err.find("T0KEN-s3cret"), std::string::npos) << h.err;
  test::temp_dir cfg("mqtk-opt-cfg");
  fs::create_directories(cfg / "mqtk");
  std::ofstream(cfg / "mqtk" / "mqtk_pub") << "--password Cfg-s3cret\n";
  const auto c = pub(concat(at(), {"-t", "a", "-m", "x"}), {{"XDG_CONFIG_HOME", cfg.path().string()}});
  expect_one_error_line(c, exit_usage, {"--password"});
  EXPECT_EQ(c.err.find("Cfg-s3cret"), std::string::npos) << c.err;
}

// ---------------------------------------------------------------------------------------------
// --quiet, as mosquitto's: runtime error lines go, the exit code stays.

TEST(pubsub_quiet, silences_error_lines_but_not_the_exit_code) {
  const std::string closed = str(test::free_port());
  const auto p = pub({"-h", "127.0.0.1", "-p", closed, "-t", "a", "-m", "x", "--quiet"});
  EXPECT_EQ(p.exit_code(), exit_unreachable) << p.describe();
  EXPECT_EQ(p.err, "");
  const auto s = sub({"-h", "127.0.0.1", "-p", closed, "-t", "a", "--quiet"});
  EXPECT_EQ(s.exit_code(), exit_unreachable) << s.describe();
  EXPECT_EQ(s.err, "");
  const auto m = test::run({"mosquitto_pub", "-h", "127.0.0.1", "-p", closed, "-t", "a", "-m", "x", "--quiet"}, 20s);
  EXPECT_NE(m.exit_code(), 0);
  EXPECT_EQ(m.err, "") << "mosquitto_pub --quiet is silent too";
}

// ---------------------------------------------------------------------------------------------
// Order: the command line wins over the config file, and the last of -L/-h/-p/-t wins.

TEST(pubsub_order, config_file_host_and_port_then_command_line_url_publishes) {
  test::temp_dir cfg("mqtk-opt-cfg");
  fs::create_directories(cfg / "mqtk");
  std::ofstream(cfg / "mqtk" / "mqtk_pub") << "-h 192.0.2.1\n-p 1\n";
  ready_sub s(concat(at(), {"-t", "order/url"}));
  ASSERT_TRUE(s.ready()) << s.err();
  const auto r = pub({"-L", mosq().url() + "/order/url", "-m", "from-url"}, {{"XDG_CONFIG_HOME", cfg.path().string()}});
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(s.finish(), 0) << s.err();
  EXPECT_EQ(s.out(), "from-url\n");
}

TEST(pubsub_order, t_then_url_publishes_to_the_urls_topic_as_mosquitto_pub_does) {
  for (const std::string& tool : {pub_tool(), std::string("mosquitto_pub")}) {
    ready_sub s(concat(at(), {"-t", "order/Y"}));
    ASSERT_TRUE(s.ready()) << s.err();
    const auto r = test::run({tool, "-t", "order/X", "-L", mosq().url() + "/order/Y", "-m", "to-Y"}, 20s);
    EXPECT_EQ(r.exit_code(), 0) << tool << ": " << r.describe();
    EXPECT_EQ(s.finish(), 0) << s.err();
    EXPECT_EQ(s.out(), "to-Y\n") << tool;
  }
}

TEST(pubsub_order, port_after_url_wins) {
  ready_sub s(concat(at(), {"-t", "order/p"}));
  ASSERT_TRUE(s.ready()) << s.err();
  const auto r = pub({"-L", "mqtt://" + mosq().host() + ":1/order/p", "-p", str(mosq().port()), "-m", "p"});
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(s.finish(), 0) << s.err();
}

// ---------------------------------------------------------------------------------------------
// What mosquitto accepts and scripts rely on.

TEST(pubsub_accepts, empty_property_values_are_sent) {
  ready_sub s(concat(at(), {"-V", "5", "-t", "empty/props", "--json"}));
  ASSERT_TRUE(s.ready()) << s.err();
  const auto r = pub(concat(at(), {"-t", "empty/props", "-m", "x", "-D", "publish", "user-property", "trace", "", "-D",
                                   "publish", "content-type", ""}));
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  ASSERT_EQ(s.finish(), 0) << s.err();
  const auto j = nlohmann::json::parse(s.out());
  EXPECT_EQ(j["properties"]["content_type"], "") << s.out();
  EXPECT_EQ(j["properties"]["user_properties"], nlohmann::json::parse(R"([["trace",""]])")) << s.out();
}

TEST(pubsub_accepts, repeat_one_with_a_delay_and_will_qos_alone) {
  for (const std::string& tool : {pub_tool(), std::string("mosquitto_pub")}) {
    const auto r = test::run(concat(concat({tool}, at()), {"-t", "acc", "-m", "x", "--repeat", "1", "--repeat-delay",
                                                            "1", "--will-qos", "1"}),
                             20s);
    EXPECT_EQ(r.exit_code(), 0) << tool << ": " << r.describe();
  }
}

TEST(pubsub_accepts, fractional_wait_times_out_with_27) {
  const auto r = sub(concat(at(), {"-t", "nothing/here", "-W", "1.5"}));
  expect_one_error_line(r, 27, {"1.5 s"});
}

TEST(pubsub_accepts, exit_after_subscribe_with_unsubscribe_prints_nothing_like_mosquitto_sub) {
  for (const std::string& tool : {sub_tool(), std::string("mosquitto_sub")}) {
    const auto r = test::run(concat(concat({tool}, at()), {"-t", "e/a", "-E", "-U", "e/b"}), 20s);
    EXPECT_EQ(r.exit_code(), 0) << tool << ": " << r.describe();
    EXPECT_EQ(r.out, "") << tool;
    EXPECT_EQ(r.err, "") << tool;
  }
}

// ---------------------------------------------------------------------------------------------
// Output details.

TEST(pubsub_output, invalid_json_for_percent_j_is_one_stderr_line_like_mosquitto_sub) {
  const auto p = pub(concat(at(), {"-t", "out/notjson", "-r", "-m", "not json"}));
  ASSERT_EQ(p.exit_code(), 0) << p.describe();
  const auto ours = sub(concat(at(), {"-t", "out/notjson", "-C", "1", "-W", "10", "-F", "%J"}));
  const auto theirs = test::run(concat(concat({"mosquitto_sub"}, at()), {"-t", "out/notjson", "-C", "1", "-W", "10",
                                                                          "-F", "%J"}),
                                20s);
  EXPECT_EQ(ours.err, "Error: Message payload is not valid JSON on topic out/notjson.\n") << ours.describe();
  EXPECT_EQ(ours.err, theirs.err);
  EXPECT_EQ(ours.out, theirs.out);
  (void)pub(concat(at(), {"-t", "out/notjson", "-r", "-n"}));
}

TEST(pubsub_output, json_payload_keeps_the_payloads_own_text) {
  const auto p = pub(concat(at(), {"-t", "out/json", "-r", "-m", R"({"a":1.10,"a":2})"}));
  ASSERT_EQ(p.exit_code(), 0) << p.describe();
  const auto s = sub(concat(at(), {"-t", "out/json", "-C", "1", "-W", "10", "--json-payload"}));
  EXPECT_EQ(s.exit_code(), 0) << s.describe();
  EXPECT_NE(s.out.find(R"("payload":{"a":1.10,"a":2},"payload_encoding":"json")"), std::string::npos) << s.out;
  (void)pub(concat(at(), {"-t", "out/json", "-r", "-n"}));
}

// ---------------------------------------------------------------------------------------------
// TLS-PSK against mosquitto's psk_file listener.

// The default listener negotiates TLS 1.3 (external PSK); the second one allows only TLS 1.2,
// i.e. the PSK cipher suites of RFC 4279.
TEST(pubsub_psk, mqtk_pub_to_mqtk_sub_over_tls13_and_tls12) {
  for (const auto port : {shared().psk_port, shared().psk12_port}) {
    ready_sub s(concat(over_psk(port), {"-t", "psk/mqtk"}));
    ASSERT_TRUE(s.ready()) << s.err();
    const auto r = pub(concat(over_psk(port), {"-d", "-t", "psk/mqtk", "-q", "1", "-m", "hello-psk"}));
    EXPECT_EQ(r.exit_code(), 0) << r.describe();
    EXPECT_NE(r.err.find("TLS handshake done"), std::string::npos) << r.err;
    EXPECT_EQ((r.out + r.err).find(psk_key), std::string::npos) << "the key is printed: " << r.describe();
    EXPECT_EQ(s.finish(), 0) << s.err();
    EXPECT_EQ(s.out(), "hello-psk\n");
  }
}

TEST(pubsub_psk, mosquitto_pub_psk_to_mqtk_sub) {
  ready_sub s(concat(over_psk(), {"-t", "psk/interop"}));
  ASSERT_TRUE(s.ready()) << s.err();
  const auto r = test::run({"mosquitto_pub", "-h", "127.0.0.1", "-p", str(shared().psk_port), "--psk", psk_key,
                            "--psk-identity", psk_identity, "-t", "psk/interop", "-m", "from-mosquitto"},
                           20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(s.finish(), 0) << s.err();
  EXPECT_EQ(s.out(), "from-mosquitto\n");
}

TEST(pubsub_psk, key_from_environment_or_file) {
  const std::vector<std::string> where = {"-h", "127.0.0.1", "-p", str(shared().psk_port), "--psk-identity",
                                          psk_identity, "-t", "psk/env", "-m", "x"};
  const auto e = pub(where, {{"MQTK_PSK", psk_key}});
  EXPECT_EQ(e.exit_code(), 0) << e.describe();
  test::temp_dir dir("mqtk-psk-file");
  std::ofstream(dir / "key") << psk_key << "\n";
  const auto f = pub(concat(where, {"--psk-file", (dir / "key").string()}));
  EXPECT_EQ(f.exit_code(), 0) << f.describe();
}

TEST(pubsub_psk, a_wrong_key_is_a_tls_failure_naming_psk_and_never_the_key) {
  const std::string wrong = "0badc0ffee99";
  for (const std::string& tool : {pub_tool(), sub_tool()}) {
    std::vector<std::string> args = {tool, "-h", "127.0.0.1", "-p", str(shared().psk_port), "--psk", wrong,
                                     "--psk-identity", psk_identity, "-t", "psk/wrong"};
    if (tool == pub_tool()) args = concat(args, {"-m", "x"});
    const auto r = test::run(args, 20s);
    expect_one_error_line(r, exit_tls, {"TLS", "TLS-PSK", psk_identity, "--psk", "psk_file"});
    EXPECT_EQ(r.err.find("badc0ffee99"), std::string::npos) << r.err;
    // No certificate is involved with a pre-shared key: advice about the CA would mislead.
    EXPECT_EQ(r.err.find("--cafile"), std::string::npos) << r.err;
  }
}

// mosquitto resets a TLS hello on its plain listener: that is no verdict on the key, and blaming
// the key (as mqtk did) sends the user to the wrong file.
TEST(pubsub_psk, a_plain_mqtt_port_reset_is_not_blamed_on_the_key) {
  const auto r = pub(concat(over_psk(mosq().port()), {"-t", "psk/plain", "-m", "x"}));
  expect_one_error_line(r, exit_tls, {"closed the connection during the TLS-PSK handshake", "plain MQTT listener"});
  EXPECT_EQ(r.err.find("did not accept the TLS-PSK key"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mqtk
