#include "mqtk/proto/session_slot_ring.hpp"

namespace mqtk::proto {

void slot_ring::grow() {
  std::vector<std::uint32_t> bigger(items_.empty() ? 16 : items_.size() * 2);
  for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
  items_.swap(bigger);
  head_ = 0;
}

void slot_ring::push_back(std::uint32_t v) {
  if (size_ == items_.size()) grow();
  ++size_;
  at(size_ - 1) = v;
}

void slot_ring::push_front(std::uint32_t v) {
  if (size_ == items_.size()) grow();
  head_ = (head_ + items_.size() - 1) & (items_.size() - 1);
  ++size_;
  at(0) = v;
}

void slot_ring::pop_front() noexcept {
  if (size_ == 0) return;
  head_ = (head_ + 1) & (items_.size() - 1);
  --size_;
}

void slot_ring::erase(std::size_t i) noexcept {
  if (i >= size_) return;
  for (std::size_t j = i; j + 1 < size_; ++j) at(j) = at(j + 1);
  --size_;
}

}  // namespace mqtk::proto
