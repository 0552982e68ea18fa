#pragma once
// The one description of an application message and its properties in JSON (ARCHITECTURE.md,
// "JSON"), written against the writer interface that json_text_writer (the tools' fast path)
// and json_tree_writer (nlohmann, the tests' oracle) both implement. mqtk-sub --json
// (message_json.cpp) and mqtk-decode --json (decode_json.cpp: PUBLISH, the will in CONNECT and
// every packet's properties) write through it, so the two tools cannot drift apart.
//
// The schema's rule for strings: a value MQTT types as binary data (payload, correlation data,
// authentication data) may be any bytes, so it always has a `<field>_encoding` beside it,
// "utf8" when the bytes are well-formed UTF-8 and shown as text, "base64" otherwise. A value
// MQTT types as a UTF-8 string (topic, content type, user property, client id, ...) is always
// text: the decoder refuses a packet where one is not well-formed (MQTT-1.5.4-1), so it never
// reaches a line; handed such bytes anyway (a library caller), the writer shows each ill-formed
// byte as U+FFFD rather than make the line invalid JSON.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mqtk/proto/property.hpp"
#include "mqtk/report/decode_format.hpp"
#include "mqtk/report/message_view.hpp"

namespace mqtk::report::record {

using namespace std::string_view_literals;

template <class W>
void write_text_value(W& w, std::string_view text, std::string& scratch) {
  if (is_valid_utf8(text)) {
    w.str(text);
    return;
  }
  scratch.clear();
  append_utf8_replacing_invalid(scratch, text);
  w.str(scratch);
}

template <class W>
void write_text(W& w, std::string_view key, std::string_view text, std::string& scratch) {
  w.key(key);
  write_text_value(w, text, scratch);
}

template <class W>
void write_binary(W& w, std::string_view key, std::string_view encoding_key, std::string_view bytes) {
  const bool text = is_valid_utf8(bytes);
  w.key(key);
  if (text) {
    w.str(bytes);
  } else {
    w.b64(bytes);
  }
  w.key(encoding_key);
  w.str(text ? "utf8"sv : "base64"sv);
}

// With `embed_json` (mqtk-sub --json-payload) a payload that is valid JSON is the JSON value
// itself, "payload_encoding": "json".
template <class W>
void write_payload(W& w, std::string_view payload, bool embed_json) {
  if (embed_json && !payload.empty() && nlohmann::json::accept(payload)) {
    w.key("payload"sv);
    w.raw_json(payload);
    w.key("payload_encoding"sv);
    w.str("json"sv);
  } else {
    write_binary(w, "payload"sv, "payload_encoding"sv, payload);
  }
  w.key("payload_len"sv);
  w.num(payload.size());
}

// "properties": {...}, only when there are some. Each property under its snake_case name, in
// the order they came; a property MQTT allows once but the peer repeated (decode reports that
// as a violation) keeps its first place and shows its last value, as a JSON object would, so
// every key appears once. The two that may repeat are lists, after the others:
// "subscription_identifiers": [n, ...] and "user_properties": [[key, value], ...] in the
// sender's order, repeated keys kept.
template <class W>
void write_properties(W& w, const proto::property_list& props, std::string& scratch) {
  using id = proto::property_id;
  if (props.empty()) return;
  w.key("properties"sv);
  w.obj_begin();
  bool sub_ids = false;
  bool users = false;
  for (auto it = props.begin(); it != props.end(); ++it) {
    if (it->id == id::subscription_identifier) {
      sub_ids = true;
      continue;
    }
    if (it->id == id::user_property) {
      users = true;
      continue;
    }
    bool repeat = false;
    for (auto before = props.begin(); before != it && !repeat; ++before) repeat = before->id == it->id;
    if (repeat) continue;
    const proto::property* last = &*it;
    for (auto after = it + 1; after != props.end(); ++after)
      if (after->id == it->id) last = &*after;
    const auto* info = proto::find_property_info(static_cast<std::uint8_t>(it->id));
    if (info == nullptr) continue;  // the decoder knows all 27; a hand-made list may not
    switch (info->type) {
      case proto::property_type::utf8_string: write_text(w, info->name, last->value, scratch); break;
      case proto::property_type::binary_data:
        write_binary(w, info->name,
                     it->id == id::correlation_data ? "correlation_data_encoding"sv : "authentication_data_encoding"sv,
                     last->value);
        break;
      default:
        w.key(info->name);
        w.num(last->number);
        break;
    }
  }
  if (sub_ids) {
    w.key("subscription_identifiers"sv);
    w.arr_begin();
    for (const auto& p : props)
      if (p.id == id::subscription_identifier) w.num(p.number);
    w.arr_end();
  }
  if (users) {
    w.key("user_properties"sv);
    w.arr_begin();
    for (const auto& p : props) {
      if (p.id != id::user_property) continue;
      w.arr_begin();
      write_text_value(w, p.key, scratch);
      write_text_value(w, p.value, scratch);
      w.arr_end();
    }
    w.arr_end();
  }
  w.obj_end();
}

// The fields of a PUBLISH, as both tools show them after their own leading fields:
// "topic", "qos", "retain", "dup", "packet_id" (QoS 1 and 2 only), "payload",
// "payload_encoding", "payload_len", "properties".
template <class W>
void write_message_fields(W& w, const message_view& m, bool embed_json, std::string& scratch) {
  write_text(w, "topic"sv, m.topic, scratch);
  w.key("qos"sv);
  w.num(static_cast<unsigned>(m.qos));
  w.key("retain"sv);
  w.boolean(m.retain);
  w.key("dup"sv);
  w.boolean(m.dup);
  if (m.qos != proto::qos::at_most_once) {
    w.key("packet_id"sv);
    w.num(m.packet_id);
  }
  write_payload(w, m.payload, embed_json);
  if (m.properties != nullptr) write_properties(w, *m.properties, scratch);
}

}  // namespace mqtk::report::record
