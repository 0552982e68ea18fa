#include "mqtk/bench/sequence_tracker.hpp"

#include <gtest/gtest.h>

namespace mqtk::bench {
namespace {

TEST(sequence_tracker, in_order_stream_with_known_count_has_no_loss) {
  sequence_tracker t;
  for (std::uint64_t i = 0; i < 1000; ++i) EXPECT_EQ(t.on_message(1, i), arrival::in_order);
  EXPECT_EQ(t.finish([](std::uint32_t) { return std::uint64_t{1000}; }),
            (delivery_counts{.received = 1000, .duplicated = 0, .out_of_order = 0, .lost = 0}));
}

TEST(sequence_tracker, duplicates_reordering_and_gaps_per_publisher) {
  sequence_tracker t;
  EXPECT_EQ(t.on_message(1, 0), arrival::in_order);
  EXPECT_EQ(t.on_message(1, 2), arrival::in_order);   // 1 missing so far
  EXPECT_EQ(t.on_message(1, 1), arrival::out_of_order);
  EXPECT_EQ(t.on_message(1, 1), arrival::duplicate);
  EXPECT_EQ(t.on_message(1, 5), arrival::in_order);   // 3, 4 lost
  EXPECT_EQ(t.on_message(2, 0), arrival::in_order);   // another publisher: its own numbering
  EXPECT_EQ(t.on_message(2, 0), arrival::duplicate);
  // Unknown totals: loss is what the gaps show (publisher 1: 6 expected, 4 distinct).
  EXPECT_EQ(t.finish(nullptr), (delivery_counts{.received = 7, .duplicated = 2, .out_of_order = 1, .lost = 2}));
  // Known totals: trailing losses count too (publisher 2 sent 10).
  EXPECT_EQ(t.finish([](std::uint32_t id) { return std::optional<std::uint64_t>(id == 2 ? 10 : 6); }).lost, 2u + 9u);
}

TEST(sequence_tracker, an_expected_publisher_never_heard_from_is_all_lost) {
  sequence_tracker t;
  t.expect(9);
  EXPECT_EQ(t.finish([](std::uint32_t) { return std::uint64_t{50}; }).lost, 50u);
  EXPECT_EQ(t.finish(nullptr).lost, 0u);  // without a count there is nothing to compare with
}

TEST(sequence_tracker, huge_sequence_numbers_are_counted_without_memory) {
  sequence_tracker t;
  t.on_message(1, std::uint64_t{1} << 60);
  EXPECT_EQ(t.counts().received, 1u);
  EXPECT_EQ(t.finish(nullptr).lost, 0u);
}

TEST(delivery_counts, add_up) {
  delivery_counts a{.received = 1, .duplicated = 2, .out_of_order = 3, .lost = 4};
  a += delivery_counts{.received = 10, .duplicated = 20, .out_of_order = 30, .lost = 40};
  EXPECT_EQ(a, (delivery_counts{.received = 11, .duplicated = 22, .out_of_order = 33, .lost = 44}));
}

}  // namespace
}  // namespace mqtk::bench
