#pragma once
// Test helpers for byte strings: hex in, hex out, and owned copies of decoded packets.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqtk::test {

using bytes = std::vector<std::uint8_t>;

// "10 0c 00 04" or "100c0004" -> bytes; throws std::invalid_argument on a bad digit.
bytes from_hex(std::string_view hex);
std::string to_hex(const std::uint8_t* data, std::size_t n);
inline std::string to_hex(const bytes& b) { return to_hex(b.data(), b.size()); }
bytes from_string(std::string_view s);

}  // namespace mqtk::test
