#pragma once
// Strings that came from the input (topics, client ids, reason strings, a bad token of a hex
// dump) are escaped before a person's terminal sees them: a raw ESC or C1 CSI (0x9B) in a
// topic would otherwise let a peer move the cursor, recolour or retitle the terminal of the
// person diagnosing it. Valid UTF-8 text passes unchanged; C0 controls, DEL, C1 controls
// (U+0080..U+009F) and bytes that are not valid UTF-8 become \xNN (the byte values), and
// `quote` (when non-zero) and backslash are escaped with a backslash. Header-only so lib/capture,
// lib/proto (-d traces, the session's close messages) and lib/diag can use it without linking
// the report layer: one escaping for every string from a peer or an input that a person reads.
#include <cstddef>
#include <string>
#include <string_view>

namespace mqtk::report {

// Length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 if it is not one.
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned c = b(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

inline void append_escaped_byte(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  out.append("\\x");
  out.push_back(hex[c >> 4]);
  out.push_back(hex[c & 15]);
}

// Appends at most `limit` bytes of `s`, escaped for a terminal. Returns the bytes consumed.
// `escape_backslash` false leaves backslashes as they are: for a line that mixes our words with
// a peer's and may already hold escapes (terminal_safe below); a quote of 0 escapes none.
inline std::size_t append_display_escaped(std::string& out, std::string_view s, char quote = '"',
                                          std::size_t limit = std::string_view::npos,
                                          bool escape_backslash = true) {
  const std::size_t end = s.size() < limit ? s.size() : limit;
  std::size_t i = 0;
  while (i < end) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((quote && c == static_cast<unsigned char>(quote)) || (escape_backslash && c == '\\')) {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c < 0x20 || c == 0x7f) {
        append_escaped_byte(out, c);
      } else {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0 || i + n > end || (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0)) {
      // Not UTF-8, cut by the limit, or a C1 control (U+0080..U+009F encoded as C2 80..C2 9F).
      append_escaped_byte(out, c);
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return i;
}

// The escaped text on its own, e.g. for an error message.
inline std::string display_escaped(std::string_view s, char quote = '"') {
  std::string out;
  append_display_escaped(out, s, quote);
  return out;
}

// A whole line for a person's terminal (an error message, a -d trace line) in which some part
// came from a peer: every control character that could still be in it (C0, DEL, C1, bytes that
// are not UTF-8) becomes \xNN; backslashes and quotes stay, so escapes made earlier by
// display_escaped are not escaped twice. The last guard before stderr, not a way to quote.
inline std::string terminal_safe(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  append_display_escaped(out, line, 0, std::string_view::npos, false);
  return out;
}

}  // namespace mqtk::report
