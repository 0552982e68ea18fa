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
// Control characters are refused too (mosquitto refuses them: proto/topic.hpp).
void check_topic_name(std::string_view option, std::string_view topic);
void check_topic_filter(std::string_view option, std::string_view filter);
// Why a string breaks the rules brokers apply to every MQTT string (mosquitto checks them as it
// checks topics): "" when it does not, else "contains a NUL character (U+0000)", "is not valid
// UTF-8" or "contains a control character (...)".
std::string mqtt_string_fault(std::string_view value);
// A UTF-8 string the broker will check (client id, user name): well-formed, no U+0000 and no
// control characters, as mosquitto requires. `what` names it in the message ("client id").
void check_mqtt_string(std::string_view option, std::string_view what, std::string_view value);
// `text` safe to show on one terminal line: control characters, '\\' and bytes that are not
// UTF-8 become \r, \n, \t, \\ or \xNN.
std::string printable(std::string_view text);
// A TLS-PSK key in hex (mosquitto's --psk) as bytes. Like mosquitto (which reads it as one
// big number), leading zero bytes are dropped, so that both ends derive the same key. The
// message never repeats the key: `option` is --psk, --psk-file or MQTK_PSK.
std::string parse_psk_hex(std::string_view option, std::string_view hex);

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
