// mqtk::client::client against a real mosquitto and real reference clients, byte for byte:
// every transport (mqtt, mqtts, ws, wss) x version (3.1, 3.1.1, 5.0) x QoS (0, 1, 2), our
// client publishing to mosquitto_sub and receiving from mosquitto_pub; and Python paho-mqtt
// both ways. mosquitto_pub/sub speak only TCP and TLS, so for ws/wss they use the broker's TCP
// listener while our client goes through the WebSocket one.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "client_test_driver.hpp"
#include "support/broker.hpp"
#include "support/process.hpp"

namespace mqtk::client {
namespace {

using namespace testing;
using test::broker;
using test::listener;
using proto::protocol_version;
using proto::qos;

std::string text_payload() { return "hello from mqtk \xe2\x9c\x93"; }

// Every byte value, NULs and newlines included.
std::string binary_payload() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  s += std::string("\0\0\0\n\r\0", 6);
  return s;
}

// 1 MiB of deterministic pseudo-random bytes.
const std::string& large_payload() {
  static const std::string s = [] {
    std::string p(1 << 20, '\0');
    std::uint32_t x = 0x12345678;
    for (char& c : p) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
    return p;
  }();
  return s;
}

std::vector<std::string> payloads() { return {text_payload(), binary_payload(), large_payload()}; }

const char* mosquitto_version(protocol_version v) {
  switch (v) {
    case protocol_version::v31: return "mqttv31";
    case protocol_version::v311: return "mqttv311";
    case protocol_version::v5: return "mqttv5";
  }
  return "mqttv311";
}

std::string version_tag(protocol_version v) {
  return v == protocol_version::v31 ? "v31" : v == protocol_version::v311 ? "v311" : "v5";
}

using matrix_param = std::tuple<listener, protocol_version, qos>;

class client_interop : public ::testing::TestWithParam<matrix_param> {
 public:
  static void SetUpTestSuite() {
    broker_ = std::make_unique<broker>(test::broker_options{.tls = true, .ws = true, .wss = true, .verbose_log = true});
  }
  static void TearDownTestSuite() { broker_.reset(); }

 protected:
  listener transport() const { return std::get<0>(GetParam()); }
  protocol_version version() const { return std::get<1>(GetParam()); }
  qos q() const { return std::get<2>(GetParam()); }
  std::string tag() const {
    return std::string(test::to_string(transport())) + "-" + version_tag(version()) + "-q" +
           std::to_string(static_cast<int>(q()));
  }

  // Host, port and TLS arguments for mosquitto_pub/sub: TLS when our client uses TLS, else TCP.
  std::vector<std::string> reference_connection_args() const {
    const bool tls = transport() == listener::tls || transport() == listener::wss;
    std::vector<std::string> a = {"-h", broker_->host(), "-p",
                                  std::to_string(broker_->port(tls ? listener::tls : listener::tcp)), "-V",
                                  mosquitto_version(version())};
    if (tls) {
      a.push_back("--cafile");
      a.push_back(broker::certs().ca.cert.string());
    }
    return a;
  }

  static inline std::unique_ptr<broker> broker_;
};

TEST_P(client_interop, our_publish_reaches_mosquitto_sub_byte_exact) {
  const std::string topic = "interop/pub/" + tag();
  const std::string sub_id = "msub-" + tag();
  const auto expected = payloads();

  std::vector<std::string> args = {"mosquitto_sub"};
  for (auto& a : reference_connection_args()) args.push_back(a);
  args.insert(args.end(), {"-t", topic, "-q", std::to_string(static_cast<int>(q())), "-C",
                           std::to_string(expected.size()), "-N", "-i", sub_id});
  test::process sub(test::process_options{.args = args});
  // The broker logs the SUBACK before the subscriber can receive anything published after it.
  const std::string suback_line = "Sending SUBACK to " + sub_id;
  driver d(options_for(*broker_, transport(), version(), "mqtk-pub-" + tag()));
  ASSERT_TRUE(d.run_until([&] { return broker_->log().find(suback_line) != std::string::npos || !sub.running(); }, 20s))
      << broker_->log();
  ASSERT_TRUE(sub.running()) << sub.err();

  auto [ec, connack] = d.connect();
  ASSERT_FALSE(ec) << ec.message() << " " << d.c().last_failure().line();
  EXPECT_EQ(connack.reason_code, proto::reason_code{0});
  EXPECT_EQ(connack.version, version());
  for (const auto& p : expected) {
    auto [pec, r] = d.publish(topic, p, q());
    ASSERT_FALSE(pec) << pec.message();
    EXPECT_EQ(r.reason_code, proto::reason_code{0});
    if (q() != qos::at_most_once) {
      EXPECT_NE(r.packet_id, 0);
    }
  }
  // Ends the connection politely: mosquitto_sub must get everything before the DISCONNECT.
  EXPECT_FALSE(d.disconnect());
  const auto status = sub.wait_or_kill(30s);
  EXPECT_TRUE(status.success()) << status.to_string() << " " << sub.err();
  std::string all;
  for (const auto& p : expected) all += p;
  const std::string out = sub.out();
  EXPECT_EQ(out.size(), all.size());
  EXPECT_TRUE(out == all) << "mosquitto_sub printed different bytes; broker log:\n"
                          << broker_->log().substr(broker_->log().size() > 3000 ? broker_->log().size() - 3000 : 0);
}

TEST_P(client_interop, mosquitto_pub_reaches_our_client_byte_exact) {
  const std::string topic = "interop/sub/" + tag();
  auto expected = payloads();
  // mosquitto 2.0.11 sends large messages over WebSockets at about 40 KB/s (paho-mqtt sees the
  // same: 25 s for 1 MiB), so through ws/wss the large message is 20 KiB: still more than one
  // read buffer and several WebSocket frames.
  if (transport() == listener::ws || transport() == listener::wss) expected[2].resize(20 * 1024);
  driver d(options_for(*broker_, transport(), version(), "mqtk-sub-" + tag()));
  auto [ec, connack] = d.connect();
  ASSERT_FALSE(ec) << ec.message() << " " << d.c().last_failure().line();
  auto [sec, granted] = d.subscribe(topic, q());
  ASSERT_FALSE(sec) << sec.message();
  ASSERT_EQ(granted.reason_codes.size(), 1u);
  EXPECT_EQ(granted.reason_codes[0], proto::reason_code{static_cast<std::uint8_t>(q())});

  test::temp_dir dir("mqtk-client-interop");
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto file = dir / ("payload" + std::to_string(i));
    test::write_file(file, expected[i]);
    std::vector<std::string> args = {"mosquitto_pub"};
    for (auto& a : reference_connection_args()) args.push_back(a);
    args.insert(args.end(), {"-t", topic, "-q", std::to_string(static_cast<int>(q())), "-f", file.string(), "-i",
                             "mpub-" + tag()});
    const auto r = test::run(test::process_options{.args = args}, 30s);
    ASSERT_TRUE(r.status.success()) << r.describe() << broker_->log().substr(broker_->log().size() > 3000 ? broker_->log().size() - 3000 : 0);
  }
  ASSERT_TRUE(d.wait_messages(expected.size())) << "got " << d.messages.size();
  ASSERT_EQ(d.messages.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(d.messages[i].topic, topic);
    EXPECT_EQ(d.messages[i].payload.size(), expected[i].size()) << "message " << i;
    EXPECT_TRUE(d.messages[i].payload == expected[i]) << "message " << i << " differs";
    EXPECT_EQ(d.messages[i].qos, q());
  }
  EXPECT_FALSE(d.disconnect());
}

INSTANTIATE_TEST_SUITE_P(
    matrix, client_interop,
    ::testing::Combine(::testing::Values(listener::tcp, listener::tls, listener::ws, listener::wss),
                       ::testing::Values(protocol_version::v31, protocol_version::v311, protocol_version::v5),
                       ::testing::Values(qos::at_most_once, qos::at_least_once, qos::exactly_once)),
    [](const ::testing::TestParamInfo<matrix_param>& pi) {
      return std::string(test::to_string(std::get<0>(pi.param))) + "_" + version_tag(std::get<1>(pi.param)) +
             "_qos" + std::to_string(static_cast<int>(std::get<2>(pi.param)));
    });

// ---------------------------------------------------------------------------------------------
// Python paho-mqtt, both ways.

// argv: host port topic qos count protocol(31|311|5) transport(tcp|websockets) outfile
// Subscribes, prints SUBSCRIBED, writes each payload as one hex line to outfile, exits.
constexpr const char* paho_subscriber = R"(
import sys, binascii
import paho.mqtt.client as mqtt
host, port, topic, qos, count, proto, transport, outfile = sys.argv[1:9]
port, qos, count = int(port), int(qos), int(count)
P = {'31': mqtt.MQTTv31, '311': mqtt.MQTTv311, '5': mqtt.MQTTv5}[proto]
c = mqtt.Client(client_id='paho-sub-' + proto + transport, protocol=P, transport=transport)
if transport == 'websockets':
    c.ws_set_options(path='/mqtt')
got = []
def on_connect(client, userdata, flags, rc, props=None):
    client.subscribe(topic, qos)
def on_subscribe(client, userdata, mid, granted, props=None):
    print('SUBSCRIBED', flush=True)
def on_message(client, userdata, m):
    got.append(binascii.hexlify(m.payload).decode() + ' ' + str(m.qos))
    if len(got) == count:
        with open(outfile, 'w') as f:
            f.write('\n'.join(got) + '\n')
        client.disconnect()
c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
c.connect(host, port, 30)
c.loop_forever()
)";

// argv: host port topic qos protocol transport file... : publishes each file's bytes, waits
// for each to complete, disconnects.
constexpr const char* paho_publisher = R"(
import sys
import paho.mqtt.client as mqtt
host, port, topic, qos, proto, transport = sys.argv[1:7]
files = sys.argv[7:]
port, qos = int(port), int(qos)
P = {'31': mqtt.MQTTv31, '311': mqtt.MQTTv311, '5': mqtt.MQTTv5}[proto]
c = mqtt.Client(client_id='paho-pub-' + proto + transport, protocol=P, transport=transport)
if transport == 'websockets':
    c.ws_set_options(path='/mqtt')
c.connect(host, port, 30)
c.loop_start()
for name in files:
    with open(name, 'rb') as f:
        info = c.publish(topic, f.read(), qos)
    info.wait_for_publish()
c.disconnect()
c.loop_stop()
print('PUBLISHED', flush=True)
)";

std::string to_hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    h.push_back(digits[c >> 4]);
    h.push_back(digits[c & 15]);
  }
  return h;
}

struct paho_case {
  listener transport;
  protocol_version version;
  qos q;
};

std::string paho_proto(protocol_version v) {
  return v == protocol_version::v31 ? "31" : v == protocol_version::v311 ? "311" : "5";
}

class client_paho : public ::testing::TestWithParam<paho_case> {
 public:
  static void SetUpTestSuite() { broker_ = std::make_unique<broker>(test::broker_options{.ws = true}); }
  static void TearDownTestSuite() { broker_.reset(); }

 protected:
  std::string tag() const {
    return std::string(test::to_string(GetParam().transport)) + "-" + paho_proto(GetParam().version);
  }
  std::string paho_transport() const { return GetParam().transport == listener::ws ? "websockets" : "tcp"; }
  // 200 kB through TCP; 20 KiB through ws, where mosquitto sends large messages slowly.
  std::vector<std::string> paho_payloads() const {
    const std::size_t large = GetParam().transport == listener::ws ? 20 * 1024 : 200'000;
    return {text_payload(), binary_payload(), large_payload().substr(0, large)};
  }
  static inline std::unique_ptr<broker> broker_;
};

TEST_P(client_paho, our_publish_reaches_paho) {
  const auto& p = GetParam();
  const std::string topic = "paho/in/" + tag();
  const auto expected = paho_payloads();
  test::temp_dir dir("mqtk-client-paho");
  const auto outfile = dir / "received";
  test::process sub(test::process_options{
      .args = {"/usr/bin/python3", "-c", paho_subscriber, broker_->host(),
               std::to_string(broker_->port(p.transport)), topic, std::to_string(static_cast<int>(p.q)),
               std::to_string(expected.size()), paho_proto(p.version), paho_transport(), outfile.string()}});
  ASSERT_TRUE(sub.wait_for_output("SUBSCRIBED", 20s)) << sub.err();

  driver d(options_for(*broker_, p.transport, p.version, "mqtk-to-paho-" + tag()));
  auto [ec, connack] = d.connect();
  ASSERT_FALSE(ec) << d.c().last_failure().line();
  for (const auto& payload : expected) {
    auto [pec, r] = d.publish(topic, payload, p.q);
    ASSERT_FALSE(pec) << pec.message();
  }
  EXPECT_FALSE(d.disconnect());
  const auto status = sub.wait_or_kill(30s);
  ASSERT_TRUE(status.success()) << status.to_string() << sub.err();
  std::string want;
  for (const auto& payload : expected) want += to_hex(payload) + " " + std::to_string(static_cast<int>(p.q)) + "\n";
  EXPECT_TRUE(test::read_file(outfile) == want) << "paho received different bytes";
}

TEST_P(client_paho, paho_publish_reaches_our_client) {
  const auto& p = GetParam();
  const std::string topic = "paho/out/" + tag();
  const auto expected = paho_payloads();
  driver d(options_for(*broker_, p.transport, p.version, "mqtk-from-paho-" + tag()));
  auto [ec, connack] = d.connect();
  ASSERT_FALSE(ec) << d.c().last_failure().line();
  auto [sec, granted] = d.subscribe(topic, p.q);
  ASSERT_FALSE(sec) << sec.message();

  test::temp_dir dir("mqtk-client-paho");
  std::vector<std::string> args = {"/usr/bin/python3", "-c", paho_publisher, broker_->host(),
                                   std::to_string(broker_->port(p.transport)), topic,
                                   std::to_string(static_cast<int>(p.q)), paho_proto(p.version), paho_transport()};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto file = dir / ("p" + std::to_string(i));
    test::write_file(file, expected[i]);
    args.push_back(file.string());
  }
  test::process pub(test::process_options{.args = args});
  ASSERT_TRUE(d.wait_messages(expected.size())) << pub.err();
  const auto status = pub.wait_or_kill(30s);
  EXPECT_TRUE(status.success()) << status.to_string() << pub.err();
  ASSERT_EQ(d.messages.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(d.messages[i].payload == expected[i]) << "message " << i << " differs";
    EXPECT_EQ(d.messages[i].qos, p.q);
  }
  EXPECT_FALSE(d.disconnect());
}

INSTANTIATE_TEST_SUITE_P(paho, client_paho,
                         ::testing::Values(paho_case{listener::tcp, protocol_version::v311, qos::at_least_once},
                                           paho_case{listener::tcp, protocol_version::v5, qos::exactly_once},
                                           paho_case{listener::ws, protocol_version::v5, qos::at_least_once},
                                           paho_case{listener::ws, protocol_version::v31, qos::exactly_once}),
                         [](const ::testing::TestParamInfo<paho_case>& pi) {
                           return std::string(test::to_string(pi.param.transport)) + "_v" +
                                  paho_proto(pi.param.version) + "_qos" +
                                  std::to_string(static_cast<int>(pi.param.q));
                         });

}  // namespace
}  // namespace mqtk::client
