#pragma once
// Helpers for mqtk-decode's unit tests: a sink that keeps what the analyzer hands out, packet
// bytes built with the codec, and tshark's reading of the recordings in tests/data/captures.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mqtk/capture/mqtt_analyzer.hpp"
#include "mqtk/proto/encoder.hpp"

namespace mqtk::test {

struct kept_record {
  std::uint64_t frame = 0;
  std::vector<std::uint64_t> frames;
  std::uint64_t stream = 0;
  capture::flow dir{};
  std::string type;   // "PUBLISH", ..., "MALFORMED"
  std::string error;  // decode error name for MALFORMED
  std::size_t offset = 0;
  std::size_t len = 0;
  std::string topic;
  std::string text;   // to_string of the packet
  std::string json;   // the fast writer's line
};

class keeping_sink final : public capture::mqtt_record_sink {
 public:
  void on_packet(const capture::mqtt_packet_record& r) override;
  void on_connection(const capture::mqtt_connection_report& c) override { reports.push_back(c); }

  std::vector<kept_record> records;
  std::vector<capture::mqtt_connection_report> reports;
  bool keep_json = false;

  // The report of `stream`; fails the test when there is none.
  const capture::mqtt_connection_report& report(std::uint64_t stream) const;
  bool has_finding(capture::finding_kind k) const;
  std::size_t count_findings(capture::finding_kind k) const;
};

std::vector<std::uint8_t> bytes_of(const proto::packet& p, proto::protocol_version v);

// (frame, type) of every MQTT packet tshark listed in NAME.tshark.txt; "Reserved" is MALFORMED.
struct tshark_entry {
  std::uint64_t frame = 0;
  std::string type;
  // tshark cuts its Info column at about 4 KB: a frame with more packets than fit lists only
  // the first ones, and this is set on its entries.
  bool cut = false;
  friend bool operator==(const tshark_entry&, const tshark_entry&) = default;
};
std::vector<tshark_entry> read_tshark(const std::string& capture_name);
// The same from any tshark text file (the repository's own recordings).
std::vector<tshark_entry> read_tshark_file(const std::filesystem::path& file);

// Decodes a shared capture through the real capture pipeline into a keeping_sink.
void decode_capture(const std::string& capture_name, keeping_sink& sink, bool track = true);
void decode_capture_file(const std::filesystem::path& file, keeping_sink& sink, bool track = true);

}  // namespace mqtk::test
