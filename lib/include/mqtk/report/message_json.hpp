#pragma once
// mqtk-sub --json (ARCHITECTURE.md, "JSON"): one compact object per received message,
//   {"ts","topic","qos","retain","dup","packet_id"?,"payload","payload_encoding","payload_len",
//    "properties"?:{...}}
// The payload is a string when it is valid UTF-8 ("utf8"), base64 otherwise ("base64"), and
// with --json-payload a payload that is valid JSON is embedded as JSON ("json").
// "properties" appears only when the message has some, each key only when present;
// "subscription_identifiers" is an array (a message can match several subscriptions) and
// "user_properties" is [[key, value], ...] in the sender's order, repeats kept.
#include <string>

#include <nlohmann/json.hpp>

#include "mqtk/report/message_view.hpp"

namespace mqtk::report {

struct message_json_options {
  bool embed_json_payload = false;  // --json-payload
};

nlohmann::ordered_json message_json(const message_view& m, message_json_options options = {});

// Appends message_json(m, options) in compact form, without a newline.
void append_message_json(std::string& out, const message_view& m, message_json_options options = {});

}  // namespace mqtk::report
