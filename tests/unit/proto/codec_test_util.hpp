#pragma once
// Shared by the codec tests: encode to a vector, decode one packet, print packets in failures.
#include <gtest/gtest.h>

#include <ostream>

#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/encoder.hpp"
#include "support/bytes.hpp"

namespace mqtk::proto {
inline void PrintTo(const packet& p, std::ostream* os) { *os << to_string(p); }
inline void PrintTo(const decode_failure& f, std::ostream* os) {
  *os << decode_error_name(f.error) << "@" << f.offset;
}
}  // namespace mqtk::proto

namespace mqtk::test {

inline bytes encode_to_bytes(const proto::packet& p, proto::protocol_version v) {
  bytes out(proto::encoded_size(p, v));
  const std::size_t n = proto::encode(p, v, out);
  EXPECT_EQ(n, out.size()) << "encode() wrote a different size than encoded_size() announced";
  return out;
}

// Decodes exactly one packet; the result views into `b` and `scratch`.
inline std::variant<proto::packet, proto::decode_failure> decode_one(const bytes& b, proto::protocol_version v,
                                                                     proto::decode_scratch& scratch) {
  return proto::decode_packet(b, v, scratch);
}

// Feeds `b` to a stream decoder in chunks of the given sizes (the last chunk takes the rest) and
// returns the re-encoded bytes of each packet, or the failure that stopped it.
struct stream_outcome {
  std::vector<bytes> packets;        // each packet's bytes as re-encoded
  std::vector<std::string> texts;    // to_string of each packet
  std::optional<proto::decode_failure> failure;
};

inline stream_outcome decode_stream(const bytes& b, std::vector<std::size_t> chunks,
                                    std::optional<proto::protocol_version> version) {
  proto::stream_decoder dec({.version = version});
  stream_outcome out;
  std::size_t at = 0;
  std::size_t chunk_index = 0;
  while (at < b.size()) {
    std::size_t len = chunk_index < chunks.size() ? chunks[chunk_index++] : b.size() - at;
    len = std::min(len, b.size() - at);
    std::span<const std::uint8_t> input(b.data() + at, len);
    at += len;
    while (!input.empty()) {
      auto r = dec.put(input);
      input = input.subspan(r.consumed);
      if (r.state == proto::stream_decoder::status::error) {
        out.failure = r.failure;
        return out;
      }
      if (r.state == proto::stream_decoder::status::ready) {
        out.packets.push_back(encode_to_bytes(*r.value, dec.version().value_or(proto::protocol_version::v311)));
        out.texts.push_back(proto::to_string(*r.value));
      }
    }
  }
  return out;
}

}  // namespace mqtk::test
