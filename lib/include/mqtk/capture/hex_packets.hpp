#pragma once
// Decodes MQTT bytes that came from a hex dump rather than a capture: no TCP, no direction, no
// timestamps. Each packet's direction is inferred from its type (PUBLISH and the acks that go
// both ways are shown as client→broker), the version comes from a CONNECT in the bytes or the
// caller's --mqtt-version, and undecodable stretches are reported and skipped.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mqtk/capture/mqtt_analyzer.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::capture {

struct hex_packets_result {
  std::uint64_t packets = 0;
  std::uint64_t malformed = 0;
  bool version_guessed = false;  // no CONNECT and no version given: 3.1.1 was assumed
};

// The same, fed as the bytes arrive: a packet is shown as soon as its last byte is fed, and
// only the bytes of the packet not yet complete are held (memory grows with a packet's real
// bytes, never with what its length field claims).
class hex_packet_stream {
 public:
  hex_packet_stream(std::optional<proto::protocol_version> version, mqtt_record_sink& sink)
      : version_(version), sink_(sink) {}

  void feed(std::span<const std::uint8_t> bytes);
  // The input ended: a packet still incomplete is reported as truncated.
  hex_packets_result finish();
  const hex_packets_result& result() const noexcept { return result_; }

 private:
  void process(bool at_end);

  std::optional<proto::protocol_version> version_;
  mqtt_record_sink& sink_;
  hex_packets_result result_;
  std::vector<std::uint8_t> buffer_;
  std::uint64_t base_ = 0;  // offset in the whole input of buffer_[0]
  std::uint64_t number_ = 0;
  bool started_ = false;
};

// Hands one record per packet to `sink.on_packet` (frame = packet number, from 1).
hex_packets_result decode_hex_packets(std::span<const std::uint8_t> bytes,
                                      std::optional<proto::protocol_version> version,
                                      mqtt_record_sink& sink);

}  // namespace mqtk::capture
