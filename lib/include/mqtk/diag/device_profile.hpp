#pragma once
// How the MQTT client libraries on microcontrollers connect when left at their defaults, and
// what goes wrong between those defaults and a given broker or message: the knowledge behind
// `mqtk-ping --device`. Sans-I/O: the caller connects the way the profile says, collects what
// the broker announced and did (broker_facts), and asks check_device() for warnings.
//
// The defaults are the libraries' own (see device_profile.cpp for where each comes from).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::diag {

// How the library's buffer limits a PUBLISH it sends.
enum class publish_buffer_rule : std::uint8_t {
  whole_packet_with_reserved_header,  // PubSubClient: 5 header bytes + 2 + topic + payload <= buffer
  whole_packet,                       // lwmqtt (arduino-mqtt): the encoded packet <= buffer
  fragments,                          // esp-mqtt: larger publishes are written in pieces
  unlimited,                          // AsyncMqttClient: streamed into the TCP buffer
};

struct device_profile {
  std::string_view name;              // "pubsubclient": the --device spelling
  std::string_view library;           // "PubSubClient 2.8 (knolleary/pubsubclient)"
  std::string_view display;           // "PubSubClient": how messages name it
  proto::protocol_version version = proto::protocol_version::v311;  // what it sends by default
  bool can_speak_v5 = false;          // whether the library can be configured for 5.0 at all
  std::uint16_t keepalive_s = 60;
  bool clean_session = true;
  std::string_view client_id_form;    // how the default client id is made
  std::string_view example_client_id; // an id of that form, for the CONNECT mqtk sends
  std::size_t buffer_bytes = 0;       // 0: no fixed packet buffer
  publish_buffer_rule buffer_rule = publish_buffer_rule::unlimited;
  std::string_view buffer_fix;        // how to enlarge it: "setBufferSize(%)", % = the size
  std::uint32_t response_timeout_ms = 0;  // how long it waits for CONNACK / an ack
  std::uint32_t reconnect_ms = 0;     // its own retry interval; 0: the application's business
  std::uint8_t max_publish_qos = 2;
  std::uint8_t max_subscribe_qos = 2;
  std::size_t max_incoming_topic = 0; // 0: no limit of its own
  std::string_view defaults_source;   // where the values above come from
};

// The profiles mqtk knows, in --help order.
std::span<const device_profile> all_device_profiles() noexcept;
// By --device spelling (case-insensitive; a few aliases such as "esp-mqtt", "arduinomqtt").
std::optional<device_profile> find_device_profile(std::string_view name);
// "esp-idf, pubsubclient, arduino-mqtt, async-mqtt-client": for usage messages.
std::string device_profile_names();

// What the broker announced or did when mqtk connected the device's way (and, for the 5.0-only
// properties, when it connected with 5.0).
struct broker_facts {
  // The CONNACK return/reason code the device-style CONNECT got; unset when it got none.
  std::optional<proto::reason_code> device_connack;
  // The protocol levels the broker accepted and refused (mqtk-ping --versions); empty: not tried.
  std::vector<proto::protocol_version> accepted_versions;
  std::vector<proto::protocol_version> refused_versions;
  std::optional<std::uint16_t> server_keep_alive;    // 5.0 CONNACK property
  std::optional<std::uint32_t> maximum_packet_size;  // 5.0 CONNACK property
  std::optional<std::uint8_t> maximum_qos;           // 5.0 CONNACK property (absent means 2)
  std::optional<bool> retain_available;              // 5.0 CONNACK property (absent means yes)
  std::optional<double> connect_ms;                  // TCP (+TLS) + CONNECT..CONNACK
  std::optional<double> round_trip_ms;               // a PINGREQ..PINGRESP round trip
};

// A message the device would send (-t, -m/-f/-s, -q, -r of mqtk-ping).
struct device_message {
  std::string_view topic;  // for messages only; may be empty
  std::size_t topic_bytes = 0;
  std::size_t payload_bytes = 0;
  proto::qos qos = proto::qos::at_most_once;
  bool retain = false;
};

enum class device_warning_level : std::uint8_t { info, warning, error };
std::string_view level_name(device_warning_level l) noexcept;  // "info", "warning", "error"

struct device_warning {
  device_warning_level level = device_warning_level::warning;
  std::string code;     // stable, snake_case: "device_buffer_too_small"
  std::string message;  // what will happen on the device, in its library's words
  std::string hint;     // the library call or broker setting that fixes it

  friend bool operator==(const device_warning&, const device_warning&) = default;
};

// The size of the packet the library builds for `m`, by its own accounting (PubSubClient
// reserves 5 header bytes whatever the length). 0 for libraries without a fixed buffer.
std::size_t device_publish_bytes(const device_profile& p, const device_message& m) noexcept;

// Everything that conflicts between the profile's defaults, the broker and the message.
std::vector<device_warning> check_device(const device_profile& p, const broker_facts& broker,
                                         const std::optional<device_message>& message);

// One line: "PubSubClient 2.8 (knolleary/pubsubclient): MQTT 3.1.1, keepalive 15 s, clean session,
// 256-byte buffer, waits 15 s for answers, publishes at QoS 0 only".
std::string describe_device(const device_profile& p);

}  // namespace mqtk::diag
