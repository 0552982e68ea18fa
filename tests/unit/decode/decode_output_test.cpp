// mqtk-decode's output: the JSON contract of ARCHITECTURE.md, the fast writer against nlohmann, the
// trace line, and the formatting pieces under them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "decode_test_support.hpp"
#include "mqtk/capture/capture_pipeline.hpp"
#include "mqtk/capture/hex_packets.hpp"
#include "mqtk/report/decode_format.hpp"
#include "mqtk/report/decode_json.hpp"
#include "mqtk/report/decode_text.hpp"
#include "support/capture_streams.hpp"

namespace mqtk::test {
namespace {

// Records kept as JSON by both writers, for every packet of a capture.
class both_writers final : public capture::mqtt_record_sink {
 public:
  void on_packet(const capture::mqtt_packet_record& r) override {
    std::string fast;
    report::append_decode_record_json(fast, r);
    fast_lines.push_back(std::move(fast));
    reference.push_back(report::decode_record_json(r));
    std::string text;
    report::append_decode_record_text(text, r);
    text_lines.push_back(std::move(text));
  }
  void on_connection(const capture::mqtt_connection_report& c) override {
    connections.push_back(report::decode_connection_json(c));
  }
  std::vector<std::string> fast_lines;
  std::vector<nlohmann::json> reference;
  std::vector<std::string> text_lines;
  std::vector<nlohmann::ordered_json> connections;
};

both_writers decode_all(const std::string& name) {
  both_writers w;
  capture::mqtt_analyzer analyzer(w);
  capture::read_capture(capture_path(name).string(), analyzer);
  analyzer.finish(0, 0);
  return w;
}

TEST(decode_format, rfc3339_microseconds_utc) {
  EXPECT_EQ(report::rfc3339_us(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(report::rfc3339_us(1'700'000'000'123'456'789LL), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(report::rfc3339_us(951'782'400'000'000'000LL), "2000-02-29T00:00:00.000000Z");  // leap day
}

TEST(decode_format, base64_padding) {
  auto b64 = [](std::string_view s) {
    std::string out;
    report::append_base64(out, s);
    return out;
  };
  EXPECT_EQ(b64(""), "");
  EXPECT_EQ(b64("f"), "Zg==");
  EXPECT_EQ(b64("fo"), "Zm8=");
  EXPECT_EQ(b64("foo"), "Zm9v");
  EXPECT_EQ(b64(std::string("\x00\x01\x02\xff", 4)), "AAEC/w==");
}

TEST(decode_format, utf8_validation) {
  EXPECT_TRUE(report::is_valid_utf8("plain ascii text, long enough for the fast path"));
  EXPECT_TRUE(report::is_valid_utf8("Grüße 🌡"));
  EXPECT_FALSE(report::is_valid_utf8(std::string("\xc0\xaf", 2)));        // overlong
  EXPECT_FALSE(report::is_valid_utf8(std::string("\xed\xa0\x80", 3)));    // surrogate
  EXPECT_FALSE(report::is_valid_utf8(std::string("abc\xff", 4)));
  EXPECT_FALSE(report::is_valid_utf8(std::string("\xe2\x82", 2)));        // cut short
}

TEST(decode_output, fast_writer_equals_nlohmann_on_every_capture) {
  const auto names = capture_names();
  ASSERT_GE(names.size(), 16u) << "no recordings under " << data_dir() / "captures";
  for (const auto& name : names) {
    auto w = decode_all(name);
    ASSERT_EQ(w.fast_lines.size(), w.reference.size());
    for (std::size_t i = 0; i < w.fast_lines.size(); ++i) {
      const auto parsed = nlohmann::json::parse(w.fast_lines[i]);  // throws if not JSON
      ASSERT_EQ(parsed, w.reference[i]) << name << " line " << i << ": " << w.fast_lines[i];
    }
  }
}

TEST(decode_output, json_fields_per_design) {
  auto w = decode_all("v5_properties");
  ASSERT_FALSE(w.reference.empty());
  const auto& connect = w.reference[0];
  for (const char* key : {"frame", "ts", "stream", "src", "dst", "dir", "type", "version", "len",
                          "client_id", "keepalive", "clean_start"})
    EXPECT_TRUE(connect.contains(key)) << key;
  EXPECT_EQ(connect["type"], "CONNECT");
  EXPECT_EQ(connect["dir"], "c2s");
  EXPECT_EQ(connect["version"], "5.0");
  EXPECT_EQ(connect["properties"]["session_expiry_interval"], 300);
  EXPECT_EQ(connect["ts"].get<std::string>().size(), std::string("2026-11-22T21:18:57.043383Z").size());
  const nlohmann::json* pub = nullptr;
  for (const auto& j : w.reference)
    if (j["type"] == "PUBLISH" && j["frame"] == 18) pub = &j;
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ((*pub)["topic"], "cmd/dev42/req");
  EXPECT_EQ((*pub)["payload_encoding"], "utf8");
  EXPECT_EQ((*pub)["payload"], "{\"op\":\"reboot\"}");
  EXPECT_EQ((*pub)["properties"]["content_type"], "application/json");
  EXPECT_EQ((*pub)["properties"]["user_properties"], nlohmann::json::parse(R"([["trace-id","abc123"],["origin","ci"]])"));
}

TEST(decode_output, binary_payload_is_base64) {
  auto w = decode_all("paho_unsubscribe_v5");
  bool seen = false;
  for (const auto& j : w.reference) {
    if (j["type"] != "PUBLISH") continue;
    EXPECT_EQ(j["payload_encoding"], "base64");
    EXPECT_EQ(j["payload"], "AAEC/w==");
    EXPECT_EQ(j["payload_len"], 4);
    seen = true;
  }
  EXPECT_TRUE(seen);
}

TEST(decode_output, password_never_printed_only_its_length) {
  auto w = decode_all("refused_auth_v311");
  ASSERT_FALSE(w.reference.empty());
  EXPECT_EQ(w.reference[0]["password_len"], 5);
  EXPECT_FALSE(w.reference[0].contains("password"));
  for (const auto& line : w.text_lines) EXPECT_EQ(line.find("password=\""), std::string::npos) << line;
}

TEST(decode_output, malformed_line_per_design) {
  auto w = decode_all("malformed");
  std::size_t n = 0;
  for (const auto& j : w.reference) {
    if (j["type"] != "MALFORMED") continue;
    EXPECT_TRUE(j.contains("error"));
    EXPECT_TRUE(j.contains("offset"));
    ++n;
  }
  EXPECT_EQ(n, 3u);
}

TEST(decode_output, connection_line_has_event_first_and_findings) {
  auto w = decode_all("refused_auth_v5");
  ASSERT_EQ(w.connections.size(), 2u);
  const auto& c = w.connections[0];
  EXPECT_EQ(c.begin().key(), "event");
  EXPECT_EQ(c["event"], "connection");
  EXPECT_EQ(c["connack"]["reason_code"], 0x87);
  ASSERT_FALSE(c["findings"].empty());
  EXPECT_EQ(c["findings"][0]["kind"], "connection_refused");
}

TEST(decode_output, text_trace_line) {
  auto w = decode_all("refused_auth_v311");
  ASSERT_GE(w.text_lines.size(), 2u);
  EXPECT_NE(w.text_lines[0].find("client→broker  CONNECT"), std::string::npos) << w.text_lines[0];
  EXPECT_NE(w.text_lines[0].find("client_id=\"esp32-kitchen\""), std::string::npos);
  EXPECT_NE(w.text_lines[1].find("broker→client  CONNACK"), std::string::npos);
  EXPECT_NE(w.text_lines[1].find("rc=5 (Not authorized)"), std::string::npos) << w.text_lines[1];
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

// Both JSON writers on strings that need escaping, and on a binary payload.
class json_pair_sink final : public capture::mqtt_record_sink {
 public:
  void on_packet(const capture::mqtt_packet_record& r) override {
    std::string fast;
    report::append_decode_record_json(fast, r);
    std::string reference;
    report::append_decode_record_json_nlohmann(reference, r);
    pairs.emplace_back(std::move(fast), std::move(reference));
  }
  void on_connection(const capture::mqtt_connection_report&) override {}
  std::vector<std::pair<std::string, std::string>> pairs;
};

TEST(decode_output, fast_writer_escapes_like_nlohmann) {
  const std::string topic = "odd/\"quoted\"/back\\slash/tab\there";
  const std::string payload = "line1\nline2\r\x01\x1f end \"q\" \\ \xc3\xa9";
  auto bytes = bytes_of(proto::publish{.topic = topic, .payload = payload}, proto::protocol_version::v311);
  const std::string binary("\x00\xff\xfe", 3);
  auto more = bytes_of(proto::publish{.topic = "b", .payload = binary}, proto::protocol_version::v311);
  bytes.insert(bytes.end(), more.begin(), more.end());
  json_pair_sink sink;
  capture::decode_hex_packets(bytes, proto::protocol_version::v311, sink);
  ASSERT_EQ(sink.pairs.size(), 2u);
  for (const auto& [fast, reference] : sink.pairs) EXPECT_EQ(fast, reference);  // byte for byte
  const auto first = nlohmann::json::parse(sink.pairs[0].first);
  EXPECT_EQ(first["topic"], topic);
  EXPECT_EQ(first["payload"], payload);
  EXPECT_EQ(first["payload_encoding"], "utf8");
  const auto second = nlohmann::json::parse(sink.pairs[1].first);
  EXPECT_EQ(second["payload"], "AP/+");
  EXPECT_EQ(second["payload_encoding"], "base64");
}

}  // namespace
}  // namespace mqtk::test
