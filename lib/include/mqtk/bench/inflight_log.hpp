#pragma once
// When each unacknowledged message of one publisher was due and when it went out, found again
// by the session's operation id when its acknowledgement completes it. A broker acknowledges
// QoS 1 and QoS 2 messages in the order it received them (MQTT 5.0 4.6), so the oldest entry
// is almost always the one asked for: a FIFO that checks the front first needs no allocation
// per message and no hashing; an out-of-order completion (a failure, a broker that reorders) is
// found by a scan of the few entries in flight.
#include <cstdint>
#include <optional>
#include <vector>

namespace mqtk::bench {

class inflight_log {
 public:
  struct entry {
    std::uint64_t op = 0;
    std::int64_t intended_ns = 0;
    std::int64_t sent_ns = 0;
  };

  void push(std::uint64_t op, std::int64_t intended_ns, std::int64_t sent_ns);
  // The entry of `op`, removed; nullopt when `op` was never pushed or was taken already.
  std::optional<entry> take(std::uint64_t op) noexcept;
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  entry& at(std::size_t i) noexcept { return items_[(head_ + i) & (items_.size() - 1)]; }

  std::vector<entry> items_;  // a ring; capacity a power of two (or zero)
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace mqtk::bench
