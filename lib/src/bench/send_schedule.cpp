#include "mqtk/bench/send_schedule.hpp"

#include <algorithm>
#include <limits>

namespace mqtk::bench {

send_schedule send_schedule::spread(std::int64_t start_ns, std::int64_t interval_ns, std::uint64_t index,
                                    std::uint64_t publishers) {
  send_schedule s{.start_ns = start_ns, .interval_ns = interval_ns};
  if (interval_ns > 0 && publishers > 1) {
    // index * interval / publishers without overflow for any realistic interval (< 2^40 ns).
    s.offset_ns = static_cast<std::int64_t>((index % publishers) * static_cast<std::uint64_t>(interval_ns) / publishers);
  }
  return s;
}

std::int64_t send_schedule::intended(std::uint64_t seq, std::int64_t now_ns) const noexcept {
  if (!scheduled()) return now_ns;
  return start_ns + offset_ns + static_cast<std::int64_t>(seq) * interval_ns;
}

std::uint64_t send_schedule::due_by(std::int64_t now_ns) const noexcept {
  if (!scheduled()) return std::numeric_limits<std::uint64_t>::max();
  const std::int64_t first = start_ns + offset_ns;
  if (now_ns < first) return 0;
  return static_cast<std::uint64_t>((now_ns - first) / interval_ns) + 1;
}

latency_sample latency_sample::of(std::int64_t intended_ns, std::int64_t sent_ns, std::int64_t done_ns) {
  auto us = [](std::int64_t ns) { return static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 0) / 1000); };
  return {.corrected_us = us(done_ns - intended_ns), .uncorrected_us = us(done_ns - sent_ns), .lag_us = us(sent_ns - intended_ns)};
}

}  // namespace mqtk::bench
