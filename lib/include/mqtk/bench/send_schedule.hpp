#pragma once
// The open-loop schedule of one publisher: message k is due at start + offset + k * interval,
// whatever happened to message k-1. Latency is counted from that intended time, so a broker
// that stalls for a second shows up as a second of latency for every message that should have
// gone out during the stall (wrk2's coordinated-omission correction), not as one slow sample
// followed by a publisher that quietly waited. Times are nanoseconds on the caller's clock:
// this type reads no clock.
//
// Without an interval (as fast as possible) there is no schedule: every message is due when it
// is sent, and the corrected and uncorrected figures are the same.
#include <cstdint>

namespace mqtk::bench {

struct send_schedule {
  std::int64_t start_ns = 0;     // the common start of the measurement (all publishers)
  std::int64_t offset_ns = 0;    // this publisher's phase, spreading publishers over an interval
  std::int64_t interval_ns = 0;  // 0: unscheduled (as fast as possible)

  // Publisher `index` of `publishers`, each sending every `interval_ns`, phased evenly so that
  // the total rate is smooth rather than `publishers` messages at once every interval.
  static send_schedule spread(std::int64_t start_ns, std::int64_t interval_ns, std::uint64_t index,
                              std::uint64_t publishers);

  bool scheduled() const noexcept { return interval_ns > 0; }
  // When message `seq` (0-based) is due. Unscheduled: `now_ns` (it is due when sent).
  std::int64_t intended(std::uint64_t seq, std::int64_t now_ns) const noexcept;
  // How many of the messages 0.. are due at `now_ns` (the next one to send is behind when this
  // exceeds the number sent). Unscheduled: unbounded.
  std::uint64_t due_by(std::int64_t now_ns) const noexcept;
};

// The three figures of one acknowledged (or delivered) message, in microseconds: from the
// intended time (corrected), from the moment it was actually handed to the socket
// (uncorrected), and how late it was handed over (scheduling lag; > the interval means the
// publisher could not keep up).
struct latency_sample {
  std::uint64_t corrected_us = 0;
  std::uint64_t uncorrected_us = 0;
  std::uint64_t lag_us = 0;

  static latency_sample of(std::int64_t intended_ns, std::int64_t sent_ns, std::int64_t done_ns);
  bool operator==(const latency_sample&) const = default;
};

}  // namespace mqtk::bench
