#include "mqtk/report/mosquitto_json.hpp"

#include "local_time.hpp"
#include "mqtk/report/json_escape.hpp"

#include <charconv>
#include <cmath>
#include <cfloat>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace mqtk::report {
namespace {

constexpr int nesting_limit = 1000;  // cJSON's CJSON_NESTING_LIMIT

void append_int(std::string& out, long long v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, end);
}

// cJSON 1.7's print_number: the shortest of %1.15g / %1.17g that reads back as the same
// double (so -0 stays "-0" and 1e3 becomes "1000"), NaN and infinities as null.
void append_cjson_number(std::string& out, double d) {
  char buf[32];
  int n = 0;
  if (std::isnan(d) || std::isinf(d)) {
    n = std::snprintf(buf, sizeof buf, "null");
  } else {
    n = std::snprintf(buf, sizeof buf, "%1.15g", d);
    double back = 0;
    bool read = std::sscanf(buf, "%lg", &back) == 1;
    double scale = std::fmax(std::fabs(d), std::fabs(back));
    if (!read || std::fabs(back - d) > scale * DBL_EPSILON) n = std::snprintf(buf, sizeof buf, "%1.17g", d);
  }
  out.append(buf, static_cast<std::size_t>(n));
}

void append_tabs(std::string& out, int n) { out.append(static_cast<std::size_t>(n > 0 ? n : 0), '\t'); }

// A single-pass cJSON parser that prints while it parses: cJSON would build a tree and print
// it, but the bytes are the same and this needs no allocation. The caller rolls `out` back
// on failure.
class cjson_reprinter {
 public:
  cjson_reprinter(std::string_view text, std::string& out, bool pretty)
      : p_(text.data()), end_(text.data() + text.size()), out_(out), pretty_(pretty) {}

  bool run(int depth) {
    // cJSON skips a UTF-8 byte order mark, then whitespace (any byte <= 32).
    if (end_ - p_ >= 3 && static_cast<unsigned char>(p_[0]) == 0xEF &&
        static_cast<unsigned char>(p_[1]) == 0xBB && static_cast<unsigned char>(p_[2]) == 0xBF) {
      p_ += 3;
    }
    skip_ws();
    if (!value(depth, 0)) return false;
    skip_ws();
    return p_ == end_;
  }

 private:
  void skip_ws() {
    while (p_ < end_ && static_cast<unsigned char>(*p_) <= 32) ++p_;
  }
  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    out_ += word;
    return true;
  }

  bool value(int print_depth, int nesting) {
    if (p_ >= end_) return false;
    char c = *p_;
    if (c == 'n') return literal("null");
    if (c == 'f') return literal("false");
    if (c == 't') return literal("true");
    if (c == '"') return string();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    if (c == '[') return array(print_depth, nesting);
    if (c == '{') return object(print_depth, nesting);
    return false;
  }

  bool number() {
    char buf[64];
    std::size_t n = 0;
    for (const char* q = p_; q < end_ && n < sizeof buf - 1; ++q, ++n) {
      char c = *q;
      if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.')) break;
      buf[n] = c;
    }
    buf[n] = '\0';
    char* after = nullptr;
    double d = std::strtod(buf, &after);
    if (after == buf) return false;
    p_ += after - buf;
    append_cjson_number(out_, d);
    return true;
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool read_hex4(const char* q, unsigned& v) const {
    if (end_ - q < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex_value(q[i]);
      if (h < 0) return false;
      v = v * 16 + static_cast<unsigned>(h);
    }
    return true;
  }

  // Decodes the string (cJSON accepts raw control bytes and unchecked UTF-8) and prints it
  // escaped; a decoded NUL ends the printed text, as in cJSON's C strings.
  bool string() {
    const char* q = p_ + 1;
    // Find the closing quote first, as cJSON does, so that a bad escape after it cannot matter.
    const char* close = q;
    while (close < end_ && *close != '"') {
      if (*close == '\\') {
        if (close + 1 >= end_) return false;
        ++close;
      }
      ++close;
    }
    if (close >= end_) return false;
    out_ += '"';
    bool cut = false;
    auto put = [&](unsigned char c) {
      if (c == 0) cut = true;
      if (!cut) append_json_escaped(out_, c);
    };
    while (q < close) {
      if (*q != '\\') {
        put(static_cast<unsigned char>(*q++));
        continue;
      }
      char e = q[1];
      switch (e) {
        case 'b': put('\b'); q += 2; break;
        case 'f': put('\f'); q += 2; break;
        case 'n': put('\n'); q += 2; break;
        case 'r': put('\r'); q += 2; break;
        case 't': put('\t'); q += 2; break;
        case '"': case '\\': case '/': put(static_cast<unsigned char>(e)); q += 2; break;
        case 'u': {
          unsigned first = 0;
          if (!read_hex4(q + 2, first)) return false;
          if (first >= 0xDC00 && first <= 0xDFFF) return false;
          unsigned cp = first;
          std::size_t seq = 6;
          if (first >= 0xD800 && first <= 0xDBFF) {
            unsigned second = 0;
            if (close - (q + 6) < 6 || q[6] != '\\' || q[7] != 'u' || !read_hex4(q + 8, second)) return false;
            if (second < 0xDC00 || second > 0xDFFF) return false;
            cp = 0x10000 + (((first & 0x3FF) << 10) | (second & 0x3FF));
            seq = 12;
          }
          if (cp < 0x80) {
            put(static_cast<unsigned char>(cp));
          } else if (cp < 0x800) {
            put(static_cast<unsigned char>(0xC0 | (cp >> 6)));
            put(static_cast<unsigned char>(0x80 | (cp & 0x3F)));
          } else if (cp < 0x10000) {
            put(static_cast<unsigned char>(0xE0 | (cp >> 12)));
            put(static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)));
            put(static_cast<unsigned char>(0x80 | (cp & 0x3F)));
          } else {
            put(static_cast<unsigned char>(0xF0 | (cp >> 18)));
            put(static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F)));
            put(static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)));
            put(static_cast<unsigned char>(0x80 | (cp & 0x3F)));
          }
          q += seq;
          break;
        }
        default:
          return false;
      }
    }
    out_ += '"';
    p_ = close + 1;
    return true;
  }

  bool array(int print_depth, int nesting) {
    if (nesting >= nesting_limit) return false;
    ++p_;
    out_ += '[';
    skip_ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      out_ += ']';
      return true;
    }
    for (;;) {
      skip_ws();
      if (!value(print_depth + 1, nesting + 1)) return false;
      skip_ws();
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        out_ += pretty_ ? ", " : ",";
        continue;
      }
      break;
    }
    if (p_ >= end_ || *p_ != ']') return false;
    ++p_;
    out_ += ']';
    return true;
  }

  bool object(int print_depth, int nesting) {
    if (nesting >= nesting_limit) return false;
    ++p_;
    const int inner = print_depth + 1;
    out_ += '{';
    if (pretty_) out_ += '\n';
    skip_ws();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
    } else {
      for (;;) {
        skip_ws();
        if (p_ >= end_ || *p_ != '"') return false;
        if (pretty_) append_tabs(out_, inner);
        if (!string()) return false;
        skip_ws();
        if (p_ >= end_ || *p_ != ':') return false;
        ++p_;
        out_ += pretty_ ? ":\t" : ":";
        skip_ws();
        if (!value(inner, nesting + 1)) return false;
        skip_ws();
        if (p_ < end_ && *p_ == ',') {
          ++p_;
          out_ += ',';
          if (pretty_) out_ += '\n';
          continue;
        }
        if (pretty_) out_ += '\n';
        break;
      }
      if (p_ >= end_ || *p_ != '}') return false;
      ++p_;
    }
    if (pretty_) append_tabs(out_, print_depth);
    out_ += '}';
    return true;
  }

  const char* p_;
  const char* end_;
  std::string& out_;
  bool pretty_;
};

// The members of one cJSON object being printed: separators and indentation as cJSON's
// print_object writes them.
class cjson_object {
 public:
  cjson_object(std::string& out, bool pretty, int depth) : out_(out), pretty_(pretty), depth_(depth) {
    out_ += '{';
    if (pretty_) out_ += '\n';
  }
  void key(std::string_view k) {
    if (!first_) {
      out_ += ',';
      if (pretty_) out_ += '\n';
    }
    first_ = false;
    if (pretty_) append_tabs(out_, depth_ + 1);
    append_cjson_string(out_, k);
    out_ += pretty_ ? ":\t" : ":";
  }
  void close() {
    if (pretty_ && !first_) out_ += '\n';
    if (pretty_) append_tabs(out_, depth_);
    out_ += '}';
  }
  int inner_depth() const { return depth_ + 1; }

 private:
  std::string& out_;
  bool pretty_;
  int depth_;
  bool first_ = true;
};

// "2026-11-22T22:27:01.419494Z+0000": local time, microseconds, then a 'Z' and the local
// offset. mosquitto writes the 'Z' over the NUL of its microseconds, so both appear.
void append_mosquitto_tst(std::string& out, std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto since = t.time_since_epoch();
  auto secs = floor<seconds>(since);
  auto us = duration_cast<microseconds>(since - secs).count();
  std::time_t tt = static_cast<std::time_t>(secs.count());
  const std::tm& tm = detail::local_tm(tt);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  out.append(buf, n);
  out += '.';
  const auto micro = static_cast<int>(us);
  for (int div = 100000; div > 0; div /= 10) out += static_cast<char>('0' + micro / div % 10);
  out += 'Z';
  n = std::strftime(buf, sizeof buf, "%z", &tm);
  out.append(buf, n);
}

const proto::property* first_user_property(const proto::property_list& props) {
  for (const auto& p : props) {
    if (p.id == proto::property_id::user_property) return &p;
  }
  return nullptr;
}

void append_properties(cjson_object& root, std::string& out, const proto::property_list& props, bool pretty) {
  root.key("properties");
  cjson_object obj(out, pretty, root.inner_depth());
  // mosquitto reads the topic alias with the wrong identifier, so the read fails and it
  // prints whatever its 16-bit scratch variable last held: 0, or a correlation data length.
  std::uint32_t scratch16 = 0;
  // cJSON adds "user-properties" once, where the first user property is, and later ones
  // into it; so collect them when that first one is met.
  for (const auto& p : props) {
    using id = proto::property_id;
    switch (p.id) {
      case id::payload_format_indicator:
        obj.key("payload-format-indicator");
        append_int(out, p.number);
        break;
      case id::message_expiry_interval:
        obj.key("message-expiry-interval");
        append_int(out, p.number);
        break;
      case id::content_type:
        obj.key("content-type");
        append_cjson_string(out, p.value);
        break;
      case id::response_topic:
        obj.key("response-topic");
        append_cjson_string(out, p.value);
        break;
      case id::correlation_data:
        obj.key("correlation-data");
        append_cjson_string(out, p.value);
        scratch16 = static_cast<std::uint32_t>(p.value.size());
        break;
      case id::subscription_identifier:
        obj.key("subscription-identifier");
        append_int(out, p.number);
        break;
      case id::topic_alias:
        obj.key("topic-alias");
        append_int(out, scratch16);
        break;
      case id::user_property: {
        if (&p != first_user_property(props)) break;
        obj.key("user-properties");
        cjson_object users(out, pretty, obj.inner_depth());
        for (const auto& u : props) {
          if (u.id != id::user_property) continue;
          users.key(u.key.substr(0, u.key.find('\0')));
          append_cjson_string(out, u.value);
        }
        users.close();
        break;
      }
      default:
        break;
    }
  }
  obj.close();
}

}  // namespace

void append_cjson_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '\0') break;
    append_json_escaped(out, static_cast<unsigned char>(c));
  }
  out += '"';
}

bool append_cjson_reprint(std::string& out, std::string_view text, json_layout layout, int depth) {
  const std::size_t mark = out.size();
  cjson_reprinter r(text, out, layout == json_layout::pretty);
  if (!r.run(depth)) {
    out.resize(mark);
    return false;
  }
  return true;
}

bool append_mosquitto_json(std::string& out, const message_view& m, mosquitto_payload payload,
                           json_layout layout) {
  const bool pretty = layout == json_layout::pretty;
  const std::size_t mark = out.size();
  cjson_object root(out, pretty, 0);
  root.key("tst");
  out += '"';
  append_mosquitto_tst(out, m.timestamp);
  out += '"';
  root.key("topic");
  append_cjson_string(out, m.topic);
  root.key("qos");
  append_int(out, static_cast<int>(m.qos));
  root.key("retain");
  append_int(out, m.retain ? 1 : 0);
  root.key("payloadlen");
  append_int(out, static_cast<long long>(m.payload.size()));
  if (m.qos != proto::qos::at_most_once) {
    root.key("mid");
    append_int(out, m.packet_id);
  }
  if (m.properties != nullptr && !m.properties->empty()) append_properties(root, out, *m.properties, pretty);
  root.key("payload");
  if (m.payload.empty()) {
    // libmosquitto hands over a NULL payload for zero bytes, which both modes print as null.
    out += "null";
  } else if (payload == mosquitto_payload::escaped) {
    append_cjson_string(out, m.payload);
  } else {
    // mosquitto also rejects a payload whose JSON ends before its last byte (an early NUL).
    if (!append_cjson_reprint(out, m.payload, layout, root.inner_depth())) {
      out.resize(mark);
      return false;
    }
  }
  root.close();
  return true;
}

}  // namespace mqtk::report
