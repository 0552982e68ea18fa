// The stream decoder gives identical results however the bytes are split, enforces the maximum
// packet size from the fixed header alone, and reports faults at their stream offset.
#include <gtest/gtest.h>

#include <random>

#include "codec_test_util.hpp"

namespace mqtk::proto {
namespace {

using test::bytes;

// A conversation with every kind of boundary: 1-, 2- and 3-byte remaining lengths, empty
// packets, 5.0 properties.
bytes conversation() {
  static const std::string big(20'000, 'q');
  static const std::vector<property> props{{.id = property_id::user_property, .key = "k", .value = "v"},
                                           {.id = property_id::topic_alias, .number = 1}};
  bytes out;
  const auto v = protocol_version::v5;
  encode_append(connect{.version = v, .client_id = "split-test", .keep_alive = 30}, v, out);
  encode_append(publish{.topic = "a/b", .payload = "x"}, v, out);
  encode_append(pingreq{}, v, out);
  encode_append(publish{.topic = "big", .payload = std::string_view(big.data(), 200), .qos = qos::at_least_once,
                        .packet_id = 1, .properties = property_list(props)},
                v, out);
  encode_append(publish{.topic = "bigger", .payload = big, .qos = qos::exactly_once, .packet_id = 2}, v, out);
  encode_append(pubrel{.packet_id = 2}, v, out);
  encode_append(disconnect{}, v, out);
  return out;
}

const test::stream_outcome& whole() {
  static const test::stream_outcome outcome = test::decode_stream(conversation(), {}, std::nullopt);
  return outcome;
}

TEST(stream_decoder, whole_conversation_decodes_and_reencodes) {
  const auto& w = whole();
  ASSERT_FALSE(w.failure.has_value());
  ASSERT_EQ(w.packets.size(), 7u);
  bytes joined;
  for (const auto& p : w.packets) joined.insert(joined.end(), p.begin(), p.end());
  EXPECT_EQ(joined, conversation());
}

TEST(stream_decoder, every_single_split_point_gives_the_same_packets) {
  const bytes b = conversation();
  for (std::size_t split = 0; split <= b.size(); ++split) {
    const auto outcome = test::decode_stream(b, {split}, std::nullopt);
    ASSERT_FALSE(outcome.failure.has_value()) << "split at " << split;
    ASSERT_EQ(outcome.texts, whole().texts) << "split at " << split;
  }
}

TEST(stream_decoder, one_byte_at_a_time_gives_the_same_packets) {
  const bytes b = conversation();
  const auto outcome = test::decode_stream(b, std::vector<std::size_t>(b.size(), 1), std::nullopt);
  ASSERT_FALSE(outcome.failure.has_value());
  EXPECT_EQ(outcome.packets, whole().packets);
}

TEST(stream_decoder, random_splits_give_the_same_packets) {
  const bytes b = conversation();
  std::mt19937 rng(20261122);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::size_t> chunks;
    std::uniform_int_distribution<std::size_t> size(1, round % 2 ? 7 : 4096);
    for (std::size_t total = 0; total < b.size();) {
      chunks.push_back(size(rng));
      total += chunks.back();
    }
    const auto outcome = test::decode_stream(b, chunks, std::nullopt);
    ASSERT_FALSE(outcome.failure.has_value()) << "round " << round;
    ASSERT_EQ(outcome.packets, whole().packets) << "round " << round;
  }
}

TEST(stream_decoder, remaining_length_split_across_reads) {
  // 3-byte remaining length (20,000+ byte packet) split after each of its bytes.
  bytes b;
  const std::string payload(20'000, 'p');
  encode_append(publish{.topic = "t", .payload = payload}, protocol_version::v311, b);
  for (std::size_t split : {1u, 2u, 3u}) {
    const auto outcome = test::decode_stream(b, {split, 1, 1}, protocol_version::v311);
    ASSERT_FALSE(outcome.failure.has_value());
    ASSERT_EQ(outcome.packets.size(), 1u);
    EXPECT_EQ(outcome.packets[0], b);
  }
}

TEST(stream_decoder, announced_oversize_packet_is_refused_before_buffering) {
  stream_decoder dec({.max_packet_size = 1024 * 1024, .version = protocol_version::v311});
  const bytes announce = test::from_hex("30 ff ff ff 7f");  // 256 MB
  auto r = dec.put(announce);
  ASSERT_EQ(r.state, stream_decoder::status::error);
  EXPECT_EQ(r.failure.error, decode_error::packet_too_large);
  EXPECT_EQ(r.failure.offset, 1u);
  EXPECT_EQ(dec.buffered(), 0u);
}

TEST(stream_decoder, oversize_header_split_across_reads_is_refused_with_few_bytes_held) {
  stream_decoder dec({.max_packet_size = 100, .version = protocol_version::v311});
  bytes first = test::from_hex("30 ff");
  auto r = dec.put(first);
  EXPECT_EQ(r.state, stream_decoder::status::need_more);
  EXPECT_LE(dec.buffered(), 2u);
  bytes rest = test::from_hex("ff ff 7f 00 00 00");
  r = dec.put(rest);
  ASSERT_EQ(r.state, stream_decoder::status::error);
  EXPECT_EQ(r.failure.error, decode_error::packet_too_large);
  EXPECT_EQ(dec.buffered(), 0u);
}

TEST(stream_decoder, maximum_counts_the_fixed_header) {
  stream_decoder dec({.max_packet_size = 4, .version = protocol_version::v311});
  const bytes ok = test::from_hex("40 02 00 01");  // exactly 4 bytes
  EXPECT_EQ(dec.put(ok).state, stream_decoder::status::ready);
  const bytes too_big = test::from_hex("30 03 00 01 61");  // 5 bytes
  EXPECT_EQ(dec.put(too_big).failure.error, decode_error::packet_too_large);
}

TEST(stream_decoder, error_offset_is_from_stream_start_and_error_is_sticky) {
  bytes b = test::from_hex("c0 00 d0 00");              // two good packets
  const bytes bad = test::from_hex("30 03 00 01 23");   // '#' at offset 4 of this packet
  b.insert(b.end(), bad.begin(), bad.end());
  stream_decoder dec({.version = protocol_version::v311});
  std::span<const std::uint8_t> in(b);
  int packets = 0;
  stream_decoder::result r;
  while (true) {
    r = dec.put(in);
    in = in.subspan(r.consumed);
    if (r.state != stream_decoder::status::ready) break;
    ++packets;
  }
  EXPECT_EQ(packets, 2);
  ASSERT_EQ(r.state, stream_decoder::status::error);
  EXPECT_EQ(r.failure.error, decode_error::invalid_topic_name);
  EXPECT_EQ(r.failure.offset, 8u);
  const bytes more = test::from_hex("c0 00");
  auto again = dec.put(more);
  EXPECT_EQ(again.state, stream_decoder::status::error);
  EXPECT_EQ(again.consumed, 0u);
  dec.reset();
  dec.set_version(protocol_version::v311);
  EXPECT_EQ(dec.put(more).state, stream_decoder::status::ready);
}

TEST(stream_decoder, fault_in_split_fixed_header_reports_stream_offset) {
  stream_decoder dec({.version = protocol_version::v311});
  const bytes good = test::from_hex("c0 00");
  ASSERT_EQ(dec.put(good).state, stream_decoder::status::ready);
  const bytes part1 = test::from_hex("30 80");
  EXPECT_EQ(dec.put(part1).state, stream_decoder::status::need_more);
  const bytes part2 = test::from_hex("00");
  auto r = dec.put(part2);
  ASSERT_EQ(r.state, stream_decoder::status::error);
  EXPECT_EQ(r.failure.error, decode_error::remaining_length_not_minimal);
  EXPECT_EQ(r.failure.offset, 4u);
}

TEST(stream_decoder, version_comes_from_connect) {
  bytes b;
  encode_append(connect{.version = protocol_version::v5, .client_id = "c"}, protocol_version::v5, b);
  const std::vector<property> props{{.id = property_id::content_type, .value = "text/plain"}};
  encode_append(publish{.topic = "t", .payload = "p", .properties = property_list(props)}, protocol_version::v5, b);
  stream_decoder dec;
  std::span<const std::uint8_t> in(b);
  auto r = dec.put(in);
  ASSERT_EQ(r.state, stream_decoder::status::ready);
  EXPECT_EQ(dec.version(), protocol_version::v5);
  r = dec.put(in.subspan(r.consumed));
  ASSERT_EQ(r.state, stream_decoder::status::ready);
  const auto& p = std::get<publish>(*r.value);
  EXPECT_EQ(p.properties.string(property_id::content_type), "text/plain");
}

TEST(stream_decoder, packet_before_connect_without_version_is_an_error) {
  stream_decoder dec;
  const bytes b = test::from_hex("c0 00");
  auto r = dec.put(b);
  ASSERT_EQ(r.state, stream_decoder::status::error);
  EXPECT_EQ(r.failure.error, decode_error::version_unknown);
}

TEST(stream_decoder, raw_bytes_and_packet_offset_are_reported) {
  const bytes b = test::from_hex("c0 00 30 04 00 01 61 62");
  stream_decoder dec({.version = protocol_version::v311});
  std::span<const std::uint8_t> in(b);
  auto r = dec.put(in);
  ASSERT_EQ(r.state, stream_decoder::status::ready);
  r = dec.put(in.subspan(r.consumed));
  ASSERT_EQ(r.state, stream_decoder::status::ready);
  EXPECT_EQ(r.packet_offset, 2u);
  EXPECT_EQ(test::to_hex(r.raw.data(), r.raw.size()), "30 04 00 01 61 62");
  EXPECT_EQ(std::get<publish>(*r.value).payload, "b");
  EXPECT_EQ(dec.stream_offset(), 8u);
}

TEST(stream_decoder, decoded_packet_views_input_without_copy_on_fast_path) {
  const bytes b = test::from_hex("30 04 00 01 61 62");
  stream_decoder dec({.version = protocol_version::v311});
  auto r = dec.put(b);
  ASSERT_EQ(r.state, stream_decoder::status::ready);
  const auto& p = std::get<publish>(*r.value);
  EXPECT_EQ(reinterpret_cast<const std::uint8_t*>(p.payload.data()), b.data() + 5);
  EXPECT_EQ(dec.buffered(), 0u);
}

}  // namespace
}  // namespace mqtk::proto
