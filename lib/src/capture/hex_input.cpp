#include "mqtk/capture/hex_input.hpp"

#include <cctype>

#include "mqtk/report/text_escape.hpp"

namespace mqtk::capture {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool all_hex(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (hex_value(c) < 0) return false;
  return true;
}

bool is_separator(char c) noexcept {
  return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '{' || c == '}' || c == '[' ||
         c == ']' || c == '\r';
}

// Strips what hex viewers put around the bytes; returns the part of the line holding them and
// where it starts in the line.
std::string_view hex_area(std::string_view line, std::size_t& start, bool& saw_offsets) {
  start = 0;
  // hexdump -C: ASCII column between bars.
  if (auto bar = line.find('|'); bar != std::string_view::npos) line = line.substr(0, bar);
  // Leading offset: "00000000:" (xxd, od-like) or "00000000  " (hexdump -C, 8+ digits then two
  // spaces). A lone 8-digit group followed by one space is data ("100c0004 ...") in neither.
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  std::size_t j = i;
  while (j < line.size() && hex_value(line[j]) >= 0) ++j;
  const std::size_t digits = j - i;
  bool xxd = false;
  if (digits >= 4 && j < line.size() && line[j] == ':') {
    start = j + 1;
    xxd = true;
    saw_offsets = true;
  } else if (digits >= 7 && j + 1 < line.size() && line[j] == ' ' && line[j + 1] == ' ') {
    start = j;
    saw_offsets = true;
  } else if (saw_offsets && digits >= 7 && line.find_first_not_of(" \t\r", j) == std::string_view::npos) {
    return {};  // hexdump's closing line: the offset past the last byte
  }
  line = line.substr(start);
  if (xxd) {
    // xxd separates the ASCII column with two spaces; its hex groups with one.
    std::size_t k = 0;
    while (k < line.size() && line[k] == ' ') ++k;
    if (auto two = line.find("  ", k); two != std::string_view::npos) line = line.substr(0, two);
  }
  return line;
}

}  // namespace

std::optional<hex_input_error> hex_line_parser::parse_line(std::string_view line,
                                                           std::vector<std::uint8_t>& out) {
  ++line_no_;
  const std::size_t before = out.size();
  std::size_t lead = 0;
  while (lead < line.size() && (line[lead] == ' ' || line[lead] == '\t')) ++lead;
  const auto rest = line.substr(lead);
  if (rest.empty() || rest.front() == '#' || rest.starts_with("//")) return std::nullopt;

  // The bad token as a person may see it: escaped, and cut so one line stays one line.
  auto shown = [](std::string_view token) {
    std::string s = "\"";
    const auto n = report::append_display_escaped(s, token, '"', 40);
    s += "\"";
    if (n < token.size()) s += "…";
    return s;
  };
  auto error = [&](std::size_t column, std::string message) {
    out.resize(before);
    return hex_input_error{line_no_, column, std::move(message)};
  };

  std::size_t start = 0;
  const auto area = hex_area(line, start, saw_offsets_);
  std::size_t pos = 0;
  while (pos < area.size()) {
    while (pos < area.size() && is_separator(area[pos])) ++pos;
    if (pos >= area.size()) break;
    std::size_t end = pos;
    while (end < area.size() && !is_separator(area[end])) ++end;
    std::string_view token = area.substr(pos, end - pos);
    const std::size_t column = start + pos + 1;
    const auto original = token;
    bool prefixed = false;
    if (token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
      token.remove_prefix(2);
      prefixed = true;
    } else if (token.size() > 1 && (token.back() == 'h' || token.back() == 'H') &&
               all_hex(token.substr(0, token.size() - 1))) {
      token.remove_suffix(1);  // "0Ch" assembler style
      prefixed = true;
    }
    if (!all_hex(token)) return error(column, "not a hex byte: " + shown(original));
    if (token.size() % 2 != 0) {
      if (!(prefixed && token.size() == 1))
        return error(column, "odd number of hex digits: " + shown(original));
      out.push_back(static_cast<std::uint8_t>(hex_value(token[0])));
    } else {
      if (prefixed && token.size() > 2)
        return error(column, "more than one byte after 0x: " + shown(original));
      for (std::size_t k = 0; k < token.size(); k += 2)
        out.push_back(static_cast<std::uint8_t>(hex_value(token[k]) * 16 + hex_value(token[k + 1])));
    }
    pos = end;
  }
  return std::nullopt;
}

std::variant<std::vector<std::uint8_t>, hex_input_error> parse_hex_input(std::string_view text) {
  std::vector<std::uint8_t> out;
  hex_line_parser parser;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (auto e = parser.parse_line(line, out)) return *e;
  }
  if (out.empty()) return hex_input_error{parser.line_number() ? parser.line_number() : 1, 1, "no hex bytes in the input"};
  return out;
}

}  // namespace mqtk::capture
