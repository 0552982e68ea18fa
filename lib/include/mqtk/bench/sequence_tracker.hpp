#pragma once
// Exact delivery accounting on the receiving side, per publisher: every message carries
// (publisher id, sequence number) in its payload_header, and the tracker remembers which
// sequence numbers arrived (one bit each), so that a duplicate is told from a late arrival and
// the loss at the end is exact: expected - distinct received. One tracker per subscriber
// connection (a message fanned out to two subscribers is two deliveries).
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace mqtk::bench {

struct delivery_counts {
  std::uint64_t received = 0;      // every message with a header, duplicates included
  std::uint64_t duplicated = 0;    // a sequence number seen before from the same publisher
  std::uint64_t out_of_order = 0;  // first arrival of a number lower than one already seen
  std::uint64_t lost = 0;          // expected but never received (known at finish())

  delivery_counts& operator+=(const delivery_counts& o) noexcept;
  bool operator==(const delivery_counts&) const = default;
};

enum class arrival : std::uint8_t { in_order, out_of_order, duplicate };

class sequence_tracker {
 public:
  static constexpr std::uint64_t max_tracked_sequence = std::uint64_t{1} << 32;
  // Declares that `publisher` should deliver here, so that losing all of its messages is
  // counted (a publisher never heard from is otherwise unknown).
  void expect(std::uint32_t publisher);
  arrival on_message(std::uint32_t publisher, std::uint64_t sequence);

  // The counts, losses included: for each publisher, `sent(publisher)` (when it knows how many
  // that publisher sent) or else the highest sequence number seen + 1 (trailing losses of a
  // remote publisher cannot be seen) minus the distinct numbers received.
  delivery_counts finish(const std::function<std::optional<std::uint64_t>(std::uint32_t)>& sent) const;
  const delivery_counts& counts() const noexcept { return counts_; }  // losses not yet included

 private:
  struct publisher_state {
    std::vector<bool> seen;  // by sequence number
    std::uint64_t distinct = 0;
    std::optional<std::uint64_t> highest;
  };
  std::unordered_map<std::uint32_t, publisher_state> publishers_;
  delivery_counts counts_;
};

}  // namespace mqtk::bench
