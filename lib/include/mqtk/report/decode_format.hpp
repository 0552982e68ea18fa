#pragma once
// Small formatting pieces shared by mqtk-decode's text and JSON output: timestamps, payload
// classification (UTF-8 or binary), base64, endpoint text. Append-to-string, no allocation
// beyond the output's own growth, because they run once or more per packet.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mqtk/capture/stream_sink.hpp"

namespace mqtk::report {

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view bytes) noexcept;
// `bytes` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD.
void append_utf8_replacing_invalid(std::string& out, std::string_view bytes);

void append_base64(std::string& out, std::string_view bytes);
// The same into a raw buffer of base64_size(bytes.size()) bytes; returns the end.
char* write_base64(char* out, std::string_view bytes) noexcept;
constexpr std::size_t base64_size(std::size_t n) noexcept { return (n + 2) / 3 * 4; }

// RFC 3339 with microseconds in UTC: "2026-11-22T22:01:05.000154Z".
void append_rfc3339_us(std::string& out, capture::capture_time ns);
std::string rfc3339_us(capture::capture_time ns);
// Time of day only, for the trace: "22:01:05.000154".
void append_time_of_day_us(std::string& out, capture::capture_time ns);

// "127.0.0.1:18883", "[::1]:18883".
void append_endpoint(std::string& out, const capture::endpoint& e);
std::string endpoint_text(const capture::endpoint& e);

void append_uint(std::string& out, std::uint64_t v);

}  // namespace mqtk::report
