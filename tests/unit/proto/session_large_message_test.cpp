// A message assembled across reads is handed to the action list rather than copied into it
// (issue 15: a 256 MB PUBLISH held once): what the driver sees must stay the same — the
// payload as sent, valid until the list is cleared, whatever the decoder does next.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "mqtk/proto/byte_buffer.hpp"
#include "mqtk/proto/encoder.hpp"
#include "mqtk/proto/session_action_list.hpp"
#include "session_test_support.hpp"

namespace mqtk::proto {
namespace {

std::vector<std::uint8_t> publish_bytes(const std::string& payload, protocol_version version) {
  std::vector<std::uint8_t> wire;
  encode_append(publish{.topic = "big", .payload = payload}, version, wire);
  return wire;
}

// The one message a list delivers (the list also holds the session's timer actions).
const publish& delivered(const action_list& out) {
  const publish* found = nullptr;
  for (const action& a : out) {
    if (const auto* d = std::get_if<deliver_action>(&a)) {
      EXPECT_EQ(found, nullptr) << "more than one message delivered";
      found = &d->message;
    }
  }
  if (found == nullptr) {
    std::string seen;
    for (const action& a : out) seen += to_string(a) + "; ";
    throw std::runtime_error("no message delivered: " + seen);
  }
  return *found;
}

std::string letters(std::size_t n, char first) {
  std::string s(n, ' ');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(first + i % 26);
  return s;
}

TEST(session_large_message, a_payload_assembled_across_reads_outlives_the_next_assembled_packet) {
  test::session_harness h;
  h.establish();
  const std::string first = letters(300 * 1024, 'a');
  const std::string second = letters(300 * 1024, 'A');
  auto wire1 = publish_bytes(first, h.session.version());
  auto wire2 = publish_bytes(second, h.session.version());
  const std::span<const std::uint8_t> w1(wire1), w2(wire2);

  action_list out1;
  h.session.received(w1.first(1000), h.now, out1);
  EXPECT_TRUE(out1.empty());
  h.session.received(w1.subspan(1000), h.now, out1);
  std::fill(wire1.begin(), wire1.end(), std::uint8_t{0});  // the reads' buffer is reused
  const publish& m = delivered(out1);

  // A second large packet assembled across reads while out1 is still held.
  action_list out2;
  h.session.received(w2.first(1000), h.now, out2);
  h.session.received(w2.subspan(1000), h.now, out2);
  EXPECT_EQ(m.topic, "big");
  EXPECT_TRUE(m.payload == first) << "the first payload changed when the second was assembled";
  EXPECT_TRUE(delivered(out2).payload == second);
}

TEST(byte_buffer, grows_keeping_its_bytes_and_moves_without_copying) {
  byte_buffer b;
  const std::string text = letters(1 << 20, 'a');
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  b.append({bytes, 10});
  b.reserve(100);
  b.append({bytes + 10, text.size() - 10});
  ASSERT_EQ(b.size(), text.size());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()), b.size()), text);
  const std::uint8_t* where = b.data();
  byte_buffer moved = std::move(b);
  EXPECT_EQ(moved.data(), where);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.data(), nullptr);
  moved.release();
  EXPECT_EQ(moved.capacity(), 0U);
}

}  // namespace
}  // namespace mqtk::proto
