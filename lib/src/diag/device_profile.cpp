#include "mqtk/diag/device_profile.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace mqtk::diag {
namespace {

using proto::protocol_version;

// Where each value comes from:
// - esp-idf: espressif/esp-mqtt mqtt_config.h (MQTT_KEEPALIVE_TICK 120, MQTT_BUFFER_SIZE_BYTE
//   1024, MQTT_NETWORK_TIMEOUT_MS 10000, MQTT_RECON_DEFAULT_MS 10 s, MQTT_PROTOCOL_311 by
//   default) and mqtt_client.c (client id from platform_create_id_string(): "ESP32_%02x%02X%02X"
//   of the MAC's last three bytes; publishes larger than the buffer are written in fragments;
//   PINGREQ at half the keepalive).
// - pubsubclient: knolleary/pubsubclient PubSubClient.h 2.8 (MQTT_MAX_PACKET_SIZE 256,
//   MQTT_KEEPALIVE 15, MQTT_SOCKET_TIMEOUT 15, MQTT_VERSION 3.1.1; publish() fails when
//   MQTT_MAX_HEADER_SIZE (5) + 2 + topic + payload exceeds the buffer; QoS 0 publishes, QoS 0/1
//   subscriptions).
// - arduino-mqtt: 256dpi/arduino-mqtt MQTTClient.h (MQTTClient(int bufSize = 128), keepAlive 10,
//   cleanSession true, timeout 1000 ms) over lwmqtt (3.1.1).
// - async-mqtt-client: marvinroger/async-mqtt-client AsyncMqttClient.cpp (_keepAlive 15,
//   _cleanSession true, protocol level 4, client id "esp8266%06x" of the chip id,
//   setMaxTopicLength(128)).
constexpr std::array<device_profile, 4> profiles = {{
    {.name = "esp-idf",
     .library = "ESP-IDF esp-mqtt (espressif/esp-mqtt)",
     .display = "esp-mqtt",
     .version = protocol_version::v311,
     .can_speak_v5 = true,
     .keepalive_s = 120,
     .clean_session = true,
     .client_id_form = "ESP32_ + the last three bytes of the MAC (platform_create_id_string)",
     .example_client_id = "ESP32_a1B2C3",
     .buffer_bytes = 1024,
     .buffer_rule = publish_buffer_rule::fragments,
     .buffer_fix = "buffer.size = %",
     .response_timeout_ms = 10'000,
     .reconnect_ms = 10'000,
     .max_publish_qos = 2,
     .max_subscribe_qos = 2,
     .max_incoming_topic = 0,
     .defaults_source = "esp-mqtt mqtt_config.h / mqtt_client.c"},
    {.name = "pubsubclient",
     .library = "PubSubClient 2.8 (knolleary/pubsubclient)",
     .display = "PubSubClient",
     .version = protocol_version::v311,
     .can_speak_v5 = false,
     .keepalive_s = 15,
     .clean_session = true,
     .client_id_form = "whatever the sketch passes to connect(); the examples use \"ESP8266Client\" or "
                       "\"ESP32Client-\" + random hex",
     .example_client_id = "ESP8266Client",
     .buffer_bytes = 256,
     .buffer_rule = publish_buffer_rule::whole_packet_with_reserved_header,
     .buffer_fix = "client.setBufferSize(%) before connect()",
     .response_timeout_ms = 15'000,
     .reconnect_ms = 0,
     .max_publish_qos = 0,
     .max_subscribe_qos = 1,
     .max_incoming_topic = 0,
     .defaults_source = "PubSubClient.h (MQTT_MAX_PACKET_SIZE, MQTT_KEEPALIVE, MQTT_SOCKET_TIMEOUT)"},
    {.name = "arduino-mqtt",
     .library = "arduino-mqtt 2.x (256dpi/arduino-mqtt, lwmqtt)",
     .display = "arduino-mqtt",
     .version = protocol_version::v311,
     .can_speak_v5 = false,
     .keepalive_s = 10,
     .clean_session = true,
     .client_id_form = "whatever the sketch passes to connect()",
     .example_client_id = "arduino",
     .buffer_bytes = 128,
     .buffer_rule = publish_buffer_rule::whole_packet,
     .buffer_fix = "MQTTClient client(%)",
     .response_timeout_ms = 1'000,
     .reconnect_ms = 0,
     .max_publish_qos = 2,
     .max_subscribe_qos = 2,
     .max_incoming_topic = 0,
     .defaults_source = "MQTTClient.h (bufSize 128, keepAlive 10, cleanSession true, timeout 1000)"},
    {.name = "async-mqtt-client",
     .library = "AsyncMqttClient (marvinroger/async-mqtt-client)",
     .display = "AsyncMqttClient",
     .version = protocol_version::v311,
     .can_speak_v5 = false,
     .keepalive_s = 15,
     .clean_session = true,
     .client_id_form = "esp8266 + the chip id in 6 hex digits",
     .example_client_id = "esp8266a1b2c3",
     .buffer_bytes = 0,
     .buffer_rule = publish_buffer_rule::unlimited,
     .buffer_fix = "",
     .response_timeout_ms = 0,
     .reconnect_ms = 0,
     .max_publish_qos = 2,
     .max_subscribe_qos = 2,
     .max_incoming_topic = 128,
     .defaults_source = "AsyncMqttClient.cpp (_keepAlive 15, _cleanSession true, setMaxTopicLength(128))"},
}};

struct alias {
  std::string_view spelling;
  std::string_view name;
};
constexpr std::array<alias, 8> aliases = {{
    {"esp-mqtt", "esp-idf"},          {"espidf", "esp-idf"},
    {"esp_idf", "esp-idf"},           {"pubsub", "pubsubclient"},
    {"arduinomqtt", "arduino-mqtt"},  {"lwmqtt", "arduino-mqtt"},
    {"asyncmqttclient", "async-mqtt-client"}, {"async-mqtt", "async-mqtt-client"},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::size_t varint_length(std::size_t n) noexcept {
  std::size_t len = 1;
  while (n >= 128) {
    n /= 128;
    ++len;
  }
  return len;
}

// A buffer size worth suggesting: the packet rounded up to the next multiple of 64 bytes.
std::size_t suggested_buffer(std::size_t needed) noexcept { return (needed + 63) / 64 * 64; }

std::string fill(std::string_view pattern, std::size_t value) {
  std::string out(pattern);
  if (auto pos = out.find('%'); pos != std::string::npos) out.replace(pos, 1, std::to_string(value));
  return out;
}

// How the library sets its keepalive, for hints.
std::string keepalive_call(const device_profile& p, unsigned seconds) {
  if (p.name == "esp-idf") return "session.keepalive = " + std::to_string(seconds);
  if (p.name == "async-mqtt-client") return "mqttClient.setKeepAlive(" + std::to_string(seconds) + ")";
  return "client.setKeepAlive(" + std::to_string(seconds) + ")";
}

bool refused(const broker_facts& b, protocol_version v) {
  return std::ranges::find(b.refused_versions, v) != b.refused_versions.end();
}
bool accepted(const broker_facts& b, protocol_version v) {
  return std::ranges::find(b.accepted_versions, v) != b.accepted_versions.end();
}

}  // namespace

std::span<const device_profile> all_device_profiles() noexcept { return profiles; }

std::optional<device_profile> find_device_profile(std::string_view name) {
  std::string key = lower(name);
  for (const auto& a : aliases)
    if (key == a.spelling) key = std::string(a.name);
  for (const auto& p : profiles)
    if (key == p.name) return p;
  return std::nullopt;
}

std::string device_profile_names() {
  std::string out;
  for (const auto& p : profiles) {
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

std::string_view level_name(device_warning_level l) noexcept {
  switch (l) {
    case device_warning_level::info: return "info";
    case device_warning_level::warning: return "warning";
    case device_warning_level::error: return "error";
  }
  return "warning";
}

std::size_t device_publish_bytes(const device_profile& p, const device_message& m) noexcept {
  switch (p.buffer_rule) {
    case publish_buffer_rule::whole_packet_with_reserved_header:
      // PubSubClient::publish(): MQTT_MAX_HEADER_SIZE + 2 + strnlen(topic) + plength.
      return 5 + 2 + m.topic_bytes + m.payload_bytes;
    case publish_buffer_rule::whole_packet: {
      const std::size_t remaining =
          2 + m.topic_bytes + (m.qos == proto::qos::at_most_once ? 0 : 2) + m.payload_bytes;
      return 1 + varint_length(remaining) + remaining;
    }
    case publish_buffer_rule::fragments:
    case publish_buffer_rule::unlimited:
      return 0;
  }
  return 0;
}

std::string describe_device(const device_profile& p) {
  std::string s = std::string(p.library) + ": MQTT " + std::string(proto::version_name(p.version)) +
                  (p.can_speak_v5 && p.version != protocol_version::v5 ? " (5.0 when configured)" : "") +
                  ", keepalive " + std::to_string(p.keepalive_s) + " s, " +
                  (p.clean_session ? "clean session" : "persistent session");
  if (p.buffer_bytes != 0) s += ", " + std::to_string(p.buffer_bytes) + "-byte buffer";
  if (p.response_timeout_ms != 0)
    s += ", waits " +
         (p.response_timeout_ms % 1000 == 0 ? std::to_string(p.response_timeout_ms / 1000) + " s"
                                            : std::to_string(p.response_timeout_ms) + " ms") +
         " for answers";
  if (p.reconnect_ms != 0) s += ", retries every " + std::to_string(p.reconnect_ms / 1000) + " s";
  s += ", publishes at QoS " + std::string(p.max_publish_qos == 0 ? "0 only" : "0-2");
  return s;
}

std::vector<device_warning> check_device(const device_profile& p, const broker_facts& broker,
                                         const std::optional<device_message>& message) {
  std::vector<device_warning> out;
  const std::string lib(p.display);
  const std::string version(proto::version_name(p.version));

  // --- protocol level -------------------------------------------------------------------------
  const bool version_refused =
      refused(broker, p.version) || (broker.device_connack == proto::reason_code::v311_unacceptable_protocol_version);
  if (version_refused) {
    const bool v5_only = accepted(broker, protocol_version::v5) && !accepted(broker, protocol_version::v311);
    device_warning w{device_warning_level::error, "device_protocol_refused",
                     "the broker refuses MQTT " + version + ", the level " + lib + " sends" +
                         (v5_only ? " (it accepts only 5.0)" : ""),
                     {}};
    if (p.can_speak_v5)
      w.hint = "configure the device for 5.0 (esp-mqtt: session.protocol_ver = MQTT_PROTOCOL_V_5 with "
               "CONFIG_MQTT_PROTOCOL_5), or enable 3.1.1 on the broker";
    else
      w.hint = lib + " cannot speak 5.0: enable 3.1.1 on the broker's listener, or move the device to a "
                     "5.0-capable client (esp-mqtt)";
    out.push_back(std::move(w));
  }

  // --- keepalive ------------------------------------------------------------------------------
  if (broker.server_keep_alive) {
    const auto ska = *broker.server_keep_alive;
    if (p.version == protocol_version::v5 && ska != p.keepalive_s) {
      // A 5.0 client is told, and must use the broker's value (MQTT-3.2.2-21).
      out.push_back({device_warning_level::info, "device_keepalive_replaced_by_broker",
                     "the broker replaces " + lib + "'s keepalive " + std::to_string(p.keepalive_s) +
                         " s with its Server Keep Alive " + std::to_string(ska) + " s, which a 5.0 client must use",
                     "nothing to do on a 5.0 connection; set the device's keepalive to " + std::to_string(ska) +
                         " s to make its configuration say what happens"});
    } else if (ska != 0 && ska < p.keepalive_s) {
      out.push_back({device_warning_level::warning, "device_keepalive_above_broker_limit",
                     "the broker limits keepalive to " + std::to_string(ska) + " s (Server Keep Alive it "
                     "announces to 5.0 clients) but " + lib + " asks for " + std::to_string(p.keepalive_s) +
                     " s; an MQTT " + version + " device is never told the limit, so a broker that "
                     "enforces it drops the device after " + std::to_string(ska * 3 / 2) +
                     " s without traffic, and one that does not enforce it (mosquitto 2.0.11 for 3.1.1 clients) "
                     "keeps the device's value",
                     "set the device's keepalive to " + std::to_string(ska) + " s or less (" +
                         keepalive_call(p, ska) +
                         "), or raise max_keepalive on the broker"});
    }
  }

  // --- the broker's packet size limit and the device's buffer ---------------------------------
  if (broker.maximum_packet_size && p.buffer_bytes != 0 && *broker.maximum_packet_size < p.buffer_bytes) {
    out.push_back({device_warning_level::warning, "device_buffer_above_broker_maximum_packet_size",
                   "the broker's Maximum Packet Size is " + std::to_string(*broker.maximum_packet_size) +
                       " bytes, below " + lib + "'s " + std::to_string(p.buffer_bytes) +
                       "-byte buffer: packets the device can build may be larger than the broker accepts, and "
                       "the broker disconnects a client that sends one",
                   "keep messages under " + std::to_string(*broker.maximum_packet_size) +
                       " bytes, or raise max_packet_size on the broker"});
  }

  // --- QoS ------------------------------------------------------------------------------------
  const std::uint8_t broker_qos = broker.maximum_qos.value_or(2);
  if (broker.maximum_qos && broker_qos < std::max(p.max_publish_qos, p.max_subscribe_qos)) {
    out.push_back({device_warning_level::info, "device_qos_above_broker_maximum",
                   "the broker's Maximum QoS is " + std::to_string(broker_qos) + " but " + lib +
                       " can use QoS " + std::to_string(std::max(p.max_publish_qos, p.max_subscribe_qos)) +
                       "; an MQTT " + version + " device is not told, and a publish above QoS " +
                       std::to_string(broker_qos) + " makes the broker disconnect it (mosquitto: \"Too high QoS "
                       "in PUBLISH\")",
                   "publish and subscribe at QoS " + std::to_string(broker_qos) + " or less, or raise max_qos on the broker"});
  }

  // --- timing ---------------------------------------------------------------------------------
  if (p.response_timeout_ms != 0) {
    const double budget = p.response_timeout_ms;
    const std::optional<double> slowest =
        broker.connect_ms && broker.round_trip_ms ? std::max(*broker.connect_ms, *broker.round_trip_ms)
                                                  : (broker.connect_ms ? broker.connect_ms : broker.round_trip_ms);
    if (slowest && *slowest > budget / 2) {
      out.push_back({*slowest > budget ? device_warning_level::error : device_warning_level::warning,
                     "device_timeout_too_short",
                     "the broker took " + std::to_string(static_cast<long>(*slowest)) + " ms to answer, " +
                         (*slowest > budget ? "more than" : "more than half of") + " the " +
                         std::to_string(p.response_timeout_ms) + " ms " + lib + " waits",
                     p.name == "arduino-mqtt" ? "client.setTimeout(" + std::to_string(p.response_timeout_ms * 4) + ")"
                     : p.name == "pubsubclient"
                         ? "client.setSocketTimeout(" + std::to_string(p.response_timeout_ms * 2 / 1000) + ")"
                         : "network.timeout_ms = " + std::to_string(p.response_timeout_ms * 2)});
    }
  }

  // --- the message the device would send ------------------------------------------------------
  if (message) {
    const auto& m = *message;
    const std::size_t packet = device_publish_bytes(p, m);
    if (p.buffer_bytes != 0 && packet > p.buffer_bytes) {
      std::string what = "a " + std::to_string(m.payload_bytes) + "-byte payload on " +
                         (m.topic.empty() ? "a " + std::to_string(m.topic_bytes) + "-byte topic"
                                          : "topic '" + std::string(m.topic) + "'") +
                         " needs " + std::to_string(packet) + " bytes and does not fit " + lib +
                         "'s default " + std::to_string(p.buffer_bytes) + "-byte buffer: ";
      if (p.name == "pubsubclient")
        what += "publish() returns false silently and nothing is sent";
      else
        what += "publish() returns false with lastError() LWMQTT_BUFFER_TOO_SHORT (-1) and the library closes "
                "the connection";
      out.push_back({device_warning_level::error, "device_buffer_too_small", std::move(what),
                     "call " + fill(p.buffer_fix, suggested_buffer(packet))});
    } else if (p.buffer_rule == publish_buffer_rule::fragments && p.buffer_bytes != 0) {
      const std::size_t size = 2 + m.topic_bytes + m.payload_bytes + (m.qos == proto::qos::at_most_once ? 0 : 2);
      if (size + 1 + varint_length(size) > p.buffer_bytes) {
        out.push_back({device_warning_level::info, "device_message_split",
                       "a " + std::to_string(m.payload_bytes) + "-byte payload is larger than " + lib + "'s " +
                           std::to_string(p.buffer_bytes) + "-byte buffer: the device sends it in pieces, and a "
                           "device subscribed to it receives it as several MQTT_EVENT_DATA events "
                           "(current_data_offset / total_data_len)",
                       "handle MQTT_EVENT_DATA by offset, or set " + fill(p.buffer_fix, suggested_buffer(size + 5))});
      }
    }
    if (static_cast<std::uint8_t>(m.qos) > p.max_publish_qos) {
      out.push_back({device_warning_level::error, "device_qos_not_supported",
                     lib + " publishes only at QoS " + std::to_string(p.max_publish_qos) + "; the device cannot send this "
                     "message at QoS " + std::to_string(static_cast<int>(m.qos)),
                     "send it at QoS " + std::to_string(p.max_publish_qos) + ", or use a client that supports QoS " +
                         std::to_string(static_cast<int>(m.qos))});
    }
    if (broker.maximum_qos && static_cast<std::uint8_t>(m.qos) > broker_qos) {
      out.push_back({device_warning_level::error, "device_message_qos_above_broker_maximum",
                     "the message's QoS " + std::to_string(static_cast<int>(m.qos)) + " is above the broker's Maximum QoS " +
                         std::to_string(broker_qos) + ": the broker disconnects the device when it publishes it",
                     "publish at QoS " + std::to_string(broker_qos)});
    }
    if (m.retain && broker.retain_available && !*broker.retain_available) {
      out.push_back({device_warning_level::error, "device_retain_not_available",
                     "the message is retained but the broker says Retain Available = 0: it disconnects the device "
                     "when it publishes it (mosquitto with retain_available false does, to 3.1.1 clients too)",
                     "publish without retain, or set retain_available true on the broker"});
    }
    if (broker.maximum_packet_size) {
      const std::size_t remaining = 2 + m.topic_bytes + m.payload_bytes + (m.qos == proto::qos::at_most_once ? 0 : 2);
      const std::size_t wire = 1 + varint_length(remaining) + remaining;
      if (wire > *broker.maximum_packet_size) {
        out.push_back({device_warning_level::error, "device_message_above_broker_maximum_packet_size",
                       "the message is " + std::to_string(wire) + " bytes on the wire, above the broker's Maximum "
                       "Packet Size of " + std::to_string(*broker.maximum_packet_size) +
                           ": the broker disconnects the device when it sends it",
                       "keep topic + payload under " + std::to_string(*broker.maximum_packet_size - 5) + " bytes"});
      }
    }
    if (p.max_incoming_topic != 0 && m.topic_bytes > p.max_incoming_topic) {
      out.push_back({device_warning_level::warning, "device_topic_too_long",
                     "the " + std::to_string(m.topic_bytes) + "-byte topic is longer than the " +
                         std::to_string(p.max_incoming_topic) + " bytes " + lib +
                         " keeps for incoming topics: a device subscribed to it does not get the topic intact",
                     "client.setMaxTopicLength(" + std::to_string(suggested_buffer(m.topic_bytes)) + ")"});
    }
  }

  // --- always true of the defaults ------------------------------------------------------------
  if (p.clean_session) {
    out.push_back({device_warning_level::info, "device_clean_session",
                   lib + " connects with a clean session: the broker forgets its subscriptions and drops "
                   "QoS 1/2 messages for it while it is offline",
                   "subscribe again after every reconnect; use a persistent session if offline messages matter"});
  }
  if (p.name == "pubsubclient" || p.name == "arduino-mqtt") {
    out.push_back({device_warning_level::info, "device_client_id_fixed",
                   "the client id is " + std::string(p.client_id_form) +
                       "; two boards running the same sketch take each other's session over and keep disconnecting",
                   "derive the client id from the chip's MAC address"});
  }
  return out;
}

}  // namespace mqtk::diag
