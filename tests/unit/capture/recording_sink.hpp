#pragma once
// Test helper for the capture suite: a stream_sink that keeps everything it is told, and a
// shortcut that runs bytes of a capture through the whole pipeline into one.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "mqtk/capture/capture_pipeline.hpp"
#include "mqtk/capture/stream_sink.hpp"
#include "support/pcap_writer.hpp"

namespace mqtk::test {

struct recording_sink final : capture::stream_sink {
  struct gap {
    std::uint64_t stream;
    capture::flow dir;
    std::uint64_t missing;
    std::uint64_t frame;
  };
  struct carriage_event {
    std::uint64_t stream;
    capture::carriage how;
    std::string detail;
    std::uint64_t frame;
  };
  struct anomaly {
    std::uint64_t stream;
    capture::flow dir;
    std::string what;
    std::uint64_t frame;
  };
  struct close_event {
    std::uint64_t stream;
    capture::flow dir;
    capture::close_kind how;
    std::uint64_t frame;
  };

  std::vector<capture::stream_info> streams;
  std::map<std::uint64_t, std::array<std::string, 2>> data;
  std::vector<std::uint64_t> data_frames;  // the frame of each on_data call, in order
  std::vector<gap> gaps;
  std::vector<carriage_event> carriages;
  std::vector<anomaly> anomalies;
  std::vector<close_event> closes;
  std::vector<std::string> log;  // one word per event, in order: "open", "data", "gap", ...

  static int index(capture::flow f) { return f == capture::flow::client_to_server ? 0 : 1; }

  void on_stream_open(const capture::stream_info& info) override {
    streams.push_back(info);
    log.push_back("open");
  }
  void on_data(std::uint64_t stream, capture::flow dir, std::span<const std::uint8_t> bytes, std::uint64_t frame,
               capture::capture_time) override {
    data[stream][index(dir)].append(bytes.begin(), bytes.end());
    data_frames.push_back(frame);
    log.push_back("data");
  }
  void on_gap(std::uint64_t stream, capture::flow dir, std::uint64_t missing, std::uint64_t frame,
              capture::capture_time) override {
    gaps.push_back({stream, dir, missing, frame});
    log.push_back("gap");
  }
  void on_carriage(std::uint64_t stream, capture::carriage how, const std::string& detail, std::uint64_t frame,
                   capture::capture_time) override {
    carriages.push_back({stream, how, detail, frame});
    log.push_back("carriage");
  }
  void on_anomaly(std::uint64_t stream, capture::flow dir, const std::string& what, std::uint64_t frame,
                  capture::capture_time) override {
    anomalies.push_back({stream, dir, what, frame});
    log.push_back("anomaly");
  }
  void on_close(std::uint64_t stream, capture::flow dir, capture::close_kind how, std::uint64_t frame,
                capture::capture_time) override {
    closes.push_back({stream, dir, how, frame});
    log.push_back("close");
  }

  std::string c2s(std::uint64_t stream = 0) { return data[stream][0]; }
  std::string s2c(std::uint64_t stream = 0) { return data[stream][1]; }
};

// Runs a capture held in memory through capture_reader and capture_pipeline.
inline capture::capture_summary run_capture(const byte_vector& capture_bytes, recording_sink& sink,
                                            capture::pipeline_options options = {}) {
  auto reader = capture::capture_reader::from_memory(capture_bytes);
  return capture::read_capture(reader, sink, options);
}

// A capture of IP datagrams on one link type, one frame per datagram, 1 ms apart.
inline byte_vector capture_of(const std::vector<tcp_packet>& packets, link l = link::ethernet,
                              pcap_writer::format f = pcap_writer::format::pcap_us) {
  pcap_writer w(f, std::endian::little, linktype_of(l));
  std::int64_t ts = 1'700'000'000'000'000'000;
  for (const auto& p : packets) w.add(frame(l, ip_tcp(p)), ts += 1'000'000);
  return w.data();
}

}  // namespace mqtk::test
