#include "mqtk/report/decode_json.hpp"

#include <array>

#include "json_text_writer.hpp"
#include "json_tree_writer.hpp"
#include "message_record.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/report/decode_format.hpp"

namespace mqtk::report {

namespace {

using namespace std::string_view_literals;

using capture::mqtt_packet_record;

template <class W>
void write_reason(W& w, proto::reason_code code, proto::packet_type type, proto::protocol_version v) {
  w.key("reason_code"sv);
  w.num(code.value());
  w.key("reason"sv);
  w.str(code.name(type, v));
}

template <class W>
void write_ack(W& w, std::uint16_t id, proto::reason_code code, const proto::property_list& props,
               proto::packet_type type, proto::protocol_version v, std::string& scratch) {
  w.key("packet_id"sv);
  w.num(id);
  if (v == proto::protocol_version::v5) {
    write_reason(w, code, type, v);
    record::write_properties(w, props, scratch);
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
          record::write_text(w, "client_id"sv, p.client_id, scratch);
          w.key("keepalive"sv);
          w.num(p.keep_alive);
          w.key("clean_start"sv);
          w.boolean(p.clean_start);
          if (p.username) {
            record::write_text(w, "username"sv, *p.username, scratch);
          }
          if (p.password) {
            w.key("password_len"sv);  // never the password itself
            w.num(p.password->size());
          }
          if (p.will) {
            w.key("will"sv);
            w.obj_begin();
            record::write_text(w, "topic"sv, p.will->topic, scratch);
            w.key("qos"sv);
            w.num(static_cast<unsigned>(p.will->qos));
            w.key("retain"sv);
            w.boolean(p.will->retain);
            record::write_payload(w, p.will->payload, /*embed_json=*/false);
            record::write_properties(w, p.will->properties, scratch);
            w.obj_end();
          }
          record::write_properties(w, p.properties, scratch);
        } else if constexpr (std::is_same_v<T, proto::connack>) {
          w.key("session_present"sv);
          w.boolean(p.session_present);
          write_reason(w, p.reason_code, proto::packet_type::connack, v);
          record::write_properties(w, p.properties, scratch);
        } else if constexpr (std::is_same_v<T, proto::publish>) {
          // The same fields, from the same code, as mqtk-sub --json (message_record.hpp).
          auto message = make_message_view(p, {});
          if (!r.topic.empty()) message.topic = r.topic;  // after topic-alias resolution
          record::write_message_fields(w, message, /*embed_json=*/false, scratch);
        } else if constexpr (std::is_same_v<T, proto::puback> || std::is_same_v<T, proto::pubrec> ||
                             std::is_same_v<T, proto::pubrel> || std::is_same_v<T, proto::pubcomp>) {
          write_ack(w, p.packet_id, p.reason_code, p.properties, T::type, v, scratch);
        } else if constexpr (std::is_same_v<T, proto::subscribe>) {
          w.key("packet_id"sv);
          w.num(p.packet_id);
          w.key("subscriptions"sv);
          w.arr_begin();
          for (const auto& s : p.subscriptions) {
            w.obj_begin();
            record::write_text(w, "filter"sv, s.filter, scratch);
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
          record::write_properties(w, p.properties, scratch);
        } else if constexpr (std::is_same_v<T, proto::suback> || std::is_same_v<T, proto::unsuback>) {
          w.key("packet_id"sv);
          w.num(p.packet_id);
          w.key("reason_codes"sv);
          w.arr_begin();
          for (auto c : p.reason_codes) w.num(c.value());
          w.arr_end();
          record::write_properties(w, p.properties, scratch);
        } else if constexpr (std::is_same_v<T, proto::unsubscribe>) {
          w.key("packet_id"sv);
          w.num(p.packet_id);
          w.key("subscriptions"sv);
          w.arr_begin();
          for (const auto& f : p.filters) {
            w.obj_begin();
            record::write_text(w, "filter"sv, f, scratch);
            w.obj_end();
          }
          w.arr_end();
          record::write_properties(w, p.properties, scratch);
        } else if constexpr (std::is_same_v<T, proto::disconnect> || std::is_same_v<T, proto::auth>) {
          if (v == proto::protocol_version::v5) {
            write_reason(w, p.reason_code,
                         std::is_same_v<T, proto::auth> ? proto::packet_type::auth
                                                        : proto::packet_type::disconnect,
                         v);
            record::write_properties(w, p.properties, scratch);
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
  json_tree_writer w(root);
  std::string scratch;
  write_record(w, r, scratch);
  // Callers compare and index by key; the ordered form is only needed to build it.
  return nlohmann::json::parse(root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void append_decode_record_json_nlohmann(std::string& out, const mqtt_packet_record& r) {
  thread_local std::string scratch;
  nlohmann::ordered_json root;
  json_tree_writer w(root);
  write_record(w, r, scratch);
  out += root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void append_decode_record_json(std::string& out, const mqtt_packet_record& r) {
  thread_local std::string scratch;
  thread_local json_text_writer w;
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
    a["reason_code"] = c.connack->code.value();
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
    close["reason_code"] = c.close.reason_code->value();
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
