#pragma once
// Encoding packets to bytes into the caller's buffer. No allocation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "mqtk/proto/packet.hpp"

namespace mqtk::proto {

// Whole encoded size, fixed header included. CONNECT uses its own version field.
std::size_t encoded_size(const packet& p, protocol_version version);

// Writes the packet to the front of `out`, which must hold encoded_size() bytes; returns the
// number of bytes written.
std::size_t encode(const packet& p, protocol_version version, std::span<std::uint8_t> out);

// Appends the encoded packet to `out`.
void encode_append(const packet& p, protocol_version version, std::vector<std::uint8_t>& out);

// Size of a variable byte integer (1 to 4 bytes) and its encoder; `value` < 268,435,456.
std::size_t variable_byte_integer_size(std::uint32_t value) noexcept;
std::size_t write_variable_byte_integer(std::uint32_t value, std::uint8_t* out) noexcept;

}  // namespace mqtk::proto
