#include "json_text_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "mqtk/report/decode_format.hpp"

namespace mqtk::report {

void json_text_writer::b64(std::string_view v) {
  sep();
  need(base64_size(v.size()) + 2);
  *p_++ = '"';
  p_ = write_base64(p_, v);
  *p_++ = '"';
}

void json_text_writer::num(std::uint64_t v) {
  sep();
  need(24);
  p_ = std::to_chars(p_, p_ + 24, v).ptr;
}

void json_text_writer::boolean(bool v) {
  sep();
  need(5);
  if (v) {
    std::memcpy(p_, "true", 4);
    p_ += 4;
  } else {
    std::memcpy(p_, "false", 5);
    p_ += 5;
  }
}

void json_text_writer::raw_json(std::string_view json) {
  sep();
  need(json.size());
  bool in_string = false;
  bool escaped = false;
  for (const char c : json) {
    if (in_string) {
      *p_++ = c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    // Whitespace between tokens goes; inside strings there is none to lose (a raw newline
    // cannot be in a string of valid JSON).
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '"') in_string = true;
    *p_++ = c;
  }
}

void json_text_writer::grow(std::size_t n) {
  const std::size_t used = buf_ ? static_cast<std::size_t>(p_ - buf_.get()) : 0;
  const std::size_t cap = std::max<std::size_t>((used + n) * 2, 4096);
  // Not value-initialised: zero-filling would touch (make resident) twice what a large line needs.
  std::unique_ptr<char[]> bigger(new char[cap]);
  if (used) std::memcpy(bigger.get(), buf_.get(), used);
  buf_ = std::move(bigger);
  p_ = buf_.get() + used;
  cap_end_ = buf_.get() + cap;
}

// Copies runs of characters that need no escaping in one go.
void json_text_writer::escape(std::string_view v) {
  static constexpr auto plain = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = c >= 0x20 && c != '"' && c != '\\';
    return t;
  }();
  static constexpr char hex[] = "0123456789abcdef";
  const char* s = v.data();
  const char* e = s + v.size();
  while (s < e) {
    const char* run = s;
    while (s < e && plain[static_cast<unsigned char>(*s)]) ++s;
    const auto len = static_cast<std::size_t>(s - run);
    need(len + 1);
    std::memcpy(p_, run, len);
    p_ += len;
    if (s == e) break;
    const auto c = static_cast<unsigned char>(*s++);
    need(6);
    *p_++ = '\\';
    switch (c) {
      case '"': *p_++ = '"'; break;
      case '\\': *p_++ = '\\'; break;
      case '\n': *p_++ = 'n'; break;
      case '\r': *p_++ = 'r'; break;
      case '\t': *p_++ = 't'; break;
      case '\b': *p_++ = 'b'; break;
      case '\f': *p_++ = 'f'; break;
      default:
        *p_++ = 'u';
        *p_++ = '0';
        *p_++ = '0';
        *p_++ = hex[c >> 4];
        *p_++ = hex[c & 15];
    }
  }
}

}  // namespace mqtk::report
