#pragma once
// mqtk-sub --json (ARCHITECTURE.md, "JSON"): one compact object per received message,
//   {"ts","topic","qos","retain","dup","packet_id"?,"payload","payload_encoding","payload_len",
//    "properties"?:{...}}
// written from the same description as mqtk-decode's PUBLISH lines (src/report/message_record.hpp).
// Binary values (payload, correlation data) carry a "<field>_encoding" of "utf8" or "base64";
// with --json-payload a payload that is valid JSON is embedded as JSON ("json").
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mqtk/report/message_view.hpp"

namespace mqtk::report {

struct message_json_options {
  bool embed_json_payload = false;  // --json-payload
};

// The line through nlohmann (json_tree_writer): the reference the tests hold the fast writer to.
nlohmann::ordered_json message_json(const message_view& m, message_json_options options = {});

// Appends the line (the fast writer) without a newline: message_json(m, options).dump() byte
// for byte, except that an embedded JSON payload keeps its own spelling (1.10 stays 1.10).
void append_message_json(std::string& out, const message_view& m, message_json_options options = {});
// The same line, in a buffer of this thread's that the next call reuses: for a caller that
// writes a large line out from there instead of copying it.
std::string_view message_json_line(const message_view& m, message_json_options options = {});

}  // namespace mqtk::report
