#pragma once
// One captured record as it came off the file or the interface, before any dissection.
#include <cstdint>
#include <span>

#include "mqtk/capture/stream_sink.hpp"

namespace mqtk::capture {

// LINKTYPE_* values as they appear in pcap/pcapng headers (tcpdump.org/linktypes.html).
namespace link_type {
inline constexpr std::uint32_t null_bsd = 0;      // 4-byte address family, capturing host's order
inline constexpr std::uint32_t ethernet = 1;
inline constexpr std::uint32_t raw_dlt12 = 12;    // DLT_RAW on most systems
inline constexpr std::uint32_t raw_dlt14 = 14;    // DLT_RAW on OpenBSD
inline constexpr std::uint32_t raw = 101;         // LINKTYPE_RAW
inline constexpr std::uint32_t loop = 108;        // OpenBSD loopback: family in network order
inline constexpr std::uint32_t linux_sll = 113;
inline constexpr std::uint32_t ipv4 = 228;
inline constexpr std::uint32_t ipv6 = 229;
inline constexpr std::uint32_t linux_sll2 = 276;
}  // namespace link_type

struct raw_frame {
  std::uint64_t number = 0;  // 1-based, counting every packet record in file order (as tshark)
  capture_time ts = 0;
  std::uint32_t link = 0;    // a link_type value
  // Captured bytes; they stay valid only until the reader yields the next frame.
  std::span<const std::uint8_t> bytes;
  std::uint32_t original_length = 0;  // length on the wire (bytes.size() may be less: snaplen)
};

}  // namespace mqtk::capture
