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

#include "checking_sink.hpp"

namespace {

using namespace mqtk::capture;

using fuzz::checking_sink;

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
