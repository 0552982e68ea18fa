#pragma once
// Test helper: builds WebSocket frames (RFC 6455) for the de-framing tests.
#include <cstdint>
#include <string>

#include "support/pcap_writer.hpp"

namespace mqtk::test {

// One WebSocket frame; masked frames use a fixed key so the test output is stable.
inline byte_vector ws_frame(std::uint8_t opcode, const std::string& payload, bool fin = true, bool masked = true,
                     int force_length_bytes = 0) {
  byte_vector f;
  f.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | opcode));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  const std::size_t n = payload.size();
  if ((n < 126 && force_length_bytes == 0) || force_length_bytes == 1) {
    f.push_back(static_cast<std::uint8_t>(mask_bit | n));
  } else if ((n < 65536 && force_length_bytes == 0) || force_length_bytes == 2) {
    f.push_back(mask_bit | 126);
    f.push_back(static_cast<std::uint8_t>(n >> 8));
    f.push_back(static_cast<std::uint8_t>(n));
  } else {
    f.push_back(mask_bit | 127);
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(n) >> (8 * i)));
  }
  const std::uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (masked) f.insert(f.end(), key, key + 4);
  for (std::size_t i = 0; i < n; ++i) {
    f.push_back(static_cast<std::uint8_t>(payload[i]) ^ (masked ? key[i % 4] : 0));
  }
  return f;
}

}  // namespace mqtk::test
