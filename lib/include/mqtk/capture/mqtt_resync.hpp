#pragma once
// Finding where MQTT packets start again after bytes that do not decode (a malformed packet,
// bytes lost from the capture, a hex dump that starts mid-packet).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "mqtk/proto/types.hpp"

namespace mqtk::capture {

// The first position at or after `from` where a plausible MQTT packet starts: a valid fixed
// header whose packet, when it lies wholly inside `bytes`, decodes and is followed by the end
// of `bytes` or another valid fixed header. A header cut off by the end of `bytes` counts.
// nullopt when there is none.
std::optional<std::size_t> find_packet_start(std::span<const std::uint8_t> bytes, std::size_t from,
                                             proto::protocol_version version);

}  // namespace mqtk::capture
