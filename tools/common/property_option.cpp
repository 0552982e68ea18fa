#include "common/property_option.hpp"

#include <charconv>
#include <stdexcept>

#include "common/option_values.hpp"
#include "mqtk/proto/topic.hpp"
#include "mqtk/proto/utf8.hpp"

namespace mqtk::tools {
namespace {

struct command_name {
  std::string_view name;
  property_command command;
  proto::property_scope scope;
};

constexpr command_name command_names[] = {
    {"connect", property_command::connect, proto::property_scope::connect},
    {"publish", property_command::publish, proto::property_scope::publish},
    {"subscribe", property_command::subscribe, proto::property_scope::subscribe},
    {"unsubscribe", property_command::unsubscribe, proto::property_scope::unsubscribe},
    {"disconnect", property_command::disconnect, proto::property_scope::disconnect},
    {"auth", property_command::auth, proto::property_scope::auth},
    {"will", property_command::will, proto::property_scope::will},
};

std::string hyphenated(std::string_view snake) {
  std::string s(snake);
  for (char& c : s) {
    if (c == '_') c = '-';
  }
  return s;
}

const proto::property_info* find_by_name(std::string_view name) {
  for (const auto& info : proto::all_property_infos()) {
    if (hyphenated(info.name) == name) return &info;
  }
  return nullptr;
}

std::uint32_t parse_number(std::string_view text, std::uint64_t max, std::string_view prop) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || v > max) {
    throw std::invalid_argument("property value '" + std::string(text) + "' out of range for property " +
                                std::string(prop) + " (0-" + std::to_string(max) + ")");
  }
  return static_cast<std::uint32_t>(v);
}

// The string rules the broker applies (mosquitto: every UTF-8 string checked as topics are).
void check_string(std::string_view value, std::string_view prop) {
  if (const std::string why = mqtt_string_fault(value); !why.empty()) {
    throw std::invalid_argument(std::string(prop) + " value " + why);
  }
}

}  // namespace

std::string property_option_name(proto::property_id id) {
  const auto* info = proto::find_property_info(static_cast<std::uint8_t>(id));
  return info ? hyphenated(info->name) : std::string("?");
}

std::string_view to_string(property_command c) noexcept {
  for (const auto& n : command_names) {
    if (n.command == c) return n.name;
  }
  return "?";
}

property_option parse_property_option(std::vector<std::string> words) {
  for (auto& w : words) {
    if (w == empty_property_word) w.clear();
  }
  if (words.size() < 3) throw std::invalid_argument("needs COMMAND PROPERTY VALUE");
  const command_name* cmd = nullptr;
  for (const auto& n : command_names) {
    if (n.name == words[0]) cmd = &n;
  }
  if (cmd == nullptr) {
    throw std::invalid_argument("invalid command '" + words[0] +
                                "' (connect, publish, subscribe, unsubscribe, disconnect, auth or will)");
  }
  const std::string& name = words[1];
  const proto::property_info* info = find_by_name(name);
  if (info == nullptr) throw std::invalid_argument("invalid property name '" + name + "'");
  using id = proto::property_id;
  // mosquitto's clients add these rules to the specification's table: a client cannot send a
  // subscription identifier in PUBLISH, SUBSCRIBE takes only identifier and user properties,
  // and there is no AUTH exchange to attach properties to.
  bool allowed = proto::property_allowed(info->id, cmd->scope);
  if (cmd->command == property_command::publish && info->id == id::subscription_identifier) allowed = false;
  if (cmd->command == property_command::auth) allowed = false;
  if (!allowed) throw std::invalid_argument(name + " property not allowed for " + words[0]);

  property_option p{.command = cmd->command, .id = info->id};
  const bool pair = info->type == proto::property_type::utf8_string_pair;
  if (words.size() != (pair ? 4u : 3u)) {
    throw std::invalid_argument(name + (pair ? " needs a KEY and a VALUE" : " takes one VALUE"));
  }
  switch (info->type) {
    case proto::property_type::byte: p.number = parse_number(words[2], 0xFF, name); break;
    case proto::property_type::two_byte_integer: p.number = parse_number(words[2], 0xFFFF, name); break;
    case proto::property_type::four_byte_integer: p.number = parse_number(words[2], 0xFFFFFFFFu, name); break;
    case proto::property_type::variable_byte_integer: p.number = parse_number(words[2], 268'435'455, name); break;
    case proto::property_type::utf8_string:
    case proto::property_type::binary_data:
      if (words[2].size() > 0xFFFF) throw std::invalid_argument(name + " value longer than 65535 bytes");
      if (info->type == proto::property_type::utf8_string) check_string(words[2], name);
      p.value = words[2];
      break;
    case proto::property_type::utf8_string_pair:
      if (words[2].size() > 0xFFFF || words[3].size() > 0xFFFF) {
        throw std::invalid_argument(name + " key or value longer than 65535 bytes");
      }
      check_string(words[2], name + " key");
      check_string(words[3], name);
      p.key = words[2];
      p.value = words[3];
      break;
  }
  if (const auto why = proto::property_value_error(info->id, p.number); !why.empty()) {
    throw std::invalid_argument(name + " " + std::string(why) + " (got " + words[2] + "; the broker would refuse it)");
  }
  // The specification forbids wildcards in a response topic (5.0 §3.3.2.3.5).
  if (info->id == id::response_topic) {
    if (const auto e = proto::validate_topic_name(p.value); e != proto::topic_error::none) {
      throw std::invalid_argument(name + " '" + p.value + "' is not a valid topic name: " +
                                  std::string(proto::topic_error_message(e)));
    }
  }
  return p;
}

std::vector<proto::property> properties_for(const std::vector<property_option>& options, property_command c) {
  std::vector<proto::property> out;
  for (const auto& o : options) {
    if (o.command != c) continue;
    out.push_back(proto::property{.id = o.id, .number = o.number, .key = o.key, .value = o.value});
  }
  return out;
}

}  // namespace mqtk::tools
