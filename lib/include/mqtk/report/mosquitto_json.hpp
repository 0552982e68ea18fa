#pragma once
// mosquitto_sub's -F %j and %J, byte for byte. mosquitto_sub 2.0 builds that JSON with cJSON,
// so its spelling is cJSON's, not ours: "tst"/"payloadlen"/"mid", hyphenated property names,
// user properties as an object with repeated keys, strings cut at the first NUL (libmosquitto
// hands cJSON NUL-terminated copies), bytes >= 0x80 passed through unchecked, control
// characters as \u00xx, and %J re-printing the payload through cJSON's parser (so `1.50`
// comes out as `1.5`, `{ "a" : 1 }` as `{"a":1}`). A generic JSON library cannot produce these
// bytes, hence the small writer here.
#include <string>
#include <string_view>

#include "mqtk/report/message_view.hpp"

namespace mqtk::report {

enum class json_layout {
  compact,  // cJSON_PrintUnformatted: what %j/%J print
  pretty,   // cJSON_Print (tabs and newlines): what they print with --pretty
};

enum class mosquitto_payload {
  escaped,   // %j: the payload as a JSON string
  embedded,  // %J: the payload must itself be JSON and is embedded as such
};

// Appends `s` as a cJSON string literal (quotes included), stopping at the first NUL byte.
void append_cjson_string(std::string& out, std::string_view s);

// Parses `text` as cJSON_ParseWithOpts(require_null_terminated) would and appends it as
// cJSON would print it, with `depth` levels of enclosing objects (for the pretty layout).
// Returns false, appending nothing, when cJSON would reject it (mosquitto also rejects text
// that has a NUL byte before its end).
bool append_cjson_reprint(std::string& out, std::string_view text, json_layout layout, int depth = 0);

// Appends mosquitto_sub's JSON object for `m` (no newline). With mosquitto_payload::embedded
// and a payload that is not JSON, appends nothing and returns false; mosquitto then says
// "Error: Message payload is not valid JSON on topic <topic>." on stderr.
bool append_mosquitto_json(std::string& out, const message_view& m, mosquitto_payload payload,
                           json_layout layout);

}  // namespace mqtk::report
