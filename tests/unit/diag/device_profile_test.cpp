// The --device profiles: each library's defaults as its sources define them, and every warning
// check_device() can give, each from the situation that produces it.
#include "mqtk/diag/device_profile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace mqtk::diag {
namespace {

using proto::protocol_version;
using proto::qos;

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

const device_warning* find(const std::vector<device_warning>& ws, std::string_view code) {
  auto it = std::ranges::find_if(ws, [&](const device_warning& w) { return w.code == code; });
  return it == ws.end() ? nullptr : &*it;
}

device_profile profile(std::string_view name) {
  auto p = find_device_profile(name);
  EXPECT_TRUE(p.has_value()) << name;
  return p.value_or(device_profile{});
}

// --- the profiles ------------------------------------------------------------------------------

TEST(device_profile, esp_idf_defaults_from_mqtt_config_h) {
  const auto p = profile("esp-idf");
  EXPECT_EQ(p.version, protocol_version::v311);
  EXPECT_TRUE(p.can_speak_v5);
  EXPECT_EQ(p.keepalive_s, 120);  // MQTT_KEEPALIVE_TICK, and the ESP-IDF FAQ
  EXPECT_TRUE(p.clean_session);
  EXPECT_EQ(p.buffer_bytes, 1024u);  // MQTT_BUFFER_SIZE_BYTE
  EXPECT_EQ(p.response_timeout_ms, 10'000u);  // MQTT_NETWORK_TIMEOUT_MS
  EXPECT_EQ(p.reconnect_ms, 10'000u);  // MQTT_RECON_DEFAULT_MS; the FAQ's "Reconnect after 10000 ms"
  EXPECT_EQ(p.example_client_id.substr(0, 6), "ESP32_");
  EXPECT_EQ(p.example_client_id.size(), 12u);  // "ESP32_%02x%02X%02X"
  EXPECT_EQ(p.buffer_rule, publish_buffer_rule::fragments);
}

TEST(device_profile, pubsubclient_defaults_from_pubsubclient_h) {
  const auto p = profile("pubsubclient");
  EXPECT_EQ(p.version, protocol_version::v311);  // MQTT_VERSION_3_1_1
  EXPECT_FALSE(p.can_speak_v5);
  EXPECT_EQ(p.keepalive_s, 15);          // MQTT_KEEPALIVE
  EXPECT_EQ(p.buffer_bytes, 256u);       // MQTT_MAX_PACKET_SIZE
  EXPECT_EQ(p.response_timeout_ms, 15'000u);  // MQTT_SOCKET_TIMEOUT
  EXPECT_EQ(p.max_publish_qos, 0);
  EXPECT_EQ(p.max_subscribe_qos, 1);
}

TEST(device_profile, arduino_mqtt_defaults_from_mqttclient_h) {
  const auto p = profile("arduino-mqtt");
  EXPECT_EQ(p.version, protocol_version::v311);
  EXPECT_FALSE(p.can_speak_v5);
  EXPECT_EQ(p.keepalive_s, 10);
  EXPECT_EQ(p.buffer_bytes, 128u);
  EXPECT_EQ(p.response_timeout_ms, 1'000u);
  EXPECT_EQ(p.buffer_rule, publish_buffer_rule::whole_packet);
}

TEST(device_profile, async_mqtt_client_defaults_from_its_constructor) {
  const auto p = profile("async-mqtt-client");
  EXPECT_EQ(p.version, protocol_version::v311);  // protocol level 0x04
  EXPECT_EQ(p.keepalive_s, 15);
  EXPECT_EQ(p.buffer_bytes, 0u);
  EXPECT_EQ(p.max_incoming_topic, 128u);
  EXPECT_EQ(p.example_client_id.substr(0, 7), "esp8266");
}

TEST(device_profile, lookup_is_case_insensitive_and_knows_aliases) {
  EXPECT_EQ(find_device_profile("PubSubClient")->name, "pubsubclient");
  EXPECT_EQ(find_device_profile("esp-mqtt")->name, "esp-idf");
  EXPECT_EQ(find_device_profile("AsyncMqttClient")->name, "async-mqtt-client");
  EXPECT_EQ(find_device_profile("lwmqtt")->name, "arduino-mqtt");
  EXPECT_FALSE(find_device_profile("toaster").has_value());
  EXPECT_EQ(device_profile_names(), "esp-idf, pubsubclient, arduino-mqtt, async-mqtt-client");
}

TEST(device_profile, description_names_the_defaults) {
  const std::string d = describe_device(profile("pubsubclient"));
  EXPECT_TRUE(contains(d, "MQTT 3.1.1")) << d;
  EXPECT_TRUE(contains(d, "keepalive 15 s")) << d;
  EXPECT_TRUE(contains(d, "256-byte buffer")) << d;
  EXPECT_TRUE(contains(d, "waits 15 s")) << d;
  EXPECT_TRUE(contains(describe_device(profile("arduino-mqtt")), "waits 1 s")) << describe_device(profile("arduino-mqtt"));
}

// --- buffer arithmetic, as each library counts ---------------------------------------------------

TEST(device_publish_bytes, pubsubclient_reserves_five_header_bytes) {
  // PubSubClient::publish(): bufferSize < MQTT_MAX_HEADER_SIZE + 2 + strnlen(topic) + plength.
  const auto p = profile("pubsubclient");
  EXPECT_EQ(device_publish_bytes(p, {.topic_bytes = 10, .payload_bytes = 239}), 256u);
  EXPECT_EQ(device_publish_bytes(p, {.topic_bytes = 10, .payload_bytes = 240}), 257u);
}

TEST(device_publish_bytes, lwmqtt_counts_the_encoded_packet) {
  const auto p = profile("arduino-mqtt");
  // 1 + varint(2 + 10 + 100 = 112 -> 1 byte) + 112.
  EXPECT_EQ(device_publish_bytes(p, {.topic_bytes = 10, .payload_bytes = 100}), 114u);
  // QoS 1 adds the packet id; remaining 2+10+2+200 = 214 needs two length bytes.
  EXPECT_EQ(device_publish_bytes(p, {.topic_bytes = 10, .payload_bytes = 200, .qos = qos::at_least_once}), 217u);
}

// --- the warnings --------------------------------------------------------------------------------

TEST(check_device, pubsubclient_300_byte_payload_does_not_fit) {
  const auto ws = check_device(profile("pubsubclient"), {},
                               device_message{.topic = "home/sensors/x", .topic_bytes = 14, .payload_bytes = 300});
  const auto* w = find(ws, "device_buffer_too_small");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->level, device_warning_level::error);
  EXPECT_TRUE(contains(w->message, "a 300-byte payload on topic 'home/sensors/x' needs 321 bytes")) << w->message;
  EXPECT_TRUE(contains(w->message, "PubSubClient's default 256-byte buffer")) << w->message;
  EXPECT_TRUE(contains(w->message, "256-byte buffer")) << w->message;
  EXPECT_TRUE(contains(w->message, "publish() returns false silently")) << w->message;
  EXPECT_EQ(w->hint, "call client.setBufferSize(384) before connect()");
}

TEST(check_device, pubsubclient_payload_that_fits_gives_no_buffer_warning) {
  const auto ws = check_device(profile("pubsubclient"), {}, device_message{.topic_bytes = 10, .payload_bytes = 239});
  EXPECT_EQ(find(ws, "device_buffer_too_small"), nullptr);
}

TEST(check_device, arduino_mqtt_buffer_too_short) {
  const auto ws = check_device(profile("arduino-mqtt"), {}, device_message{.topic_bytes = 20, .payload_bytes = 120});
  const auto* w = find(ws, "device_buffer_too_small");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(contains(w->message, "LWMQTT_BUFFER_TOO_SHORT")) << w->message;
  EXPECT_TRUE(contains(w->message, "on a 20-byte topic")) << w->message;
  EXPECT_EQ(w->hint, "call MQTTClient client(192)");
}

TEST(check_device, esp_idf_large_payload_is_split_not_refused) {
  const auto ws = check_device(profile("esp-idf"), {}, device_message{.topic_bytes = 20, .payload_bytes = 4000});
  EXPECT_EQ(find(ws, "device_buffer_too_small"), nullptr);
  const auto* w = find(ws, "device_message_split");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->level, device_warning_level::info);
  EXPECT_TRUE(contains(w->message, "MQTT_EVENT_DATA")) << w->message;
}

TEST(check_device, pubsubclient_cannot_publish_qos1) {
  const auto ws = check_device(profile("pubsubclient"), {},
                               device_message{.topic_bytes = 5, .payload_bytes = 5, .qos = qos::at_least_once});
  const auto* w = find(ws, "device_qos_not_supported");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(contains(w->message, "only at QoS 0")) << w->message;
}

TEST(check_device, server_keep_alive_below_device_keepalive) {
  // mosquitto 2.0.11 with max_keepalive 10 answers a 5.0 CONNECT (keepalive 30) with
  // Server Keep Alive 10 and keeps a 3.1.1 client's 30 (observed on a real broker).
  const auto ws = check_device(profile("pubsubclient"), broker_facts{.server_keep_alive = 10}, std::nullopt);
  const auto* w = find(ws, "device_keepalive_above_broker_limit");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->level, device_warning_level::warning);
  EXPECT_TRUE(contains(w->message, "limits keepalive to 10 s")) << w->message;
  EXPECT_TRUE(contains(w->message, "asks for 15 s")) << w->message;
  EXPECT_TRUE(contains(w->hint, "client.setKeepAlive(10)")) << w->hint;
}

TEST(check_device, a_v5_device_is_told_the_server_keep_alive) {
  auto p = profile("esp-idf");
  p.version = protocol_version::v5;  // esp-mqtt configured for 5.0
  const auto ws = check_device(p, broker_facts{.server_keep_alive = 10}, std::nullopt);
  EXPECT_EQ(find(ws, "device_keepalive_above_broker_limit"), nullptr);
  const auto* w = find(ws, "device_keepalive_replaced_by_broker");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->level, device_warning_level::info);
  EXPECT_TRUE(contains(w->message, "keepalive 120 s with its Server Keep Alive 10 s")) << w->message;
  // A 3.1.1 device is not told a longer value either, and is not affected by it.
  EXPECT_TRUE(check_device(profile("esp-idf"), broker_facts{.server_keep_alive = 300}, std::nullopt).size() ==
              check_device(profile("esp-idf"), {}, std::nullopt).size());
}

TEST(check_device, broker_maximum_packet_size_below_device_buffer) {
  const auto ws = check_device(profile("esp-idf"), broker_facts{.maximum_packet_size = 512}, std::nullopt);
  const auto* w = find(ws, "device_buffer_above_broker_maximum_packet_size");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(contains(w->message, "512 bytes")) << w->message;
  EXPECT_TRUE(contains(w->message, "1024-byte buffer")) << w->message;
}

TEST(check_device, message_above_broker_maximum_packet_size) {
  const auto ws = check_device(profile("esp-idf"), broker_facts{.maximum_packet_size = 100},
                               device_message{.topic_bytes = 10, .payload_bytes = 200});
  const auto* w = find(ws, "device_message_above_broker_maximum_packet_size");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->level, device_warning_level::error);
  EXPECT_TRUE(contains(w->message, "215 bytes")) << w->message;  // 1 + 2 (varint 212) + 212
}

TEST(check_device, broker_maximum_qos_below_library_qos) {
  const auto ws = check_device(profile("esp-idf"), broker_facts{.maximum_qos = 1},
                               device_message{.topic_bytes = 3, .payload_bytes = 3, .qos = qos::exactly_once});
  ASSERT_NE(find(ws, "device_qos_above_broker_maximum"), nullptr);
  ASSERT_NE(find(ws, "device_message_qos_above_broker_maximum"), nullptr);
  // PubSubClient never goes above QoS 1 (subscriptions), so a broker at 1 is no news to it.
  EXPECT_EQ(find(check_device(profile("pubsubclient"), broker_facts{.maximum_qos = 1}, std::nullopt),
                 "device_qos_above_broker_maximum"),
            nullptr);
}

TEST(check_device, retain_not_available) {
  const auto ws = check_device(profile("esp-idf"), broker_facts{.retain_available = false},
                               device_message{.topic_bytes = 3, .payload_bytes = 3, .retain = true});
  ASSERT_NE(find(ws, "device_retain_not_available"), nullptr);
}

TEST(check_device, v5_only_broker_and_a_311_only_library) {
  const broker_facts b{.device_connack = proto::reason_code{1},
                       .accepted_versions = {protocol_version::v5},
                       .refused_versions = {protocol_version::v31, protocol_version::v311}};
  const auto ws = check_device(profile("pubsubclient"), b, std::nullopt);
  const auto* w = find(ws, "device_protocol_refused");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->level, device_warning_level::error);
  EXPECT_TRUE(contains(w->message, "accepts only 5.0")) << w->message;
  EXPECT_TRUE(contains(w->hint, "cannot speak 5.0")) << w->hint;
  const auto esp = check_device(profile("esp-idf"), b, std::nullopt);
  EXPECT_TRUE(contains(find(esp, "device_protocol_refused")->hint, "MQTT_PROTOCOL_V_5"));
}

TEST(check_device, slow_broker_against_arduino_mqtt_one_second_timeout) {
  const auto warn = check_device(profile("arduino-mqtt"), broker_facts{.connect_ms = 700.0}, std::nullopt);
  const auto* w = find(warn, "device_timeout_too_short");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->level, device_warning_level::warning);
  EXPECT_TRUE(contains(w->message, "700 ms")) << w->message;
  const auto err = check_device(profile("arduino-mqtt"), broker_facts{.connect_ms = 200.0, .round_trip_ms = 1500.0},
                                std::nullopt);
  EXPECT_EQ(find(err, "device_timeout_too_short")->level, device_warning_level::error);
  EXPECT_EQ(find(check_device(profile("arduino-mqtt"), broker_facts{.connect_ms = 20.0}, std::nullopt),
                 "device_timeout_too_short"),
            nullptr);
}

TEST(check_device, async_mqtt_client_long_topic) {
  const auto ws = check_device(profile("async-mqtt-client"), {}, device_message{.topic_bytes = 200, .payload_bytes = 1});
  const auto* w = find(ws, "device_topic_too_long");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(contains(w->hint, "setMaxTopicLength(256)")) << w->hint;
}

TEST(check_device, defaults_always_noted) {
  const auto ws = check_device(profile("pubsubclient"), {}, std::nullopt);
  ASSERT_NE(find(ws, "device_clean_session"), nullptr);
  ASSERT_NE(find(ws, "device_client_id_fixed"), nullptr);
  EXPECT_TRUE(std::ranges::all_of(ws, [](const device_warning& w) { return w.level == device_warning_level::info; }));
  EXPECT_EQ(find(check_device(profile("esp-idf"), {}, std::nullopt), "device_client_id_fixed"), nullptr);
}

TEST(check_device, level_names) {
  EXPECT_EQ(level_name(device_warning_level::info), "info");
  EXPECT_EQ(level_name(device_warning_level::warning), "warning");
  EXPECT_EQ(level_name(device_warning_level::error), "error");
}

}  // namespace
}  // namespace mqtk::diag
