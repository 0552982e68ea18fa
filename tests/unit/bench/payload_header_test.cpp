#include "mqtk/bench/payload_header.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace mqtk::bench {
namespace {

TEST(payload_header, fixed_little_endian_layout) {
  std::vector<std::uint8_t> buf(40, 0xEE);
  payload_header{.publisher = 0x01020304, .sequence = 0x1112131415161718, .intended_ns = 0x2122232425262728,
                 .sent_ns = -2}
      .write(buf);
  const std::vector<std::uint8_t> expected{'M', 'Q', 'K', 'B', 0x04, 0x03, 0x02, 0x01,  //
                                           0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11,
                                           0x28, 0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21,
                                           0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(std::vector<std::uint8_t>(buf.begin(), buf.begin() + 32), expected);
  EXPECT_EQ(buf[32], 0xEE);  // filler untouched
}

TEST(payload_header, round_trip) {
  const payload_header h{.publisher = 7, .sequence = 123456789, .intended_ns = 1'700'000'000'000'000'000, .sent_ns = 1'700'000'000'000'001'000};
  std::vector<std::uint8_t> buf(payload_header::size);
  h.write(buf);
  EXPECT_EQ(payload_header::read(buf), h);
}

TEST(payload_header, foreign_or_short_payloads_are_not_read) {
  std::vector<std::uint8_t> buf(payload_header::size);
  payload_header{}.write(buf);
  EXPECT_FALSE(payload_header::read(std::span(buf).first(31)));
  buf[0] = 'X';
  EXPECT_FALSE(payload_header::read(buf));
}

}  // namespace
}  // namespace mqtk::bench
