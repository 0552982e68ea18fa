#pragma once
// Bytes pasted from a device log or a hex viewer, back to bytes: "10 0c 00 04 4d 51 54 54",
// "0x10,0x0c,...", "{0x10, 0x0C}", "100c0004", `xxd` lines ("00000000: 100c 0004  ..MQTT") and
// `hexdump -C` lines ("00000000  10 0c 00 04 ...  |..MQTT|"). Offsets and ASCII columns are
// dropped; lines starting with '#' or "//" are comments.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mqtk::capture {

struct hex_input_error {
  std::size_t line = 0;    // 1-based
  std::size_t column = 0;  // 1-based
  std::string message;     // "not a hex byte: \"zz\""
  friend bool operator==(const hex_input_error&, const hex_input_error&) = default;
};

std::variant<std::vector<std::uint8_t>, hex_input_error> parse_hex_input(std::string_view text);

}  // namespace mqtk::capture
