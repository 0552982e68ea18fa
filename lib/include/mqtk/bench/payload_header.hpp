#pragma once
// The header that starts every payload bench publishes (unless -m/--payload-file gives a fixed
// payload), so that a subscriber - in the same process or on another machine - can count loss,
// duplicates and reordering exactly per publisher and measure end-to-end latency.
//
// Fixed layout, 32 bytes, little-endian:
//   offset 0  4 bytes  magic "MQKB"
//   offset 4  u32      publisher id (the global client index: unique across shards)
//   offset 8  u64      sequence number of the message from this publisher, from 0
//   offset 16 i64      intended send time, ns since the Unix epoch (CLOCK_REALTIME scale)
//   offset 24 i64      actual send time, same scale
// The rest of the payload (up to -s bytes) is filler. End-to-end latency across machines is
// only as good as their clock synchronisation; within one process both ends use one clock.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace mqtk::bench {

struct payload_header {
  static constexpr std::size_t size = 32;
  static constexpr std::array<std::uint8_t, 4> magic{'M', 'Q', 'K', 'B'};

  std::uint32_t publisher = 0;
  std::uint64_t sequence = 0;
  std::int64_t intended_ns = 0;
  std::int64_t sent_ns = 0;

  // Writes the header into the first `size` bytes of `out` (which must hold them).
  void write(std::span<std::uint8_t> out) const noexcept;
  // The header at the start of `payload`, or nullopt when it is shorter or the magic differs
  // (a message from some other publisher on the same topics).
  static std::optional<payload_header> read(std::span<const std::uint8_t> payload) noexcept;

  bool operator==(const payload_header&) const = default;
};

}  // namespace mqtk::bench
