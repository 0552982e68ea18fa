#include "mqtk/report/decode_json.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <memory>
#include <vector>

#include "mqtk/proto/reason_code.hpp"
#include "mqtk/report/decode_format.hpp"

namespace mqtk::report {

namespace {

using namespace std::string_view_literals;

using capture::mqtt_packet_record;

// Builds an nlohmann::json value through the writer interface; keys keep insertion order.
class tree_writer {
 public:
  explicit tree_writer(nlohmann::ordered_json& root) { stack_.push_back(&root); }
  void obj_begin() { open(nlohmann::ordered_json::object()); }
  void obj_end() { stack_.pop_back(); }
  void arr_begin() { open(nlohmann::ordered_json::array()); }
  void arr_end() { stack_.pop_back(); }
  void key(std::string_view k) { key_ = k; }
  void str(std::string_view v) { put(std::string(v)); }
  void b64(std::string_view v) {
    std::string s;
    append_base64(s, v);
    put(std::move(s));
  }
  void num(std::uint64_t v) { put(v); }
  void boolean(bool v) { put(v); }

 private:
  void open(nlohmann::ordered_json v) {
    auto* top = stack_.back();
    if (top->is_null() && stack_.size() == 1 && !started_) {
      *top = std::move(v);
      started_ = true;
      return;
    }
    stack_.push_back(&insert(std::move(v)));
  }
  template <class T>
  void put(T&& v) {
    insert(nlohmann::ordered_json(std::forward<T>(v)));
  }
  nlohmann::ordered_json& insert(nlohmann::ordered_json v) {
    auto* top = stack_.back();
    if (top->is_array()) {
      top->push_back(std::move(v));
      return top->back();
    }
    auto& slot = (*top)[std::string(key_)];
    slot = std::move(v);
    return slot;
  }
  std::vector<nlohmann::ordered_json*> stack_;
  std::string_view key_;
  bool started_ = false;
};

// Writes JSON text straight into a growable buffer with raw pointer writes: the per-packet
// hot path. Measured (perf, 400k packets): std::string::push_back per character and strlen on
// each key cost more than everything else in mqtk-decode together, hence the pointer and the
// compile-time key lengths.
class text_writer {
 public:
  text_writer() { grow(4096); }

  void start() {
    p_ = buf_.get();
    first_ = true;
    after_key_ = false;
  }
  std::string_view view() const { return {buf_.get(), static_cast<std::size_t>(p_ - buf_.get())}; }

  void obj_begin() {
    sep();
    put('{');
    first_ = true;
  }
  void obj_end() {
    put('}');
    first_ = false;
  }
  void arr_begin() {
    sep();
    put('[');
    first_ = true;
  }
  void arr_end() {
    put(']');
    first_ = false;
  }
  void key(std::string_view k) {
    need(k.size() + 4);
    if (!first_) *p_++ = ',';
    *p_++ = '"';
    std::memcpy(p_, k.data(), k.size());  // keys are our own snake_case names
    p_ += k.size();
    *p_++ = '"';
    *p_++ = ':';
    after_key_ = true;
  }
  void str(std::string_view v) {
    sep();
    need(v.size() + 2);
    *p_++ = '"';
    escape(v);
    put('"');
  }
  void b64(std::string_view v) {
    sep();
    need((v.size() + 2) / 3 * 4 + 2);
    *p_++ = '"';
    p_ = write_base64(p_, v);
    *p_++ = '"';
  }
  void num(std::uint64_t v) {
    sep();
    need(24);
    p_ = std::to_chars(p_, p_ + 24, v).ptr;
  }
  void boolean(bool v) {
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

 private:
  void put(char c) {
    need(1);
    *p_++ = c;
  }
  void need(std::size_t n) {
    if (static_cast<std::size_t>(cap_end_ - p_) < n) grow(n);
  }
  void grow(std::size_t n) {
    const std::size_t used = buf_ ? static_cast<std::size_t>(p_ - buf_.get()) : 0;
    const std::size_t cap = std::max<std::size_t>((used + n) * 2, 4096);
    auto bigger = std::make_unique<char[]>(cap);
    if (used) std::memcpy(bigger.get(), buf_.get(), used);
    buf_ = std::move(bigger);
    p_ = buf_.get() + used;
    cap_end_ = buf_.get() + cap;
  }
  void sep() {
    if (after_key_) {
      after_key_ = false;
    } else if (!first_) {
      put(',');
    }
    first_ = false;
  }
  // Copies runs of characters that need no escaping in one go.
  void escape(std::string_view v) {
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

  std::unique_ptr<char[]> buf_;
  char* p_ = nullptr;
  char* cap_end_ = nullptr;
  bool first_ = true;
  bool after_key_ = false;
};

template <class W>
void write_text_or_base64(W& w, std::string_view field, std::string_view encoding_key,
                          std::string_view bytes) {
  const bool utf8 = is_valid_utf8(bytes);
  w.key(field);
  if (utf8) w.str(bytes); else w.b64(bytes);
  w.key(encoding_key);
  w.str(utf8 ? "utf8"sv : "base64"sv);
}

template <class W>
void write_properties(W& w, const proto::property_list& props) {
  if (props.empty()) return;
  w.key("properties"sv);
  w.obj_begin();
  bool users = false;
  bool sub_ids = false;
  for (const auto& p : props) {
    if (p.id == proto::property_id::user_property) {
      users = true;
      continue;
    }
    if (p.id == proto::property_id::subscription_identifier) {
      sub_ids = true;
      continue;
    }
    const auto* info = proto::find_property_info(static_cast<std::uint8_t>(p.id));
    if (!info) continue;
    switch (info->type) {
      case proto::property_type::utf8_string:
        w.key(info->name);
        w.str(p.value);
        break;
      case proto::property_type::binary_data:
        if (is_valid_utf8(p.value)) {
          w.key(info->name);
          w.str(p.value);
        } else {
          w.key(info->name);
          w.b64(p.value);
          // Binary data that is not text is base64: say so beside it, as for payloads.
          if (info->id == proto::property_id::correlation_data) {
            w.key("correlation_data_encoding"sv);
            w.str("base64");
          } else {
            w.key("authentication_data_encoding"sv);
            w.str("base64");
          }
        }
        break;
      default:
        w.key(info->name);
        w.num(p.number);
        break;
    }
  }
  if (sub_ids) {
    w.key("subscription_identifiers"sv);
    w.arr_begin();
    for (const auto& p : props)
      if (p.id == proto::property_id::subscription_identifier) w.num(p.number);
    w.arr_end();
  }
  if (users) {
    w.key("user_properties"sv);
    w.arr_begin();
    for (const auto& p : props) {
      if (p.id != proto::property_id::user_property) continue;
      w.arr_begin();
      w.str(p.key);
      w.str(p.value);
      w.arr_end();
    }
    w.arr_end();
  }
  w.obj_end();
}

template <class W>
void write_reason(W& w, std::uint8_t code, proto::packet_type type, proto::protocol_version v) {
  w.key("reason_code"sv);
  w.num(code);
  w.key("reason"sv);
  w.str(proto::reason_code_name(code, type, v));
}

template <class W>
void write_ack(W& w, std::uint16_t id, std::uint8_t code, const proto::property_list& props,
               proto::packet_type type, proto::protocol_version v) {
  w.key("packet_id"sv);
  w.num(id);
  if (v == proto::protocol_version::v5) {
    write_reason(w, code, type, v);
    write_properties(w, props);
  }
}

template <class W>
void write_record(W& w, const mqtt_packet_record& r, std::string& scratch) {
  w.obj_begin();
  w.key("frame"sv);
  w.num(r.frame);
  w.key("frames"sv);
  w.arr_begin();
  for (auto f : r.frames) w.num(f);
  w.arr_end();
  w.key("ts"sv);
  scratch.clear();
  append_rfc3339_us(scratch, r.ts);
  w.str(scratch);
  w.key("stream"sv);
  w.num(r.stream);
  w.key("src"sv);
  scratch.clear();
  if (r.src) append_endpoint(scratch, *r.src);
  w.str(scratch);
  w.key("dst"sv);
  scratch.clear();
  if (r.dst) append_endpoint(scratch, *r.dst);
  w.str(scratch);
  w.key("dir"sv);
  w.str(r.dir == capture::flow::client_to_server ? "c2s"sv : "s2c"sv);
  const auto v = r.version.value_or(proto::protocol_version::v311);
  if (!r.packet) {
    w.key("type"sv);
    w.str("MALFORMED"sv);
    if (r.version) {
      w.key("version"sv);
      w.str(proto::version_name(*r.version));
    }
    w.key("len"sv);
    w.num(r.len);
    w.key("error"sv);
    w.str(r.malformed ? proto::decode_error_name(r.malformed->error) : "unknown");
    w.key("offset"sv);
    w.num(r.malformed ? r.malformed->offset : 0);
    w.obj_end();
    return;
  }
  const auto type = proto::type_of(*r.packet);
  w.key("type"sv);
  w.str(proto::packet_type_name(type));
  const auto shown_version =
      type == proto::packet_type::connect ? std::get<proto::connect>(*r.packet).version : v;
  w.key("version"sv);
  w.str(proto::version_name(shown_version));
  w.key("len"sv);
  w.num(r.len);
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, proto::connect>) {
          w.key("client_id"sv);
          w.str(p.client_id);
          w.key("keepalive"sv);
          w.num(p.keep_alive);
          w.key("clean_start"sv);
          w.boolean(p.clean_start);
          if (p.username) {
            w.key("username"sv);
            w.str(*p.username);
          }
          if (p.password) {
            w.key("password_len"sv);  // never the password itself
            w.num(p.password->size());
          }
          if (p.will) {
            w.key("will"sv);
            w.obj_begin();
            w.key("topic"sv);
            w.str(p.will->topic);
            w.key("qos"sv);
            w.num(static_cast<unsigned>(p.will->qos));
            w.key("retain"sv);
            w.boolean(p.will->retain);
            write_text_or_base64(w, "payload", "payload_encoding", p.will->payload);
            w.key("payload_len"sv);
            w.num(p.will->payload.size());
            write_properties(w, p.will->properties);
            w.obj_end();
          }
          write_properties(w, p.properties);
        } else if constexpr (std::is_same_v<T, proto::connack>) {
          w.key("session_present"sv);
          w.boolean(p.session_present);
          write_reason(w, p.reason_code, proto::packet_type::connack, v);
          write_properties(w, p.properties);
        } else if constexpr (std::is_same_v<T, proto::publish>) {
          w.key("topic"sv);
          w.str(r.topic.empty() ? p.topic : r.topic);
          w.key("qos"sv);
          w.num(static_cast<unsigned>(p.qos));
          w.key("retain"sv);
          w.boolean(p.retain);
          w.key("dup"sv);
          w.boolean(p.dup);
          if (p.qos != proto::qos::at_most_once) {
            w.key("packet_id"sv);
            w.num(p.packet_id);
          }
          write_text_or_base64(w, "payload", "payload_encoding", p.payload);
          w.key("payload_len"sv);
          w.num(p.payload.size());
          write_properties(w, p.properties);
        } else if constexpr (std::is_same_v<T, proto::puback> || std::is_same_v<T, proto::pubrec> ||
                             std::is_same_v<T, proto::pubrel> || std::is_same_v<T, proto::pubcomp>) {
          write_ack(w, p.packet_id, p.reason_code, p.properties, T::type, v);
        } else if constexpr (std::is_same_v<T, proto::subscribe>) {
          w.key("packet_id"sv);
          w.num(p.packet_id);
          w.key("subscriptions"sv);
          w.arr_begin();
          for (const auto& s : p.subscriptions) {
            w.obj_begin();
            w.key("filter"sv);
            w.str(s.filter);
            w.key("qos"sv);
            w.num(static_cast<unsigned>(s.max_qos));
            w.key("no_local"sv);
            w.boolean(s.no_local);
            w.key("retain_as_published"sv);
            w.boolean(s.retain_as_published);
            w.key("retain_handling"sv);
            w.num(s.retain_handling);
            w.obj_end();
          }
          w.arr_end();
          write_properties(w, p.properties);
        } else if constexpr (std::is_same_v<T, proto::suback> || std::is_same_v<T, proto::unsuback>) {
          w.key("packet_id"sv);
          w.num(p.packet_id);
          w.key("reason_codes"sv);
          w.arr_begin();
          for (auto c : p.reason_codes) w.num(c);
          w.arr_end();
          write_properties(w, p.properties);
        } else if constexpr (std::is_same_v<T, proto::unsubscribe>) {
          w.key("packet_id"sv);
          w.num(p.packet_id);
          w.key("subscriptions"sv);
          w.arr_begin();
          for (const auto& f : p.filters) {
            w.obj_begin();
            w.key("filter"sv);
            w.str(f);
            w.obj_end();
          }
          w.arr_end();
          write_properties(w, p.properties);
        } else if constexpr (std::is_same_v<T, proto::disconnect> || std::is_same_v<T, proto::auth>) {
          if (v == proto::protocol_version::v5) {
            write_reason(w, p.reason_code,
                         std::is_same_v<T, proto::auth> ? proto::packet_type::auth
                                                        : proto::packet_type::disconnect,
                         v);
            write_properties(w, p.properties);
          }
        }
      },
      *r.packet);
  if (!r.violations.empty()) {
    // Rules the packet broke although it could be read (mqtk-decode reads what can be read).
    w.key("violations"sv);
    w.arr_begin();
    for (const auto& f : r.violations) {
      w.obj_begin();
      w.key("rule"sv);
      w.str(proto::decode_error_name(f.error));
      w.key("offset"sv);
      w.num(f.offset);
      w.key("message"sv);
      scratch = proto::make_error_code(f.error).message();
      w.str(scratch);
      w.obj_end();
    }
    w.arr_end();
  }
  w.obj_end();
}

}  // namespace

nlohmann::json decode_record_json(const mqtt_packet_record& r) {
  nlohmann::ordered_json root;
  tree_writer w(root);
  std::string scratch;
  write_record(w, r, scratch);
  // Callers compare and index by key; the ordered form is only needed to build it.
  return nlohmann::json::parse(root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void append_decode_record_json_nlohmann(std::string& out, const mqtt_packet_record& r) {
  thread_local std::string scratch;
  nlohmann::ordered_json root;
  tree_writer w(root);
  write_record(w, r, scratch);
  out += root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void append_decode_record_json(std::string& out, const mqtt_packet_record& r) {
  thread_local std::string scratch;
  thread_local text_writer w;
  w.start();
  write_record(w, r, scratch);
  out.append(w.view());
}

nlohmann::ordered_json decode_connection_json(const capture::mqtt_connection_report& c) {
  using json = nlohmann::ordered_json;
  json j;
  j["event"] = "connection";
  j["stream"] = c.stream;
  j["client"] = endpoint_text(c.client);
  j["server"] = endpoint_text(c.server);
  j["carriage"] = c.carried == capture::carriage::tcp         ? "tcp"
                  : c.carried == capture::carriage::websocket ? "websocket"
                                                              : "tls";
  j["first_frame"] = c.first_frame;
  j["start"] = rfc3339_us(c.first_ts);
  j["last_frame"] = c.last_frame;
  j["end"] = rfc3339_us(c.last_ts);
  j["duration_ms"] = static_cast<double>(c.last_ts - c.first_ts) / 1e6;
  if (c.connect_seen) {
    j["client_id"] = c.client_id;
    if (c.version) j["version"] = proto::version_name(*c.version);
    if (c.keepalive) j["keepalive"] = *c.keepalive;
    if (c.clean_start) j["clean_start"] = *c.clean_start;
    if (c.username) j["username"] = *c.username;
    if (c.will_topic) j["will_topic"] = *c.will_topic;
  }
  if (c.connack) {
    json a;
    a["frame"] = c.connack->frame;
    a["reason_code"] = c.connack->code;
    a["reason"] = c.connack->name;
    a["session_present"] = c.connack->session_present;
    a["refused"] = c.connack->refused;
    if (!c.connack->explanation.empty()) a["explanation"] = c.connack->explanation;
    j["connack"] = std::move(a);
  } else {
    j["connack"] = nullptr;
  }
  json close;
  close["by"] = capture::closer_name(c.close.by);
  close["how"] = capture::close_how_name(c.close.how);
  if (c.close.reason_code) {
    close["reason_code"] = *c.close.reason_code;
    close["reason"] = c.close.reason;
  }
  close["frame"] = c.close.frame;
  if (c.close.ts) close["ts"] = rfc3339_us(c.close.ts);
  j["close"] = std::move(close);
  auto counts = [](const std::array<std::uint64_t, 16>& a) {
    json o = json::object();
    if (a[0]) o["MALFORMED"] = a[0];
    for (std::size_t t = 1; t < 16; ++t)
      if (a[t]) o[std::string(proto::packet_type_name(static_cast<proto::packet_type>(t)))] = a[t];
    return o;
  };
  j["packets"] = {{"c2s", counts(c.c2s_packets)}, {"s2c", counts(c.s2c_packets)}};
  j["bytes"] = {{"c2s", c.c2s_bytes}, {"s2c", c.s2c_bytes}};
  auto rtt = [](const capture::rtt_stats& s) {
    return json{{"count", s.count}, {"min_ms", s.min_ms}, {"avg_ms", s.avg_ms()}, {"max_ms", s.max_ms}};
  };
  if (c.ping_rtt.count) j["ping_rtt"] = rtt(c.ping_rtt);
  if (c.qos1_rtt.count) j["puback_rtt"] = rtt(c.qos1_rtt);
  if (c.qos2_rtt.count) j["pubcomp_rtt"] = rtt(c.qos2_rtt);
  json findings = json::array();
  for (const auto& f : c.findings) {
    json o;
    o["kind"] = capture::finding_kind_name(f.kind);
    o["severity"] = capture::severity_name(f.level);
    if (f.frame) o["frame"] = f.frame;
    if (f.ts) o["ts"] = rfc3339_us(f.ts);
    o["message"] = f.message;
    if (!f.cause.empty()) o["cause"] = f.cause;
    if (!f.fix.empty()) o["fix"] = f.fix;
    findings.push_back(std::move(o));
  }
  j["findings"] = std::move(findings);
  return j;
}

}  // namespace mqtk::report
