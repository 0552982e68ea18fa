// mqtk-ping --explain and --device run as a user runs them: --explain over a file and stdin of
// real device log lines (exit codes, words of the explanations, --json that parses), and
// --device against a real mosquitto (a PubSubClient-sized payload that does not fit its buffer;
// a broker whose max_keepalive is below the device library's keepalive).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <utility>
#include <string>
#include <vector>

#include "support/broker.hpp"
#include "support/cli_runner.hpp"
#include "support/process.hpp"

namespace mqtk::test {
namespace {

using namespace std::chrono_literals;

run_result ping(std::vector<std::string> args, std::string input = {}) {
  args.insert(args.begin(), tool_path("mqtk-ping").string());
  return run(std::move(args), 60s, std::move(input));
}

bool contains(const std::string& s, std::string_view needle) { return s.find(needle) != std::string::npos; }

std::size_t count_of(const std::string& s, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + needle.size())) ++n;
  return n;
}

// Real lines: the ESP-IDF MQTT FAQ's log (CRLF and colour codes as idf.py monitor shows them),
// a certificate failure as esp-mqtt's example prints it, and a PubSubClient sketch's output.
const std::string device_log =
    "\x1b[0;33mW (4211) MQTT_CLIENT: Connection refused, not authorized\x1b[0m\r\n"
    "I (4217) MQTT_CLIENT: Error MQTT Connected\r\n"
    "I (4222) MQTT_CLIENT: Reconnect after 10000 ms\r\n"
    "I (4228) MQTT_EXAMPLE: MQTT_EVENT_DISCONNECTED\r\n"
    "\r\n"
    "E (5000) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2700\r\n"
    "E (5001) esp-tls-mbedtls: Failed to verify peer certificate!\r\n"
    "E (5002) mqtt_client: Error transport connect\r\n"
    "12:01:02.345 -> Attempting MQTT connection...failed, rc=-2 try again in 5 seconds\r\n";

TEST(ping_explain, file_of_real_lines) {
  temp_dir dir("mqtk-explain");
  write_file(dir / "device.log", device_log);
  const auto r = ping({"--explain", "@" + (dir / "device.log").string()});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(contains(r.out, "line 1: W (4211) MQTT_CLIENT: Connection refused, not authorized")) << r.out;
  EXPECT_TRUE(contains(r.out, "not authorized (CONNACK return code 5)")) << r.out;
  EXPECT_TRUE(contains(r.out, "MBEDTLS_ERR_X509_CERT_VERIFY_FAILED (-0x2700)")) << r.out;
  EXPECT_TRUE(contains(r.out, "likely causes (the line alone does not say which)")) << r.out;
  EXPECT_TRUE(contains(r.out, "mqtk-ping -h HOST -p 8883 --cafile ca.pem")) << r.out;
  EXPECT_TRUE(contains(r.out, "MQTT_CONNECT_FAILED (-2)")) << r.out;
  EXPECT_TRUE(contains(r.out, "7 of 8 lines recognised; not recognised (1):")) << r.out;
  EXPECT_TRUE(contains(r.out, "line 4: I (4228) MQTT_EXAMPLE: MQTT_EVENT_DISCONNECTED")) << r.out;
  EXPECT_FALSE(contains(r.out, "\x1b[")) << "colour codes must not reach the output";
}

TEST(ping_explain, json_from_stdin_parses) {
  const auto r = ping({"--explain", "-", "--json"}, device_log);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  ASSERT_EQ(count_of(r.out, "\n"), 1u) << "one JSON object on one line: " << r.out;
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
  ASSERT_TRUE(j["explanations"].is_array());
  EXPECT_EQ(j["explanations"].size(), 7u);
  EXPECT_EQ(j["recognised_count"], 7);
  EXPECT_EQ(j["unrecognised_count"], 1);
  const auto& first = j["explanations"][0];
  EXPECT_EQ(first["line_no"], 1);
  EXPECT_EQ(first["line"], "W (4211) MQTT_CLIENT: Connection refused, not authorized");
  EXPECT_EQ(first["source"], "esp-mqtt");
  EXPECT_TRUE(first["causes"].is_array());
  EXPECT_TRUE(first["try"].is_array());
  EXPECT_FALSE(first["meaning"].get<std::string>().empty());
  EXPECT_EQ(j["unrecognised"][0]["line_no"], 4);
}

TEST(ping_explain, text_argument) {
  const auto r = ping({"--explain", "E (13733) esp-tls: [sock=54] select() timeout"});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "timed out")) << r.out;
  EXPECT_TRUE(contains(r.out, "1 of 1 line recognised.")) << r.out;
}

TEST(ping_explain, suggestions_use_the_broker_given_with_h) {
  const auto r = ping({"-h", "broker.example.com", "--explain", "failed, rc=5 try again in 5 seconds"});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "mqtk-ping -h broker.example.com -u USER -P PASSWORD")) << r.out;
}

TEST(ping_explain, nothing_recognised_exits_65_with_one_line) {
  const auto r = ping({"--explain", "-"}, "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\nhello\n");
  EXPECT_EQ(r.exit_code(), 65) << r.describe();
  EXPECT_EQ(count_of(r.err, "\n"), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "none of the 2 lines given is a line mqtk knows")) << r.err;
  EXPECT_TRUE(contains(r.out, "0 of 2 lines recognised")) << r.out;
}

TEST(ping_explain, unreadable_file_exits_66) {
  temp_dir dir("mqtk-explain");
  const auto r = ping({"--explain", "@" + (dir / "missing.log").string()});
  EXPECT_EQ(r.exit_code(), 66) << r.describe();
  EXPECT_EQ(count_of(r.err, "\n"), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "cannot open")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// --- the suggested runs reproduce the device's failure --------------------------------------------
//
// The log names the broker (the URI esp-mqtt was given), so --explain's first suggestion is a
// complete command; run against a real broker in the device's situation it must fail the same way.

std::vector<std::string> split_words(const std::string& command) {
  std::vector<std::string> words;
  std::string w;
  for (char ch : command) {
    if (ch == ' ') {
      if (!w.empty()) words.push_back(std::exchange(w, {}));
    } else {
      w += ch;
    }
  }
  if (!w.empty()) words.push_back(w);
  return words;
}

// The first suggested command for the log's first explanation, with the placeholders a user
// would fill in replaced.
std::vector<std::string> suggestion(const std::string& log, const std::map<std::string, std::string>& fill) {
  const auto r = ping({"--explain", "-", "--json"}, log);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  const auto j = nlohmann::json::parse(r.out);
  const std::string cmd = j["explanations"][0]["try"][0];
  auto words = split_words(cmd);
  EXPECT_EQ(words.at(0), "mqtk-ping") << cmd;
  words.erase(words.begin());
  for (auto& w : words)
    if (auto it = fill.find(w); it != fill.end()) w = it->second;
  return words;
}

TEST(ping_explain_reproduces, not_authorized) {
  broker b({.allow_anonymous = false, .users = {{"sensor", "right"}}});
  const std::string log = "I (1200) app: broker " + b.url() + "\n"
                          "W (4211) MQTT_CLIENT: Connection refused, not authorized\n";
  auto args = suggestion(log, {{"USER", "sensor"}, {"PASSWORD", "wrong"}});
  ASSERT_EQ(args.at(0), "-h");
  EXPECT_EQ(args.at(1), b.host());
  const auto r = ping(concat(args, {"-c", "1"}));
  EXPECT_EQ(r.exit_code(), 5) << r.describe();  // the broker's 3.1.1 return code, as on the device
  EXPECT_TRUE(contains(r.err, "not authorized")) << r.err;
}

TEST(ping_explain_reproduces, certificate_verify_failed) {
  broker b({.tls = true, .cert = server_cert::unknown_ca});
  const std::string log = "I (1200) app: broker " + b.url(listener::tls) + "\n"
                          "E (5000) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2700\n";
  auto args = suggestion(log, {{"ca.pem", broker::certs().ca.cert.string()}});
  EXPECT_TRUE(std::ranges::find(args, "--cafile") != args.end());
  const auto r = ping(concat(args, {"-c", "1"}));
  EXPECT_EQ(r.exit_code(), 79) << r.describe();  // TLS verification failed, as on the device
  EXPECT_TRUE(contains(r.err, "certificate")) << r.err;
}

TEST(ping_explain_reproduces, nothing_listens_on_the_port) {
  const auto port = free_port();
  const std::string log = "I (1200) app: broker mqtt://127.0.0.1:" + std::to_string(port) + "\n"
                          "E (618) esp-tls: [sock=54] delayed connect error: Connection reset by peer\n";
  const auto r = ping(concat(suggestion(log, {}), {"-c", "1"}));
  EXPECT_EQ(r.exit_code(), 69) << r.describe();  // unreachable: TCP refused
  EXPECT_TRUE(contains(r.err, "refused")) << r.err;
}

TEST(ping_explain_reproduces, the_brokers_own_log_of_a_refusal_and_a_take_over) {
  // The broker's log of this very run is the input: what mosquitto printed must be explained.
  broker b({.allow_anonymous = false, .users = {{"sensor", "right"}}});
  const auto refused = ping(concat(at(b), {"-u", "sensor", "-P", "wrong", "-c", "1"}));
  ASSERT_EQ(refused.exit_code(), 5) << refused.describe();
  process first({.args = {tool_path("mqtk-ping").string(), "-h", b.host(), "-p", str(b.port()), "-u", "sensor", "-P",
                          "right", "--id", "twin", "-c", "0", "-i", "0.1"}});
  ASSERT_TRUE(first.wait_for_output("seq=1 ", 20s)) << first.out() << first.err();
  const auto second = ping(concat(at(b), {"-u", "sensor", "-P", "right", "--id", "twin", "-c", "1"}));
  EXPECT_EQ(second.exit_code(), 0) << second.describe();
  first.wait_or_kill(20s);
  ASSERT_TRUE(wait_until([&] { return contains(b.log(), "already connected, closing old connection"); }, 10s)) << b.log();

  const auto r = ping({"--explain", "-", "--json"}, b.log());
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  const auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> codes;
  for (const auto& e : j["explanations"]) codes.push_back(e["code"]);
  EXPECT_TRUE(std::ranges::find(codes, "disconnected, not authorised") != codes.end()) << r.out;
  EXPECT_TRUE(std::ranges::find(codes, "already connected, closing old connection") != codes.end()) << r.out;
}

// --- --device against a real mosquitto --------------------------------------------------------

const nlohmann::json* finding(const nlohmann::json& report, std::string_view code) {
  for (const auto& f : report["findings"])
    if (f.value("code", "") == code) return &f;
  return nullptr;
}

TEST(ping_device, pubsubclient_300_byte_payload_does_not_fit_its_buffer) {
  broker b;
  const std::string payload(300, 'x');
  const auto r = ping(concat(at(b), {"--device", "pubsubclient", "-t", "home/livingroom/sensors", "-m", payload,
                                     "-c", "1", "--json"}));
  // The finding is at error level: a check failed (ARCHITECTURE.md exit 90), one stderr line.
  ASSERT_EQ(r.exit_code(), 90) << r.describe();
  EXPECT_EQ(count_of(r.err, "\n"), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "does not fit PubSubClient's default 256-byte buffer")) << r.err;
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
  const auto* f = finding(j, "device_buffer_too_small");
  ASSERT_NE(f, nullptr) << j.dump(2);
  EXPECT_EQ((*f)["level"], "error");
  EXPECT_TRUE(contains((*f)["message"], "a 300-byte payload on topic 'home/livingroom/sensors' needs 330 bytes"))
      << (*f)["message"];
  EXPECT_TRUE(contains((*f)["message"], "publish() returns false silently")) << (*f)["message"];
  EXPECT_EQ((*f)["hint"], "call client.setBufferSize(384) before connect()");
  // It connected the way PubSubClient does: 3.1.1, keepalive 15, clean session, its id form.
  const auto& dev = j["checks"]["device"];
  EXPECT_EQ(dev["connected_as"]["version"], "3.1.1");
  EXPECT_EQ(dev["connected_as"]["keepalive_s"], 15);
  EXPECT_EQ(dev["connected_as"]["clean_session"], true);
  EXPECT_TRUE(dev["connected_as"]["client_id"].get<std::string>().starts_with("ESP32Client-")) << dev.dump();
  EXPECT_EQ(dev["message"]["device_packet_bytes"], 330);
  // The broker saw exactly that CONNECT.
  EXPECT_TRUE(contains(b.log(), "(p2, c1, k15)")) << b.log();
}

TEST(ping_device, pubsubclient_payload_that_fits_is_not_an_error) {
  broker b;
  const auto r = ping(concat(at(b), {"--device", "pubsubclient", "-t", "t", "-m", std::string(200, 'x'), "-c", "1"}));
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_FALSE(contains(r.out, "does not fit")) << r.out;
  EXPECT_TRUE(contains(r.out, "--- device: PubSubClient 2.8")) << r.out;
}

TEST(ping_device, broker_max_keepalive_below_device_keepalive) {
  // mosquitto announces its max_keepalive as Server Keep Alive to a 5.0 client asking for more;
  // a 3.1.1 device (PubSubClient asks for 15 s) is never told.
  broker b({.extra_config = "max_keepalive 10"});
  const auto r = ping(concat(at(b), {"--device", "pubsubclient", "-c", "1", "--json"}));
  ASSERT_EQ(r.exit_code(), 0) << r.describe();  // a warning, not an error
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
  const auto* f = finding(j, "device_keepalive_above_broker_limit");
  ASSERT_NE(f, nullptr) << j.dump(2);
  EXPECT_EQ((*f)["level"], "warning");
  EXPECT_TRUE(contains((*f)["message"], "limits keepalive to 10 s")) << (*f)["message"];
  EXPECT_TRUE(contains((*f)["message"], "asks for 15 s")) << (*f)["message"];
  EXPECT_TRUE(contains((*f)["hint"], "client.setKeepAlive(10)")) << (*f)["hint"];
  EXPECT_EQ(j["checks"]["device"]["broker"]["server_keep_alive"], 10);
}

TEST(ping_device, esp_idf_keepalive_120_against_max_keepalive_60_text) {
  broker b({.extra_config = "max_keepalive 60"});
  const auto r = ping(concat(at(b), {"--device", "esp-idf", "-c", "1"}));
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "(3.1.1, client id ESP32_")) << r.out;
  EXPECT_TRUE(contains(r.out, "limits keepalive to 60 s")) << r.out;
  EXPECT_TRUE(contains(r.out, "esp-mqtt asks for 120 s")) << r.out;
  EXPECT_TRUE(contains(r.out, "session.keepalive = 60")) << r.out;
  EXPECT_TRUE(contains(b.log(), "k120)")) << b.log();
}

TEST(ping_device, keepalive_within_the_broker_limit_gives_no_warning) {
  broker b({.extra_config = "max_keepalive 60"});
  const auto r = ping(concat(at(b), {"--device", "pubsubclient", "-c", "1"}));
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_FALSE(contains(r.out, "limits keepalive")) << r.out;
}

TEST(ping_device, arduino_mqtt_payload_from_stdin) {
  broker b;
  const auto r = ping(concat(at(b), {"--device", "arduino-mqtt", "-t", "garden/soil", "-s", "-c", "1"}),
                      std::string(120, 'z'));
  ASSERT_EQ(r.exit_code(), 90) << r.describe();
  EXPECT_TRUE(contains(r.out, "a 120-byte payload on topic 'garden/soil' needs 136 bytes")) << r.out;
  EXPECT_TRUE(contains(r.out, "LWMQTT_BUFFER_TOO_SHORT (-1)")) << r.out;
  EXPECT_TRUE(contains(r.out, "call MQTTClient client(192)")) << r.out;
  EXPECT_TRUE(contains(b.log(), "(p2, c1, k10)")) << b.log();  // arduino-mqtt's keepalive 10
}

TEST(ping_device, message_qos_above_the_broker_max_qos) {
  // mosquitto disconnects a 3.1.1 client publishing above max_qos ("Too high QoS in PUBLISH").
  // max_qos is a per-listener option: set it on the TLS listener (the harness's per-listener hook).
  broker b({.tls = true, .tls_listener_config = "max_qos 1"});
  const auto r = ping({"-h", b.host(), "-p", str(b.port(listener::tls)), "--cafile", broker::certs().ca.cert.string(),
                       "--device", "esp-idf", "-t", "plant/valve", "-m", "open", "-q", "2", "-c", "1", "--json"});
  ASSERT_EQ(r.exit_code(), 90) << r.describe();
  const auto j = nlohmann::json::parse(r.out);
  const auto* f = finding(j, "device_message_qos_above_broker_maximum");
  ASSERT_NE(f, nullptr) << j.dump(2);
  EXPECT_TRUE(contains((*f)["message"], "above the broker's Maximum QoS 1")) << (*f)["message"];
  EXPECT_NE(finding(j, "device_qos_above_broker_maximum"), nullptr) << j.dump(2);
  EXPECT_EQ(j["checks"]["device"]["broker"]["maximum_qos"], 1);
}

TEST(ping_device, broker_maximum_packet_size_below_the_device_buffer_and_the_message) {
  // mosquitto announces max_packet_size to 5.0 clients and disconnects anyone sending more.
  broker b({.extra_config = "max_packet_size 200"});
  const auto r = ping(concat(at(b), {"--device", "esp-idf", "-t", "t", "-m", std::string(400, 'p'), "-c", "1", "--json"}));
  ASSERT_EQ(r.exit_code(), 90) << r.describe();
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["checks"]["device"]["broker"]["maximum_packet_size"], 200);
  const auto* buffer = finding(j, "device_buffer_above_broker_maximum_packet_size");
  ASSERT_NE(buffer, nullptr) << j.dump(2);
  EXPECT_EQ((*buffer)["level"], "warning");
  const auto* message = finding(j, "device_message_above_broker_maximum_packet_size");
  ASSERT_NE(message, nullptr) << j.dump(2);
  EXPECT_EQ((*message)["level"], "error");
  EXPECT_TRUE(contains((*message)["message"], "above the broker's Maximum Packet Size of 200")) << (*message)["message"];
}

TEST(ping_device, retained_message_on_a_broker_without_retain) {
  broker b({.extra_config = "retain_available false"});
  const auto r = ping(concat(at(b), {"--device", "async-mqtt-client", "-t", "status", "-m", "online", "-r", "-q", "1",
                                     "-c", "1", "--json"}));
  ASSERT_EQ(r.exit_code(), 90) << r.describe();
  const auto j = nlohmann::json::parse(r.out);
  const auto* f = finding(j, "device_retain_not_available");
  ASSERT_NE(f, nullptr) << j.dump(2);
  EXPECT_TRUE(contains((*f)["message"], "Retain Available = 0")) << (*f)["message"];
  EXPECT_EQ(j["checks"]["device"]["broker"]["retain_available"], false);
  EXPECT_TRUE(j["checks"]["device"]["connected_as"]["client_id"].get<std::string>().starts_with("esp8266"));
}

TEST(ping_device, unknown_library_is_a_usage_error) {
  const auto r = ping({"-h", "127.0.0.1", "--device", "toaster"});
  EXPECT_EQ(r.exit_code(), 64) << r.describe();
  EXPECT_TRUE(contains(r.err, "esp-idf, pubsubclient, arduino-mqtt, async-mqtt-client")) << r.err;
}

TEST(ping_device, message_without_device_is_a_usage_error) {
  const auto r = ping({"-h", "127.0.0.1", "-t", "a", "-m", "hello"});
  EXPECT_EQ(r.exit_code(), 64) << r.describe();
  EXPECT_TRUE(contains(r.err, "--device")) << r.err;
}

}  // namespace
}  // namespace mqtk::test
