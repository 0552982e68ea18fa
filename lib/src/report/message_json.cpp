#include "mqtk/report/message_json.hpp"

#include "mqtk/report/decode_format.hpp"
#include "mqtk/report/json_escape.hpp"

namespace mqtk::report {
namespace {

std::int64_t ns_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// A binary property or a UTF-8 string that is not valid UTF-8 (a peer's bug) must not make
// the whole line fail to serialise: such values go out in base64 like a binary payload.
std::string text_or_base64(std::string_view v) {
  if (is_valid_utf8(v)) return std::string(v);
  std::string b64;
  append_base64(b64, v);
  return b64;
}

// A payload that is valid JSON, as it was sent minus the whitespace between tokens: its own
// number spellings (1.10 stays 1.10) and duplicate keys survive, which re-serialising a parsed
// value would lose, and a pretty-printed payload still fits on one NDJSON line. Whitespace
// inside strings is kept (a raw newline cannot be there: the text is valid JSON).
void append_compact_json_text(std::string& out, std::string_view json) {
  bool in_string = false;
  bool escaped = false;
  for (const char c : json) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '"') in_string = true;
    out += c;
  }
}

}  // namespace

nlohmann::ordered_json message_json(const message_view& m, message_json_options options) {
  nlohmann::ordered_json j;
  j["ts"] = rfc3339_us(ns_since_epoch(m.timestamp));
  j["topic"] = text_or_base64(m.topic);
  j["qos"] = static_cast<int>(m.qos);
  j["retain"] = m.retain;
  j["dup"] = m.dup;
  if (m.qos != proto::qos::at_most_once) j["packet_id"] = m.packet_id;

  bool embedded = false;
  if (options.embed_json_payload && !m.payload.empty()) {
    auto parsed = nlohmann::ordered_json::parse(m.payload, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) {
      j["payload"] = std::move(parsed);
      j["payload_encoding"] = "json";
      embedded = true;
    }
  }
  if (!embedded) {
    if (is_valid_utf8(m.payload)) {
      j["payload"] = std::string(m.payload);
      j["payload_encoding"] = "utf8";
    } else {
      std::string b64;
      append_base64(b64, m.payload);
      j["payload"] = std::move(b64);
      j["payload_encoding"] = "base64";
    }
  }
  j["payload_len"] = m.payload.size();

  if (m.properties != nullptr && !m.properties->empty()) {
    using id = proto::property_id;
    nlohmann::ordered_json props = nlohmann::ordered_json::object();
    nlohmann::ordered_json sub_ids = nlohmann::ordered_json::array();
    nlohmann::ordered_json users = nlohmann::ordered_json::array();
    for (const auto& p : *m.properties) {
      switch (p.id) {
        case id::content_type: props["content_type"] = text_or_base64(p.value); break;
        case id::response_topic: props["response_topic"] = text_or_base64(p.value); break;
        case id::correlation_data: props["correlation_data"] = text_or_base64(p.value); break;
        case id::message_expiry_interval: props["message_expiry_interval"] = p.number; break;
        case id::payload_format_indicator: props["payload_format_indicator"] = p.number; break;
        case id::topic_alias: props["topic_alias"] = p.number; break;
        case id::subscription_identifier: sub_ids.push_back(p.number); break;
        case id::user_property:
          users.push_back(nlohmann::ordered_json::array({text_or_base64(p.key), text_or_base64(p.value)}));
          break;
        default: break;
      }
    }
    if (!sub_ids.empty()) props["subscription_identifiers"] = std::move(sub_ids);
    if (!users.empty()) props["user_properties"] = std::move(users);
    if (!props.empty()) j["properties"] = std::move(props);
  }
  return j;
}

namespace {

// The direct writer below produces exactly message_json(m).dump() (the tests compare them)
// except that an embedded JSON payload keeps its own text (append_compact_json_text),
// without building a DOM per message: at 200k messages nlohmann costs ~4 us each and this
// ~0.4 us (-O2, see the report's perf note). Strings are escaped as nlohmann's dump() does
// (report/json_escape.hpp).

void append_text_or_base64(std::string& out, std::string_view v) {
  if (is_valid_utf8(v)) {
    append_json_string(out, v);
  } else {
    out += '"';
    append_base64(out, v);
    out += '"';
  }
}

void append_key(std::string& out, std::string_view key, bool& first) {
  if (!first) out += ',';
  first = false;
  out += '"';
  out += key;
  out += "\":";
}

}  // namespace

void append_message_json(std::string& out, const message_view& m, message_json_options options) {
  out += "{\"ts\":\"";
  append_rfc3339_us(out, ns_since_epoch(m.timestamp));
  out += "\",\"topic\":";
  append_text_or_base64(out, m.topic);
  out += ",\"qos\":";
  append_uint(out, static_cast<unsigned>(m.qos));
  out += m.retain ? ",\"retain\":true" : ",\"retain\":false";
  out += m.dup ? ",\"dup\":true" : ",\"dup\":false";
  if (m.qos != proto::qos::at_most_once) {
    out += ",\"packet_id\":";
    append_uint(out, m.packet_id);
  }
  bool embedded = false;
  if (options.embed_json_payload && !m.payload.empty()) {
    if (nlohmann::json::accept(m.payload)) {
      out += ",\"payload\":";
      append_compact_json_text(out, m.payload);
      out += ",\"payload_encoding\":\"json\"";
      embedded = true;
    }
  }
  if (!embedded) {
    out += ",\"payload\":";
    if (is_valid_utf8(m.payload)) {
      append_json_string(out, m.payload);
      out += ",\"payload_encoding\":\"utf8\"";
    } else {
      out += '"';
      append_base64(out, m.payload);
      out += "\",\"payload_encoding\":\"base64\"";
    }
  }
  out += ",\"payload_len\":";
  append_uint(out, m.payload.size());

  if (m.properties != nullptr && !m.properties->empty()) {
    using id = proto::property_id;
    // Same key order as message_json(): the single-valued ones as they come (a repeat keeps
    // the first place, as a JSON object does), then the two lists.
    const std::size_t mark = out.size();
    out += ",\"properties\":{";
    bool first = true;
    bool seen[0x30] = {};
    const proto::property* last[0x30] = {};
    for (const auto& p : *m.properties) {
      const auto i = static_cast<std::size_t>(p.id);
      if (i < 0x30) last[i] = &p;
    }
    for (const auto& p : *m.properties) {
      const auto i = static_cast<std::size_t>(p.id);
      if (i >= 0x30 || seen[i]) continue;
      const proto::property& v = *last[i];  // a repeated single property: the last value wins, as in message_json()
      switch (p.id) {
        case id::content_type: append_key(out, "content_type", first); append_text_or_base64(out, v.value); break;
        case id::response_topic: append_key(out, "response_topic", first); append_text_or_base64(out, v.value); break;
        case id::correlation_data: append_key(out, "correlation_data", first); append_text_or_base64(out, v.value); break;
        case id::message_expiry_interval: append_key(out, "message_expiry_interval", first); append_uint(out, v.number); break;
        case id::payload_format_indicator: append_key(out, "payload_format_indicator", first); append_uint(out, v.number); break;
        case id::topic_alias: append_key(out, "topic_alias", first); append_uint(out, v.number); break;
        default: continue;
      }
      seen[i] = true;
    }
    bool any_sub_id = false;
    for (const auto& p : *m.properties) {
      if (p.id != id::subscription_identifier) continue;
      if (any_sub_id) {
        out += ',';
      } else {
        append_key(out, "subscription_identifiers", first);
        out += '[';
      }
      any_sub_id = true;
      append_uint(out, p.number);
    }
    if (any_sub_id) out += ']';
    bool any_user = false;
    for (const auto& p : *m.properties) {
      if (p.id != id::user_property) continue;
      if (any_user) {
        out += ',';
      } else {
        append_key(out, "user_properties", first);
        out += '[';
      }
      any_user = true;
      out += '[';
      append_text_or_base64(out, p.key);
      out += ',';
      append_text_or_base64(out, p.value);
      out += ']';
    }
    if (any_user) out += ']';
    if (first) {
      out.resize(mark);  // only properties --json does not show: no "properties" key
    } else {
      out += '}';
    }
  }
  out += '}';
}

}  // namespace mqtk::report
