#include "mqtk/capture/packet_dissector.hpp"

#include <algorithm>
#include <cstring>

namespace mqtk::capture {
namespace {

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86DD;
constexpr std::uint8_t protocol_tcp = 6;
constexpr std::size_t max_datagram = 65535 + 8;

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

bool is_vlan(std::uint16_t type) { return type == 0x8100 || type == 0x88A8 || type == 0x9100 || type == 0x9200; }

// Skips VLAN tags and PPPoE session headers; returns 4, 6 or 0 (not IP).
int network_from_ethertype(std::uint16_t type, const std::uint8_t*& p, std::size_t& n) {
  while (is_vlan(type)) {
    if (n < 4) return 0;
    type = be16(p + 2);
    p += 4, n -= 4;
  }
  if (type == 0x8864) {  // PPPoE session: 6-byte header, then the PPP protocol
    if (n < 8) return 0;
    const std::uint16_t ppp = be16(p + 6);
    p += 8, n -= 8;
    return ppp == 0x0021 ? 4 : ppp == 0x0057 ? 6 : 0;
  }
  return type == ethertype_ipv4 ? 4 : type == ethertype_ipv6 ? 6 : 0;
}

// BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 differs per system.
int network_from_family(std::uint32_t family) {
  if (family == 2) return 4;
  if (family == 10 || family == 24 || family == 28 || family == 30) return 6;
  return 0;
}

}  // namespace

packet_dissector::packet_dissector(dissector_limits limits) : limits_(limits) {}

bool packet_dissector::dissect(const raw_frame& frame, tcp_segment& out) {
  ++stats_.frames;
  const std::uint8_t* p = frame.bytes.data();
  std::size_t n = frame.bytes.size();
  int net = 0;
  switch (frame.link) {
    case link_type::ethernet:
      if (n < 14) break;
      p += 14, n -= 14;
      net = network_from_ethertype(be16(p - 2), p, n);
      break;
    case link_type::linux_sll:
      if (n < 16) break;
      p += 16, n -= 16;
      net = network_from_ethertype(be16(p - 2), p, n);
      break;
    case link_type::linux_sll2:
    {
      if (n < 20) break;
      const std::uint16_t type = be16(p);
      p += 20, n -= 20;
      net = network_from_ethertype(type, p, n);
      break;
    }
    case link_type::null_bsd:
    case link_type::loop: {
      if (n < 4) break;
      // The family is in the capturing host's byte order (NULL) or network order (LOOP);
      // families are small numbers, so whichever reading is small is the right one.
      std::uint32_t le = std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                         std::uint32_t{p[3]} << 24;
      if (le > 0xFFFF) le = __builtin_bswap32(le);
      net = network_from_family(le);
      p += 4, n -= 4;
      break;
    }
    case link_type::raw_dlt12:
    case link_type::raw_dlt14:
    case link_type::raw:
      if (n >= 1) net = p[0] >> 4;
      break;
    case link_type::ipv4:
      net = 4;
      break;
    case link_type::ipv6:
      net = 6;
      break;
    default:
      ++stats_.unsupported_link;
      return false;
  }
  bool ok = false;
  if (net == 4) {
    ok = dissect_ipv4(p, n, frame.number, out);
  } else if (net == 6) {
    ok = dissect_ipv6(p, n, frame.number, out);
  }
  if (ok) {
    ++stats_.tcp_segments;
  } else {
    ++stats_.not_tcp;
  }
  if (!pending_.empty()) expire(frame.number);
  return ok;
}

bool packet_dissector::dissect_ipv4(const std::uint8_t* p, std::size_t n, std::uint64_t frame,
                                    tcp_segment& out) {
  if (n < 20 || (p[0] >> 4) != 4) return false;
  const std::size_t ihl = (p[0] & 15u) * 4u;
  std::size_t total = be16(p + 2);
  if (total == 0) total = n;  // segmentation offload: the stack left the length for the NIC
  if (ihl < 20 || ihl > n || total < ihl) return false;
  const bool cut_short = n < total;
  const std::size_t len = std::min(total, n) - ihl;
  const std::size_t promised = total - ihl;
  const std::uint16_t frag = be16(p + 6);
  const bool more = frag & 0x2000;
  const std::uint32_t offset = (frag & 0x1FFFu) * 8u;
  ip_address src, dst;
  src.family = dst.family = 4;
  std::memcpy(src.bytes.data(), p + 12, 4);
  std::memcpy(dst.bytes.data(), p + 16, 4);
  out.src = src;
  out.dst = dst;
  if (more || offset) {
    if (cut_short) return false;
    std::uint8_t protocol = 0;
    if (!add_fragment(src, dst, be16(p + 4), p[9], true, offset, more, p + ihl, len, frame, protocol)) {
      return false;
    }
    if (protocol != protocol_tcp) return false;
    return dissect_tcp(reassembled_.data(), reassembled_.size(), reassembled_.size(), out);
  }
  if (p[9] != protocol_tcp) return false;
  return dissect_tcp(p + ihl, len, promised, out);
}

bool packet_dissector::dissect_ipv6(const std::uint8_t* p, std::size_t n, std::uint64_t frame,
                                    tcp_segment& out) {
  if (n < 40 || (p[0] >> 4) != 6) return false;
  std::size_t payload = be16(p + 4);
  if (payload == 0) payload = n - 40;  // jumbogram or offload
  ip_address src, dst;
  src.family = dst.family = 6;
  std::memcpy(src.bytes.data(), p + 8, 16);
  std::memcpy(dst.bytes.data(), p + 24, 16);
  out.src = src;
  out.dst = dst;
  const bool cut_short = n - 40 < payload;
  std::uint8_t next = p[6];
  const std::uint8_t* d = p + 40;
  std::size_t len = std::min(payload, n - 40);
  std::size_t promised = payload;
  for (int hops = 0; hops < 32; ++hops) {
    switch (next) {
      case protocol_tcp:
        return dissect_tcp(d, len, promised, out);
      case 0:     // hop-by-hop options
      case 43:    // routing
      case 60:    // destination options
      case 135:   // mobility
      case 139:   // HIP
      case 140: { // shim6
        if (len < 2) return false;
        const std::size_t hl = (d[1] + 1u) * 8u;
        if (hl > len) return false;
        next = d[0];
        d += hl, len -= hl, promised -= hl;
        break;
      }
      case 51: {  // authentication header counts its length in 4-byte words
        if (len < 2) return false;
        const std::size_t hl = (d[1] + 2u) * 4u;
        if (hl > len) return false;
        next = d[0];
        d += hl, len -= hl, promised -= hl;
        break;
      }
      case 44: {  // fragment
        if (len < 8) return false;
        const std::uint32_t offset = be16(d + 2) & 0xFFF8u;
        const bool more = d[3] & 1;
        const std::uint8_t inner = d[0];
        if (offset == 0 && !more) {  // an atomic fragment is a whole datagram
          next = inner;
          d += 8, len -= 8, promised -= 8;
          break;
        }
        if (cut_short) return false;
        std::uint8_t protocol = 0;
        if (!add_fragment(src, dst, be32(d + 4), inner, offset == 0, offset, more, d + 8, len - 8, frame,
                          protocol)) {
          return false;
        }
        next = protocol;
        d = reassembled_.data();
        len = promised = reassembled_.size();
        break;
      }
      default:
        return false;  // UDP, ICMPv6, ESP, no next header, ...
    }
  }
  return false;
}

bool packet_dissector::dissect_tcp(const std::uint8_t* p, std::size_t n, std::size_t promised,
                                   tcp_segment& out) {
  if (n < 20) return false;
  const std::size_t header = (p[12] >> 4) * 4u;
  if (header < 20 || header > n) return false;
  out.src_port = be16(p);
  out.dst_port = be16(p + 2);
  out.seq = be32(p + 4);
  out.ack = be32(p + 8);
  out.flags = p[13];
  out.window = be16(p + 14);
  out.payload = {p + header, n - header};
  out.uncaptured = static_cast<std::uint32_t>(promised > n ? promised - n : 0);
  return true;
}

bool packet_dissector::add_fragment(const ip_address& src, const ip_address& dst, std::uint32_t id,
                                    std::uint8_t protocol, bool protocol_known, std::uint32_t offset,
                                    bool more, const std::uint8_t* p, std::size_t n,
                                    std::uint64_t frame, std::uint8_t& protocol_out) {
  ++stats_.fragments;
  if (offset + n > max_datagram) return false;
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const datagram& d) {
    return d.id == id && d.src == src && d.dst == dst && (d.src.family == 6 || d.protocol == protocol);
  });
  if (it == pending_.end()) {
    if (pending_.size() >= limits_.max_pending_datagrams) {
      // Drop the datagram that has waited longest: memory stays bounded whatever the input.
      auto oldest = std::min_element(pending_.begin(), pending_.end(), [](const datagram& a, const datagram& b) {
        return a.last_frame < b.last_frame;
      });
      stats_.fragments_dropped += oldest->have.size();
      pending_.erase(oldest);
    }
    pending_.push_back({});
    it = pending_.end() - 1;
    it->src = src;
    it->dst = dst;
    it->id = id;
    it->protocol = protocol;
  }
  datagram& d = *it;
  d.last_frame = frame;
  if (protocol_known) {
    d.protocol = protocol;
    d.have_first = true;
  }
  if (!more) d.total = offset + n;
  if (d.data.size() < offset + n) d.data.resize(offset + n);
  // First copy wins on overlap, as most stacks do: only the uncovered parts are written.
  std::uint32_t at = offset;
  const std::uint32_t end = static_cast<std::uint32_t>(offset + n);
  std::sort(d.have.begin(), d.have.end(), [](const range& a, const range& b) { return a.begin < b.begin; });
  for (const range& r : d.have) {
    if (r.end <= at) continue;
    if (r.begin >= end) break;
    if (r.begin > at) std::memcpy(d.data.data() + at, p + (at - offset), r.begin - at);
    at = std::max(at, r.end);
  }
  if (at < end) std::memcpy(d.data.data() + at, p + (at - offset), end - at);
  d.have.push_back({offset, end});
  std::sort(d.have.begin(), d.have.end(), [](const range& a, const range& b) { return a.begin < b.begin; });
  if (d.total < 0 || !d.have_first) return false;
  std::uint32_t covered = 0;
  for (const range& r : d.have) {
    if (r.begin > covered) return false;
    covered = std::max(covered, r.end);
  }
  if (covered < d.total) return false;
  ++stats_.reassembled;
  protocol_out = d.protocol;
  d.data.resize(static_cast<std::size_t>(d.total));
  reassembled_.swap(d.data);
  pending_.erase(it);
  return true;
}

void packet_dissector::expire(std::uint64_t frame) {
  std::erase_if(pending_, [&](const datagram& d) {
    if (frame - d.last_frame <= limits_.fragment_timeout_frames) return false;
    stats_.fragments_dropped += d.have.size();
    return true;
  });
}

}  // namespace mqtk::capture
