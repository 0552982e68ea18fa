#include "mqtk/proto/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace mqtk::proto {
namespace {

// Length of the well-formed multi-byte sequence starting at p[0] (a byte >= 0x80), or 0.
std::size_t sequence_length(const unsigned char* p, std::size_t remaining) noexcept {
  const unsigned char c = p[0];
  std::size_t len;
  std::uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07;
  } else {
    return 0;  // a continuation byte, an overlong two-byte lead, or 0xF5..0xFF
  }
  if (remaining < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (p[k] & 0x3F);
  }
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  if (overlong || surrogate || cp > 0x10FFFF) return 0;
  return len;
}

// The index a fault is reported at: the first byte that is not a valid continuation, so that
// "a" + lone 0x80 points at the 0x80 and a truncated sequence at its lead byte.
std::size_t fault_index(const unsigned char* p, std::size_t i, std::size_t n) noexcept {
  const unsigned char c = p[i];
  const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (len == 1 || n - i < len) return i;
  for (std::size_t k = 1; k < len; ++k)
    if ((p[i + k] & 0xC0) != 0x80) return i + k;
  return i;
}

constexpr std::uint64_t ones = 0x0101010101010101ull;
constexpr std::uint64_t highs = 0x8080808080808080ull;

// SWAR: a word has a zero byte, or a byte equal to `c` (Hacker's Delight, "find a zero byte").
constexpr bool has_zero_byte(std::uint64_t w) noexcept { return ((w - ones) & ~w & highs) != 0; }
constexpr bool has_byte(std::uint64_t w, unsigned char c) noexcept { return has_zero_byte(w ^ (ones * c)); }

}  // namespace

std::size_t find_invalid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII runs are the common case: eight bytes at a time while every high bit is clear.
    while (n - i >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = sequence_length(p + i, n - i);
    if (len == 0) return fault_index(p, i, n);
    i += len;
  }
  return std::string_view::npos;
}

utf8_fault check_mqtt_utf8(std::string_view s, bool forbid_wildcards) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // Topic names and client ids are mostly ASCII: skip eight bytes at a time while none is
    // non-ASCII, NUL, or (for topic names) a wildcard; the byte loop below finds which one.
    while (n - i >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & highs) || has_zero_byte(w) || (forbid_wildcards && (has_byte(w, '+') || has_byte(w, '#')))) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c == 0) return {utf8_fault::kind::null_character, i};
      if (forbid_wildcards && (c == '+' || c == '#')) return {utf8_fault::kind::wildcard, i};
      ++i;
      continue;
    }
    const std::size_t len = sequence_length(p + i, n - i);
    if (len == 0) return {utf8_fault::kind::ill_formed, fault_index(p, i, n)};
    i += len;
  }
  return {};
}

}  // namespace mqtk::proto
