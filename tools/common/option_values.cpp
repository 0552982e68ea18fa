#include "common/option_values.hpp"

#include <charconv>
#include <cmath>

#include "mqtk/proto/topic.hpp"

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

void check_topic_name(std::string_view option, std::string_view topic) {
  if (auto e = proto::validate_topic_name(topic); e != proto::topic_error::none) {
    usage_error(option, "invalid topic '" + std::string(topic) + "': " + std::string(proto::topic_error_message(e)));
  }
}

void check_topic_filter(std::string_view option, std::string_view filter) {
  if (auto e = proto::validate_topic_filter(filter); e != proto::topic_error::none) {
    usage_error(option,
                "invalid topic filter '" + std::string(filter) + "': " + std::string(proto::topic_error_message(e)));
  }
}

}  // namespace mqtk::tools
