#pragma once
// Topic names and topic filters: validation and matching (MQTT 3.1.1 §4.7, 5.0 §4.7-4.8).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mqtk::proto {

enum class topic_error {
  none = 0,
  empty,                 // zero-length name or filter
  too_long,              // over 65,535 bytes
  wildcard_in_name,      // '+' or '#' in a topic name
  misplaced_multi_level, // '#' not alone in the last level
  misplaced_single_level,// '+' sharing a level with other characters
  null_character,        // U+0000
  invalid_utf8,
  invalid_shared,        // $share/ without a group name or filter, or a group with + or #
  control_character,     // U+0001-U+001F or U+007F-U+009F, when refused (see below)
};

// Control characters are only a "SHOULD NOT" in MQTT, but mosquitto (broker and clients)
// refuses U+0001-U+001F and U+007F-U+009F in every string, and a trailing \r from a CRLF
// file is the usual way one gets into a topic. The session accepts them (a peer may send
// them); the tools refuse them before the broker does.
enum class control_characters : std::uint8_t { allowed, refused };

// Index of the first byte of a control character (U+0001-U+001F, U+007F-U+009F) in `s`, or
// npos. `s` need not be valid UTF-8: only the characters themselves are looked for.
std::size_t find_control_character(std::string_view s) noexcept;

std::string_view topic_error_message(topic_error e) noexcept;

topic_error validate_topic_name(std::string_view name,
                                control_characters cc = control_characters::allowed) noexcept;
topic_error validate_topic_filter(std::string_view filter,
                                  control_characters cc = control_characters::allowed) noexcept;

// `$share/group/filter` split into its parts.
struct shared_subscription {
  std::string_view group;
  std::string_view filter;
  friend bool operator==(const shared_subscription&, const shared_subscription&) = default;
};
std::optional<shared_subscription> parse_shared_subscription(std::string_view filter) noexcept;

// True when `name` matches `filter`. Topics starting with '$' are not matched by a filter whose
// first level is '+' or '#'. A shared-subscription filter matches by its inner filter.
// Both arguments are assumed valid.
bool topic_matches(std::string_view filter, std::string_view name) noexcept;

}  // namespace mqtk::proto
