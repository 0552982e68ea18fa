#pragma once
// One MQTT control packet (or one undecodable stretch of bytes) found in a capture, as the
// analyzer hands it out. Everything is a view valid only during the callback that receives
// it, so the per-packet path allocates nothing.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "mqtk/capture/stream_sink.hpp"
#include "mqtk/proto/decode_error.hpp"
#include "mqtk/proto/packet.hpp"

namespace mqtk::capture {

struct mqtt_packet_record {
  std::uint64_t frame = 0;                 // the frame that completed the packet
  std::span<const std::uint64_t> frames;   // every frame that carried its bytes, in order
  capture_time ts = 0;                     // time of `frame`
  std::uint64_t stream = 0;
  const endpoint* src = nullptr;
  const endpoint* dst = nullptr;
  flow dir = flow::client_to_server;
  std::optional<proto::protocol_version> version;
  std::size_t len = 0;                     // whole MQTT packet, fixed header included
  const proto::packet* packet = nullptr;   // null when malformed
  std::optional<proto::decode_failure> malformed;  // offset counted from the direction's first byte
  std::span<const std::uint8_t> raw;       // the packet's bytes, when decoded
  // Rules the packet broke that still left it readable (a property value out of range, a
  // property not allowed or repeated, reserved bits, ...): decoded anyway, as tshark does.
  // Offsets count from the packet's first byte.
  std::span<const proto::decode_failure> violations;
  // PUBLISH: the topic after 5.0 topic-alias resolution (empty when unknown).
  std::string_view topic;
  // The client id of the connection, once its CONNECT was seen.
  std::string_view client_id;
};

}  // namespace mqtk::capture
