#include "mqtk/bench/publish_step.hpp"

#include <gtest/gtest.h>

namespace mqtk::bench {
namespace {

using kind = publish_step::kind;

constexpr send_schedule unscheduled{};
constexpr send_schedule every_ms{.start_ns = 1'000'000, .interval_ns = 1'000'000};

TEST(publish_step, unscheduled_messages_are_sent_now_until_the_window_is_full) {
  const publisher_limits limits{.count = 100, .inflight = 2};
  EXPECT_EQ(next_publish_step(unscheduled, limits, {.next_sequence = 0, .outstanding = 1}, 500),
            (publish_step{.what = kind::send, .sequence = 0, .intended_ns = 500}));
  EXPECT_EQ(next_publish_step(unscheduled, limits, {.next_sequence = 5, .outstanding = 2}, 500).what, kind::wait_for_ack);
}

TEST(publish_step, a_scheduled_message_waits_for_its_due_time_and_is_then_stamped_with_it) {
  const publisher_limits limits{.inflight = 20};
  EXPECT_EQ(next_publish_step(every_ms, limits, {.next_sequence = 2}, 2'500'000),
            (publish_step{.what = kind::wait_until, .sequence = 2, .intended_ns = 3'000'000}));
  // Late: sent at once, but its latency counts from when it was due (coordinated omission).
  EXPECT_EQ(next_publish_step(every_ms, limits, {.next_sequence = 2}, 7'000'000),
            (publish_step{.what = kind::send, .sequence = 2, .intended_ns = 3'000'000}));
}

TEST(publish_step, after_the_last_message_the_acknowledgements_due_are_drained) {
  const publisher_limits limits{.count = 3, .inflight = 20};
  EXPECT_EQ(next_publish_step(unscheduled, limits, {.next_sequence = 3, .outstanding = 2}, 0).what, kind::drain);
  EXPECT_EQ(next_publish_step(unscheduled, limits, {.next_sequence = 3, .outstanding = 0}, 0).what, kind::done);
}

TEST(publish_step, nothing_due_at_or_after_the_measurement_end_is_sent) {
  const publisher_limits limits{.inflight = 20, .measure_end_ns = 4'000'000};
  EXPECT_EQ(next_publish_step(every_ms, limits, {.next_sequence = 2}, 3'000'000).what, kind::send);
  EXPECT_EQ(next_publish_step(every_ms, limits, {.next_sequence = 3}, 3'000'000).what, kind::done);
}

TEST(publish_step, a_stop_or_a_lost_connection_ends_sending) {
  const publisher_limits limits{.inflight = 20};
  EXPECT_EQ(next_publish_step(unscheduled, limits, {.outstanding = 4, .stopping = true}, 0).what, kind::drain);
  // Over a lost connection no acknowledgement can come: done at once, not after --drain.
  EXPECT_EQ(next_publish_step(unscheduled, limits, {.outstanding = 4, .connected = false}, 0).what, kind::done);
}

}  // namespace
}  // namespace mqtk::bench
