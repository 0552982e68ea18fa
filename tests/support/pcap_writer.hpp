#pragma once
// Test helper: builds synthetic frames (Ethernet, VLAN, QinQ, SLL, SLL2, NULL, LOOP, raw IP
// around IPv4/IPv6 + TCP with any sequence numbers) and writes them as pcap (µs or ns, either
// byte order) or pcapng (any number of interfaces), so every capture edge case can be made
// on demand instead of hunting for a real capture that shows it.
#include <bit>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mqtk::test {

using byte_vector = std::vector<std::uint8_t>;

byte_vector to_bytes(std::string_view text);

namespace tcp_flags {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
}

struct tcp_packet {
  std::string src = "10.0.0.1";  // IPv4 or IPv6 text; both ends must be the same family
  std::string dst = "10.0.0.2";
  std::uint16_t src_port = 50000;
  std::uint16_t dst_port = 18883;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = tcp_flags::ack;
  std::uint16_t window = 65535;
  byte_vector payload;
  byte_vector tcp_options;                  // padded to a multiple of four
  std::vector<std::uint8_t> ipv6_extensions;  // header types to chain before TCP: 0, 43, 60, 51
  std::uint16_t ip_id = 1;
};

// The IP datagram: IPv4 or IPv6 header (+ extension headers), TCP header, payload.
byte_vector ip_tcp(const tcp_packet& packet);
// Splits an IPv4 datagram into fragments carrying `chunk` bytes (a multiple of 8) each.
std::vector<byte_vector> ipv4_fragments(const byte_vector& datagram, std::size_t chunk);
// Splits an IPv6 datagram without extension headers into fragments with a fragment header.
std::vector<byte_vector> ipv6_fragments(const byte_vector& datagram, std::size_t chunk, std::uint32_t id);

enum class link { ethernet, vlan, qinq, sll, sll2, null_le, null_be, loop, raw };
std::uint32_t linktype_of(link l);
// Wraps an IP datagram in a link-layer header; Ethernet frames are padded to `min_size`
// (60 on the wire) with non-zero bytes, so that padding mistaken for data shows.
byte_vector frame(link l, const byte_vector& datagram, std::size_t min_size = 0);

class pcap_writer {
 public:
  enum class format { pcap_us, pcap_ns, pcapng };

  // For pcap the link type is the file's; for pcapng it becomes interface 0 (with
  // nanosecond resolution) unless `linktype` is negative.
  pcap_writer(format f, std::endian order, std::int64_t linktype);

  // pcapng: adds an interface; `tsresol` is written as the if_tsresol option (6 = the default,
  // written anyway; 0x80 | n for 2^-n). Returns the interface id.
  std::uint32_t add_interface(std::uint32_t linktype, std::uint8_t tsresol = 9);
  // A packet record (pcap) or enhanced packet block (pcapng). `original` 0 means frame size.
  void add(const byte_vector& frame_bytes, std::int64_t ts_ns, std::uint32_t interface = 0,
           std::uint32_t original = 0);
  void add_simple(const byte_vector& frame_bytes);  // pcapng simple packet block
  // pcapng obsolete packet block (type 2), still written by old tools.
  void add_obsolete(const byte_vector& frame_bytes, std::int64_t ts_ns, std::uint16_t interface = 0);
  void add_statistics_block();                      // pcapng interface statistics: not a packet
  void add_section();                               // pcapng: a new section header

  const byte_vector& data() const { return out_; }
  void write(const std::filesystem::path& path) const;

 private:
  void put16(std::uint16_t v);
  void put32(std::uint32_t v);
  void put_block(std::uint32_t type, const byte_vector& body);
  byte_vector b16(std::uint16_t v) const;
  byte_vector b32(std::uint32_t v) const;

  format format_;
  std::endian order_;
  std::vector<std::uint8_t> resolutions_;
  byte_vector out_;
};

// Keeps the sequence numbers of one TCP connection so tests can write "client sends X".
class tcp_conversation {
 public:
  tcp_conversation(std::string client, std::uint16_t client_port, std::string server, std::uint16_t server_port,
                   std::uint32_t client_isn = 1000, std::uint32_t server_isn = 5000);

  tcp_packet syn();
  tcp_packet syn_ack();
  tcp_packet ack();  // the client's handshake ACK
  // Data segments; the next sequence number advances by the payload size.
  tcp_packet c2s(std::string_view payload, std::uint8_t extra_flags = 0);
  tcp_packet s2c(std::string_view payload, std::uint8_t extra_flags = 0);
  tcp_packet c2s(const byte_vector& payload, std::uint8_t extra_flags = 0);
  tcp_packet s2c(const byte_vector& payload, std::uint8_t extra_flags = 0);
  tcp_packet c2s_fin();
  tcp_packet s2c_fin();
  tcp_packet c2s_rst();

  std::uint32_t client_seq = 0;  // next sequence number of each side
  std::uint32_t server_seq = 0;

 private:
  tcp_packet base(bool from_client) const;
  std::string client_, server_;
  std::uint16_t client_port_, server_port_;
  std::uint32_t client_isn_, server_isn_;
};

}  // namespace mqtk::test
