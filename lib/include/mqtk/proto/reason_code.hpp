#pragma once
// Every MQTT 3.1.1 CONNACK return code and 5.0 reason code, in one table: its name, the packets
// it applies to and a one-line meaning. diag/ builds its explanations and hints on top of this.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mqtk/proto/types.hpp"

namespace mqtk::proto {

struct reason_code_info {
  std::uint8_t code;
  std::string_view name;     // "Not authorized"
  std::string_view meaning;  // one line: what the sender wants to say
  std::uint16_t packets;     // bit (1 << packet_type) for each packet type it may appear in
  bool v311_return_code;     // a 3.1.1 CONNACK return code rather than a 5.0 reason code
};

std::span<const reason_code_info> all_reason_codes() noexcept;

// The entry for `code` in `type` under `version` (3.1.1 return codes for CONNACK before 5.0).
// nullptr when that code is not defined there.
const reason_code_info* find_reason_code(std::uint8_t code, packet_type type,
                                         protocol_version version) noexcept;

// Name for display; "Unknown reason code 0x.." style text is produced by the caller.
std::string_view reason_code_name(std::uint8_t code, packet_type type,
                                  protocol_version version) noexcept;

// "0x87": how stderr lines and traces show a reason code next to its name ("0x8C" with
// hex_case::upper, as the capture reports and refusal explanations print it).
enum class hex_case : std::uint8_t { lower, upper };
std::string reason_code_hex(std::uint8_t code, hex_case letters = hex_case::lower);

// 5.0: a code of 0x80 or above is a failure. 3.1.1 CONNACK: any non-zero code is a refusal.
constexpr bool is_failure(std::uint8_t code, packet_type type, protocol_version version) noexcept {
  if (version != protocol_version::v5 && type == packet_type::connack) return code != 0;
  if (type == packet_type::suback && version != protocol_version::v5) return code == 0x80;
  return code >= 0x80;
}

}  // namespace mqtk::proto
