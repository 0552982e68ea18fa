// -F %j / %J: cJSON's bytes (as mosquitto_sub 2.0.11 prints them), and the cJSON-compatible
// re-printer behind %J.
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mqtk/report/message_format.hpp"
#include "mqtk/report/mosquitto_json.hpp"

namespace mqtk::report {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;
using proto::property;
using proto::property_id;

const auto fixed_time = std::chrono::system_clock::time_point(std::chrono::microseconds(1588801680123456LL));
constexpr std::string_view tst = R"("tst":"2020-05-06T21:48:00.123456Z+0000")";

void use_utc() {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

std::string j(const message_view& m, mosquitto_payload p = mosquitto_payload::escaped,
              json_layout l = json_layout::compact) {
  std::string out;
  EXPECT_TRUE(append_mosquitto_json(out, m, p, l));
  return out;
}

std::string reprint(std::string_view text, json_layout l = json_layout::compact) {
  std::string out;
  if (!append_cjson_reprint(out, text, l, 0)) return "<rejected>";
  return out;
}

TEST(mosquitto_json, qos0_message) {
  use_utc();
  message_view m{.topic = "greeting", .payload = "hello world", .timestamp = fixed_time};
  EXPECT_EQ(j(m), "{"s + std::string(tst) +
                      R"(,"topic":"greeting","qos":0,"retain":0,"payloadlen":11,"payload":"hello world"})");
}

TEST(mosquitto_json, qos1_retained_has_mid) {
  use_utc();
  message_view m{.topic = "t", .payload = "x", .qos = proto::qos::at_least_once, .retain = true, .packet_id = 9,
                 .timestamp = fixed_time};
  EXPECT_EQ(j(m), "{"s + std::string(tst) + R"(,"topic":"t","qos":1,"retain":1,"payloadlen":1,"mid":9,"payload":"x"})");
}

TEST(mosquitto_json, payload_cut_at_first_nul_but_length_whole) {
  use_utc();
  message_view m{.topic = "t", .payload = "x\0yz"sv, .timestamp = fixed_time};
  EXPECT_NE(j(m).find(R"("payloadlen":4,"payload":"x"})"), std::string::npos);
}

TEST(mosquitto_json, control_characters_escaped_like_cjson_high_bytes_raw) {
  use_utc();
  message_view m{.topic = "t", .payload = "h\x01\"\\\n\t\b\f\r\x7f\xc3\xa9\xff"sv, .timestamp = fixed_time};
  EXPECT_NE(j(m).find(R"("payload":"h\u0001\"\\\n\t\b\f\r)" "\x7f\xc3\xa9\xff" R"("})"), std::string::npos);
}

TEST(mosquitto_json, empty_payload_is_null_in_both_modes) {
  use_utc();
  message_view m{.topic = "t", .payload = "", .timestamp = fixed_time};
  EXPECT_NE(j(m).find(R"("payloadlen":0,"payload":null})"), std::string::npos);
  EXPECT_NE(j(m, mosquitto_payload::embedded).find(R"("payload":null})"), std::string::npos);
}

TEST(mosquitto_json, properties_in_wire_order_with_user_properties_object) {
  use_utc();
  std::vector<property> list{
      property{.id = property_id::content_type, .value = "text/x"},
      property{.id = property_id::user_property, .key = "k1", .value = "v1"},
      property{.id = property_id::response_topic, .value = "rt"},
      property{.id = property_id::user_property, .key = "k1", .value = "v2"},
      property{.id = property_id::correlation_data, .value = "cd\0x"sv},
      property{.id = property_id::payload_format_indicator, .number = 1},
      property{.id = property_id::message_expiry_interval, .number = 299},
      property{.id = property_id::subscription_identifier, .number = 5},
  };
  proto::property_list props{list};
  message_view m{.topic = "a/props", .payload = R"({"t":1})", .retain = true, .properties = &props,
                 .timestamp = fixed_time};
  EXPECT_EQ(j(m), "{"s + std::string(tst) +
                      R"(,"topic":"a/props","qos":0,"retain":1,"payloadlen":7,"properties":{"content-type":"text/x",)"
                      R"("user-properties":{"k1":"v1","k1":"v2"},"response-topic":"rt","correlation-data":"cd",)"
                      R"("payload-format-indicator":1,"message-expiry-interval":299,"subscription-identifier":5},)"
                      R"("payload":"{\"t\":1}"})");
  EXPECT_NE(j(m, mosquitto_payload::embedded).find(R"("payload":{"t":1}})"), std::string::npos);
}

TEST(mosquitto_json, embedded_rejects_non_json) {
  message_view m{.topic = "t", .payload = "hello"};
  std::string out = "keep";
  EXPECT_FALSE(append_mosquitto_json(out, m, mosquitto_payload::embedded, json_layout::compact));
  EXPECT_EQ(out, "keep");
}

TEST(mosquitto_json, embedded_rejects_payload_with_nul_after_json) {
  message_view m{.topic = "t", .payload = "{}\0x"sv};
  std::string out;
  EXPECT_FALSE(append_mosquitto_json(out, m, mosquitto_payload::embedded, json_layout::compact));
}

TEST(mosquitto_json, pretty_layout_is_cjsons) {
  use_utc();
  message_view m{.topic = "t", .payload = R"({"a":[1,2],"b":{}})", .timestamp = fixed_time};
  std::string expected = "{\n\t\"tst\":\t\"2020-05-06T21:48:00.123456Z+0000\",\n\t\"topic\":\t\"t\",\n\t\"qos\":\t0,\n"
                         "\t\"retain\":\t0,\n\t\"payloadlen\":\t18,\n\t\"payload\":\t{\n\t\t\"a\":\t[1, 2],\n"
                         "\t\t\"b\":\t{\n\t\t}\n\t}\n}";
  EXPECT_EQ(j(m, mosquitto_payload::embedded, json_layout::pretty), expected);
}

TEST(cjson_reprint, whitespace_removed_numbers_reprinted) {
  EXPECT_EQ(reprint(R"( { "a" : 1.50 , "b" : [ true, false, null ], "c": -0, "d": 1e3, "e": 0.1 } )"),
            R"({"a":1.5,"b":[true,false,null],"c":-0,"d":1000,"e":0.1})");
}

TEST(cjson_reprint, large_and_fractional_numbers) {
  EXPECT_EQ(reprint("[10000000000, 2147483647, -2147483648, 3.141592653589793, 1e300, 123456789012345678]"),
            "[10000000000,2147483647,-2147483648,3.1415926535897931,1e+300,1.2345678901234568e+17]");
}

TEST(cjson_reprint, string_escapes_decoded_and_reencoded) {
  EXPECT_EQ(reprint(R"(["\u00e9\/\"\\\n", "\ud83d\ude00", "a\u0000b"])"),
            "[\"\xc3\xa9/\\\"\\\\\\n\",\"\xf0\x9f\x98\x80\",\"a\"]");
}

TEST(cjson_reprint, accepts_what_cjson_accepts) {
  EXPECT_EQ(reprint("\xef\xbb\xbf{}"), "{}");
  EXPECT_EQ(reprint("[01]"), "[1]");
  EXPECT_EQ(reprint("\"raw\ttab\""), R"("raw\ttab")");
  EXPECT_EQ(reprint("\x01 1 \x02"), "1");
}

TEST(cjson_reprint, rejects_what_cjson_rejects) {
  for (std::string_view bad : {"", "hello", "{", "[1,]", "{\"a\" 1}", "+1", "1 2", "\"\\x\"", "\"\\ud800\"",
                               "\"\\udc00\"", "{a:1}", "[1]x", "nul", "'a'"}) {
    EXPECT_EQ(reprint(bad), "<rejected>") << bad;
  }
}

TEST(cjson_reprint, nesting_limit) {
  std::string deep(999, '[');
  deep += std::string(999, ']');
  EXPECT_NE(reprint(deep), "<rejected>");
  std::string too_deep(1001, '[');
  too_deep += std::string(1001, ']');
  EXPECT_EQ(reprint(too_deep), "<rejected>");
}

TEST(cjson_string, stops_at_nul) {
  std::string out;
  append_cjson_string(out, "ab\0c"s);
  EXPECT_EQ(out, R"("ab")");
}

}  // namespace
}  // namespace mqtk::report
