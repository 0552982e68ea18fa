#include "mqtk/bench/sequence_tracker.hpp"

namespace mqtk::bench {

delivery_counts& delivery_counts::operator+=(const delivery_counts& o) noexcept {
  received += o.received;
  duplicated += o.duplicated;
  out_of_order += o.out_of_order;
  lost += o.lost;
  return *this;
}

void sequence_tracker::expect(std::uint32_t publisher) { publishers_.try_emplace(publisher); }

arrival sequence_tracker::on_message(std::uint32_t publisher, std::uint64_t sequence) {
  ++counts_.received;
  // A number this large is not from a bench publisher (which would need years to reach it):
  // count the message but keep no bits for it, so a stray payload cannot exhaust memory.
  if (sequence >= max_tracked_sequence) return arrival::in_order;
  auto& p = publishers_[publisher];
  if (sequence >= p.seen.size()) {
    // Grow geometrically: a million messages from one publisher cost 125 KB of bits here.
    std::size_t size = std::max<std::size_t>(p.seen.size() * 2, 1024);
    while (size <= sequence) size *= 2;
    p.seen.resize(size, false);
  }
  if (p.seen[sequence]) {
    ++counts_.duplicated;
    return arrival::duplicate;
  }
  p.seen[sequence] = true;
  ++p.distinct;
  const bool late = p.highest && sequence < *p.highest;
  if (!p.highest || sequence > *p.highest) p.highest = sequence;
  if (late) {
    ++counts_.out_of_order;
    return arrival::out_of_order;
  }
  return arrival::in_order;
}

delivery_counts sequence_tracker::finish(const std::function<std::optional<std::uint64_t>(std::uint32_t)>& sent) const {
  delivery_counts out = counts_;
  for (const auto& [id, p] : publishers_) {
    std::optional<std::uint64_t> expected = sent ? sent(id) : std::nullopt;
    if (!expected) expected = p.highest ? *p.highest + 1 : 0;
    if (*expected > p.distinct) out.lost += *expected - p.distinct;
  }
  return out;
}

}  // namespace mqtk::bench
