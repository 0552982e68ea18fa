// mqtk-sub --json lines (ARCHITECTURE.md, "JSON").
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

}  // namespace
}  // namespace mqtk::report
