#include "mqtk/report/decode_format.hpp"

#include <charconv>

#include "mqtk/proto/utf8.hpp"

namespace mqtk::report {

bool is_valid_utf8(std::string_view s) noexcept { return proto::find_invalid_utf8(s) == std::string_view::npos; }

void append_utf8_replacing_invalid(std::string& out, std::string_view bytes) {
  // Byte by byte: the rare path (a caller's bytes that were meant to be text), so clarity wins.
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (static_cast<unsigned char>(bytes[i]) < 0x80) {
      out += bytes[i++];
      continue;
    }
    std::size_t len = 2;
    while (len <= 4 && !is_valid_utf8(bytes.substr(i, len))) ++len;
    if (len <= 4 && i + len <= bytes.size()) {
      out += bytes.substr(i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, for this one byte
      ++i;
    }
  }
}

char* write_base64(char* o, std::string_view bytes) noexcept {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = static_cast<std::uint32_t>(p[i] << 16 | p[i + 1] << 8 | p[i + 2]);
    *o++ = table[v >> 18];
    *o++ = table[(v >> 12) & 63];
    *o++ = table[(v >> 6) & 63];
    *o++ = table[v & 63];
  }
  if (n - i == 1) {
    const std::uint32_t v = static_cast<std::uint32_t>(p[i] << 16);
    *o++ = table[v >> 18];
    *o++ = table[(v >> 12) & 63];
    *o++ = '=';
    *o++ = '=';
  } else if (n - i == 2) {
    const std::uint32_t v = static_cast<std::uint32_t>(p[i] << 16 | p[i + 1] << 8);
    *o++ = table[v >> 18];
    *o++ = table[(v >> 12) & 63];
    *o++ = table[(v >> 6) & 63];
    *o++ = '=';
  }
  return o;
}

void append_base64(std::string& out, std::string_view bytes) {
  const std::size_t start = out.size();
  out.resize(start + base64_size(bytes.size()));
  write_base64(out.data() + start, bytes);
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

namespace {

void append_2(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

void append_fraction_us(std::string& out, std::int64_t ns_of_second) {
  unsigned us = static_cast<unsigned>(ns_of_second / 1000);
  char buf[6];
  for (int i = 5; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + us % 10);
    us /= 10;
  }
  out.push_back('.');
  out.append(buf, 6);
}

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

void split(capture::capture_time ns, std::int64_t& secs, std::int64_t& frac) {
  secs = ns / 1'000'000'000;
  frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --secs;
  }
}

}  // namespace

void append_rfc3339_us(std::string& out, capture::capture_time ns) {
  std::int64_t secs, frac;
  split(ns, secs, frac);
  // Packets come many to a second: format the date and time once per second.
  thread_local std::int64_t cached_secs = -1;
  thread_local std::string cached;
  if (secs == cached_secs && !cached.empty()) {
    out += cached;
    append_fraction_us(out, frac);
    out.push_back('Z');
    return;
  }
  const std::size_t start = out.size();
  std::int64_t days = secs / 86400;
  std::int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[8];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, y);
  for (auto len = end - buf; len < 4; ++len) out.push_back('0');
  out.append(buf, end);
  out.push_back('-');
  append_2(out, m);
  out.push_back('-');
  append_2(out, d);
  out.push_back('T');
  append_2(out, static_cast<unsigned>(sod / 3600));
  out.push_back(':');
  append_2(out, static_cast<unsigned>(sod / 60 % 60));
  out.push_back(':');
  append_2(out, static_cast<unsigned>(sod % 60));
  cached.assign(out, start, std::string::npos);
  cached_secs = secs;
  append_fraction_us(out, frac);
  out.push_back('Z');
}

std::string rfc3339_us(capture::capture_time ns) {
  std::string s;
  append_rfc3339_us(s, ns);
  return s;
}

void append_time_of_day_us(std::string& out, capture::capture_time ns) {
  std::int64_t secs, frac;
  split(ns, secs, frac);
  std::int64_t sod = secs % 86400;
  if (sod < 0) sod += 86400;
  append_2(out, static_cast<unsigned>(sod / 3600));
  out.push_back(':');
  append_2(out, static_cast<unsigned>(sod / 60 % 60));
  out.push_back(':');
  append_2(out, static_cast<unsigned>(sod % 60));
  append_fraction_us(out, frac);
}

void append_endpoint(std::string& out, const capture::endpoint& e) {
  const bool v6 = e.address.find(':') != std::string::npos;
  if (v6) out.push_back('[');
  out += e.address;
  if (v6) out.push_back(']');
  out.push_back(':');
  append_uint(out, e.port);
}

std::string endpoint_text(const capture::endpoint& e) {
  std::string s;
  append_endpoint(s, e);
  return s;
}

}  // namespace mqtk::report
