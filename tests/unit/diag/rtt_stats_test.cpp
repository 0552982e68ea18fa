// ping(8)'s statistics: loss, min/avg/max, and mdev as iputils computes it.
#include "mqtk/diag/rtt_stats.hpp"

#include <gtest/gtest.h>

namespace mqtk::diag {
namespace {

TEST(rtt_stats, empty) {
  rtt_stats s;
  EXPECT_EQ(s.loss_percent(), 0);
  EXPECT_EQ(s.avg_ms(), 0);
  EXPECT_EQ(s.mdev_ms(), 0);
}

TEST(rtt_stats, min_avg_max_mdev) {
  rtt_stats s;
  for (double v : {1.0, 2.0, 3.0, 4.0}) {
    s.sent();
    s.received(v);
  }
  EXPECT_DOUBLE_EQ(s.min_ms(), 1.0);
  EXPECT_DOUBLE_EQ(s.max_ms(), 4.0);
  EXPECT_DOUBLE_EQ(s.avg_ms(), 2.5);
  // sqrt(mean(x^2) - mean(x)^2) = sqrt(7.5 - 6.25)
  EXPECT_NEAR(s.mdev_ms(), 1.118034, 1e-6);
  EXPECT_EQ(s.loss_percent(), 0);
}

TEST(rtt_stats, equal_samples_have_no_deviation) {
  rtt_stats s;
  for (int i = 0; i < 3; ++i) {
    s.sent();
    s.received(0.1);
  }
  EXPECT_EQ(s.mdev_ms(), 0);
}

TEST(rtt_stats, loss) {
  rtt_stats s;
  s.sent();
  s.sent();
  s.sent();
  s.received(1.0);
  EXPECT_NEAR(s.loss_percent(), 66.666, 0.01);
  EXPECT_EQ(s.received_count(), 1u);
  EXPECT_EQ(s.sent_count(), 3u);
}

}  // namespace
}  // namespace mqtk::diag
