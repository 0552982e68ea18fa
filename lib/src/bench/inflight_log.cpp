#include "mqtk/bench/inflight_log.hpp"

namespace mqtk::bench {

void inflight_log::push(std::uint64_t op, std::int64_t intended_ns, std::int64_t sent_ns) {
  if (size_ == items_.size()) {
    std::vector<entry> grown(items_.empty() ? 8 : items_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) grown[i] = at(i);
    items_ = std::move(grown);
    head_ = 0;
  }
  at(size_++) = entry{op, intended_ns, sent_ns};
}

std::optional<inflight_log::entry> inflight_log::take(std::uint64_t op) noexcept {
  for (std::size_t i = 0; i < size_; ++i) {
    if (at(i).op != op) continue;
    const entry found = at(i);
    // Close the gap, keeping the order of the rest (i is 0 unless acknowledgements came out of order).
    for (std::size_t j = i; j > 0; --j) at(j) = at(j - 1);
    head_ = (head_ + 1) & (items_.size() - 1);
    --size_;
    return found;
  }
  return std::nullopt;
}

}  // namespace mqtk::bench
