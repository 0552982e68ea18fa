// mqtk-sub --json lines (ARCHITECTURE.md, "JSON"), and the one schema for a message and its
// properties: the fast writer against the nlohmann writer (the oracle), both driven by the one
// description in src/report/message_record.hpp, over every byte value, ill-formed UTF-8, every
// property, 3.1.1 and 5.0.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mqtk/report/message_json.hpp"

namespace mqtk::report {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;
using proto::property;
using proto::property_id;

const auto fixed_time = std::chrono::system_clock::time_point(std::chrono::nanoseconds(1588801680123456789LL));

std::string line(const message_view& m, message_json_options o = {}) {
  std::string out;
  append_message_json(out, m, o);
  return out;
}

TEST(message_json, text_message_qos0) {
  message_view m{.topic = "a/b", .payload = "hello", .timestamp = fixed_time};
  EXPECT_EQ(line(m), R"({"ts":"2020-05-06T21:48:00.123456Z","topic":"a/b","qos":0,"retain":false,"dup":false,)"
                     R"("payload":"hello","payload_encoding":"utf8","payload_len":5})");
}

TEST(message_json, packet_id_only_above_qos0) {
  message_view m{.topic = "t", .payload = "x", .qos = proto::qos::exactly_once, .retain = true, .dup = true,
                 .packet_id = 513, .timestamp = fixed_time};
  auto j = nlohmann::json::parse(line(m));
  EXPECT_EQ(j["packet_id"], 513);
  EXPECT_EQ(j["qos"], 2);
  EXPECT_EQ(j["retain"], true);
  EXPECT_EQ(j["dup"], true);
  m.qos = proto::qos::at_most_once;
  EXPECT_FALSE(nlohmann::json::parse(line(m)).contains("packet_id"));
}

TEST(message_json, binary_payload_is_base64) {
  message_view m{.topic = "t", .payload = "\x00\xff\x10"sv, .timestamp = fixed_time};
  auto j = nlohmann::json::parse(line(m));
  EXPECT_EQ(j["payload"], "AP8Q");
  EXPECT_EQ(j["payload_encoding"], "base64");
  EXPECT_EQ(j["payload_len"], 3);
}

TEST(message_json, utf8_with_nul_stays_text) {
  message_view m{.topic = "t", .payload = "a\0\xc3\xa9"sv, .timestamp = fixed_time};
  auto j = nlohmann::json::parse(line(m));
  EXPECT_EQ(j["payload"].get<std::string>(), "a\0\xc3\xa9"s);
  EXPECT_EQ(j["payload_encoding"], "utf8");
}

TEST(message_json, empty_payload) {
  message_view m{.topic = "t", .payload = "", .timestamp = fixed_time};
  auto j = nlohmann::json::parse(line(m));
  EXPECT_EQ(j["payload"], "");
  EXPECT_EQ(j["payload_len"], 0);
}

TEST(message_json, json_payload_embedded_only_with_option_and_when_valid) {
  message_view m{.topic = "t", .payload = R"({"temp": 21.5})", .timestamp = fixed_time};
  EXPECT_EQ(nlohmann::json::parse(line(m))["payload"], R"({"temp": 21.5})");
  auto j = nlohmann::json::parse(line(m, {.embed_json_payload = true}));
  EXPECT_EQ(j["payload"]["temp"], 21.5);
  EXPECT_EQ(j["payload_encoding"], "json");
  m.payload = "not json";
  j = nlohmann::json::parse(line(m, {.embed_json_payload = true}));
  EXPECT_EQ(j["payload"], "not json");
  EXPECT_EQ(j["payload_encoding"], "utf8");
}

TEST(message_json, no_properties_key_without_properties) {
  std::vector<property> none;
  proto::property_list empty{none};
  message_view m{.topic = "t", .payload = "x", .properties = &empty, .timestamp = fixed_time};
  EXPECT_FALSE(nlohmann::json::parse(line(m)).contains("properties"));
}

TEST(message_json, properties_user_properties_order_and_repeats) {
  std::vector<property> list{
      property{.id = property_id::user_property, .key = "b", .value = "2"},
      property{.id = property_id::content_type, .value = "application/json"},
      property{.id = property_id::user_property, .key = "a", .value = "1"},
      property{.id = property_id::user_property, .key = "b", .value = "3"},
      property{.id = property_id::response_topic, .value = "reply/here"},
      property{.id = property_id::correlation_data, .value = "\xff\x02"sv},
      property{.id = property_id::message_expiry_interval, .number = 60},
      property{.id = property_id::payload_format_indicator, .number = 1},
      property{.id = property_id::subscription_identifier, .number = 4},
      property{.id = property_id::subscription_identifier, .number = 9},
      property{.id = property_id::topic_alias, .number = 2},
  };
  proto::property_list props{list};
  message_view m{.topic = "t", .payload = "x", .properties = &props, .timestamp = fixed_time};
  const std::string s = line(m);
  EXPECT_NE(s.find(R"("properties":{"content_type":"application/json","response_topic":"reply/here",)"
                   R"("correlation_data":"/wI=","correlation_data_encoding":"base64","message_expiry_interval":60,"payload_format_indicator":1,)"
                   R"("topic_alias":2,"subscription_identifiers":[4,9],"user_properties":[["b","2"],["a","1"],["b","3"]]})"),
            std::string::npos)
      << s;
}

TEST(message_json, one_line_no_newline) {
  message_view m{.topic = "t", .payload = "line1\nline2", .timestamp = fixed_time};
  const std::string s = line(m);
  EXPECT_EQ(s.find('\n'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(s)["payload"], "line1\nline2");
}

TEST(message_json, timestamp_rfc3339_microseconds_utc) {
  message_view m{.topic = "t", .payload = "x", .timestamp = std::chrono::system_clock::time_point(std::chrono::microseconds(5))};
  EXPECT_EQ(nlohmann::json::parse(line(m))["ts"], "1970-01-01T00:00:00.000005Z");
}

}  // namespace
}  // namespace mqtk::report

namespace mqtk::report {
namespace {

TEST(message_json, direct_writer_matches_nlohmann_dump) {
  using namespace std::string_view_literals;
  std::vector<property> list{
      property{.id = property_id::topic_alias, .number = 7},
      property{.id = property_id::user_property, .key = "k\"ey", .value = "v\x01"},
      property{.id = property_id::content_type, .value = "a"},
      property{.id = property_id::content_type, .value = "b"},
      property{.id = property_id::subscription_identifier, .number = 1},
      property{.id = property_id::correlation_data, .value = "\xff"sv},
      property{.id = property_id::user_property, .key = "\xc3\xa9", .value = ""},
  };
  std::vector<property> only_unshown{property{.id = property_id::reason_string, .value = "x"}};
  proto::property_list props{list};
  proto::property_list unshown{only_unshown};
  const std::vector<message_view> cases{
      {.topic = "t", .payload = "plain", .timestamp = fixed_time},
      {.topic = "t/\"q\"", .payload = "\b\f\n\r\t\x01\x1f\x7f\"\\/\xc3\xa9\xe2\x82\xac"sv, .qos = proto::qos::at_least_once,
       .retain = true, .dup = true, .packet_id = 65535, .timestamp = fixed_time},
      {.topic = "bin", .payload = "\x80\x81"sv, .properties = &props, .timestamp = fixed_time},
      {.topic = "j", .payload = R"( {"b": [1, 2.5, "x"], "a": null} )", .properties = &unshown, .timestamp = fixed_time},
      {.topic = "e", .payload = "", .timestamp = {}},
  };
  for (const auto& m : cases) {
    for (bool embed : {false, true}) {
      std::string direct;
      append_message_json(direct, m, {.embed_json_payload = embed});
      EXPECT_EQ(direct, message_json(m, {.embed_json_payload = embed}).dump()) << m.topic;
    }
  }
}

TEST(message_json, embedded_json_payload_keeps_its_own_text) {
  const message_view m{.topic = "t", .payload = R"({"a":1.10,"a":2,"big":12345678901234567890123})", .timestamp = fixed_time};
  std::string out;
  append_message_json(out, m, {.embed_json_payload = true});
  EXPECT_NE(out.find(R"("payload":{"a":1.10,"a":2,"big":12345678901234567890123},"payload_encoding":"json")"),
            std::string::npos)
      << out;
}

TEST(message_json, embedded_pretty_json_payload_fits_on_one_line_with_its_strings_intact) {
  const message_view m{.topic = "t", .payload = "{\n  \"k\": \"a b\\\" c\",\n\t\"n\": [ 1 , 2 ]\r\n}\n", .timestamp = fixed_time};
  std::string out;
  append_message_json(out, m, {.embed_json_payload = true});
  EXPECT_EQ(out.find('\n'), std::string::npos) << out;
  EXPECT_NE(out.find(R"("payload":{"k":"a b\" c","n":[1,2]})"), std::string::npos) << out;
  EXPECT_TRUE(nlohmann::json::accept(out)) << out;
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
        const std::string fast = line(m);
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
    const std::string fast = line(m);
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
  const std::string fast = line(m);
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
      line({.topic = "t", .payload = "MTIz", .properties = &text_props, .timestamp = fixed_time}));
  const auto bytes = nlohmann::json::parse(
      line({.topic = "t", .payload = "\xff\x02"sv, .properties = &bytes_props, .timestamp = fixed_time}));
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
      line({.topic = "a\xff" "b", .payload = "p", .properties = &props, .timestamp = fixed_time}));
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
      collect_types(nlohmann::json::parse(line(m, {.embed_json_payload = embed})), "", types);
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
    EXPECT_EQ(nlohmann::json::parse(line(m, {.embed_json_payload = true})),
              nlohmann::json::parse(message_json(m, {.embed_json_payload = true}).dump()))
        << payload;
  }
}

}  // namespace
}  // namespace mqtk::report
