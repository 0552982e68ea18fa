#pragma once
// mqtk-decode --json (ARCHITECTURE.md, "JSON"): one object per MQTT packet, and with --summary one
// {"event": "connection", ...} object per TCP connection.
//
// Packets go through one field-by-field description written against a tiny writer interface,
// with two writers behind it: nlohmann/json (the reference, used by the tests) and a direct
// string writer for the per-packet hot path, which is several times faster (BENCHMARKS.md).
// A PUBLISH's message fields and every packet's properties come from the description mqtk-sub
// --json uses too (src/report/message_record.hpp). Tests check both writers give the same JSON
// for every capture.
#include <string>

#include <nlohmann/json.hpp>

#include "mqtk/capture/mqtt_connection_report.hpp"
#include "mqtk/capture/mqtt_packet_record.hpp"

namespace mqtk::report {

nlohmann::json decode_record_json(const capture::mqtt_packet_record& r);
// Appends the same object as decode_record_json(r).dump() (key order kept), without a newline.
void append_decode_record_json(std::string& out, const capture::mqtt_packet_record& r);

// The same line through nlohmann::ordered_json and dump(): what the fast writer is measured
// against (mqtk-decode --json-engine nlohmann).
void append_decode_record_json_nlohmann(std::string& out, const capture::mqtt_packet_record& r);

nlohmann::ordered_json decode_connection_json(const capture::mqtt_connection_report& c);

}  // namespace mqtk::report
