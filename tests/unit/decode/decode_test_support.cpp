#include "decode_test_support.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "mqtk/capture/capture_pipeline.hpp"
#include "mqtk/report/decode_json.hpp"
#include "support/capture_streams.hpp"

namespace mqtk::test {

void keeping_sink::on_packet(const capture::mqtt_packet_record& r) {
  kept_record k;
  k.frame = r.frame;
  k.frames.assign(r.frames.begin(), r.frames.end());
  k.stream = r.stream;
  k.dir = r.dir;
  k.len = r.len;
  k.topic = std::string(r.topic);
  if (r.packet) {
    k.type = std::string(proto::packet_type_name(proto::type_of(*r.packet)));
    k.text = proto::to_string(*r.packet);
  } else {
    k.type = "MALFORMED";
    k.error = std::string(proto::decode_error_name(r.malformed->error));
    k.offset = r.malformed->offset;
  }
  if (keep_json) report::append_decode_record_json(k.json, r);
  records.push_back(std::move(k));
}

const capture::mqtt_connection_report& keeping_sink::report(std::uint64_t stream) const {
  for (const auto& r : reports)
    if (r.stream == stream) return r;
  ADD_FAILURE() << "no report for stream " << stream;
  static const capture::mqtt_connection_report none;
  return none;
}

bool keeping_sink::has_finding(capture::finding_kind k) const { return count_findings(k) > 0; }

std::size_t keeping_sink::count_findings(capture::finding_kind k) const {
  std::size_t n = 0;
  for (const auto& r : reports)
    for (const auto& f : r.findings)
      if (f.kind == k) ++n;
  return n;
}

std::vector<std::uint8_t> bytes_of(const proto::packet& p, proto::protocol_version v) {
  std::vector<std::uint8_t> out;
  proto::encode_append(p, v, out);
  return out;
}

namespace {

std::string tshark_type(std::string_view info) {
  static const std::pair<std::string_view, std::string_view> names[] = {
      {"Connect Command", "CONNECT"},       {"Connect Ack", "CONNACK"},
      {"Publish Message", "PUBLISH"},       {"Publish Ack", "PUBACK"},
      {"Publish Received", "PUBREC"},       {"Publish Release", "PUBREL"},
      {"Publish Complete", "PUBCOMP"},      {"Subscribe Request", "SUBSCRIBE"},
      {"Subscribe Ack", "SUBACK"},          {"Unsubscribe Request", "UNSUBSCRIBE"},
      {"Unsubscribe Ack", "UNSUBACK"},      {"Ping Request", "PINGREQ"},
      {"Ping Response", "PINGRESP"},        {"Disconnect Req", "DISCONNECT"},
      {"Authentication Exchange", "AUTH"},  {"Reserved", "MALFORMED"},
  };
  for (const auto& [prefix, type] : names)
    if (info.starts_with(prefix)) return std::string(type);
  return {};  // not an MQTT packet (e.g. the JSON dissector's note on a payload)
}

}  // namespace

std::vector<tshark_entry> read_tshark(const std::string& capture_name) {
  return read_tshark_file(data_dir() / "captures" / (capture_name + ".tshark.txt"));
}

std::vector<tshark_entry> read_tshark_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  std::vector<tshark_entry> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::uint64_t frame = 0;
    std::string time, src, arrow, dst, proto_name, length;
    if (!(ss >> frame >> time >> src >> arrow >> dst >> proto_name >> length)) continue;
    std::string info;
    std::getline(ss, info);
    info.erase(0, info.find_first_not_of(' '));
    // Several MQTT packets completed by one frame are listed comma separated.
    const bool cut = line.size() >= 4000;
    std::size_t pos = 0;
    while (pos <= info.size()) {
      auto comma = info.find(", ", pos);
      if (comma == std::string::npos && cut) break;  // the last item is cut short
      auto item = info.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (auto t = tshark_type(item); !t.empty()) out.push_back({frame, t, cut});
      if (comma == std::string::npos) break;
      pos = comma + 2;
    }
  }
  return out;
}

void decode_capture(const std::string& capture_name, keeping_sink& sink, bool track) {
  decode_capture_file(capture_path(capture_name), sink, track);
}

void decode_capture_file(const std::filesystem::path& file, keeping_sink& sink, bool track) {
  capture::mqtt_analyzer_options options;
  options.track_connections = track;
  capture::mqtt_analyzer analyzer(sink, options);
  const auto summary = capture::read_capture(file.string(), analyzer);
  analyzer.finish(summary.frames, 0);
}

}  // namespace mqtk::test
