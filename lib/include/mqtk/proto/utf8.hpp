#pragma once
// UTF-8 checks, one implementation for the codec, topic validation and the output formats:
// well-formed per RFC 3629 (no overlong forms, no surrogates, nothing above U+10FFFF).
#include <cstddef>
#include <string_view>

namespace mqtk::proto {

// Index of the first byte where `s` stops being well-formed UTF-8, or npos. U+0000 is
// well-formed here (a payload may contain it); MQTT strings are checked by check_mqtt_utf8.
std::size_t find_invalid_utf8(std::string_view s) noexcept;

// The rules MQTT imposes on every UTF-8 string (3.1.1 §1.5.3, 5.0 §1.5.4): well-formed and no
// U+0000. Control characters and non-characters are only "SHOULD NOT" and are accepted, as
// brokers accept them. With `forbid_wildcards`, '+' and '#' are refused too (topic names).
struct utf8_fault {
  enum class kind { none, ill_formed, null_character, wildcard };
  utf8_fault::kind kind = kind::none;
  std::size_t index = std::string_view::npos;  // of the offending byte
};
utf8_fault check_mqtt_utf8(std::string_view s, bool forbid_wildcards = false) noexcept;

}  // namespace mqtk::proto
