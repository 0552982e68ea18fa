#include "mqtk/report/message_format.hpp"

#include "local_time.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace mqtk::report {
namespace {

// Largest field width or precision taken from a -F format.
constexpr int max_width = 65535;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_conversion(char c) {
  switch (c) {
    case '%': case 'A': case 'C': case 'D': case 'E': case 'F': case 'I': case 'l': case 'm':
    case 'P': case 'p': case 'q': case 'R': case 'S': case 'r': case 't': case 'j': case 'J':
    case 'U': case 'x': case 'X':
      return true;
    default:
      return false;
  }
}

// The escape a backslash introduces, or -1 for one mosquitto refuses.
int escape_value(char c) {
  switch (c) {
    case '\\': return '\\';
    case '0': return '\0';
    case 'a': return '\a';
    case 'e': return '\033';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return -1;
  }
}

std::string quoted_char(std::string_view what, char c) {
  std::string s(what);
  s += " '";
  s += c;
  s += "'.";
  return s;
}

// mosquitto's check_format: the syntax it accepts before it starts.
void check_format(std::string_view f) {
  const std::size_t len = f.size();
  auto incomplete = [] { throw format_error("Incomplete format specifier."); };
  for (std::size_t i = 0; i < len; ++i) {
    if (f[i] == '%') {
      if (i == len - 1) incomplete();
      if (f[i + 1] == '0' || f[i + 1] == '-') {
        ++i;
        if (i == len - 1) incomplete();
      }
      while (i + 1 < len && is_digit(f[i + 1])) {
        ++i;
        if (i == len - 1) incomplete();
      }
      if (i + 1 < len && f[i + 1] == '.') {
        ++i;
        if (i == len - 1) incomplete();
        while (i + 1 < len && is_digit(f[i + 1])) {
          ++i;
          if (i == len - 1) incomplete();
        }
      }
      if (!is_conversion(f[i + 1])) throw format_error(quoted_char("Invalid format specifier", f[i + 1]));
      ++i;
    } else if (f[i] == '@') {
      if (i == len - 1) incomplete();
      ++i;
    } else if (f[i] == '\\') {
      if (i == len - 1) throw format_error("Incomplete escape specifier.");
      if (escape_value(f[i + 1]) < 0) throw format_error(quoted_char("Invalid escape specifier", f[i + 1]));
      ++i;
    }
  }
}

// The receive time, broken down once per message and only if the format asks for it.
class message_time {
 public:
  explicit message_time(std::chrono::system_clock::time_point t) : t_(t) {}
  const std::tm& local() {
    if (!have_) {
      tm_ = detail::local_tm(static_cast<std::time_t>(seconds()));
      have_ = true;
    }
    return tm_;
  }
  long long seconds() const {
    return std::chrono::floor<std::chrono::seconds>(t_.time_since_epoch()).count();
  }
  long nanoseconds() const {
    auto since = t_.time_since_epoch();
    auto secs = std::chrono::floor<std::chrono::seconds>(since);
    return static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(since - secs).count());
  }

 private:
  std::chrono::system_clock::time_point t_;
  std::tm tm_{};
  bool have_ = false;
};

void append_strftime(std::string& out, const char* fmt, const std::tm& tm) {
  char buf[100];
  std::size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  out.append(buf, n);
}

// printf("%d"), ("%-*d"), ("%0*d") or ("%*d"), as mosquitto's formatted_print_int picks.
void append_int(std::string& out, long long value, const message_format::piece& p) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;
  std::size_t n = static_cast<std::size_t>(end - digits);
  std::size_t width = p.width > 0 ? static_cast<std::size_t>(p.width) : 0;
  std::size_t fill = width > n ? width - n : 0;
  if (p.width == 0 || p.align == '-') {
    out.append(digits, n);
    out.append(fill, ' ');
  } else if (p.pad == '0') {
    std::size_t start = 0;
    if (digits[0] == '-') {
      out += '-';
      start = 1;
    }
    out.append(fill, '0');
    out.append(digits + start, n - start);
  } else {
    out.append(fill, ' ');
    out.append(digits, n);
  }
}

// printf's %*.*s on a C string (so a NUL ends it), as formatted_print_str does.
void append_str(std::string& out, std::string_view value, const message_format::piece& p) {
  value = value.substr(0, value.find('\0'));
  if (p.precision >= 0 && value.size() > static_cast<std::size_t>(p.precision)) {
    value = value.substr(0, static_cast<std::size_t>(p.precision));
  }
  std::size_t width = static_cast<std::size_t>(p.width);
  std::size_t fill = width > value.size() ? width - value.size() : 0;
  if (p.align == '-') {
    out += value;
    out.append(fill, ' ');
  } else {
    out.append(fill, ' ');
    out += value;
  }
}

void append_blank(std::string& out, char pad, int width) {
  if (width > 0) out.append(static_cast<std::size_t>(width), pad);
}

// mosquitto's write_payload, quirks and all: a field width also truncates (to half as many
// bytes in hex), and with '-' the trailing blanks number |width - length| even when the
// payload is longer than the width or there is no width.
void append_payload(std::string& out, std::string_view payload, int hex, const message_format::piece& p) {
  static constexpr char lower[] = "0123456789abcdef";
  static constexpr char upper[] = "0123456789ABCDEF";
  long long len = static_cast<long long>(payload.size());
  long long padlen = 0;
  if (p.width > 0) {
    if (len > p.width) len = p.width;
    if (hex > 0) {
      len /= 2;
      padlen = p.width - len * 2;
    } else {
      padlen = p.width - len;
    }
  } else {
    padlen = p.width - len;
  }
  if (p.align != '-' && padlen > 0) out.append(static_cast<std::size_t>(padlen), p.pad);
  const auto bytes = payload.substr(0, static_cast<std::size_t>(len));
  if (hex == 0) {
    out += bytes;
  } else {
    const char* digits = hex == 1 ? lower : upper;
    for (unsigned char c : bytes) {
      out += digits[c >> 4];
      out += digits[c & 0xF];
    }
  }
  if (p.align == '-') out.append(static_cast<std::size_t>(padlen < 0 ? -padlen : padlen), ' ');
}

const proto::property* find(const message_view& m, proto::property_id id) {
  return m.properties != nullptr ? m.properties->find(id) : nullptr;
}

}  // namespace

message_format message_format::parse(std::string_view f) {
  check_format(f);
  message_format mf;
  auto add_literal = [&](char c) {
    if (mf.pieces_.empty() || mf.pieces_.back().what != piece::kind::literal) {
      mf.pieces_.push_back(piece{.what = piece::kind::literal, .offset = static_cast<std::uint32_t>(mf.text_.size())});
    }
    mf.text_ += c;
    ++mf.pieces_.back().length;
  };
  // The walk mosquitto's formatted_print does for every message, done once here.
  const std::size_t len = f.size();
  for (std::size_t i = 0; i < len; ++i) {
    if (f[i] == '%') {
      piece p{.what = piece::kind::conversion};
      ++i;
      if (f[i] == '-') {
        p.align = '-';
        if (i < len - 1) ++i;
      }
      if (f[i] == '0') {
        p.pad = '0';
        if (i < len - 1) ++i;
      }
      while (i < len - 1 && is_digit(f[i])) {
        // Saturated: a width or precision of billions is a typo or hostile, and would overflow.
        p.width = std::min(p.width * 10 + (f[i] - '0'), max_width);
        ++i;
      }
      if (f[i] == '.' && i < len - 1) {
        ++i;
        p.precision = 0;
        while (i < len - 1 && is_digit(f[i])) {
          p.precision = std::min(p.precision * 10 + (f[i] - '0'), max_width);
          ++i;
        }
      }
      p.conversion = f[i];
      if (p.conversion == '%') {
        add_literal('%');
        continue;
      }
      if (p.conversion == 'I' || p.conversion == 'j' || p.conversion == 'J' || p.conversion == 'U') {
        mf.uses_time_ = true;
      }
      mf.pieces_.push_back(p);
    } else if (f[i] == '@') {
      ++i;
      if (f[i] == '@') {
        add_literal('@');
      } else {
        mf.uses_time_ = true;
        mf.pieces_.push_back(piece{.what = f[i] == 'N' ? piece::kind::nanoseconds : piece::kind::strftime,
                                   .conversion = f[i]});
      }
    } else if (f[i] == '\\') {
      ++i;
      add_literal(static_cast<char>(escape_value(f[i])));
    } else {
      add_literal(f[i]);
    }
  }
  return mf;
}

bool message_format::append(std::string& out, const message_view& m, std::string* error) const {
  using id = proto::property_id;
  message_time when(m.timestamp);
  bool ok = true;
  for (const piece& p : pieces_) {
    switch (p.what) {
      case piece::kind::literal:
        out.append(text_, p.offset, p.length);
        continue;
      case piece::kind::nanoseconds: {
        char buf[16];
        int n = std::snprintf(buf, sizeof buf, "%09ld", when.nanoseconds());
        out.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      case piece::kind::strftime: {
        const char fmt[3] = {'%', p.conversion, '\0'};
        append_strftime(out, fmt, when.local());
        continue;
      }
      case piece::kind::conversion:
        break;
    }
    switch (p.conversion) {
      case 'A':
        if (auto* q = find(m, id::topic_alias)) append_int(out, q->number, p);
        else append_blank(out, p.pad, p.width);
        break;
      case 'C':
        if (auto* q = find(m, id::content_type)) append_str(out, q->value, p);
        else append_blank(out, ' ', p.width);
        break;
      case 'D':
        if (auto* q = find(m, id::correlation_data)) out += q->value;
        break;
      case 'E':
        // mosquitto prints the 32-bit interval through an int.
        if (auto* q = find(m, id::message_expiry_interval)) append_int(out, static_cast<std::int32_t>(q->number), p);
        else append_blank(out, p.pad, p.width);
        break;
      case 'F':
        if (auto* q = find(m, id::payload_format_indicator)) append_int(out, q->number, p);
        else append_blank(out, p.pad, p.width);
        break;
      case 'I': {
        char buf[100];
        std::size_t n = std::strftime(buf, sizeof buf, "%FT%T%z", &when.local());
        if (n != 0) append_str(out, std::string_view(buf, n), p);
        else append_blank(out, ' ', p.width);
        break;
      }
      case 'j':
        append_mosquitto_json(out, m, mosquitto_payload::escaped, layout_);
        break;
      case 'J':
        if (!append_mosquitto_json(out, m, mosquitto_payload::embedded, layout_)) {
          ok = false;
          if (error != nullptr) {
            *error += "Error: Message payload is not valid JSON on topic ";
            *error += m.topic;
            *error += ".\n";
          }
        }
        break;
      case 'l':
        append_int(out, static_cast<long long>(m.payload.size()), p);
        break;
      case 'm':
        append_int(out, m.packet_id, p);
        break;
      case 'P': {
        bool first = true;
        if (m.properties != nullptr) {
          for (const auto& q : *m.properties) {
            if (q.id != id::user_property) continue;
            if (!first) out += ' ';
            first = false;
            out += q.key.substr(0, q.key.find('\0'));
            out += ':';
            out += q.value.substr(0, q.value.find('\0'));
          }
        }
        break;
      }
      case 'p':
        append_payload(out, m.payload, 0, p);
        break;
      case 'q':
        out += static_cast<char>('0' + static_cast<int>(m.qos));
        break;
      case 'R':
        // Unlike %C, an absent response topic prints no blanks (mosquitto does not pad it).
        if (auto* q = find(m, id::response_topic)) append_str(out, q->value, p);
        break;
      case 'r':
        out += m.retain ? '1' : '0';
        break;
      case 'S':
        if (auto* q = find(m, id::subscription_identifier)) append_int(out, static_cast<std::int32_t>(q->number), p);
        else append_blank(out, p.pad, p.width);
        break;
      case 't':
        append_str(out, m.topic, p);
        break;
      case 'U': {
        char buf[48];
        int n = std::snprintf(buf, sizeof buf, "%lld.%09ld", when.seconds(), when.nanoseconds());
        out.append(buf, static_cast<std::size_t>(n));
        break;
      }
      case 'x':
        append_payload(out, m.payload, 1, p);
        break;
      case 'X':
        append_payload(out, m.payload, 2, p);
        break;
      default:
        break;
    }
  }
  return ok;
}

}  // namespace mqtk::report
