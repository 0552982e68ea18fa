// carriage_detector through the pipeline: MQTT over WebSocket (upgrade, masks, lengths,
// fragmentation, control frames, splits across TCP segments) and TLS detection.
#include "mqtk/capture/carriage_detector.hpp"
#include "mqtk/capture/websocket_deframer.hpp"

#include <gtest/gtest.h>

#include "recording_sink.hpp"
#include "ws_frame_builder.hpp"

namespace mqtk::test {
namespace {

using capture::carriage;
namespace op = capture::ws_opcode;

const std::string connect_packet = std::string("\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", 14);
const std::string connack_packet = std::string("\x20\x02\x00\x00", 4);
const std::string pingreq = std::string("\xc0\x00", 2);
const std::string pingresp = std::string("\xd0\x00", 2);

std::string as_string(const byte_vector& b) { return {b.begin(), b.end()}; }

const std::string upgrade_request =
    "GET /mqtt HTTP/1.1\r\n"
    "HOST: 127.0.0.1:8080\r\n"
    "upgrade: WebSocket\r\n"
    "CONNECTION: upgrade\r\n"
    "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WEBSOCKET-Protocol: mqtt\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";
const std::string upgrade_response =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n\r\n";

tcp_conversation conversation() { return tcp_conversation("127.0.0.1", 52000, "127.0.0.1", 18883); }

TEST(carriage_detector, plain_mqtt_passes_through_without_carriage_event) {
  auto c = conversation();
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), c.c2s(connect_packet), c.s2c(connack_packet)}), sink);
  EXPECT_TRUE(sink.carriages.empty());
  EXPECT_EQ(sink.c2s(), connect_packet);
  EXPECT_EQ(sink.s2c(), connack_packet);
}

TEST(carriage_detector, websocket_upgrade_with_mixed_case_headers) {
  auto c = conversation();
  const std::string both = connect_packet + pingreq;
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack(), c.c2s(upgrade_request), c.s2c(upgrade_response),
                               c.c2s(ws_frame(op::binary, both)),  // two MQTT packets in one frame
                               c.s2c(ws_frame(op::binary, connack_packet, true, false)),
                               c.s2c(ws_frame(op::binary, pingresp, true, false))};
  recording_sink sink;
  run_capture(capture_of(p), sink);
  ASSERT_EQ(sink.carriages.size(), 1u);
  EXPECT_EQ(sink.carriages[0].how, carriage::websocket);
  EXPECT_EQ(sink.carriages[0].detail, "path=/mqtt subprotocol=mqtt");
  EXPECT_EQ(sink.carriages[0].frame, 5u);
  EXPECT_EQ(sink.c2s(), both) << "only unmasked binary payload reaches the analyzer";
  EXPECT_EQ(sink.s2c(), connack_packet + pingresp);
}

TEST(carriage_detector, websocket_frames_split_across_segments_and_packets_across_frames) {
  auto c = conversation();
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack()};
  // The request header itself arrives in two segments.
  p.push_back(c.c2s(upgrade_request.substr(0, 30)));
  p.push_back(c.c2s(upgrade_request.substr(30)));
  p.push_back(c.s2c(upgrade_response));
  // CONNECT split over three frames (fragmented message) with a ping in between, and the
  // frame bytes cut at awkward places: inside a header, inside the mask key.
  const byte_vector frames = [&] {
    byte_vector out;
    for (const auto& f : {ws_frame(op::binary, connect_packet.substr(0, 3), false),
                          ws_frame(op::ping, "hb"),
                          ws_frame(op::continuation, connect_packet.substr(3, 6), false),
                          ws_frame(op::continuation, connect_packet.substr(9), true),
                          ws_frame(op::binary, std::string(300, 'P')),
                          ws_frame(op::binary, std::string(70000, 'Q'))}) {
      out.insert(out.end(), f.begin(), f.end());
    }
    return out;
  }();
  // (IPv4 caps a segment at 64 KiB, so the large frame spans several segments.)
  const std::size_t cuts[] = {1, 4, 9, 13, 20, 40, 47, 300, 1000, 30000, 60000, frames.size()};
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    p.push_back(c.c2s(byte_vector(frames.begin() + static_cast<std::ptrdiff_t>(at),
                                  frames.begin() + static_cast<std::ptrdiff_t>(cut))));
    at = cut;
  }
  recording_sink sink;
  run_capture(capture_of(p), sink);
  ASSERT_EQ(sink.carriages.size(), 1u);
  const std::string expected = connect_packet + std::string(300, 'P') + std::string(70000, 'Q');
  EXPECT_EQ(sink.c2s().size(), expected.size());
  EXPECT_TRUE(sink.c2s() == expected);
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front().what;
}

TEST(carriage_detector, websocket_without_subprotocol_and_other_path) {
  auto c = conversation();
  const std::string request = "GET /ws/broker?x=1 HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  const std::string response = "HTTP/1.1 101 Switching Protocols\r\nUPGRADE: websocket\r\n\r\n";
  // The server's first frame rides in the same segment as its 101 response.
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack(), c.c2s(request),
                               c.s2c(response + as_string(ws_frame(op::binary, connack_packet, true, false)))};
  recording_sink sink;
  run_capture(capture_of(p), sink);
  ASSERT_EQ(sink.carriages.size(), 1u);
  EXPECT_EQ(sink.carriages[0].detail, "path=/ws/broker?x=1 subprotocol=none");
  EXPECT_EQ(sink.s2c(), connack_packet);
}

TEST(carriage_detector, subprotocol_mqttv31_is_reported) {
  auto c = conversation();
  const std::string request =
      "GET / HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: mqttv3.1\r\n\r\n";
  const std::string response = "HTTP/1.1 101 OK\r\nSec-WebSocket-Protocol: mqttv3.1\r\n\r\n";
  recording_sink sink;
  run_capture(capture_of({c.c2s(request), c.s2c(response), c.c2s(ws_frame(op::binary, connect_packet))}), sink);
  ASSERT_EQ(sink.carriages.size(), 1u);
  EXPECT_EQ(sink.carriages[0].detail, "path=/ subprotocol=mqttv3.1");
  EXPECT_EQ(sink.c2s(), connect_packet);
}

TEST(carriage_detector, rejected_upgrade_passes_no_data) {
  auto c = conversation();
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), c.c2s(upgrade_request),
                          c.s2c("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")}),
              sink);
  EXPECT_TRUE(sink.carriages.empty());
  EXPECT_EQ(sink.c2s(), "");
  EXPECT_EQ(sink.s2c(), "");
  ASSERT_EQ(sink.anomalies.size(), 1u);
  EXPECT_NE(sink.anomalies[0].what.find("403"), std::string::npos) << sink.anomalies[0].what;
}

byte_vector client_hello(const std::string& sni, bool offer_tls13) {
  byte_vector ext;
  const auto put16 = [](byte_vector& v, std::size_t x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x));
  };
  // GREASE extension first, as browsers and OpenSSL-based clients may send.
  put16(ext, 0x3a3a);
  put16(ext, 0);
  if (!sni.empty()) {
    put16(ext, 0);
    put16(ext, sni.size() + 5);
    put16(ext, sni.size() + 3);
    ext.push_back(0);
    put16(ext, sni.size());
    ext.insert(ext.end(), sni.begin(), sni.end());
  }
  if (offer_tls13) {
    put16(ext, 43);
    put16(ext, 7);
    ext.insert(ext.end(), {6, 0x7a, 0x7a, 0x03, 0x04, 0x03, 0x03});
  }
  byte_vector body = {0x03, 0x03};
  body.insert(body.end(), 32, 0x11);  // random
  body.push_back(32);
  body.insert(body.end(), 32, 0x22);  // session id
  put16(body, 4);
  body.insert(body.end(), {0x13, 0x01, 0xc0, 0x2f});
  body.insert(body.end(), {1, 0});
  put16(body, ext.size());
  body.insert(body.end(), ext.begin(), ext.end());
  byte_vector hs = {1, 0, static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size())};
  hs.insert(hs.end(), body.begin(), body.end());
  byte_vector record = {0x16, 0x03, 0x01};
  put16(record, hs.size());
  record.insert(record.end(), hs.begin(), hs.end());
  return record;
}

TEST(carriage_detector, tls_client_hello_is_reported_and_bytes_withheld) {
  auto c = conversation();
  const byte_vector hello = client_hello("broker.example.com", true);
  const byte_vector first(hello.begin(), hello.begin() + 40), rest(hello.begin() + 40, hello.end());
  byte_vector server_hello = {0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00};
  recording_sink sink;
  // The ClientHello is split over two segments: detection waits for the whole record.
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), c.c2s(first), c.c2s(rest), c.s2c(server_hello),
                          c.c2s(byte_vector{0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb})}),
              sink);
  ASSERT_EQ(sink.carriages.size(), 1u);
  EXPECT_EQ(sink.carriages[0].how, carriage::tls);
  EXPECT_EQ(sink.carriages[0].detail, "TLS 1.3, SNI=broker.example.com");
  EXPECT_EQ(sink.carriages[0].frame, 5u);
  EXPECT_EQ(sink.c2s(), "");
  EXPECT_EQ(sink.s2c(), "");
}

TEST(carriage_detector, tls_12_without_sni) {
  auto c = conversation();
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), c.c2s(client_hello("", false))}), sink);
  ASSERT_EQ(sink.carriages.size(), 1u);
  EXPECT_EQ(sink.carriages[0].detail, "TLS 1.2");
}

TEST(carriage_detector, tls_mid_stream_is_recognised_from_application_data) {
  auto c = conversation();
  recording_sink sink;
  run_capture(capture_of({c.c2s(byte_vector{0x17, 0x03, 0x03, 0x00, 0x03, 1, 2, 3}),
                          c.s2c(byte_vector{0x17, 0x03, 0x03, 0x00, 0x01, 9})}),
              sink);
  ASSERT_EQ(sink.carriages.size(), 1u);
  EXPECT_EQ(sink.carriages[0].how, carriage::tls);
  EXPECT_EQ(sink.c2s(), "");
  EXPECT_EQ(sink.s2c(), "");
}

TEST(carriage_detector, one_byte_segments_of_plain_mqtt_and_of_a_ws_upgrade) {
  auto c = conversation();
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack()};
  for (char ch : connect_packet) p.push_back(c.c2s(std::string(1, ch)));
  recording_sink sink;
  run_capture(capture_of(p), sink);
  EXPECT_EQ(sink.c2s(), connect_packet);

  auto w = conversation();
  std::vector<tcp_packet> q = {w.syn(), w.syn_ack(), w.ack()};
  const std::string all = upgrade_request + as_string(ws_frame(op::binary, connect_packet));
  // Client bytes sent before the 101 is seen are held, then de-framed.
  for (char ch : all) q.push_back(w.c2s(std::string(1, ch)));
  q.push_back(w.s2c(upgrade_response));
  recording_sink ws_sink;
  run_capture(capture_of(q), ws_sink);
  ASSERT_EQ(ws_sink.carriages.size(), 1u);
  EXPECT_EQ(ws_sink.c2s(), connect_packet);
}

TEST(carriage_detector, mqtt_stream_starting_with_a_byte_that_could_be_tls_or_http) {
  // 'G' followed by non-"ET " and 0x16 followed by non-0x03 stay plain bytes.
  auto c = conversation();
  recording_sink sink;
  run_capture(capture_of({c.c2s("Gx"), c.c2s("yz"), c.s2c(byte_vector{0x16, 0x01, 0x02})}), sink);
  EXPECT_TRUE(sink.carriages.empty());
  EXPECT_EQ(sink.c2s(), "Gxyz");
  EXPECT_EQ(sink.s2c(), std::string("\x16\x01\x02", 3));
  // A TLS-looking header with a length no TLS record can have is data, too.
  auto d = tcp_conversation("10.0.0.1", 51234, "10.0.0.2", 18883);
  recording_sink other;
  run_capture(capture_of({d.s2c(byte_vector{0x16, 0x03, 0x01, 0xff, 0xff, 0x00})}), other);
  EXPECT_TRUE(other.carriages.empty());
  EXPECT_EQ(other.s2c().size(), 6u);
}

TEST(carriage_detector, gap_in_websocket_stream_stops_deframing) {
  auto c = conversation();
  std::vector<tcp_packet> p = {c.syn(), c.syn_ack(), c.ack(), c.c2s(upgrade_request), c.s2c(upgrade_response),
                               c.c2s(ws_frame(op::binary, pingreq))};
  c.c2s(ws_frame(op::binary, std::string(50, 'L')));  // lost
  p.push_back(c.c2s(ws_frame(op::binary, pingreq)));
  recording_sink sink;
  run_capture(capture_of(p), sink);
  EXPECT_EQ(sink.c2s(), pingreq);
  EXPECT_EQ(sink.gaps.size(), 1u);
  EXPECT_FALSE(sink.anomalies.empty());
}


TEST(carriage_detector, first_websocket_frame_in_the_same_segment_as_the_request) {
  auto c = conversation();
  recording_sink sink;
  run_capture(capture_of({c.syn(), c.syn_ack(), c.ack(), c.c2s(upgrade_request + as_string(ws_frame(op::binary, connect_packet))),
                          c.s2c(upgrade_response), c.c2s(ws_frame(op::binary, pingreq))}),
              sink);
  ASSERT_EQ(sink.carriages.size(), 1u);
  EXPECT_EQ(sink.c2s(), connect_packet + pingreq);
}

TEST(carriage_detector, plain_http_is_not_passed_on) {
  auto c = conversation();
  recording_sink sink;
  run_capture(capture_of({c.c2s("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"),
                          c.s2c("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")}),
              sink);
  EXPECT_TRUE(sink.carriages.empty());
  EXPECT_EQ(sink.c2s(), "");
  EXPECT_EQ(sink.s2c(), "");
  EXPECT_EQ(sink.anomalies.size(), 2u);
}

}  // namespace
}  // namespace mqtk::test
