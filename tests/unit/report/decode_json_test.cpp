// mqtk-decode --json lines against the nlohmann writer on every recording, byte for byte, and a
// PUBLISH's fields against mqtk-sub's line for the same message: one schema (ARCHITECTURE.md,
// "JSON"; src/report/message_record.hpp).
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mqtk/capture/capture_pipeline.hpp"
#include "mqtk/capture/hex_packets.hpp"
#include "mqtk/proto/encoder.hpp"
#include "mqtk/report/decode_json.hpp"
#include "mqtk/report/message_json.hpp"
#include "support/capture_streams.hpp"

namespace mqtk::report {
namespace {

using namespace std::string_view_literals;
using proto::property;
using proto::property_id;

// Both decode writers' lines and, for every PUBLISH, what mqtk-sub --json makes of it.
class decode_lines final : public capture::mqtt_record_sink {
 public:
  void on_packet(const capture::mqtt_packet_record& r) override {
    std::string fast;
    append_decode_record_json(fast, r);
    std::string reference;
    append_decode_record_json_nlohmann(reference, r);
    pairs.emplace_back(fast, std::move(reference));
    if (r.packet == nullptr || !std::holds_alternative<proto::publish>(*r.packet)) return;
    auto m = make_message_view(std::get<proto::publish>(*r.packet), {});
    if (!r.topic.empty()) m.topic = r.topic;
    auto sub = message_json(m);
    sub.erase("ts");
    publishes.emplace_back(std::move(fast), sub.dump());
  }
  void on_connection(const capture::mqtt_connection_report&) override {}
  std::vector<std::pair<std::string, std::string>> pairs;      // fast, nlohmann
  std::vector<std::pair<std::string, std::string>> publishes;  // decode line, sub line without "ts"
};

// The decode line's fields from "topic" on (what follows "len"), as one object.
std::string message_fields_of(const std::string& decode_line) {
  const auto all = nlohmann::ordered_json::parse(decode_line);
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  bool in = false;
  for (const auto& [k, v] : all.items()) {
    if (k == "violations") break;
    if (in) fields[k] = v;
    in = in || k == "len";
  }
  return fields.dump();
}

TEST(decode_json_schema, fast_writer_equals_nlohmann_byte_for_byte_on_every_recording) {
  const auto names = test::capture_names();
  ASSERT_GE(names.size(), 16u);
  std::size_t lines = 0;
  for (const auto& name : names) {
    decode_lines sink;
    capture::mqtt_analyzer analyzer(sink);
    capture::read_capture(test::capture_path(name).string(), analyzer);
    analyzer.finish(0, 0);
    for (const auto& [fast, reference] : sink.pairs) ASSERT_EQ(fast, reference) << name;
    for (const auto& [decode, sub] : sink.publishes) ASSERT_EQ(message_fields_of(decode), sub) << name;
    lines += sink.pairs.size();
  }
  EXPECT_GT(lines, 1000u);
}

TEST(decode_json_schema, a_publish_has_the_same_fields_in_mqtk_decode_and_mqtk_sub) {
  const std::vector<property> list{
      property{.id = property_id::payload_format_indicator, .number = 0},
      property{.id = property_id::content_type, .value = "application/octet-stream"},
      property{.id = property_id::response_topic, .value = "reply/\"q\""},
      property{.id = property_id::correlation_data, .value = "\x00\xff\x10"sv},
      property{.id = property_id::user_property, .key = "k", .value = "v\n1"},
      property{.id = property_id::user_property, .key = "k", .value = "v2"},
      property{.id = property_id::subscription_identifier, .number = 3},
  };
  const std::vector<property> text_correlation{property{.id = property_id::correlation_data, .value = "MTIz"}};
  std::vector<std::uint8_t> bytes;
  proto::encode_append(proto::publish{.topic = "a/b", .payload = "\xfe\x01"sv, .qos = proto::qos::at_least_once,
                                      .packet_id = 9, .properties = proto::property_list{list}},
                       proto::protocol_version::v5, bytes);
  proto::encode_append(proto::publish{.topic = "c", .payload = "MTIz", .properties = proto::property_list{text_correlation}},
                       proto::protocol_version::v5, bytes);
  decode_lines sink;
  capture::decode_hex_packets(bytes, proto::protocol_version::v5, sink);
  ASSERT_EQ(sink.publishes.size(), 2u);
  for (const auto& [decode, sub] : sink.publishes) EXPECT_EQ(message_fields_of(decode), sub) << decode;
  for (const auto& [fast, reference] : sink.pairs) EXPECT_EQ(fast, reference);
  const auto first = nlohmann::json::parse(sink.pairs[0].first);
  EXPECT_EQ(first["properties"]["correlation_data_encoding"], "base64");
  const auto second = nlohmann::json::parse(sink.pairs[1].first);
  EXPECT_EQ(second["properties"]["correlation_data"], "MTIz");
  EXPECT_EQ(second["properties"]["correlation_data_encoding"], "utf8");
}

}  // namespace
}  // namespace mqtk::report
