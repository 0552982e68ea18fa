// The CI limits: each exceeded one is an error finding naming the figure and the limit.
#include "mqtk/diag/probe_thresholds.hpp"

#include <gtest/gtest.h>

namespace mqtk::diag {
namespace {

rtt_stats samples(std::initializer_list<double> rtts, std::size_t lost = 0) {
  rtt_stats s;
  for (double v : rtts) {
    s.sent();
    s.received(v);
  }
  for (std::size_t i = 0; i < lost; ++i) s.sent();
  return s;
}

TEST(probe_thresholds, nothing_set_nothing_found) {
  EXPECT_TRUE(check_thresholds({}, 1e6, samples({1e6}, 5)).empty());
  EXPECT_FALSE(probe_thresholds{}.any());
}

TEST(probe_thresholds, connect_time) {
  const auto f = check_thresholds({.max_connect_ms = 50}, 75.5, samples({}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].level, finding_level::error);
  EXPECT_EQ(f[0].code, "max_connect_ms_exceeded");
  EXPECT_EQ(f[0].message, "connect took 75.50 ms, over --max-connect-ms 50");
  EXPECT_TRUE(check_thresholds({.max_connect_ms = 80}, 75.5, samples({})).empty());
}

TEST(probe_thresholds, slowest_round_trip) {
  const auto f = check_thresholds({.max_rtt_ms = 10}, 1, samples({2, 12.25, 3}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, "max_rtt_ms_exceeded");
  EXPECT_NE(f[0].message.find("12.25 ms"), std::string::npos) << f[0].message;
  // No round trip measured: nothing to judge.
  EXPECT_TRUE(check_thresholds({.max_rtt_ms = 10}, 1, samples({})).empty());
}

TEST(probe_thresholds, loss) {
  const auto f = check_thresholds({.max_loss_percent = 20}, 1, samples({1, 1}, 1));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, "max_loss_exceeded");
  EXPECT_NE(f[0].message.find("33.3% of PINGREQs unanswered (2 of 3)"), std::string::npos) << f[0].message;
  EXPECT_TRUE(check_thresholds({.max_loss_percent = 40}, 1, samples({1, 1}, 1)).empty());
  EXPECT_TRUE(has_errors(f));
}

}  // namespace
}  // namespace mqtk::diag
