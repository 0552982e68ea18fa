#pragma once
// What one bench publisher does next, decided from its counts and the time: send message
// `sequence` (due at `intended_ns`), wait until a later due time, wait for an acknowledgement
// to free a slot of the window, wait for the acknowledgements still due after the last
// message, or stop. The worker asks after every send, acknowledgement, timer and loss, and
// carries the answer out; this part reads no clock and touches no socket.
#include <cstdint>

#include "mqtk/bench/send_schedule.hpp"

namespace mqtk::bench {

struct publisher_limits {
  std::uint64_t count = 0;           // -n messages; 0: until the measurement ends or a stop
  std::uint64_t inflight = 20;       // --inflight: unacknowledged messages at most
  std::int64_t measure_end_ns = 0;   // -d: nothing due at or after it is sent; 0: no end
};

struct publisher_state {
  std::uint64_t next_sequence = 0;   // messages handed over so far
  std::uint64_t outstanding = 0;     // of them, not yet acknowledged (nor failed)
  bool connected = true;
  bool stopping = false;             // Ctrl-C, or the run ends
};

struct publish_step {
  enum class kind : std::uint8_t {
    send,            // message `sequence`, due at `intended_ns`
    wait_until,      // the next message is due at `intended_ns`
    wait_for_ack,    // the window is full
    drain,           // nothing more to send; acknowledgements still due
    done,            // nothing more to send or to wait for
  };
  kind what = kind::done;
  std::uint64_t sequence = 0;
  std::int64_t intended_ns = 0;

  bool operator==(const publish_step&) const = default;
};

publish_step next_publish_step(const send_schedule& schedule, const publisher_limits& limits, const publisher_state& state,
                               std::int64_t now_ns) noexcept;

}  // namespace mqtk::bench
