// Fuzzes the stream decoder and the one-packet decoder. Besides "no crash, no hang, no
// sanitizer report", it checks two properties: the stream decoder gives the same packets
// however the input is split, and every decoded packet survives encode -> decode unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/encoder.hpp"

namespace {

using namespace mqtk::proto;

void check(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string> decode_all(std::span<const std::uint8_t> data, std::size_t chunk, protocol_version v) {
  std::vector<std::string> out;
  stream_decoder dec({.max_packet_size = 1 << 20, .version = v});
  for (std::size_t at = 0; at < data.size(); at += chunk) {
    std::span<const std::uint8_t> in = data.subspan(at, std::min(chunk, data.size() - at));
    while (!in.empty()) {
      auto r = dec.put(in);
      in = in.subspan(r.consumed);
      if (r.state == stream_decoder::status::error) {
        out.push_back("error " + std::to_string(static_cast<int>(r.failure.error)) + "@" +
                      std::to_string(r.failure.offset));
        return out;
      }
      if (r.state != stream_decoder::status::ready) continue;
      out.push_back(to_string(*r.value));
      // Round trip: what we decoded must encode, and decode back to the same packet.
      const protocol_version pv = dec.version().value_or(v);
      std::vector<std::uint8_t> wire;
      encode_append(*r.value, pv, wire);
      check(wire.size() == encoded_size(*r.value, pv));
      decode_scratch scratch;
      auto again = decode_packet(wire, pv, scratch);
      check(std::holds_alternative<packet>(again));
      check(std::get<packet>(again) == *r.value);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // First byte chooses the version and the chunk size of the split run.
  const protocol_version v = data[0] % 3 == 0 ? protocol_version::v31
                             : data[0] % 3 == 1 ? protocol_version::v311
                                                : protocol_version::v5;
  const std::size_t chunk = 1 + data[0] / 3 % 16;
  std::span<const std::uint8_t> input(data + 1, size - 1);
  const auto whole = decode_all(input, input.size(), v);
  const auto split = decode_all(input, chunk, v);
  check(whole == split);
  decode_scratch scratch;
  (void)decode_packet(input, v, scratch);
  return 0;
}
