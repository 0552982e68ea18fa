#pragma once
// Typed option values for the CLI11 callbacks of every tool: strict numbers in a range,
// QoS, MQTT version, durations, topics. Each throws CLI::ValidationError naming the option,
// which parse_or_exit turns into one stderr line and exit 64.
#include <cstdint>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "mqtk/proto/types.hpp"

namespace mqtk::tools {

[[noreturn]] void usage_error(std::string_view option, std::string_view message);

// A decimal integer in [min, max], nothing else on the value.
std::int64_t parse_integer(std::string_view option, std::string_view text, std::int64_t min, std::int64_t max);
// A non-negative decimal number (seconds, percentages) in [min, max].
double parse_decimal(std::string_view option, std::string_view text, double min, double max);
proto::qos parse_qos(std::string_view option, std::string_view text);
// mosquitto's -V words: 31, mqttv31, 311, mqttv311, 5, mqttv5.
proto::protocol_version parse_protocol_version(std::string_view option, std::string_view text);
// A topic name (no wildcards) / a topic filter; the message says what is wrong.
void check_topic_name(std::string_view option, std::string_view topic);
void check_topic_filter(std::string_view option, std::string_view filter);

// The CLI11 option whose callback runs as soon as the option is met, with its one value:
// options then apply in command-line order as in mosquitto.
template <class F>
CLI::Option* add_value_option(CLI::App& app, std::string names, std::string description, std::string type_name,
                              F&& on_value) {
  return app.add_option_function<std::string>(std::move(names), std::forward<F>(on_value), std::move(description))
      ->trigger_on_parse()
      ->type_name(std::move(type_name));
}

}  // namespace mqtk::tools
