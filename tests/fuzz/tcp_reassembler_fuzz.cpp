// libFuzzer target: TCP reassembly of arbitrary segments (any order, overlaps, retransmissions
// with other bytes, SYN/FIN/RST anywhere, sequence numbers wrapping) on a few connections,
// with small limits so the gap and give-up paths run. Each segment is 7 bytes of header from
// the input (flags, connection and direction, sequence delta, payload length) and its payload.
// Checks the sink contract: events name opened streams, data is never empty, one close per
// direction, nothing after a direction closed except what finish() reports.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>

#include "mqtk/capture/tcp_reassembler.hpp"

#include "checking_sink.hpp"

namespace {

using namespace mqtk::capture;

using fuzz::checking_sink;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  checking_sink sink;
  tcp_reassembler r(sink, {.max_buffered = 512, .retransmit_history = 64, .closed_linger_frames = 8});
  std::uint32_t seq[4][2] = {{0, 0}, {0x7fff'ff00u, 0xffff'ff00u}, {0xffff'fff0u, 5}, {1, 1}};
  std::uint64_t frame = 0;
  std::size_t at = 0;
  while (at + 7 <= size) {
    const std::uint8_t* h = data + at;
    at += 7;
    const unsigned conn = h[1] & 3, dir = (h[1] >> 2) & 1;
    std::int16_t delta;
    std::memcpy(&delta, h + 2, 2);
    const std::size_t len = std::min<std::size_t>(h[4], size - at);
    tcp_segment s;
    s.src.bytes = {127, 0, 0, static_cast<std::uint8_t>(1 + dir)};
    s.dst.bytes = {127, 0, 0, static_cast<std::uint8_t>(2 - dir)};
    s.src_port = dir ? 1883 : static_cast<std::uint16_t>(40000 + conn);
    s.dst_port = dir ? static_cast<std::uint16_t>(40000 + conn) : 1883;
    s.flags = h[0] & 0x1f;
    s.window = h[5];
    s.uncaptured = h[6] & 0x80 ? h[6] & 0x7f : 0;
    seq[conn][dir] += static_cast<std::uint32_t>(static_cast<std::int32_t>(delta));
    s.seq = seq[conn][dir];
    s.ack = seq[conn][1 - dir];
    s.payload = std::span<const std::uint8_t>(data + at, len);
    at += len;
    ++frame;
    r.add(s, frame, static_cast<capture_time>(frame) * 1000);
  }
  r.finish();
  return 0;
}
