#include "mqtk/bench/send_schedule.hpp"

#include <gtest/gtest.h>

namespace mqtk::bench {
namespace {

TEST(send_schedule, intended_times_do_not_depend_on_when_earlier_messages_went_out) {
  const send_schedule s{.start_ns = 1'000, .offset_ns = 0, .interval_ns = 10'000'000};
  EXPECT_EQ(s.intended(0, 999'999'999), 1'000);
  EXPECT_EQ(s.intended(100, 0), 1'000 + 100 * 10'000'000);
}

TEST(send_schedule, spread_phases_publishers_evenly_over_one_interval) {
  const auto a = send_schedule::spread(0, 1'000'000, 0, 4);
  const auto b = send_schedule::spread(0, 1'000'000, 1, 4);
  const auto d = send_schedule::spread(0, 1'000'000, 3, 4);
  EXPECT_EQ(a.offset_ns, 0);
  EXPECT_EQ(b.offset_ns, 250'000);
  EXPECT_EQ(d.offset_ns, 750'000);
  EXPECT_EQ(send_schedule::spread(0, 1'000'000, 0, 1).offset_ns, 0);
}

TEST(send_schedule, due_by_counts_messages_whose_time_has_come) {
  const send_schedule s{.start_ns = 100, .offset_ns = 50, .interval_ns = 1000};
  EXPECT_EQ(s.due_by(149), 0u);
  EXPECT_EQ(s.due_by(150), 1u);
  EXPECT_EQ(s.due_by(1149), 1u);
  EXPECT_EQ(s.due_by(1150), 2u);
  // A publisher stalled for 1 s at 1 kHz owes a thousand messages.
  EXPECT_EQ(s.due_by(150 + 1'000'000'000 - 1) , 1'000'000u);
}

TEST(send_schedule, unscheduled_sends_are_due_when_sent) {
  const send_schedule s{};
  EXPECT_FALSE(s.scheduled());
  EXPECT_EQ(s.intended(5, 12345), 12345);
  const auto sample = latency_sample::of(s.intended(5, 12'345'000), 12'345'000, 14'345'000);
  EXPECT_EQ(sample.corrected_us, sample.uncorrected_us);
  EXPECT_EQ(sample.lag_us, 0u);
}

TEST(send_schedule, a_stall_shows_in_the_corrected_latency_not_in_the_uncorrected) {
  // Due at 0, the publisher was blocked until 1 s, the ack came 1 ms after the send.
  const auto sample = latency_sample::of(0, 1'000'000'000, 1'001'000'000);
  EXPECT_EQ(sample, (latency_sample{.corrected_us = 1'001'000, .uncorrected_us = 1'000, .lag_us = 1'000'000}));
  // Clock steps backwards never give huge unsigned values.
  EXPECT_EQ(latency_sample::of(10, 5, 0), (latency_sample{}));
}

}  // namespace
}  // namespace mqtk::bench
