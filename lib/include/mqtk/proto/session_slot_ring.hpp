#pragma once
// A FIFO of slot indices for the session's send queue and in-flight list. Unlike std::deque,
// steady push_back/pop_front traffic reuses the same storage and never allocates once grown.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mqtk::proto {

class slot_ring {
 public:
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  std::uint32_t operator[](std::size_t i) const noexcept { return items_[(head_ + i) & (items_.size() - 1)]; }
  std::uint32_t front() const noexcept { return (*this)[0]; }

  void push_back(std::uint32_t v);
  void push_front(std::uint32_t v);
  void pop_front() noexcept;
  // Removes the i-th element, keeping the order of the rest. O(size - i): the in-flight list is
  // acknowledged nearly in order, so i is almost always 0.
  void erase(std::size_t i) noexcept;
  void clear() noexcept { head_ = 0; size_ = 0; }

 private:
  void grow();
  std::uint32_t& at(std::size_t i) noexcept { return items_[(head_ + i) & (items_.size() - 1)]; }

  std::vector<std::uint32_t> items_;  // capacity is a power of two (or zero)
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace mqtk::proto
