#pragma once
// Link layer -> IP -> TCP. Knows Ethernet (802.1Q, QinQ, PPPoE), Linux cooked SLL and SLL2,
// raw IP, BSD NULL/LOOP; IPv4 with fragment reassembly and IPv6 with extension headers and
// fragment reassembly. Anything that is not TCP is counted and skipped.
#include <cstdint>
#include <vector>

#include "mqtk/capture/raw_frame.hpp"
#include "mqtk/capture/tcp_segment.hpp"

namespace mqtk::capture {

struct dissector_stats {
  std::uint64_t frames = 0;
  std::uint64_t tcp_segments = 0;
  std::uint64_t not_tcp = 0;             // ARP, UDP, ICMP, ... and frames too short to tell
  std::uint64_t unsupported_link = 0;    // link types the dissector does not know
  std::uint64_t fragments = 0;           // IP fragments seen
  std::uint64_t reassembled = 0;         // datagrams completed from fragments
  std::uint64_t fragments_dropped = 0;   // fragments of datagrams that never completed in time
};

struct dissector_limits {
  std::size_t max_pending_datagrams = 256;  // incomplete fragmented datagrams kept at once
  std::uint64_t fragment_timeout_frames = 100'000;  // give up on a datagram after this many frames
};

class packet_dissector {
 public:
  explicit packet_dissector(dissector_limits limits = {});

  // True when the frame carries a TCP segment (possibly completing a fragmented datagram).
  // The segment's payload stays valid until the next call or until the frame's bytes go away.
  bool dissect(const raw_frame& frame, tcp_segment& out);

  const dissector_stats& stats() const noexcept { return stats_; }

 private:
  struct range {
    std::uint32_t begin;
    std::uint32_t end;
  };
  struct datagram {
    ip_address src;
    ip_address dst;
    std::uint32_t id = 0;
    std::uint8_t protocol = 0;  // IPv4: the protocol; IPv6: next header after the fragment header
    bool have_first = false;
    std::int64_t total = -1;    // known once the last fragment arrived
    std::uint64_t last_frame = 0;
    std::vector<std::uint8_t> data;
    std::vector<range> have;
  };

  bool dissect_ipv4(const std::uint8_t* p, std::size_t n, std::uint64_t frame, tcp_segment& out);
  bool dissect_ipv6(const std::uint8_t* p, std::size_t n, std::uint64_t frame, tcp_segment& out);
  // `promised` is the length the IP header gives, `n` what was captured of it.
  bool dissect_tcp(const std::uint8_t* p, std::size_t n, std::size_t promised, tcp_segment& out);
  // Adds a fragment; returns the completed datagram's payload (in reassembled_) when whole.
  bool add_fragment(const ip_address& src, const ip_address& dst, std::uint32_t id,
                    std::uint8_t protocol, bool protocol_known, std::uint32_t offset, bool more,
                    const std::uint8_t* p, std::size_t n, std::uint64_t frame,
                    std::uint8_t& protocol_out);
  void expire(std::uint64_t frame);

  dissector_limits limits_;
  dissector_stats stats_;
  std::vector<datagram> pending_;
  std::vector<std::uint8_t> reassembled_;
};

}  // namespace mqtk::capture
