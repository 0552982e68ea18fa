// packet_dissector: every link type, VLAN tags, padding, IPv4 and IPv6 fragments, IPv6
// extension headers, and frames that are not TCP.
#include "mqtk/capture/packet_dissector.hpp"

#include <gtest/gtest.h>

#include "support/pcap_writer.hpp"

namespace mqtk::test {
namespace {

using capture::packet_dissector;
using capture::raw_frame;
using capture::tcp_segment;

tcp_packet sample(std::string src = "192.168.1.10", std::string dst = "192.168.1.20") {
  tcp_packet p;
  p.src = std::move(src);
  p.dst = std::move(dst);
  p.src_port = 40000;
  p.dst_port = 18883;
  p.seq = 0xFFFFFFF0;
  p.ack = 77;
  p.flags = tcp_flags::ack | tcp_flags::psh;
  p.payload = to_bytes(std::string_view("\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", 14));
  return p;
}

bool dissect(packet_dissector& d, const byte_vector& bytes, std::uint32_t linktype, tcp_segment& out,
             std::uint64_t number = 1) {
  // The segment points into the frame, and callers pass temporaries: keep the last frame alive.
  static byte_vector last_frame;
  last_frame = bytes;
  raw_frame f;
  f.number = number;
  f.link = linktype;
  f.bytes = last_frame;
  return d.dissect(f, out);
}

std::string payload_text(const tcp_segment& s) { return {s.payload.begin(), s.payload.end()}; }

struct link_case {
  link l;
  const char* name;
  bool v6;
};

class link_types : public ::testing::TestWithParam<link_case> {};

TEST_P(link_types, finds_the_tcp_segment) {
  const auto& c = GetParam();
  const tcp_packet p = c.v6 ? sample("2001:db8::1", "2001:db8::2") : sample();
  packet_dissector d;
  tcp_segment s;
  ASSERT_TRUE(dissect(d, frame(c.l, ip_tcp(p)), linktype_of(c.l), s));
  EXPECT_EQ(s.src.to_string(), c.v6 ? "2001:db8::1" : "192.168.1.10");
  EXPECT_EQ(s.dst.to_string(), c.v6 ? "2001:db8::2" : "192.168.1.20");
  EXPECT_EQ(s.src_port, 40000);
  EXPECT_EQ(s.dst_port, 18883);
  EXPECT_EQ(s.seq, 0xFFFFFFF0u);
  EXPECT_EQ(s.ack, 77u);
  EXPECT_TRUE(s.has(capture::tcp_flag::psh));
  EXPECT_EQ(payload_text(s), std::string(p.payload.begin(), p.payload.end()));
}

INSTANTIATE_TEST_SUITE_P(
    all, link_types,
    ::testing::Values(link_case{link::ethernet, "ethernet", false}, link_case{link::ethernet, "ethernet6", true},
                      link_case{link::vlan, "vlan", false}, link_case{link::qinq, "qinq", true},
                      link_case{link::sll, "sll", false}, link_case{link::sll2, "sll2", true},
                      link_case{link::null_le, "null_le", false}, link_case{link::null_le, "null_le6", true},
                      link_case{link::null_be, "null_be", true}, link_case{link::loop, "loop", false},
                      link_case{link::raw, "raw", false}, link_case{link::raw, "raw6", true}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(packet_dissector, raw_ip_link_type_aliases) {
  packet_dissector d;
  tcp_segment s;
  const byte_vector v4 = ip_tcp(sample());
  const byte_vector v6 = ip_tcp(sample("::1", "::1"));
  EXPECT_TRUE(dissect(d, v4, 12, s));
  EXPECT_TRUE(dissect(d, v4, 14, s));
  EXPECT_TRUE(dissect(d, v4, 228, s));
  EXPECT_TRUE(dissect(d, v6, 229, s));
  EXPECT_EQ(s.src.to_string(), "::1");
  EXPECT_FALSE(dissect(d, v4, 229, s)) << "an IPv4 datagram on the IPv6 link type is not IPv6";
  EXPECT_FALSE(dissect(d, v4, 147, s)) << "a user link type is not dissected";
  EXPECT_EQ(d.stats().unsupported_link, 1u);
}

TEST(packet_dissector, ethernet_padding_is_not_payload) {
  tcp_packet p = sample();
  p.payload = {0xc0, 0x00};  // PINGREQ: a 56-byte frame, padded to 60 on the wire
  packet_dissector d;
  tcp_segment s;
  const byte_vector f = frame(link::ethernet, ip_tcp(p), 60);
  ASSERT_EQ(f.size(), 60u);
  ASSERT_TRUE(dissect(d, f, 1, s));
  EXPECT_EQ(s.payload.size(), 2u);
  p.payload.clear();
  ASSERT_TRUE(dissect(d, frame(link::ethernet, ip_tcp(p), 60), 1, s));
  EXPECT_TRUE(s.payload.empty());
}

TEST(packet_dissector, snaplen_cut_reports_uncaptured_bytes) {
  tcp_packet p = sample();
  p.payload = byte_vector(100, 'x');
  byte_vector f = frame(link::ethernet, ip_tcp(p));
  f.resize(f.size() - 60);
  packet_dissector d;
  tcp_segment s;
  ASSERT_TRUE(dissect(d, f, 1, s));
  EXPECT_EQ(s.payload.size(), 40u);
  EXPECT_EQ(s.uncaptured, 60u);
}

TEST(packet_dissector, tcp_options_are_skipped) {
  tcp_packet p = sample();
  p.tcp_options = {2, 4, 0x05, 0xb4, 1, 3, 3, 7};  // MSS, NOP, window scale
  packet_dissector d;
  tcp_segment s;
  ASSERT_TRUE(dissect(d, frame(link::raw, ip_tcp(p)), 101, s));
  EXPECT_EQ(payload_text(s), std::string(p.payload.begin(), p.payload.end()));
}

TEST(packet_dissector, non_tcp_frames_are_skipped) {
  packet_dissector d;
  tcp_segment s;
  byte_vector udp = ip_tcp(sample());
  udp[9] = 17;
  EXPECT_FALSE(dissect(d, frame(link::ethernet, udp), 1, s));
  byte_vector arp = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1};
  EXPECT_FALSE(dissect(d, arp, 1, s));
  EXPECT_FALSE(dissect(d, {1, 2, 3}, 1, s));
  EXPECT_EQ(d.stats().not_tcp, 3u);
  EXPECT_EQ(d.stats().tcp_segments, 0u);
}

TEST(packet_dissector, ipv4_fragments_in_and_out_of_order) {
  tcp_packet p = sample();
  p.payload = byte_vector(3000, 0);
  for (std::size_t i = 0; i < p.payload.size(); ++i) p.payload[i] = static_cast<std::uint8_t>(i * 7);
  p.ip_id = 4242;
  auto fragments = ipv4_fragments(ip_tcp(p), 1480);
  ASSERT_EQ(fragments.size(), 3u);
  for (bool reversed : {false, true}) {
    if (reversed) std::reverse(fragments.begin(), fragments.end());
    packet_dissector d;
    tcp_segment s;
    EXPECT_FALSE(dissect(d, frame(link::ethernet, fragments[0]), 1, s, 1));
    EXPECT_FALSE(dissect(d, frame(link::ethernet, fragments[1]), 1, s, 2));
    ASSERT_TRUE(dissect(d, frame(link::ethernet, fragments[2]), 1, s, 3));
    EXPECT_EQ(byte_vector(s.payload.begin(), s.payload.end()), p.payload);
    EXPECT_EQ(s.dst_port, 18883);
    EXPECT_EQ(d.stats().reassembled, 1u);
  }
}

TEST(packet_dissector, ipv4_fragments_of_different_datagrams_do_not_mix) {
  tcp_packet a = sample(), b = sample();
  a.payload = byte_vector(200, 'a');
  b.payload = byte_vector(200, 'b');
  a.ip_id = 1;
  b.ip_id = 2;
  const auto fa = ipv4_fragments(ip_tcp(a), 64), fb = ipv4_fragments(ip_tcp(b), 64);
  packet_dissector d;
  tcp_segment s;
  int done = 0;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    if (dissect(d, fa[i], 228, s)) {
      ++done;
      EXPECT_EQ(s.payload[0], 'a');
    }
    if (dissect(d, fb[i], 228, s)) {
      ++done;
      EXPECT_EQ(s.payload[0], 'b');
    }
  }
  EXPECT_EQ(done, 2);
}

TEST(packet_dissector, incomplete_fragments_are_bounded) {
  capture::dissector_limits limits;
  limits.max_pending_datagrams = 4;
  packet_dissector d(limits);
  tcp_segment s;
  for (std::uint16_t id = 0; id < 100; ++id) {
    tcp_packet p = sample();
    p.payload = byte_vector(100, 'z');
    p.ip_id = id;
    auto f = ipv4_fragments(ip_tcp(p), 64);
    EXPECT_FALSE(dissect(d, f[0], 228, s, id + 1u));  // the last fragment never comes
  }
  EXPECT_GE(d.stats().fragments_dropped, 96u);
}

TEST(packet_dissector, ipv6_extension_headers) {
  tcp_packet p = sample("fe80::1", "fe80::2");
  p.ipv6_extensions = {0, 43, 51, 60};
  packet_dissector d;
  tcp_segment s;
  ASSERT_TRUE(dissect(d, frame(link::ethernet, ip_tcp(p)), 1, s));
  EXPECT_EQ(payload_text(s), std::string(p.payload.begin(), p.payload.end()));
  EXPECT_EQ(s.src_port, 40000);
}

TEST(packet_dissector, ipv6_fragments) {
  tcp_packet p = sample("2001:db8::a", "2001:db8::b");
  p.payload = byte_vector(2500, 'q');
  p.payload.back() = 'E';
  auto fragments = ipv6_fragments(ip_tcp(p), 1232, 0xdeadbeef);
  ASSERT_EQ(fragments.size(), 3u);
  std::swap(fragments[0], fragments[2]);
  packet_dissector d;
  tcp_segment s;
  EXPECT_FALSE(dissect(d, frame(link::sll2, fragments[0]), 276, s));
  EXPECT_FALSE(dissect(d, frame(link::sll2, fragments[1]), 276, s));
  ASSERT_TRUE(dissect(d, frame(link::sll2, fragments[2]), 276, s));
  EXPECT_EQ(s.payload.size(), 2500u);
  EXPECT_EQ(s.payload.back(), 'E');
  EXPECT_EQ(s.dst.to_string(), "2001:db8::b");
}

TEST(packet_dissector, ipv6_address_text_follows_rfc5952) {
  capture::ip_address a;
  a.family = 6;
  a.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(a.to_string(), "2001:db8::1:0:0:1");
  a.bytes = {};
  EXPECT_EQ(a.to_string(), "::");
  a.bytes[15] = 1;
  EXPECT_EQ(a.to_string(), "::1");
  a.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  EXPECT_EQ(a.to_string(), "2001:db8:0:1:1:1:1:1") << "a single zero group is not shortened";
}

}  // namespace
}  // namespace mqtk::test
