// TCP reassembly through the whole pipeline: synthetic captures, one edge case each.
#include "mqtk/capture/tcp_reassembler.hpp"

#include <gtest/gtest.h>

#include "mqtk/capture/capture_error.hpp"
#include "recording_sink.hpp"

namespace mqtk::test {
namespace {

using capture::close_kind;
using capture::flow;

tcp_conversation conversation(std::uint32_t client_isn = 1000, std::uint32_t server_isn = 5000) {
  return tcp_conversation("127.0.0.1", 51000, "127.0.0.1", 18883, client_isn, server_isn);
}

const std::string connect_packet = std::string("\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", 14);
const std::string connack_packet = std::string("\x20\x02\x00\x00", 4);

TEST(tcp_reassembler, handshake_data_and_fin_in_order) {
  auto c = conversation();
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack(), c.c2s(connect_packet), c.s2c(connack_packet),
                               c.c2s_fin(), c.s2c_fin(), c.ack()};
  recording_sink sink;
  const auto summary = run_capture(capture_of(p), sink);
  ASSERT_EQ(sink.streams.size(), 1u);
  const auto& info = sink.streams[0];
  EXPECT_TRUE(info.saw_syn);
  EXPECT_EQ(info.client, (capture::endpoint{"127.0.0.1", 51000}));
  EXPECT_EQ(info.server, (capture::endpoint{"127.0.0.1", 18883}));
  EXPECT_EQ(info.first_frame, 1u);
  EXPECT_EQ(sink.c2s(), connect_packet);
  EXPECT_EQ(sink.s2c(), connack_packet);
  EXPECT_EQ(sink.data_frames, (std::vector<std::uint64_t>{4, 5}));
  ASSERT_EQ(sink.closes.size(), 2u);
  EXPECT_EQ(sink.closes[0].how, close_kind::fin);
  EXPECT_EQ(sink.closes[0].dir, flow::client_to_server);
  EXPECT_EQ(sink.closes[0].frame, 6u);
  EXPECT_EQ(sink.closes[1].dir, flow::server_to_client);
  EXPECT_TRUE(sink.gaps.empty());
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(summary.frames, 8u);
}

TEST(tcp_reassembler, out_of_order_segments_are_put_back_in_order) {
  auto c = conversation();
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack()};
  auto a = c.c2s("AAAA"), b = c.c2s("BBBB"), d = c.c2s("CCCC");
  p.insert(p.end(), {d, b, a});
  recording_sink sink;
  run_capture(capture_of(p), sink);
  EXPECT_EQ(sink.c2s(), "AAAABBBBCCCC");
  EXPECT_TRUE(sink.gaps.empty());
  // All of it became deliverable when the first segment (frame 6) arrived.
  EXPECT_EQ(sink.data_frames.back(), 6u);
}

TEST(tcp_reassembler, identical_retransmission_is_dropped_quietly) {
  auto c = conversation();
  auto a = c.c2s("hello"), b = c.c2s(" world");
  recording_sink sink;
  const auto summary = run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), a, a, b, a, b}), sink);
  EXPECT_EQ(sink.c2s(), "hello world");
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(summary.reassembler.retransmissions, 3u);
}

TEST(tcp_reassembler, conflicting_retransmission_keeps_first_copy_and_is_reported) {
  auto c = conversation();
  auto a = c.c2s("hello");
  auto forged = a;
  forged.payload = to_bytes("HELLO");
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), a, forged, c.c2s("!")}), sink);
  EXPECT_EQ(sink.c2s(), "hello!");
  ASSERT_EQ(sink.anomalies.size(), 1u);
  EXPECT_EQ(sink.anomalies[0].frame, 5u);
  EXPECT_EQ(sink.anomalies[0].dir, flow::client_to_server);
  EXPECT_NE(sink.anomalies[0].what.find("retransmission"), std::string::npos);
}

TEST(tcp_reassembler, overlapping_segments_deliver_each_byte_once) {
  auto c = conversation();
  const std::uint32_t s0 = c.client_seq;
  auto whole = c.c2s("0123456789");
  auto mid = whole;  // bytes 3..7, arriving first out of order
  mid.seq = s0 + 3;
  mid.payload = to_bytes("34567");
  auto tail = whole;  // bytes 5..9 overlapping both
  tail.seq = s0 + 5;
  tail.payload = to_bytes("56789");
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), mid, tail, whole}), sink);
  EXPECT_EQ(sink.c2s(), "0123456789");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(tcp_reassembler, overlap_with_different_bytes_is_reported) {
  auto c = conversation();
  const std::uint32_t s0 = c.client_seq;
  auto first = c.c2s("abcdef");
  auto later = first;
  later.seq = s0 + 2;
  later.payload = to_bytes("cdXf");
  auto ahead = first;
  ahead.seq = s0 + 4;
  ahead.payload = to_bytes("ef");
  recording_sink sink;
  // Out of order first: "ef" buffered, then "cdXf" overlaps it with different bytes.
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), ahead, later, first}), sink);
  EXPECT_EQ(sink.c2s(), "abcdef");
  EXPECT_EQ(sink.anomalies.size(), 1u);
}

TEST(tcp_reassembler, lost_segment_is_a_gap_when_the_peer_acks_past_it) {
  auto c = conversation();
  auto a = c.c2s("first|");
  auto lost = c.c2s("LOST-SEGMENT|");
  auto b = c.c2s("after");
  auto server_ack = c.s2c("");  // acknowledges everything, including the lost bytes
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), a, b, server_ack, c.c2s("+more")}), sink);
  EXPECT_EQ(sink.c2s(), "first|after+more");
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0].missing, lost.payload.size());
  EXPECT_EQ(sink.gaps[0].dir, flow::client_to_server);
  // The gap comes between the data before and after it, before the capture ends.
  EXPECT_EQ(sink.log, (std::vector<std::string>{"open", "data", "gap", "data", "data", "close", "close"}));
}

TEST(tcp_reassembler, hole_that_never_fills_is_flushed_at_capture_end) {
  auto c = conversation();
  auto a = c.c2s("aa");
  c.c2s("lost");
  auto b = c.c2s("bb");
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), a, b}), sink);
  EXPECT_EQ(sink.c2s(), "aabb");
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0].missing, 4u);
  EXPECT_EQ(sink.gaps[0].frame, 5u);
  ASSERT_EQ(sink.closes.size(), 2u);
  EXPECT_EQ(sink.closes[0].how, close_kind::capture_end);
}

TEST(tcp_reassembler, buffered_data_beyond_the_bound_forces_a_gap) {
  auto c = conversation();
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack()};
  c.c2s("x");  // lost, never acknowledged
  for (int i = 0; i < 20; ++i) p.push_back(c.c2s(std::string(100, static_cast<char>('a' + i))));
  capture::pipeline_options options;
  options.reassembler.max_buffered = 1000;
  recording_sink sink;
  run_capture(capture_of(p), sink, options);
  ASSERT_FALSE(sink.gaps.empty());
  EXPECT_EQ(sink.gaps[0].missing, 1u);
  // The gap was declared while reading, not at the end: data followed it before the closes.
  EXPECT_LT(std::find(sink.log.begin(), sink.log.end(), "gap") - sink.log.begin(), 5);
  EXPECT_EQ(sink.c2s().size(), 2000u);
}

TEST(tcp_reassembler, one_byte_segments) {
  auto c = conversation();
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack()};
  for (char ch : connect_packet) p.push_back(c.c2s(std::string(1, ch)));
  recording_sink sink;
  run_capture(capture_of(p), sink);
  EXPECT_EQ(sink.c2s(), connect_packet);
  EXPECT_EQ(sink.data_frames.size(), connect_packet.size());
}

TEST(tcp_reassembler, sequence_numbers_wrap_around) {
  auto c = conversation(0xFFFFFFF8u, 0xFFFFFFFEu);
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack()};
  auto a = c.c2s("0123456789"), b = c.c2s("abcdefghij");
  auto s = c.s2c("server-bytes");
  p.insert(p.end(), {b, a, s});  // out of order across the wrap
  recording_sink sink;
  run_capture(capture_of(p), sink);
  EXPECT_EQ(sink.c2s(), "0123456789abcdefghij");
  EXPECT_EQ(sink.s2c(), "server-bytes");
  EXPECT_TRUE(sink.gaps.empty());
}

TEST(tcp_reassembler, new_syn_on_reused_tuple_starts_a_new_stream) {
  auto first = conversation(1000, 5000);
  auto second = conversation(900000, 700000);
  std::vector<tcp_packet> p = {first.syn(), first.syn_ack(), first.ack(), first.c2s("one"),
                               first.c2s_fin(), first.s2c_fin(), first.ack(),
                               second.syn(), second.syn(), second.syn_ack(), second.ack(), second.c2s("two")};
  recording_sink sink;
  run_capture(capture_of(p), sink);
  ASSERT_EQ(sink.streams.size(), 2u);
  EXPECT_EQ(sink.streams[1].stream, 1u);
  EXPECT_EQ(sink.streams[1].first_frame, 8u);
  EXPECT_EQ(sink.c2s(0), "one");
  EXPECT_EQ(sink.c2s(1), "two");
}

TEST(tcp_reassembler, stream_without_syn_starts_at_first_seen_sequence) {
  auto c = conversation();
  c.c2s("before the capture started");
  c.s2c("also before");
  std::vector<tcp_packet> p = {c.s2c(connack_packet), c.c2s(std::string("\xc0\x00", 2)), c.s2c(std::string("\xd0\x00", 2))};
  recording_sink sink;
  run_capture(capture_of(p), sink);
  ASSERT_EQ(sink.streams.size(), 1u);
  EXPECT_FALSE(sink.streams[0].saw_syn);
  // No SYN, no known port: the higher (ephemeral) port is the client.
  EXPECT_EQ(sink.streams[0].client.port, 51000);
  EXPECT_EQ(sink.c2s(), std::string("\xc0\x00", 2));
  EXPECT_EQ(sink.s2c(), connack_packet + std::string("\xd0\x00", 2));
}

TEST(tcp_reassembler, known_broker_port_picks_the_server_without_syn) {
  // The client's port (2000) is lower than the broker's, but 1883 is a broker port.
  tcp_conversation c("10.1.1.1", 2000, "10.1.1.2", 1883);
  recording_sink sink;
  run_capture(capture_of({c.s2c(connack_packet), c.c2s(std::string("\xc0\x00", 2))}), sink);
  ASSERT_EQ(sink.streams.size(), 1u);
  EXPECT_EQ(sink.streams[0].server, (capture::endpoint{"10.1.1.2", 1883}));
  EXPECT_EQ(sink.s2c(), connack_packet);
}

TEST(tcp_reassembler, syn_ack_decides_roles_when_syn_is_missing) {
  auto c = conversation();
  recording_sink sink;
  run_capture(capture_of({c.syn_ack(), c.ack(), c.c2s("hi")}), sink);
  ASSERT_EQ(sink.streams.size(), 1u);
  EXPECT_TRUE(sink.streams[0].saw_syn);
  EXPECT_EQ(sink.streams[0].client.port, 51000);
  EXPECT_EQ(sink.c2s(), "hi");
}

TEST(tcp_reassembler, rst_closes_both_directions_once) {
  auto c = conversation();
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), c.c2s("x"), c.c2s_rst(), c.s2c("late")}), sink);
  EXPECT_EQ(sink.c2s(), "x");
  EXPECT_EQ(sink.s2c(), "") << "nothing after the reset";
  ASSERT_EQ(sink.closes.size(), 2u);
  EXPECT_EQ(sink.closes[0].how, close_kind::rst);
  EXPECT_EQ(sink.closes[0].dir, flow::client_to_server) << "the first close names who reset";
  EXPECT_EQ(sink.closes[0].frame, 5u);
  EXPECT_EQ(sink.closes[1].how, close_kind::rst);
}

TEST(tcp_reassembler, fin_waits_for_the_data_before_it) {
  auto c = conversation();
  auto a = c.c2s("data");
  auto fin = c.c2s_fin();
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), fin, a}), sink);
  EXPECT_EQ(sink.c2s(), "data");
  ASSERT_FALSE(sink.closes.empty());
  EXPECT_EQ(sink.closes[0].how, close_kind::fin);
  EXPECT_EQ(sink.closes[0].frame, 5u);
  EXPECT_EQ(sink.log[1], "data");
}

TEST(tcp_reassembler, keepalive_probe_is_not_data) {
  auto c = conversation();
  auto a = c.c2s("abc");
  auto probe = c.ack();
  probe.seq = c.client_seq - 1;
  probe.payload = {0};  // garbage byte at seq-1, as Linux and Windows send
  recording_sink sink;
  const auto summary = run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), a, probe, probe, c.c2s("d")}), sink);
  EXPECT_EQ(sink.c2s(), "abcd");
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies[0].what;
  EXPECT_EQ(summary.reassembler.keepalives, 2u);
}

TEST(tcp_reassembler, zero_window_probe_is_reported_and_its_byte_kept_once) {
  auto c = conversation();
  auto zero = c.s2c("");
  zero.window = 0;
  auto probe = c.c2s("P");
  auto again = probe;  // the probe byte is sent again once the window opens
  auto rest = c.c2s("ayload");
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), zero, probe, again, rest}), sink);
  EXPECT_EQ(sink.c2s(), "Payload");
  ASSERT_EQ(sink.anomalies.size(), 1u);
  EXPECT_NE(sink.anomalies[0].what.find("zero-window"), std::string::npos);
}

TEST(tcp_reassembler, streams_are_numbered_in_order_of_appearance) {
  std::vector<tcp_packet> p;
  std::vector<tcp_conversation> cs;
  for (std::uint16_t i = 0; i < 5; ++i) cs.emplace_back("10.0.0.1", static_cast<std::uint16_t>(40000 + i), "10.0.0.2", 18883);
  for (auto& c : cs) p.push_back(c.syn());
  for (auto it = cs.rbegin(); it != cs.rend(); ++it) p.push_back(it->syn_ack());
  for (auto& c : cs) p.push_back(c.c2s("hello " + std::to_string(c.client_seq)));
  recording_sink sink;
  run_capture(capture_of(p), sink);
  ASSERT_EQ(sink.streams.size(), 5u);
  for (std::uint16_t i = 0; i < 5; ++i) {
    EXPECT_EQ(sink.streams[i].stream, i);
    EXPECT_EQ(sink.streams[i].client.port, 40000 + i);
  }
  // Capture-end closes come in stream order.
  ASSERT_EQ(sink.closes.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(sink.closes[i].stream, i / 2);
}

TEST(tcp_reassembler, ipv6_conversation) {
  tcp_conversation c("::1", 45000, "::1", 18883);
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), c.c2s(connect_packet), c.s2c(connack_packet)}, link::null_le),
              sink);
  ASSERT_EQ(sink.streams.size(), 1u);
  EXPECT_EQ(sink.streams[0].client.address, "::1");
  EXPECT_EQ(sink.c2s(), connect_packet);
  EXPECT_EQ(sink.s2c(), connack_packet);
}

TEST(tcp_reassembler, pcapng_with_two_interfaces_of_different_link_types) {
  auto a = conversation();
  tcp_conversation b("10.9.9.9", 33333, "10.9.9.1", 18883);
  pcap_writer w(pcap_writer::format::pcapng, std::endian::big, -1);
  const auto eth = w.add_interface(1);
  const auto cooked = w.add_interface(276);
  std::int64_t ts = 1'000'000'000;
  w.add(frame(link::ethernet, ip_tcp(a.syn())), ts++, eth);
  w.add(frame(link::sll2, ip_tcp(b.syn())), ts++, cooked);
  w.add(frame(link::sll2, ip_tcp(b.c2s("via sll2"))), ts++, cooked);
  w.add(frame(link::ethernet, ip_tcp(a.c2s("via ethernet"))), ts++, eth);
  recording_sink sink;
  run_capture(w.data(), sink);
  ASSERT_EQ(sink.streams.size(), 2u);
  EXPECT_EQ(sink.c2s(0), "via ethernet");
  EXPECT_EQ(sink.c2s(1), "via sll2");
}

TEST(tcp_reassembler, frame_numbers_count_non_tcp_records) {
  auto c = conversation();
  pcap_writer w(pcap_writer::format::pcap_us, std::endian::little, 1);
  byte_vector arp = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06};
  arp.resize(60);
  w.add(arp, 1);
  w.add(frame(link::ethernet, ip_tcp(c.syn())), 2);
  w.add(arp, 3);
  w.add(frame(link::ethernet, ip_tcp(c.c2s("x")), 60), 4);
  recording_sink sink;
  run_capture(w.data(), sink);
  ASSERT_EQ(sink.streams.size(), 1u);
  EXPECT_EQ(sink.streams[0].first_frame, 2u);
  EXPECT_EQ(sink.data_frames, (std::vector<std::uint64_t>{4}));
  EXPECT_EQ(sink.c2s(), "x") << "Ethernet padding is not data";
}

TEST(tcp_reassembler, fragmented_ipv4_segment_is_reassembled_into_the_stream) {
  auto c = conversation();
  std::string big(4000, 'm');
  big[0] = '\x30';
  pcap_writer w(pcap_writer::format::pcap_ns, std::endian::big, 1);
  w.add(frame(link::vlan, ip_tcp(c.syn())), 1);
  auto data = c.c2s(big);
  data.ip_id = 77;
  auto fragments = ipv4_fragments(ip_tcp(data), 1480);
  std::int64_t ts = 2;
  for (auto it = fragments.rbegin(); it != fragments.rend(); ++it) w.add(frame(link::vlan, *it), ts++);
  recording_sink sink;
  run_capture(w.data(), sink);
  EXPECT_EQ(sink.c2s(), big);
  EXPECT_EQ(sink.data_frames, (std::vector<std::uint64_t>{2 + fragments.size() - 1}));
}

TEST(tcp_reassembler, snaplen_cut_segment_reports_gap_for_missing_tail) {
  auto c = conversation();
  pcap_writer w(pcap_writer::format::pcap_us, std::endian::little, 1);
  w.add(frame(link::ethernet, ip_tcp(c.syn())), 1);
  byte_vector f = frame(link::ethernet, ip_tcp(c.c2s(std::string(100, 'a'))));
  const std::uint32_t wire = static_cast<std::uint32_t>(f.size());
  f.resize(f.size() - 30);
  w.add(f, 2, 0, wire);
  w.add(frame(link::ethernet, ip_tcp(c.c2s("tail"))), 3);
  recording_sink sink;
  run_capture(w.data(), sink);
  EXPECT_EQ(sink.c2s(), std::string(70, 'a') + "tail");
  ASSERT_EQ(sink.gaps.size(), 1u);
  EXPECT_EQ(sink.gaps[0].missing, 30u);
}


TEST(tcp_reassembler, late_ack_after_close_stays_in_its_stream) {
  auto c = conversation();
  const std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack(), c.c2s("x"), c.c2s_fin(), c.s2c_fin(), c.ack(),
                                     c.ack()};
  recording_sink sink;
  run_capture(capture_of(p), sink);
  EXPECT_EQ(sink.streams.size(), 1u);
  EXPECT_EQ(sink.closes.size(), 2u);
}

TEST(tcp_reassembler, closed_connections_are_forgotten_after_the_linger) {
  auto c = conversation();
  tcp_conversation other("10.0.0.5", 40000, "10.0.0.6", 18883);
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack(), c.c2s_fin(), c.s2c_fin(), other.syn()};
  for (int i = 0; i < 10; ++i) p.push_back(other.c2s("."));
  p.push_back(c.ack());  // long after the close: treated as a new, mid-stream connection
  capture::pipeline_options options;
  options.reassembler.closed_linger_frames = 5;
  recording_sink sink;
  run_capture(capture_of(p), sink, options);
  ASSERT_EQ(sink.streams.size(), 3u);
  EXPECT_FALSE(sink.streams[2].saw_syn);
  EXPECT_EQ(sink.c2s(1), "..........");
}

TEST(tcp_reassembler, corrupt_block_mid_file_still_closes_what_was_read) {
  auto c = conversation();
  pcap_writer w(pcap_writer::format::pcapng, std::endian::little, 1);
  w.add(frame(link::ethernet, ip_tcp(c.syn())), 1);
  w.add(frame(link::ethernet, ip_tcp(c.c2s("before"))), 2);
  byte_vector bytes = w.data();
  const byte_vector garbage = {6, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0};  // a block length of 7
  bytes.insert(bytes.end(), garbage.begin(), garbage.end());
  recording_sink sink;
  EXPECT_THROW(run_capture(bytes, sink), capture::capture_error);
  EXPECT_EQ(sink.c2s(), "before");
  EXPECT_EQ(sink.closes.size(), 2u);
}


TEST(tcp_reassembler, late_copy_of_a_lost_segment_after_a_gap_is_not_a_conflict) {
  auto c = conversation();
  auto a = c.c2s("aaaa");
  auto lost = c.c2s("LOST");
  auto b = c.c2s("bbbb");
  auto server_ack = c.s2c("");
  recording_sink sink;
  // The ACK reveals the hole; then the missing segment shows up after all (a capture taken on
  // a mirror port can reorder like this). It comes too late, but is no conflicting copy.
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), a, b, server_ack, lost, a}), sink);
  EXPECT_EQ(sink.c2s(), "aaaabbbb");
  EXPECT_EQ(sink.gaps.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front().what;
}

}  // namespace
}  // namespace mqtk::test
