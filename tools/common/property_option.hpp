#pragma once
// -D COMMAND PROPERTY VALUE [VALUE]: an MQTT 5.0 property the user adds to one of the packets
// a tool sends, with mosquitto 2.0's command names, hyphenated property names, the pairs it
// accepts and its typed value ranges.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mqtk/proto/property.hpp"

namespace mqtk::tools {

// The packets -D can add properties to (mosquitto's words: connect, publish, ...).
enum class property_command : std::uint8_t { connect, publish, subscribe, unsubscribe, disconnect, auth, will };

std::string_view to_string(property_command c) noexcept;

struct property_option {
  property_command command = property_command::connect;
  proto::property_id id{};
  std::uint32_t number = 0;  // byte, two-byte, four-byte and variable byte integers
  std::string key;           // user-property only
  std::string value;         // strings, binary data, a user property's value

  friend bool operator==(const property_option&, const property_option&) = default;
};

// Parses the 3 or 4 words after -D. Throws std::invalid_argument with the reason (e.g.
// "topic-alias-maximum property not allowed for publish") when mosquitto_pub/sub would refuse.
property_option parse_property_option(const std::vector<std::string>& words);

// The properties for one command, in the order given: views into `options`, which must live
// as long as the result is used.
std::vector<proto::property> properties_for(const std::vector<property_option>& options, property_command c);

}  // namespace mqtk::tools
