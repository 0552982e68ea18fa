#pragma once
// Escaping of JSON string bodies as both nlohmann's dump() and cJSON's printer do it: the
// named escapes for " \ \b \f \n \r \t, \u00xx (lowercase) for the other control characters,
// every other byte as is. One rule shared by --json lines and mosquitto's %j/%J.
#include <string>
#include <string_view>

namespace mqtk::report {

inline void append_json_escaped(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  if (c >= 0x20 && c != '"' && c != '\\') {
    out += static_cast<char>(c);
    return;
  }
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
  }
}

// `s` as a quoted JSON string.
inline void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) append_json_escaped(out, static_cast<unsigned char>(c));
  out += '"';
}

}  // namespace mqtk::report
