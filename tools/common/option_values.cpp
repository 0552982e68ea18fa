#include "common/option_values.hpp"

#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "mqtk/proto/topic.hpp"
#include "mqtk/proto/utf8.hpp"

namespace mqtk::tools {

void usage_error(std::string_view option, std::string_view message) {
  throw CLI::ValidationError(std::string(option), std::string(message));
}

std::int64_t parse_integer(std::string_view option, std::string_view text, std::int64_t min, std::int64_t max) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < min || v > max) {
    usage_error(option, "'" + std::string(text) + "' is not a whole number from " + std::to_string(min) + " to " +
                            std::to_string(max));
  }
  return v;
}

double parse_decimal(std::string_view option, std::string_view text, double min, double max) {
  std::string s(text);
  char* end = nullptr;
  double v = s.empty() ? NAN : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v < min || v > max) {
    char range[64];
    std::snprintf(range, sizeof range, "%g to %g", min, max);
    usage_error(option, "'" + s + "' is not a number from " + range);
  }
  return v;
}

proto::qos parse_qos(std::string_view option, std::string_view text) {
  if (text == "0") return proto::qos::at_most_once;
  if (text == "1") return proto::qos::at_least_once;
  if (text == "2") return proto::qos::exactly_once;
  usage_error(option, "invalid QoS '" + std::string(text) + "' (0, 1 or 2)");
}

proto::protocol_version parse_protocol_version(std::string_view option, std::string_view text) {
  if (text == "31" || text == "mqttv31") return proto::protocol_version::v31;
  if (text == "311" || text == "mqttv311") return proto::protocol_version::v311;
  if (text == "5" || text == "mqttv5") return proto::protocol_version::v5;
  usage_error(option, "invalid protocol version '" + std::string(text) + "' (31, 311, 5, mqttv31, mqttv311 or mqttv5)");
}

namespace {

// Long values (a 70 kB topic) are cut in messages: the line must stay one readable line.
std::string shown(std::string_view text) {
  constexpr std::size_t max_shown = 80;
  if (text.size() <= max_shown) return printable(text);
  return printable(text.substr(0, max_shown)) + "... (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    const std::size_t bad = proto::find_invalid_utf8(text.substr(i));
    const bool control = proto::find_control_character(text.substr(i, 2)) == 0 || b == 0;
    if (bad == 0 || control) {
      switch (b) {
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default: {
          char hex[8];
          // U+0080-U+009F are two bytes (C2 xx): show both.
          const std::size_t n = (control && b == 0xC2) ? 2 : 1;
          for (std::size_t k = 0; k < n; ++k) {
            std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(text[i + k]));
            out += hex;
          }
          i += n;
          continue;
        }
      }
      ++i;
      continue;
    }
    if (b == '\\') {
      out += "\\\\";
    } else {
      out += static_cast<char>(b);
    }
    ++i;
  }
  return out;
}

void check_topic_name(std::string_view option, std::string_view topic) {
  if (auto e = proto::validate_topic_name(topic, proto::control_characters::refused); e != proto::topic_error::none) {
    usage_error(option, "invalid topic '" + shown(topic) + "': " + std::string(proto::topic_error_message(e)));
  }
}

void check_topic_filter(std::string_view option, std::string_view filter) {
  if (auto e = proto::validate_topic_filter(filter, proto::control_characters::refused); e != proto::topic_error::none) {
    usage_error(option, "invalid topic filter '" + shown(filter) + "': " + std::string(proto::topic_error_message(e)));
  }
}

std::string mqtt_string_fault(std::string_view value) {
  switch (proto::check_mqtt_utf8(value).kind) {
    case proto::utf8_fault::kind::none: break;
    case proto::utf8_fault::kind::null_character: return "contains a NUL character (U+0000)";
    default: return "is not valid UTF-8";
  }
  if (proto::find_control_character(value) != std::string_view::npos) {
    return "contains a control character (U+0001-U+001F or U+007F-U+009F, e.g. a \\r from a CRLF file), which "
           "brokers such as mosquitto refuse";
  }
  return {};
}

void check_mqtt_string(std::string_view option, std::string_view what, std::string_view value) {
  if (const std::string why = mqtt_string_fault(value); !why.empty()) {
    usage_error(option, std::string(what) + " '" + shown(value) + "' " + why);
  }
}

std::string parse_psk_hex(std::string_view option, std::string_view hex) {
  if (hex.empty()) usage_error(option, "empty TLS-PSK key");
  std::string digits;
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      usage_error(option, "the TLS-PSK key must be hexadecimal digits only (0-9, a-f; no 0x): it is not repeated here");
    }
    digits += c;
  }
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) usage_error(option, "the TLS-PSK key is zero");
  if (digits.size() % 2) digits.insert(digits.begin(), '0');
  // OpenSSL's limit (PSK_MAX_PSK_LEN): 512 bytes.
  if (digits.size() / 2 > 512) usage_error(option, "the TLS-PSK key is longer than 512 bytes");
  std::string key;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    key += static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16));
  }
  return key;
}

}  // namespace mqtk::tools
