#include "mqtk/client/reconnect_policy.hpp"

#include <gtest/gtest.h>

namespace mqtk::client {
namespace {

using std::chrono::milliseconds;

TEST(reconnect_policy, doubles_from_the_initial_delay_up_to_the_cap) {
  reconnect_policy p{.enabled = true, .initial_delay = milliseconds{100}, .max_delay = milliseconds{1000},
                     .multiplier = 2.0, .jitter = 0.0};
  EXPECT_EQ(p.delay(1, 0.5), milliseconds{100});
  EXPECT_EQ(p.delay(2, 0.5), milliseconds{200});
  EXPECT_EQ(p.delay(4, 0.5), milliseconds{800});
  EXPECT_EQ(p.delay(5, 0.5), milliseconds{1000});
  EXPECT_EQ(p.delay(1000, 0.5), milliseconds{1000});  // no overflow far out
}

TEST(reconnect_policy, jitter_spreads_around_the_delay) {
  reconnect_policy p{.enabled = true, .initial_delay = milliseconds{1000}, .max_delay = milliseconds{1000},
                     .multiplier = 2.0, .jitter = 0.25};
  EXPECT_EQ(p.delay(1, 0.0), milliseconds{750});
  EXPECT_EQ(p.delay(1, 0.5), milliseconds{1000});
  EXPECT_EQ(p.delay(1, 1.0), milliseconds{1250});
}

TEST(reconnect_policy, publisher_does_not_reconnect_and_subscriber_does) {
  EXPECT_FALSE(reconnect_policy::publisher().enabled);
  EXPECT_TRUE(reconnect_policy::subscriber().enabled);
  EXPECT_TRUE(reconnect_policy::subscriber().resubscribe);
}

}  // namespace
}  // namespace mqtk::client
