// mqtk-sub --json read with jq, as a user's script reads it (ARCHITECTURE.md, "JSON"): binary
// correlation data and payloads from paho-mqtt and mqtk-pub through a real mosquitto, each
// with an encoding a jq filter can branch on, and every field one JSON type on every line.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/broker.hpp"
#include "support/cli_runner.hpp"
#include "support/process.hpp"
#include "support/ready_subscriber.hpp"

namespace mqtk {
namespace {

using namespace std::chrono_literals;
using test::concat;

// argv: host port topic: publishes two 5.0 messages whose correlation data are bytes that are
// not UTF-8 and the text "MTIz", with user properties, and disconnects.
constexpr const char* paho_publisher = R"(
import sys
import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
host, port, topic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = mqtt.Client(client_id='paho-json-schema', protocol=mqtt.MQTTv5)
c.connect(host, port, 30)
c.loop_start()
for payload, correlation in ((b'\x00\xff', b'\xff\x02\x00'), (b'MTIz', b'MTIz')):
    p = Properties(PacketTypes.PUBLISH)
    p.CorrelationData = correlation
    p.ContentType = 'application/octet-stream'
    p.ResponseTopic = 'reply/here'
    p.UserProperty = [('k', 'v\u00e9'), ('k', '')]
    c.publish(topic, payload, 1, properties=p).wait_for_publish()
c.disconnect()
c.loop_stop()
)";

// `filter` applied by jq to mqtk-sub's output, one compact result per line; with `slurp`, once
// to the array of all lines.
std::string jq(const std::string& ndjson, const std::string& filter, bool slurp = false) {
  test::temp_dir dir("mqtk-jq");
  test::write_file(dir / "lines.json", ndjson);
  const auto r = test::run({"jq", slurp ? "-cs" : "-c", filter, (dir / "lines.json").string()}, 20s);
  EXPECT_TRUE(r.status.success()) << r.describe();
  return r.out;
}

TEST(json_schema, jq_tells_binary_correlation_data_from_text_that_looks_like_base64) {
  test::broker b;
  const std::string topic = "json/schema/paho";
  test::ready_subscriber sub(concat(test::at(b), {"-V", "5", "-q", "1", "-t", topic, "--json"}), 2);
  ASSERT_TRUE(sub.ready()) << sub.err();
  const auto pub = test::run({"/usr/bin/python3", "-c", paho_publisher, b.host(), test::str(b.port()), topic}, 30s);
  ASSERT_TRUE(pub.status.success()) << pub.describe();
  ASSERT_EQ(sub.finish(), 0) << sub.err();
  const std::string out = sub.out();
  ASSERT_EQ(test::count_lines(out), 2u) << out;

  // "MTIz" the text and base64 of bytes look alike; the encoding beside each tells them apart.
  EXPECT_EQ(jq(out, ".properties | [.correlation_data_encoding, .correlation_data]"),
            "[\"base64\",\"/wIA\"]\n[\"utf8\",\"MTIz\"]\n")
      << out;
  EXPECT_EQ(jq(out, "[.payload_encoding, .payload, .payload_len]"), "[\"base64\",\"AP8=\",2]\n[\"utf8\",\"MTIz\",4]\n");
  EXPECT_EQ(jq(out, ".properties | [.content_type, .response_topic, .user_properties]"),
            "[\"application/octet-stream\",\"reply/here\",[[\"k\",\"v\xc3\xa9\"],[\"k\",\"\"]]]\n"
            "[\"application/octet-stream\",\"reply/here\",[[\"k\",\"v\xc3\xa9\"],[\"k\",\"\"]]]\n");
  // Every field has the same JSON type on both lines.
  EXPECT_EQ(jq(out, R"(map([paths(scalars) as $p | {key: ($p | map(tostring) | join(".")), value: (getpath($p) | type)}]
                            | from_entries) | .[0] == .[1])",
               /*slurp=*/true),
            "true\n")
      << out;
}

TEST(json_schema, text_correlation_data_from_mqtk_pub_says_utf8) {
  test::broker b;
  const std::string topic = "json/schema/pub";
  test::ready_subscriber sub(concat(test::at(b), {"-V", "5", "-t", topic, "--json"}));
  ASSERT_TRUE(sub.ready()) << sub.err();
  const auto pub = test::run(concat(concat({test::pub_tool()}, test::at(b)),
                                    {"-V", "5", "-t", topic, "-m", "x", "-D", "publish", "correlation-data", "c0rr"}),
                             20s);
  ASSERT_TRUE(pub.status.success()) << pub.describe();
  ASSERT_EQ(sub.finish(), 0) << sub.err();
  EXPECT_EQ(jq(sub.out(), ".properties | [.correlation_data, .correlation_data_encoding]"), "[\"c0rr\",\"utf8\"]\n")
      << sub.out();
}

}  // namespace
}  // namespace mqtk
