#include "support/pcap_writer.hpp"

#include <arpa/inet.h>

#include <fstream>
#include <stdexcept>

namespace mqtk::test {
namespace {

void be16_at(byte_vector& v, std::size_t at, std::uint16_t x) {
  v[at] = static_cast<std::uint8_t>(x >> 8);
  v[at + 1] = static_cast<std::uint8_t>(x);
}
void push16(byte_vector& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}
void push32(byte_vector& v, std::uint32_t x) {
  push16(v, static_cast<std::uint16_t>(x >> 16));
  push16(v, static_cast<std::uint16_t>(x));
}
__extension__ typedef unsigned __int128 u128;

bool is_v6(const std::string& a) { return a.find(':') != std::string::npos; }

byte_vector address(const std::string& text) {
  byte_vector out(is_v6(text) ? 16 : 4);
  if (inet_pton(is_v6(text) ? AF_INET6 : AF_INET, text.c_str(), out.data()) != 1) {
    throw std::invalid_argument("bad address " + text);
  }
  return out;
}

}  // namespace

byte_vector to_bytes(std::string_view text) { return {text.begin(), text.end()}; }

byte_vector ip_tcp(const tcp_packet& p) {
  byte_vector tcp;
  push16(tcp, p.src_port);
  push16(tcp, p.dst_port);
  push32(tcp, p.seq);
  push32(tcp, p.ack);
  byte_vector options = p.tcp_options;
  while (options.size() % 4) options.push_back(1);  // NOP padding
  tcp.push_back(static_cast<std::uint8_t>((20 + options.size()) / 4 << 4));
  tcp.push_back(p.flags);
  push16(tcp, p.window);
  push16(tcp, 0);  // checksum: not checked by capture readers
  push16(tcp, 0);
  tcp.insert(tcp.end(), options.begin(), options.end());
  tcp.insert(tcp.end(), p.payload.begin(), p.payload.end());

  const byte_vector src = address(p.src), dst = address(p.dst);
  byte_vector ip;
  if (!is_v6(p.src)) {
    ip = {0x45, 0, 0, 0, 0, 0, 0, 0, 64, 6, 0, 0};
    be16_at(ip, 2, static_cast<std::uint16_t>(20 + tcp.size()));
    be16_at(ip, 4, p.ip_id);
    be16_at(ip, 6, 0x4000);  // don't fragment
    ip.insert(ip.end(), src.begin(), src.end());
    ip.insert(ip.end(), dst.begin(), dst.end());
    ip.insert(ip.end(), tcp.begin(), tcp.end());
    return ip;
  }
  byte_vector ext;
  for (std::size_t i = 0; i < p.ipv6_extensions.size(); ++i) {
    const std::uint8_t next = i + 1 < p.ipv6_extensions.size() ? p.ipv6_extensions[i + 1] : 6;
    if (p.ipv6_extensions[i] == 51) {  // AH: length in 4-byte units minus 2; 12 bytes + 4 ICV
      ext.insert(ext.end(), {next, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 7, 0xde, 0xad, 0xbe, 0xef});
    } else if (p.ipv6_extensions[i] == 60) {  // destination options, 16 bytes with PadN
      ext.insert(ext.end(), {next, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    } else {  // hop-by-hop (PadN) or routing with no segments left: 8 bytes
      ext.insert(ext.end(), {next, 0, 1, 4, 0, 0, 0, 0});
    }
  }
  ip = {0x60, 0, 0, 0, 0, 0, 0, 64};
  be16_at(ip, 4, static_cast<std::uint16_t>(ext.size() + tcp.size()));
  ip[6] = p.ipv6_extensions.empty() ? 6 : p.ipv6_extensions[0];
  ip.insert(ip.end(), src.begin(), src.end());
  ip.insert(ip.end(), dst.begin(), dst.end());
  ip.insert(ip.end(), ext.begin(), ext.end());
  ip.insert(ip.end(), tcp.begin(), tcp.end());
  return ip;
}

std::vector<byte_vector> ipv4_fragments(const byte_vector& datagram, std::size_t chunk) {
  const std::size_t ihl = (datagram[0] & 15u) * 4u;
  std::vector<byte_vector> out;
  for (std::size_t at = ihl; at < datagram.size(); at += chunk) {
    const std::size_t n = std::min(chunk, datagram.size() - at);
    byte_vector f(datagram.begin(), datagram.begin() + static_cast<std::ptrdiff_t>(ihl));
    f.insert(f.end(), datagram.begin() + static_cast<std::ptrdiff_t>(at),
             datagram.begin() + static_cast<std::ptrdiff_t>(at + n));
    be16_at(f, 2, static_cast<std::uint16_t>(ihl + n));
    const bool more = at + n < datagram.size();
    be16_at(f, 6, static_cast<std::uint16_t>((more ? 0x2000 : 0) | ((at - ihl) / 8)));
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<byte_vector> ipv6_fragments(const byte_vector& datagram, std::size_t chunk, std::uint32_t id) {
  std::vector<byte_vector> out;
  const std::uint8_t inner = datagram[6];
  for (std::size_t at = 40; at < datagram.size(); at += chunk) {
    const std::size_t n = std::min(chunk, datagram.size() - at);
    byte_vector f(datagram.begin(), datagram.begin() + 40);
    f[6] = 44;
    be16_at(f, 4, static_cast<std::uint16_t>(8 + n));
    const bool more = at + n < datagram.size();
    f.push_back(inner);
    f.push_back(0);
    push16(f, static_cast<std::uint16_t>((at - 40) | (more ? 1 : 0)));
    push32(f, id);
    f.insert(f.end(), datagram.begin() + static_cast<std::ptrdiff_t>(at),
             datagram.begin() + static_cast<std::ptrdiff_t>(at + n));
    out.push_back(std::move(f));
  }
  return out;
}

std::uint32_t linktype_of(link l) {
  switch (l) {
    case link::ethernet: case link::vlan: case link::qinq: return 1;
    case link::sll: return 113;
    case link::sll2: return 276;
    case link::null_le: case link::null_be: return 0;
    case link::loop: return 108;
    case link::raw: return 101;
  }
  return 0;
}

byte_vector frame(link l, const byte_vector& datagram, std::size_t min_size) {
  const bool v6 = (datagram[0] >> 4) == 6;
  const std::uint16_t type = v6 ? 0x86DD : 0x0800;
  byte_vector f;
  switch (l) {
    case link::ethernet: case link::vlan: case link::qinq:
      f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
      if (l == link::qinq) push16(f, 0x88A8), push16(f, 100);
      if (l != link::ethernet) push16(f, 0x8100), push16(f, 42);
      push16(f, type);
      break;
    case link::sll:
      push16(f, 0), push16(f, 772), push16(f, 6);
      f.insert(f.end(), {0, 0, 0, 0, 0, 0, 0, 0});
      push16(f, type);
      break;
    case link::sll2:
      push16(f, type), push16(f, 0), push32(f, 1), push16(f, 772);
      f.insert(f.end(), {0, 6, 0, 0, 0, 0, 0, 0, 0, 0});
      break;
    case link::null_le:
      f = {static_cast<std::uint8_t>(v6 ? 30 : 2), 0, 0, 0};
      break;
    case link::null_be:
    case link::loop:
      f = {0, 0, 0, static_cast<std::uint8_t>(v6 ? 28 : 2)};
      break;
    case link::raw:
      break;
  }
  f.insert(f.end(), datagram.begin(), datagram.end());
  while (f.size() < min_size) f.push_back(0xEE);
  return f;
}

pcap_writer::pcap_writer(format f, std::endian order, std::int64_t linktype) : format_(f), order_(order) {
  if (f == format::pcapng) {
    add_section();
    if (linktype >= 0) add_interface(static_cast<std::uint32_t>(linktype));
    return;
  }
  put32(f == format::pcap_ns ? 0xa1b23c4d : 0xa1b2c3d4);
  put16(2);
  put16(4);
  put32(0);
  put32(0);
  put32(262144);
  put32(static_cast<std::uint32_t>(linktype));
}

byte_vector pcap_writer::b16(std::uint16_t v) const {
  if (order_ == std::endian::big) return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
}
byte_vector pcap_writer::b32(std::uint32_t v) const {
  byte_vector hi = b16(static_cast<std::uint16_t>(v >> 16)), lo = b16(static_cast<std::uint16_t>(v));
  if (order_ == std::endian::big) return {hi[0], hi[1], lo[0], lo[1]};
  return {lo[0], lo[1], hi[0], hi[1]};
}
void pcap_writer::put16(std::uint16_t v) {
  const auto b = b16(v);
  out_.insert(out_.end(), b.begin(), b.end());
}
void pcap_writer::put32(std::uint32_t v) {
  const auto b = b32(v);
  out_.insert(out_.end(), b.begin(), b.end());
}

void pcap_writer::put_block(std::uint32_t type, const byte_vector& body) {
  byte_vector padded = body;
  while (padded.size() % 4) padded.push_back(0);
  const auto total = static_cast<std::uint32_t>(padded.size() + 12);
  put32(type);
  put32(total);
  out_.insert(out_.end(), padded.begin(), padded.end());
  put32(total);
}

void pcap_writer::add_section() {
  byte_vector body = b32(0x1A2B3C4D);
  for (auto part : {b16(1), b16(0), b32(0xFFFFFFFF), b32(0xFFFFFFFF)}) body.insert(body.end(), part.begin(), part.end());
  put_block(0x0A0D0D0A, body);
  resolutions_.clear();
}

std::uint32_t pcap_writer::add_interface(std::uint32_t linktype, std::uint8_t tsresol) {
  byte_vector body = b16(static_cast<std::uint16_t>(linktype));
  for (auto part : {b16(0), b32(262144), b16(9), b16(1)}) body.insert(body.end(), part.begin(), part.end());
  body.insert(body.end(), {tsresol, 0, 0, 0});
  for (auto part : {b16(0), b16(0)}) body.insert(body.end(), part.begin(), part.end());
  put_block(1, body);
  resolutions_.push_back(tsresol);
  return static_cast<std::uint32_t>(resolutions_.size() - 1);
}

void pcap_writer::add(const byte_vector& f, std::int64_t ts_ns, std::uint32_t interface, std::uint32_t original) {
  const auto caplen = static_cast<std::uint32_t>(f.size());
  if (!original) original = caplen;
  if (format_ != format::pcapng) {
    const std::int64_t per_second = 1'000'000'000;
    put32(static_cast<std::uint32_t>(ts_ns / per_second));
    put32(static_cast<std::uint32_t>(format_ == format::pcap_ns ? ts_ns % per_second : ts_ns % per_second / 1000));
    put32(caplen);
    put32(original);
    out_.insert(out_.end(), f.begin(), f.end());
    return;
  }
  const std::uint8_t r = resolutions_.at(interface);
  std::uint64_t units;
  if (r & 0x80) {
    units = static_cast<std::uint64_t>((static_cast<u128>(ts_ns) << (r & 0x7f)) / 1'000'000'000u);
  } else {
    std::uint64_t div = 1;
    for (int i = r; i < 9; ++i) div *= 10;
    units = static_cast<std::uint64_t>(ts_ns) / div;
  }
  byte_vector body = b32(interface);
  for (auto part : {b32(static_cast<std::uint32_t>(units >> 32)), b32(static_cast<std::uint32_t>(units)), b32(caplen),
                    b32(original)}) {
    body.insert(body.end(), part.begin(), part.end());
  }
  body.insert(body.end(), f.begin(), f.end());
  put_block(6, body);
}

void pcap_writer::add_simple(const byte_vector& f) {
  byte_vector body = b32(static_cast<std::uint32_t>(f.size()));
  body.insert(body.end(), f.begin(), f.end());
  put_block(3, body);
}

void pcap_writer::add_obsolete(const byte_vector& f, std::int64_t ts_ns, std::uint16_t interface) {
  const std::uint8_t r = resolutions_.at(interface);
  std::uint64_t div = 1;
  for (int i = r; i < 9; ++i) div *= 10;
  const std::uint64_t units = static_cast<std::uint64_t>(ts_ns) / div;
  byte_vector body = b16(interface);
  for (auto part : {b16(0), b32(static_cast<std::uint32_t>(units >> 32)), b32(static_cast<std::uint32_t>(units)),
                    b32(static_cast<std::uint32_t>(f.size())), b32(static_cast<std::uint32_t>(f.size()))}) {
    body.insert(body.end(), part.begin(), part.end());
  }
  body.insert(body.end(), f.begin(), f.end());
  put_block(2, body);
}

void pcap_writer::add_statistics_block() {
  byte_vector body = b32(0);
  for (auto part : {b32(0), b32(0)}) body.insert(body.end(), part.begin(), part.end());
  put_block(5, body);
}

void pcap_writer::write(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(out_.data()), static_cast<std::streamsize>(out_.size()));
}

tcp_conversation::tcp_conversation(std::string client, std::uint16_t client_port, std::string server,
                                   std::uint16_t server_port, std::uint32_t client_isn, std::uint32_t server_isn)
    : client_seq(client_isn + 1),
      server_seq(server_isn + 1),
      client_(std::move(client)),
      server_(std::move(server)),
      client_port_(client_port),
      server_port_(server_port),
      client_isn_(client_isn),
      server_isn_(server_isn) {}

tcp_packet tcp_conversation::base(bool from_client) const {
  tcp_packet p;
  p.src = from_client ? client_ : server_;
  p.dst = from_client ? server_ : client_;
  p.src_port = from_client ? client_port_ : server_port_;
  p.dst_port = from_client ? server_port_ : client_port_;
  p.seq = from_client ? client_seq : server_seq;
  p.ack = from_client ? server_seq : client_seq;
  p.flags = tcp_flags::ack;
  return p;
}

tcp_packet tcp_conversation::syn() {
  tcp_packet p = base(true);
  p.seq = client_isn_;
  p.ack = 0;
  p.flags = tcp_flags::syn;
  return p;
}
tcp_packet tcp_conversation::syn_ack() {
  tcp_packet p = base(false);
  p.seq = server_isn_;
  p.flags = tcp_flags::syn | tcp_flags::ack;
  return p;
}
tcp_packet tcp_conversation::ack() { return base(true); }

tcp_packet tcp_conversation::c2s(const byte_vector& payload, std::uint8_t extra) {
  tcp_packet p = base(true);
  p.payload = payload;
  p.flags |= tcp_flags::psh | extra;
  client_seq += static_cast<std::uint32_t>(payload.size());
  return p;
}
tcp_packet tcp_conversation::s2c(const byte_vector& payload, std::uint8_t extra) {
  tcp_packet p = base(false);
  p.payload = payload;
  p.flags |= tcp_flags::psh | extra;
  server_seq += static_cast<std::uint32_t>(payload.size());
  return p;
}
tcp_packet tcp_conversation::c2s(std::string_view payload, std::uint8_t extra) { return c2s(to_bytes(payload), extra); }
tcp_packet tcp_conversation::s2c(std::string_view payload, std::uint8_t extra) { return s2c(to_bytes(payload), extra); }

tcp_packet tcp_conversation::c2s_fin() {
  tcp_packet p = base(true);
  p.flags |= tcp_flags::fin;
  ++client_seq;
  return p;
}
tcp_packet tcp_conversation::s2c_fin() {
  tcp_packet p = base(false);
  p.flags |= tcp_flags::fin;
  ++server_seq;
  return p;
}
tcp_packet tcp_conversation::c2s_rst() {
  tcp_packet p = base(true);
  p.flags = tcp_flags::rst | tcp_flags::ack;
  return p;
}

}  // namespace mqtk::test
