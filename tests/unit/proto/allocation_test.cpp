// Steady-state decoding allocates nothing: topic and payload are views into the input, and the
// decoder's scratch vectors are reused. Counted with tests/support/allocation_counter.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "codec_test_util.hpp"
#include "support/allocation_counter.hpp"

namespace mqtk::proto {
namespace {

TEST(allocation, the_counter_sees_allocations) {
  const std::size_t before = test::allocation_count();
  auto p = std::make_unique<std::string>(100, 'x');
  EXPECT_GT(test::allocation_count(), before) << "operator new is not the counting one: zero counts would prove nothing";
  EXPECT_EQ(p->size(), 100u);
}

TEST(allocation, steady_state_stream_decoding_allocates_nothing) {
  const std::vector<property> props{{.id = property_id::user_property, .key = "k", .value = "v"}};
  test::bytes stream;
  for (int i = 0; i < 1000; ++i) {
    encode_append(publish{.topic = "sensors/1/temp", .payload = "21.5", .qos = qos::at_least_once,
                          .packet_id = static_cast<std::uint16_t>(i + 1), .properties = property_list(props)},
                  protocol_version::v5, stream);
  }
  stream_decoder dec({.version = protocol_version::v5});
  auto run = [&](std::size_t chunk) {
    std::size_t packets = 0;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      std::span<const std::uint8_t> in(stream.data() + at, std::min(chunk, stream.size() - at));
      while (!in.empty()) {
        auto r = dec.put(in);
        in = in.subspan(r.consumed);
        if (r.state == stream_decoder::status::ready) ++packets;
        if (r.state == stream_decoder::status::error) return std::size_t{0};
      }
    }
    return packets;
  };
  ASSERT_EQ(run(1000), 1000u);  // warm-up: scratch vectors and the assembly buffer grow here
  const std::size_t before = test::allocation_count();
  EXPECT_EQ(run(1000), 1000u);
  EXPECT_EQ(run(7), 1000u);
  EXPECT_EQ(test::allocation_count() - before, 0u);
}

TEST(allocation, encoding_into_a_caller_buffer_allocates_nothing) {
  std::uint8_t buffer[256];
  const packet p = publish{.topic = "a/b", .payload = "hello", .qos = qos::exactly_once, .packet_id = 3};
  const std::size_t before = test::allocation_count();
  std::size_t total = 0;
  for (int i = 0; i < 100; ++i) total += encode(p, protocol_version::v311, buffer);
  EXPECT_EQ(test::allocation_count() - before, 0u);
  EXPECT_EQ(total, 100u * encoded_size(p, protocol_version::v311));
}

}  // namespace
}  // namespace mqtk::proto
