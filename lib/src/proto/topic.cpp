#include "mqtk/proto/topic.hpp"

#include <cstddef>

#include "mqtk/proto/utf8.hpp"

namespace mqtk::proto {
namespace {

constexpr std::size_t max_topic_bytes = 65535;
constexpr std::string_view share_prefix = "$share/";

// MQTT's UTF-8 rules (proto/utf8.hpp): well-formed and no U+0000.
topic_error check_utf8(std::string_view s) noexcept {
  switch (check_mqtt_utf8(s).kind) {
    case utf8_fault::kind::none: return topic_error::none;
    case utf8_fault::kind::null_character: return topic_error::null_character;
    default: return topic_error::invalid_utf8;
  }
}

// The checks shared by names and filters, in the order a reader would fix them.
topic_error check_common(std::string_view s, control_characters cc) noexcept {
  if (s.empty()) return topic_error::empty;
  if (s.size() > max_topic_bytes) return topic_error::too_long;
  if (const auto e = check_utf8(s); e != topic_error::none) return e;
  if (cc == control_characters::refused && find_control_character(s) != std::string_view::npos) {
    return topic_error::control_character;
  }
  return topic_error::none;
}

// Wildcard placement in a (non-shared) filter: '#' only as the whole last level, '+' only as a
// whole level.
topic_error check_wildcards(std::string_view filter) noexcept {
  for (std::size_t i = 0; i < filter.size(); ++i) {
    const char c = filter[i];
    if (c != '+' && c != '#') continue;
    const bool starts_level = i == 0 || filter[i - 1] == '/';
    const bool ends_level = i + 1 == filter.size() || filter[i + 1] == '/';
    if (c == '#') {
      if (!starts_level || i + 1 != filter.size()) return topic_error::misplaced_multi_level;
    } else if (!starts_level || !ends_level) {
      return topic_error::misplaced_single_level;
    }
  }
  return topic_error::none;
}

// Walks the '/'-separated levels of a topic. An empty string has one empty level, and "a/" has
// two levels, "a" and "", as in the spec.
class level_cursor {
 public:
  explicit level_cursor(std::string_view s) noexcept : rest_(s) {}
  bool done() const noexcept { return done_; }
  std::string_view next() noexcept {
    const auto slash = rest_.find('/');
    if (slash == std::string_view::npos) {
      done_ = true;
      return rest_;
    }
    const auto level = rest_.substr(0, slash);
    rest_.remove_prefix(slash + 1);
    return level;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

}  // namespace

std::string_view topic_error_message(topic_error e) noexcept {
  switch (e) {
    case topic_error::none: return "valid";
    case topic_error::empty: return "topic is empty";
    case topic_error::too_long: return "topic is longer than 65535 bytes";
    case topic_error::wildcard_in_name:
      return "wildcards '+' and '#' are allowed only in subscription filters, not in topic names";
    case topic_error::misplaced_multi_level:
      return "'#' must be the last character and fill a whole level (e.g. \"a/#\")";
    case topic_error::misplaced_single_level:
      return "'+' must fill a whole level (e.g. \"a/+/c\")";
    case topic_error::null_character: return "topic contains a NUL character (U+0000)";
    case topic_error::invalid_utf8: return "topic is not valid UTF-8";
    case topic_error::invalid_shared:
      return "shared subscription must be $share/<group>/<filter> with a group without '+' or '#'";
    case topic_error::control_character:
      return "topic contains a control character (U+0001-U+001F or U+007F-U+009F, e.g. a \\r from a CRLF file), "
             "which brokers such as mosquitto refuse";
  }
  return "unknown topic error";
}

std::size_t find_control_character(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b >= 0x01 && b <= 0x1F) || b == 0x7F) return i;
    // U+0080-U+009F are encoded C2 80 - C2 9F.
    if (b == 0xC2 && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return i;
    }
  }
  return std::string_view::npos;
}

topic_error validate_topic_name(std::string_view name, control_characters cc) noexcept {
  if (const auto e = check_common(name, cc); e != topic_error::none) return e;
  if (name.find_first_of("+#") != std::string_view::npos) return topic_error::wildcard_in_name;
  return topic_error::none;
}

topic_error validate_topic_filter(std::string_view filter, control_characters cc) noexcept {
  if (const auto e = check_common(filter, cc); e != topic_error::none) return e;
  if (filter.starts_with(share_prefix)) {
    const auto shared = parse_shared_subscription(filter);
    if (!shared) return topic_error::invalid_shared;
    return check_wildcards(shared->filter);
  }
  return check_wildcards(filter);
}

// Only well-formed shared subscriptions are returned: a non-empty group free of '+' and '#'
// followed by a non-empty filter. Anything else that starts with "$share/" is rejected by
// validate_topic_filter as invalid_shared.
std::optional<shared_subscription> parse_shared_subscription(std::string_view filter) noexcept {
  if (!filter.starts_with(share_prefix)) return std::nullopt;
  const auto rest = filter.substr(share_prefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  const auto group = rest.substr(0, slash);
  const auto inner = rest.substr(slash + 1);
  if (group.find_first_of("+#") != std::string_view::npos || inner.empty()) return std::nullopt;
  return shared_subscription{.group = group, .filter = inner};
}

bool topic_matches(std::string_view filter, std::string_view name) noexcept {
  if (const auto shared = parse_shared_subscription(filter)) filter = shared->filter;
  // §4.7.2: "$SYS/..." and other '$' topics are for the server's use; a subscription to "#" or
  // "+/..." must not deliver them.
  if (name.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#'))) return false;

  level_cursor f{filter};
  level_cursor n{name};
  while (!f.done()) {
    const auto filter_level = f.next();
    // '#' also matches the parent level itself: "sport/#" matches "sport".
    if (filter_level == "#") return true;
    if (n.done()) return false;
    const auto name_level = n.next();
    if (filter_level != "+" && filter_level != name_level) return false;
  }
  return n.done();
}

}  // namespace mqtk::proto
