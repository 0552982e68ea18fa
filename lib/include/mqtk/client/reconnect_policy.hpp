#pragma once
// When and how a client reconnects after losing an established connection. The first connect
// is never retried (a tool reports an unreachable broker at once, as mosquitto_pub/sub do);
// only a connection that was up and then lost is.
#include <chrono>
#include <cstdint>

namespace mqtk::client {

struct reconnect_policy {
  bool enabled = false;
  // Wait before attempt n (1-based): min(initial_delay * multiplier^(n-1), max_delay), then
  // spread by +-jitter (a fraction) so that a bench's thousands of clients do not reconnect
  // in lockstep after a broker restart.
  std::chrono::milliseconds initial_delay{1000};
  std::chrono::milliseconds max_delay{30'000};
  double multiplier = 2.0;
  double jitter = 0.25;
  // Attempts after one loss before giving up; 0 = forever (mosquitto_sub's behaviour).
  std::uint32_t max_attempts = 0;
  // When the CONNACK after a reconnect says the broker has no session for us, send again the
  // subscriptions that were acknowledged before (what a subscriber expects).
  bool resubscribe = true;

  // mosquitto_pub gives up on a lost connection; mosquitto_sub keeps trying.
  static reconnect_policy publisher() { return {}; }
  static reconnect_policy subscriber() {
    reconnect_policy p;
    p.enabled = true;
    return p;
  }

  // The wait before `attempt` (1-based), given a random number in [0, 1).
  std::chrono::milliseconds delay(std::uint32_t attempt, double random01) const noexcept;
};

}  // namespace mqtk::client
