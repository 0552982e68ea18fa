// libFuzzer target: arbitrary bytes as a capture file, through the reader, the dissector,
// TCP reassembly, TLS/WebSocket detection and de-framing, into a sink that checks the
// contract (every event names an opened stream; closes come once per direction).
//
// Build (clang with libFuzzer), from the repository root:
//   S=lib/src/capture
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Ilib/include \
//     tests/fuzz/capture_reader_fuzz.cpp $S/capture_reader.cpp $S/packet_dissector.cpp \
//     $S/tcp_segment.cpp $S/tcp_reassembler.cpp $S/carriage_detector.cpp \
//     $S/websocket_deframer.cpp $S/capture_pipeline.cpp -o capture_reader_fuzz
//   mkdir -p corpus && ./capture_reader_fuzz corpus tests/data/captures -max_total_time=30 -max_len=65536
#include <cstdint>
#include <cstdlib>
#include <set>
#include <span>

#include "mqtk/capture/capture_error.hpp"
#include "mqtk/capture/capture_pipeline.hpp"
#include "mqtk/capture/capture_reader.hpp"

namespace {

using namespace mqtk::capture;

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  checking_sink sink;
  try {
    auto reader = capture_reader::from_memory({data, size});
    // Small bounds so the fuzzer reaches the overflow paths with small inputs.
    pipeline_options options;
    options.reassembler.max_buffered = 512;
    options.reassembler.retransmit_history = 64;
    options.carriage.max_handshake = 256;
    options.dissector.max_pending_datagrams = 4;
    options.dissector.fragment_timeout_frames = 16;
    read_capture(reader, sink, options);
  } catch (const capture_error&) {
    // Rejecting malformed input with a capture_error is the expected outcome.
  }
  return 0;
}
