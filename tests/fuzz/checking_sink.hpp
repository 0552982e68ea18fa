#pragma once
// The stream_sink contract, checked by the capture fuzz targets: every event names an opened
// stream (numbered densely in order of appearance), data is never empty, one close per
// direction and nothing after it. A violation aborts, which libFuzzer reports as a crash.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <span>
#include <string>
#include <utility>

#include "mqtk/capture/stream_sink.hpp"

namespace mqtk::capture::fuzz {

class checking_sink final : public stream_sink {
 public:
  void on_stream_open(const stream_info& info) override {
    if (info.stream != opened_) std::abort();  // numbered densely in order of appearance
    ++opened_;
  }
  void on_data(std::uint64_t stream, flow dir, std::span<const std::uint8_t> bytes, std::uint64_t,
               capture_time) override {
    check(stream, dir);
    if (bytes.empty()) std::abort();
    // Touch every byte so the sanitizer sees a read of memory that must be valid.
    for (std::uint8_t b : bytes) sum_ += b;
  }
  void on_gap(std::uint64_t stream, flow dir, std::uint64_t missing, std::uint64_t, capture_time) override {
    check(stream, dir);
    if (missing == 0) std::abort();
  }
  void on_carriage(std::uint64_t stream, carriage, const std::string&, std::uint64_t, capture_time) override {
    if (stream >= opened_) std::abort();
  }
  void on_anomaly(std::uint64_t stream, flow, const std::string&, std::uint64_t, capture_time) override {
    if (stream >= opened_) std::abort();
  }
  void on_close(std::uint64_t stream, flow dir, close_kind, std::uint64_t, capture_time) override {
    check(stream, dir);
    if (!closed_.insert({stream, dir == flow::client_to_server}).second) std::abort();  // one close per direction
  }

 private:
  void check(std::uint64_t stream, flow dir) const {
    if (stream >= opened_) std::abort();
    if (closed_.count({stream, dir == flow::client_to_server})) std::abort();  // nothing after a close
  }
  std::uint64_t opened_ = 0;
  std::set<std::pair<std::uint64_t, bool>> closed_;
  std::uint64_t sum_ = 0;
};

}  // namespace mqtk::capture::fuzz
