#include "mqtk/bench/inflight_log.hpp"

#include <gtest/gtest.h>

namespace mqtk::bench {
namespace {

TEST(inflight_log, acknowledgements_in_order_take_the_oldest_entry) {
  inflight_log log;
  for (std::uint64_t op = 1; op <= 3; ++op) log.push(op, static_cast<std::int64_t>(op) * 10, static_cast<std::int64_t>(op) * 10 + 1);
  const auto first = log.take(1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->intended_ns, 10);
  EXPECT_EQ(first->sent_ns, 11);
  EXPECT_EQ(log.size(), 2U);
}

TEST(inflight_log, an_acknowledgement_out_of_order_finds_its_entry_and_keeps_the_rest) {
  inflight_log log;
  for (std::uint64_t op = 1; op <= 4; ++op) log.push(op, static_cast<std::int64_t>(op), 0);
  ASSERT_EQ(log.take(3)->intended_ns, 3);
  EXPECT_EQ(log.take(1)->intended_ns, 1);
  EXPECT_EQ(log.take(2)->intended_ns, 2);
  EXPECT_EQ(log.take(4)->intended_ns, 4);
  EXPECT_TRUE(log.empty());
}

TEST(inflight_log, an_unknown_or_repeated_operation_is_not_found) {
  inflight_log log;
  log.push(7, 1, 2);
  EXPECT_FALSE(log.take(8));
  EXPECT_TRUE(log.take(7));
  EXPECT_FALSE(log.take(7));
}

TEST(inflight_log, it_grows_past_its_capacity_while_wrapped) {
  inflight_log log;
  std::uint64_t next = 1;
  std::uint64_t oldest = 1;
  // Wrap the ring, then grow it with entries on both sides of the seam.
  for (int i = 0; i < 6; ++i) log.push(next++, 0, 0);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log.take(oldest++));
  for (int i = 0; i < 40; ++i) log.push(next, static_cast<std::int64_t>(next), 0), ++next;
  while (!log.empty()) {
    const auto e = log.take(oldest);
    ASSERT_TRUE(e) << oldest;
    ++oldest;
  }
  EXPECT_EQ(oldest, next);
}

}  // namespace
}  // namespace mqtk::bench
