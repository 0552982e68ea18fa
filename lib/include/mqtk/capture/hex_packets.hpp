#pragma once
// Decodes MQTT bytes that came from a hex dump rather than a capture: no TCP, no direction, no
// timestamps. Each packet's direction is inferred from its type (PUBLISH and the acks that go
// both ways are shown as client→broker), the version comes from a CONNECT in the bytes or the
// caller's --mqtt-version, and undecodable stretches are reported and skipped.
#include <cstdint>
#include <optional>
#include <span>

#include "mqtk/capture/mqtt_analyzer.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::capture {

struct hex_packets_result {
  std::uint64_t packets = 0;
  std::uint64_t malformed = 0;
  bool version_guessed = false;  // no CONNECT and no version given: 3.1.1 was assumed
};

// Hands one record per packet to `sink.on_packet` (frame = packet number, from 1).
hex_packets_result decode_hex_packets(std::span<const std::uint8_t> bytes,
                                      std::optional<proto::protocol_version> version,
                                      mqtt_record_sink& sink);

}  // namespace mqtk::capture
