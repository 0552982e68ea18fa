#pragma once
// A TCP segment as the packet dissector hands it to the reassembler: addresses, ports,
// sequence numbers, flags and a view of the payload (sized from the IP header, so Ethernet
// padding never counts as data).
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace mqtk::capture {

struct ip_address {
  std::uint8_t family = 4;  // 4 or 6
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first four

  std::string to_string() const;  // "127.0.0.1", "::1" (RFC 5952 short form)
  friend bool operator==(const ip_address&, const ip_address&) = default;
};

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
}  // namespace tcp_flag

struct tcp_segment {
  ip_address src;
  ip_address dst;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  std::span<const std::uint8_t> payload;
  // Payload bytes the IP header promised but the capture did not keep (snaplen): they follow
  // `payload` on the wire.
  std::uint32_t uncaptured = 0;

  bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
};

}  // namespace mqtk::capture
