#include "mqtk/report/decode_text.hpp"

#include <cstdio>

#include "mqtk/proto/reason_code.hpp"
#include "mqtk/report/text_escape.hpp"
#include "mqtk/report/decode_format.hpp"

namespace mqtk::report {

namespace {

using capture::mqtt_packet_record;

void append_hex2(std::string& out, unsigned v) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back(hex[(v >> 4) & 15]);
  out.push_back(hex[v & 15]);
}

void append_quoted(std::string& out, std::string_view s, std::size_t limit = std::string_view::npos) {
  out.push_back('"');
  const std::size_t n = report::append_display_escaped(out, s, '"', limit);
  out.push_back('"');
  if (n < s.size()) out.append("…");
}

void append_payload(std::string& out, std::string_view payload, std::size_t preview) {
  out.append(" payload(");
  append_uint(out, payload.size());
  out.append(")=");
  if (payload.empty()) {
    out.append("\"\"");
    return;
  }
  if (is_valid_utf8(payload.substr(0, std::min(payload.size(), preview * 4))) ||
      is_valid_utf8(payload)) {
    append_quoted(out, payload, preview);
    return;
  }
  out.append("0x");
  const std::size_t n = std::min(payload.size(), preview / 2);
  for (std::size_t i = 0; i < n; ++i) append_hex2(out, static_cast<unsigned char>(payload[i]));
  if (n < payload.size()) out.append("…");
}

void append_code(std::string& out, proto::reason_code code, proto::packet_type type,
                 proto::protocol_version v) {
  out.append(" rc=");
  if (v == proto::protocol_version::v5) {
    out.append("0x");
    append_hex2(out, code.value());
  } else {
    append_uint(out, code.value());
  }
  out.append(" (");
  out.append(code.name(type, v));
  out.push_back(')');
}

void append_properties(std::string& out, const proto::property_list& props) {
  if (props.empty()) return;
  out.append(" [");
  bool first = true;
  for (const auto& p : props) {
    if (!first) out.push_back(' ');
    first = false;
    const auto* info = proto::find_property_info(static_cast<std::uint8_t>(p.id));
    if (!info) continue;
    out.append(info->name);
    out.push_back('=');
    switch (info->type) {
      case proto::property_type::utf8_string_pair:
        out.push_back('(');
        append_quoted(out, p.key, 64);
        out.push_back(',');
        append_quoted(out, p.value, 64);
        out.push_back(')');
        break;
      case proto::property_type::utf8_string:
        append_quoted(out, p.value, 64);
        break;
      case proto::property_type::binary_data:
        if (is_valid_utf8(p.value)) {
          append_quoted(out, p.value, 64);
        } else {
          out.append("0x");
          for (std::size_t i = 0; i < std::min<std::size_t>(p.value.size(), 32); ++i)
            append_hex2(out, static_cast<unsigned char>(p.value[i]));
        }
        break;
      default:
        append_uint(out, p.number);
        break;
    }
  }
  out.push_back(']');
}

void append_bool(std::string& out, std::string_view name, bool v) {
  out.push_back(' ');
  out.append(name);
  out.append(v ? "=1" : "=0");
}

void append_id(std::string& out, std::uint16_t id) {
  out.append(" id=");
  append_uint(out, id);
}

}  // namespace

void append_decode_record_text(std::string& out, const mqtt_packet_record& r,
                               const decode_text_options& options) {
  char frame[24];
  const int n = std::snprintf(frame, sizeof frame, "%6llu", static_cast<unsigned long long>(r.frame));
  out.append(frame, static_cast<std::size_t>(n));
  out.append("  ");
  append_time_of_day_us(out, r.ts);
  out.append("  s");
  append_uint(out, r.stream);
  out.append(r.dir == capture::flow::client_to_server ? "  client→broker  " : "  broker→client  ");
  const auto v = r.version.value_or(proto::protocol_version::v311);
  if (!r.packet) {
    out.append("MALFORMED ");
    out.append(r.malformed ? proto::decode_error_name(r.malformed->error) : "unknown");
    out.append(" at offset ");
    append_uint(out, r.malformed ? r.malformed->offset : 0);
    if (r.malformed) {
      out.append(": ");
      out.append(r.malformed->message());
    }
    return;
  }
  const auto type = proto::type_of(*r.packet);
  out.append(proto::packet_type_name(type));
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, proto::connect>) {
          out.append(" v");
          out.append(proto::version_name(p.version));
          out.append(" client_id=");
          append_quoted(out, p.client_id, 64);
          out.append(" keepalive=");
          append_uint(out, p.keep_alive);
          append_bool(out, "clean_start", p.clean_start);
          if (p.username) {
            out.append(" username=");
            append_quoted(out, *p.username, 64);
          }
          if (p.password) {
            out.append(" password=(");
            append_uint(out, p.password->size());
            out.append(" bytes)");
          }
          if (p.will) {
            out.append(" will=");
            append_quoted(out, p.will->topic, 64);
            out.append(" will_qos=");
            append_uint(out, static_cast<unsigned>(p.will->qos));
            append_bool(out, "will_retain", p.will->retain);
            append_payload(out, p.will->payload, options.payload_preview);
          }
          append_properties(out, p.properties);
        } else if constexpr (std::is_same_v<T, proto::connack>) {
          append_bool(out, "session_present", p.session_present);
          append_code(out, p.reason_code, proto::packet_type::connack, v);
          append_properties(out, p.properties);
        } else if constexpr (std::is_same_v<T, proto::publish>) {
          out.append(" topic=");
          append_quoted(out, r.topic.empty() ? p.topic : r.topic, 128);
          out.append(" qos=");
          append_uint(out, static_cast<unsigned>(p.qos));
          if (p.qos != proto::qos::at_most_once) append_id(out, p.packet_id);
          if (p.retain) out.append(" retain=1");
          if (p.dup) out.append(" dup=1");
          append_payload(out, p.payload, options.payload_preview);
          append_properties(out, p.properties);
        } else if constexpr (std::is_same_v<T, proto::puback> || std::is_same_v<T, proto::pubrec> ||
                             std::is_same_v<T, proto::pubrel> || std::is_same_v<T, proto::pubcomp>) {
          append_id(out, p.packet_id);
          if (v == proto::protocol_version::v5 && (p.reason_code != proto::reason_code::success || !p.properties.empty())) {
            append_code(out, p.reason_code, T::type, v);
            append_properties(out, p.properties);
          }
        } else if constexpr (std::is_same_v<T, proto::subscribe>) {
          append_id(out, p.packet_id);
          bool first = true;
          for (const auto& s : p.subscriptions) {
            out.append(first ? " " : ", ");
            first = false;
            append_quoted(out, s.filter, 128);
            out.append(" qos=");
            append_uint(out, static_cast<unsigned>(s.max_qos));
            if (s.no_local) out.append(" no_local=1");
            if (s.retain_as_published) out.append(" retain_as_published=1");
            if (s.retain_handling) {
              out.append(" retain_handling=");
              append_uint(out, s.retain_handling);
            }
          }
          append_properties(out, p.properties);
        } else if constexpr (std::is_same_v<T, proto::suback> || std::is_same_v<T, proto::unsuback>) {
          append_id(out, p.packet_id);
          if (!p.reason_codes.empty()) {
            out.append(" rc=[");
            bool first = true;
            for (auto c : p.reason_codes) {
              if (!first) out.append(", ");
              first = false;
              const auto t = std::is_same_v<T, proto::suback> ? proto::packet_type::suback
                                                              : proto::packet_type::unsuback;
              if (c.is_failure(t, v) || v == proto::protocol_version::v5) {
                out.append("0x");
                append_hex2(out, c.value());
                out.append(" ");
                out.append(c.name(t, v));
              } else {
                out.append("qos ");
                append_uint(out, c.value());
              }
            }
            out.push_back(']');
          }
          append_properties(out, p.properties);
        } else if constexpr (std::is_same_v<T, proto::unsubscribe>) {
          append_id(out, p.packet_id);
          bool first = true;
          for (const auto& f : p.filters) {
            out.append(first ? " " : ", ");
            first = false;
            append_quoted(out, f, 128);
          }
          append_properties(out, p.properties);
        } else if constexpr (std::is_same_v<T, proto::disconnect> || std::is_same_v<T, proto::auth>) {
          if (v == proto::protocol_version::v5) {
            append_code(out, p.reason_code,
                        std::is_same_v<T, proto::auth> ? proto::packet_type::auth
                                                       : proto::packet_type::disconnect,
                        v);
            append_properties(out, p.properties);
          }
        }
      },
      *r.packet);
  for (const auto& f : r.violations) {
    out.append("  [violation: ");
    out.append(proto::decode_error_name(f.error));
    out.append(" at offset ");
    append_uint(out, f.offset);
    out.append(": ");
    out.append(proto::make_error_code(f.error).message());
    out.append("]");
  }
}

void append_connection_text(std::string& out, const capture::mqtt_connection_report& c) {
  auto line = [&out](const std::string& s) {
    out.append(s);
    out.push_back('\n');
  };
  std::string head = "connection s" + std::to_string(c.stream) + "  " + endpoint_text(c.client) +
                     " → " + endpoint_text(c.server) + "  frames " + std::to_string(c.first_frame) +
                     "–" + std::to_string(c.last_frame) + "  ";
  append_rfc3339_us(head, c.first_ts);
  if (c.carried == capture::carriage::websocket) head += "  (WebSocket)";
  if (c.carried == capture::carriage::tls) head += "  (TLS)";
  line(head);
  if (c.connect_seen) {
    std::string s = "  client id \"" + display_escaped(c.client_id) + "\"";
    if (c.version) s += ", MQTT " + std::string(proto::version_name(*c.version));
    if (c.keepalive) s += ", keepalive " + std::to_string(*c.keepalive) + " s";
    if (c.clean_start) s += *c.clean_start ? ", clean start" : ", persistent session";
    if (c.username) s += ", user \"" + display_escaped(*c.username) + "\"";
    if (c.will_topic) s += ", will on \"" + display_escaped(*c.will_topic) + "\"";
    line(s);
  } else if (c.c2s_packets[0]) {
    line("  the client's CONNECT could not be decoded (see the MALFORMED finding)");
  } else {
    line("  no CONNECT in the capture (it started before the capture did)");
  }
  if (c.connack) {
    if (c.connack->refused) {
      line("  CONNACK (frame " + std::to_string(c.connack->frame) + "): " + display_escaped(c.connack->explanation, 0));
    } else {
      line("  CONNACK (frame " + std::to_string(c.connack->frame) + "): " + c.connack->name +
           (c.connack->session_present ? ", session present" : ""));
    }
  } else {
    line("  no CONNACK");
  }
  std::string closed = c.close.how == capture::close_how::capture_end
                           ? std::string("  still open when the capture ended (")
                           : "  closed by " + std::string(capture::closer_name(c.close.by)) + " (";
  closed += std::string(capture::close_how_name(c.close.how));
  if (c.close.reason_code) {
    closed += " " + c.close.reason_code->hex(proto::hex_case::upper) + " " + display_escaped(c.close.reason, 0);
  }
  closed += ")";
  if (c.close.frame) closed += " at frame " + std::to_string(c.close.frame);
  line(closed);
  auto counts = [](const std::array<std::uint64_t, 16>& a) {
    std::string s;
    if (a[0]) s += " MALFORMED " + std::to_string(a[0]);
    for (std::size_t t = 1; t < 16; ++t)
      if (a[t])
        s += " " + std::string(proto::packet_type_name(static_cast<proto::packet_type>(t))) + " " +
             std::to_string(a[t]);
    return s.empty() ? std::string(" none") : s;
  };
  line("  client→broker:" + counts(c.c2s_packets) + " (" + std::to_string(c.c2s_bytes) + " bytes)");
  line("  broker→client:" + counts(c.s2c_packets) + " (" + std::to_string(c.s2c_bytes) + " bytes)");
  auto rtt = [&line](const char* name, const capture::rtt_stats& s) {
    if (!s.count) return;
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %s: %llu, min %.3f ms, avg %.3f ms, max %.3f ms", name,
                  static_cast<unsigned long long>(s.count), s.min_ms, s.avg_ms(), s.max_ms);
    line(buf);
  };
  rtt("PINGREQ→PINGRESP", c.ping_rtt);
  rtt("PUBLISH→PUBACK", c.qos1_rtt);
  rtt("PUBLISH→PUBCOMP", c.qos2_rtt);
  for (const auto& f : c.findings) {
    std::string s = "  [" + std::string(capture::severity_name(f.level)) + "] " +
                    std::string(capture::finding_kind_name(f.kind));
    if (f.frame) s += " (frame " + std::to_string(f.frame) + ")";
    s += ": " + display_escaped(f.message, 0);
    line(s);
  }
}

}  // namespace mqtk::report
