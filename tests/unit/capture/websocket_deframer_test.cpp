// websocket_deframer on its own: lengths, masks, fragmentation, control frames, and any
// split of the input.
#include "mqtk/capture/websocket_deframer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/pcap_writer.hpp"
#include "ws_frame_builder.hpp"

namespace mqtk::test {
namespace {

using capture::websocket_deframer;
namespace op = capture::ws_opcode;

struct collector final : capture::websocket_events {
  std::string payload;
  std::vector<std::uint8_t> controls;
  std::vector<std::string> control_payloads;
  std::vector<std::string> problems;
  bool fatal = false;
  void on_ws_payload(std::span<const std::uint8_t> bytes) override { payload.append(bytes.begin(), bytes.end()); }
  void on_ws_control(std::uint8_t opcode, std::span<const std::uint8_t> p) override {
    controls.push_back(opcode);
    control_payloads.emplace_back(p.begin(), p.end());
  }
  void on_ws_problem(const char* what, bool is_fatal) override {
    problems.emplace_back(what);
    fatal = fatal || is_fatal;
  }
};

byte_vector concat(std::initializer_list<byte_vector> parts) {
  byte_vector out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const std::string publish = std::string("\x30\x0b\x00\x03" "a/b" "payload", 13);

TEST(websocket_deframer, masked_binary_frame_is_unmasked) {
  websocket_deframer d;
  collector c;
  d.feed(ws_frame(op::binary, publish), c);
  EXPECT_EQ(c.payload, publish);
  EXPECT_TRUE(c.problems.empty());
  EXPECT_EQ(d.frames(), 1u);
}

TEST(websocket_deframer, unmasked_server_frame) {
  websocket_deframer d;
  collector c;
  d.feed(ws_frame(op::binary, std::string("\x20\x02\x00\x00", 4), true, false), c);
  EXPECT_EQ(c.payload, std::string("\x20\x02\x00\x00", 4));
}

TEST(websocket_deframer, sixteen_and_sixty_four_bit_lengths) {
  std::string medium(300, 'm'), large(70000, 'L');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('A' + i % 26);
  websocket_deframer d;
  collector c;
  d.feed(concat({ws_frame(op::binary, medium), ws_frame(op::binary, large), ws_frame(op::binary, "tiny", true, true, 3)}),
         c);
  EXPECT_EQ(c.payload, medium + large + "tiny");
  EXPECT_EQ(d.frames(), 3u);
}

TEST(websocket_deframer, fragmented_message_with_ping_in_between) {
  websocket_deframer d;
  collector c;
  d.feed(concat({ws_frame(op::binary, publish.substr(0, 5), false), ws_frame(op::ping, "are you there"),
                 ws_frame(op::continuation, publish.substr(5, 4), false), ws_frame(op::pong, ""),
                 ws_frame(op::continuation, publish.substr(9), true)}),
         c);
  EXPECT_EQ(c.payload, publish);
  EXPECT_EQ(c.controls, (std::vector<std::uint8_t>{op::ping, op::pong}));
  EXPECT_EQ(c.control_payloads[0], "are you there");
  EXPECT_TRUE(c.problems.empty());
}

TEST(websocket_deframer, any_split_of_the_input_gives_the_same_payload) {
  const byte_vector stream = concat({ws_frame(op::binary, publish + publish), ws_frame(op::ping, "p"),
                                     ws_frame(op::binary, std::string(200, 'x')), ws_frame(op::close, "\x03\xe8")});
  for (std::size_t chunk = 1; chunk <= 17; ++chunk) {
    websocket_deframer d;
    collector c;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      d.feed(std::span<const std::uint8_t>(stream).subspan(at, std::min(chunk, stream.size() - at)), c);
    }
    EXPECT_EQ(c.payload, publish + publish + std::string(200, 'x')) << "chunk " << chunk;
    EXPECT_EQ(c.controls, (std::vector<std::uint8_t>{op::ping, op::close})) << "chunk " << chunk;
  }
}

TEST(websocket_deframer, text_frames_are_not_payload) {
  websocket_deframer d;
  collector c;
  d.feed(concat({ws_frame(op::text, "hello"), ws_frame(op::binary, std::string("\xc0\x00", 2))}), c);
  EXPECT_EQ(c.payload, std::string("\xc0\x00", 2));
  EXPECT_EQ(c.problems.size(), 1u);
  EXPECT_FALSE(c.fatal);
}

TEST(websocket_deframer, reserved_bits_stop_the_direction) {
  websocket_deframer d;
  collector c;
  byte_vector compressed = ws_frame(op::binary, "zz");
  compressed[0] |= 0x40;  // RSV1: permessage-deflate
  d.feed(concat({compressed, ws_frame(op::binary, "after")}), c);
  EXPECT_TRUE(c.fatal);
  EXPECT_TRUE(d.failed());
  EXPECT_EQ(c.payload, "");
}

TEST(websocket_deframer, continuation_without_a_message_is_fatal) {
  websocket_deframer d;
  collector c;
  d.feed(ws_frame(op::continuation, "x"), c);
  EXPECT_TRUE(d.failed());
  websocket_deframer d2;
  collector c2;
  byte_vector long_ping = ws_frame(op::ping, std::string(126, 'p'));
  d2.feed(long_ping, c2);
  EXPECT_TRUE(d2.failed()) << "control frames are at most 125 bytes";
}

}  // namespace
}  // namespace mqtk::test
