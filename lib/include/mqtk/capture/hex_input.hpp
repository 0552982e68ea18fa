#pragma once
// Bytes pasted from a device log or a hex viewer, back to bytes: "10 0c 00 04 4d 51 54 54",
// "0x10,0x0c,...", "{0x10, 0x0C}", "100c0004", `xxd` lines ("00000000: 100c 0004  ..MQTT") and
// `hexdump -C` lines ("00000000  10 0c 00 04 ...  |..MQTT|"). Offsets and ASCII columns are
// dropped; lines starting with '#' or "//" are comments.
#include <cstdint>
#include <optional>
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

// One line at a time, for dumps read as they are written (tail -f log | mqtk-decode --hex -):
// a bad line is reported and the next one is read as if it were not there.
class hex_line_parser {
 public:
  // Appends the bytes of the next line (given without its '\n') to `out`; on error `out` is left
  // as it was and the error names the line and column. The message quotes the bad token with
  // terminal controls and invalid UTF-8 escaped.
  std::optional<hex_input_error> parse_line(std::string_view line, std::vector<std::uint8_t>& out);
  std::size_t line_number() const noexcept { return line_no_; }

 private:
  std::size_t line_no_ = 0;
  bool saw_offsets_ = false;  // hexdump -C style offsets seen: a lone offset closes the dump
};

// The whole text at once: the first bad line is the error.
std::variant<std::vector<std::uint8_t>, hex_input_error> parse_hex_input(std::string_view text);

}  // namespace mqtk::capture
