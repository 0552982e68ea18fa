#pragma once
// The output of a session input: the actions, and an arena owning every byte and view they
// refer to. Reused across calls (clear() keeps the memory), so that a steady stream of
// messages costs no allocation once it has grown. A driver that writes asynchronously may keep
// two lists and alternate, since each list's views stay valid until that list is cleared.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "mqtk/proto/byte_buffer.hpp"
#include "mqtk/proto/session_action.hpp"

namespace mqtk::proto {

class action_list {
 public:
  action_list() = default;
  action_list(const action_list&) = delete;
  action_list& operator=(const action_list&) = delete;
  action_list(action_list&&) noexcept = default;
  action_list& operator=(action_list&&) noexcept = default;

  auto begin() const noexcept { return actions_.begin(); }
  auto end() const noexcept { return actions_.end(); }
  std::size_t size() const noexcept { return actions_.size(); }
  bool empty() const noexcept { return actions_.empty(); }
  const action& operator[](std::size_t i) const noexcept { return actions_[i]; }
  std::span<const action> items() const noexcept { return actions_; }

  // Drops the actions and invalidates their views; keeps capacity and arena blocks.
  void clear() noexcept;

  // For the session: append an action; consecutive sends whose bytes are adjacent in the
  // arena merge into one send_action, so a burst becomes one write.
  void push(action a);
  void push_send(std::span<const std::uint8_t> bytes);
  // Arena memory that lives until clear().
  std::span<std::uint8_t> allocate_bytes(std::size_t n);
  std::string_view copy(std::string_view s);
  std::span<const std::uint8_t> copy(std::span<const std::uint8_t> s);
  std::span<const reason_code> copy(std::span<const reason_code> codes);
  property_list copy(property_list props);
  // Keeps `bytes` alive until clear(), which frees them: a large message's bytes change owner
  // (from the stream decoder) instead of being copied into the arena.
  void adopt(byte_buffer bytes);

 private:
  void* allocate(std::size_t n, std::size_t align);

  struct block {
    std::unique_ptr<std::byte[]> data;
    std::size_t size = 0;
  };
  std::vector<action> actions_;
  std::vector<block> blocks_;
  std::vector<byte_buffer> adopted_;
  std::size_t block_ = 0;  // block being filled
  std::size_t used_ = 0;   // bytes used in that block
};

}  // namespace mqtk::proto
