#include "mqtk/bench/publish_step.hpp"

namespace mqtk::bench {

publish_step next_publish_step(const send_schedule& schedule, const publisher_limits& limits, const publisher_state& state,
                               std::int64_t now_ns) noexcept {
  using kind = publish_step::kind;
  const auto finished = [&] {
    // Acknowledgements cannot come over a lost connection: nothing to wait for then.
    return publish_step{.what = state.outstanding > 0 && state.connected ? kind::drain : kind::done};
  };
  if (state.stopping || !state.connected) return finished();
  if (limits.count != 0 && state.next_sequence >= limits.count) return finished();
  const std::int64_t intended = schedule.intended(state.next_sequence, now_ns);
  if (limits.measure_end_ns != 0 && intended >= limits.measure_end_ns) return finished();
  if (intended > now_ns) return {.what = kind::wait_until, .sequence = state.next_sequence, .intended_ns = intended};
  if (state.outstanding >= limits.inflight) return {.what = kind::wait_for_ack, .sequence = state.next_sequence};
  return {.what = kind::send, .sequence = state.next_sequence, .intended_ns = intended};
}

}  // namespace mqtk::bench
