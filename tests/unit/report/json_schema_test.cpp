// The one JSON schema for a message and its properties (ARCHITECTURE.md, "JSON"): the fast
// writer the tools use against the nlohmann writer (the oracle), both driven by the one
// description in src/report/message_record.hpp, over every byte value, ill-formed UTF-8,
// every property, 3.1.1 and 5.0, and every recording; and mqtk-sub's line against
// mqtk-decode's PUBLISH line for the same message.
#include <map>
#include <set>
#include <string>
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

using namespace std::string_literals;
using namespace std::string_view_literals;
using proto::property;
using proto::property_id;

const auto fixed_time = std::chrono::system_clock::time_point(std::chrono::nanoseconds(1588801680123456789LL));

std::string fast_line(const message_view& m, message_json_options o = {}) {
  std::string out;
  append_message_json(out, m, o);
  return out;
}

// Every string-valued property MQTT allows in a PUBLISH, each with `value` (the user property
// as key and value both): the fields the ill-formed-bytes tests run through.
std::vector<property> string_properties(std::string_view value) {
  return {
      property{.id = property_id::content_type, .value = value},
      property{.id = property_id::response_topic, .value = value},
      property{.id = property_id::correlation_data, .value = value},
      property{.id = property_id::user_property, .key = value, .value = value},
  };
}

// The JSON type of every value in `j`, by path ("properties.user_properties[]").
void collect_types(const nlohmann::json& j, const std::string& path, std::map<std::string, std::set<std::string>>& out) {
  out[path].insert(j.type_name());
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) collect_types(v, path + "." + k, out);
  } else if (j.is_array()) {
    for (const auto& v : j) collect_types(v, path + "[]", out);
  }
}

TEST(message_json_schema, fast_writer_equals_nlohmann_byte_for_byte_for_every_byte_value_in_every_field) {
  for (int b = 0; b < 256; ++b) {
    const std::string byte(1, static_cast<char>(b));
    const std::string topic = "t/" + byte;
    const auto list = string_properties(byte);
    const proto::property_list props{list};
    for (const bool v5 : {false, true}) {
      for (const auto qos : {proto::qos::at_most_once, proto::qos::exactly_once}) {
        const message_view m{.topic = topic, .payload = byte, .qos = qos, .packet_id = 7,
                             .properties = v5 ? &props : nullptr, .timestamp = fixed_time};
        const std::string fast = fast_line(m);
        ASSERT_EQ(fast, message_json(m).dump()) << "byte " << b;
        ASSERT_TRUE(nlohmann::json::accept(fast)) << "byte " << b << ": " << fast;  // well-formed UTF-8 JSON
      }
    }
  }
}

TEST(message_json_schema, fast_writer_equals_nlohmann_on_ill_formed_utf8_in_every_field) {
  const std::vector<std::string> samples{
      "\xc0\xaf"s,              // overlong '/'
      "\xed\xa0\x80"s,          // a surrogate
      "ab\xe2\x82"s,            // cut short at the end
      "\xe2\x82x"s,             // cut short before ASCII
      "\x80\xbf"s,              // lone continuation bytes
      "\xf4\x90\x80\x80"s,      // above U+10FFFF
      "\xf5\xff\xfe"s,          // never in UTF-8
      "caf\xc3\xa9 \xff end"s,  // well-formed text around one bad byte
  };
  for (const auto& s : samples) {
    const auto list = string_properties(s);
    const proto::property_list props{list};
    const message_view m{.topic = s, .payload = s, .properties = &props, .timestamp = fixed_time};
    const std::string fast = fast_line(m);
    EXPECT_EQ(fast, message_json(m).dump());
    EXPECT_TRUE(nlohmann::json::accept(fast)) << fast;
  }
}

TEST(message_json_schema, every_property_is_shown_under_its_name_by_both_writers) {
  std::vector<property> list;
  for (const auto& info : proto::all_property_infos()) {
    switch (info.type) {
      case proto::property_type::utf8_string: list.push_back({.id = info.id, .value = "text"}); break;
      case proto::property_type::binary_data: list.push_back({.id = info.id, .value = "\x01\xff"sv}); break;
      case proto::property_type::utf8_string_pair: list.push_back({.id = info.id, .key = "k", .value = "v"}); break;
      default: list.push_back({.id = info.id, .number = 1}); break;
    }
  }
  const proto::property_list props{list};
  const message_view m{.topic = "t", .payload = "x", .properties = &props, .timestamp = fixed_time};
  const std::string fast = fast_line(m);
  ASSERT_EQ(fast, message_json(m).dump());
  const auto shown = nlohmann::json::parse(fast)["properties"];
  for (const auto& info : proto::all_property_infos()) {
    const std::string key = info.id == property_id::user_property             ? "user_properties"
                            : info.id == property_id::subscription_identifier ? "subscription_identifiers"
                                                                              : std::string(info.name);
    EXPECT_TRUE(shown.contains(key)) << key << " in " << shown.dump();
    if (info.type == proto::property_type::binary_data) {
      EXPECT_EQ(shown[key + "_encoding"], "base64") << key;
    }
  }
  EXPECT_EQ(shown["user_properties"], nlohmann::json::parse(R"([["k","v"]])"));
}

TEST(message_json_schema, binary_values_always_say_how_they_are_encoded) {
  // A jq user must be able to tell "MTIz" the text from base64 of bytes: each line says which.
  const std::vector<property> text_list{property{.id = property_id::correlation_data, .value = "MTIz"}};
  const std::vector<property> bytes_list{property{.id = property_id::correlation_data, .value = "\xff\x02"sv}};
  const proto::property_list text_props{text_list};
  const proto::property_list bytes_props{bytes_list};
  const auto text = nlohmann::json::parse(
      fast_line({.topic = "t", .payload = "MTIz", .properties = &text_props, .timestamp = fixed_time}));
  const auto bytes = nlohmann::json::parse(
      fast_line({.topic = "t", .payload = "\xff\x02"sv, .properties = &bytes_props, .timestamp = fixed_time}));
  EXPECT_EQ(text["properties"]["correlation_data"], "MTIz");
  EXPECT_EQ(text["properties"]["correlation_data_encoding"], "utf8");
  EXPECT_EQ(bytes["properties"]["correlation_data"], "/wI=");
  EXPECT_EQ(bytes["properties"]["correlation_data_encoding"], "base64");
  EXPECT_EQ(text["payload_encoding"], "utf8");
  EXPECT_EQ(bytes["payload_encoding"], "base64");
}

TEST(message_json_schema, text_fields_stay_text_with_replacement_characters_never_base64) {
  // MQTT requires these to be UTF-8 and the decoder refuses a packet where they are not, so a
  // line never holds one; a library caller's bytes still give text, never look-alike base64.
  const auto list = string_properties("a\xff" "b");
  const proto::property_list props{list};
  const auto j = nlohmann::json::parse(
      fast_line({.topic = "a\xff" "b", .payload = "p", .properties = &props, .timestamp = fixed_time}));
  const std::string replaced = "a\xef\xbf\xbd" "b";
  EXPECT_EQ(j["topic"], replaced);
  EXPECT_FALSE(j.contains("topic_encoding"));
  EXPECT_EQ(j["properties"]["content_type"], replaced);
  EXPECT_EQ(j["properties"]["response_topic"], replaced);
  EXPECT_EQ(j["properties"]["user_properties"][0][0], replaced);
  EXPECT_EQ(j["properties"]["user_properties"][0][1], replaced);
  EXPECT_EQ(j["properties"]["correlation_data"], "Yf9i");  // binary data: base64, and it says so
  EXPECT_EQ(j["properties"]["correlation_data_encoding"], "base64");
}

TEST(message_json_schema, every_field_keeps_one_json_type_across_lines) {
  std::map<std::string, std::set<std::string>> types;
  for (int b = 0; b < 256; ++b) {
    const std::string byte(1, static_cast<char>(b));
    const std::string topic = "t/" + byte;
    const std::string payload = byte + "x";
    const auto list = string_properties(payload);
    const proto::property_list props{list};
    for (const bool embed : {false, true}) {
      const message_view m{.topic = topic, .payload = payload, .properties = &props, .timestamp = fixed_time};
      collect_types(nlohmann::json::parse(fast_line(m, {.embed_json_payload = embed})), "", types);
    }
  }
  for (const auto& [path, seen] : types) {
    if (path == ".payload") continue;  // with --json-payload it is the payload's own JSON value, by design
    EXPECT_EQ(seen.size(), 1u) << path << " has " << seen.size() << " types";
  }
}

TEST(message_json_schema, embedded_json_payload_parses_equal_through_both_writers) {
  for (const auto payload : {R"({"a":1.10,"b":[true,null,"x"]})"sv, "  [1, 2 ,3] "sv, "42"sv, "\"s\""sv}) {
    const message_view m{.topic = "t", .payload = payload, .timestamp = fixed_time};
    EXPECT_EQ(nlohmann::json::parse(fast_line(m, {.embed_json_payload = true})),
              nlohmann::json::parse(message_json(m, {.embed_json_payload = true}).dump()))
        << payload;
  }
}

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
