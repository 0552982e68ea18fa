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

// mosquitto's hyphenated name of a property ("session-expiry-interval").
std::string property_option_name(proto::property_id id);

struct property_option {
  property_command command = property_command::connect;
  proto::property_id id{};
  std::uint32_t number = 0;  // byte, two-byte, four-byte and variable byte integers
  std::string key;           // user-property only
  std::string value;         // strings, binary data, a user property's value

  friend bool operator==(const property_option&, const property_option&) = default;
};

// What parse_words puts in place of an empty word after -D (CLI11 would lose it); the
// parser reads it as "". It contains control characters, which no -D string may hold.
inline constexpr std::string_view empty_property_word = "\x01empty\x01";

// Parses the 3 or 4 words after -D. Throws std::invalid_argument with the reason (e.g.
// "topic-alias-maximum property not allowed for publish") when mosquitto_pub/sub would refuse,
// or when the broker would: a value the specification forbids (topic-alias 0, receive-maximum
// 0, request-problem-information 2, ...), a string that is not UTF-8 or holds a control
// character, a response-topic with wildcards. Empty strings are values like any other.
property_option parse_property_option(std::vector<std::string> words);

// The properties for one command, in the order given: views into `options`, which must live
// as long as the result is used.
std::vector<proto::property> properties_for(const std::vector<property_option>& options, property_command c);

}  // namespace mqtk::tools
