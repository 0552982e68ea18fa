#include "mqtk/proto/session_action_list.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>

namespace mqtk::proto {
namespace {
// Big enough that a burst of small packets fits in one block and coalesces into one write.
constexpr std::size_t min_block_size = 16 * 1024;
}  // namespace

void action_list::clear() noexcept {
  actions_.clear();
  adopted_.clear();
  block_ = 0;
  used_ = 0;
}

void action_list::push(action a) { actions_.push_back(std::move(a)); }

void action_list::push_send(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  if (!actions_.empty()) {
    if (auto* last = std::get_if<send_action>(&actions_.back());
        last != nullptr && last->bytes.data() + last->bytes.size() == bytes.data()) {
      last->bytes = {last->bytes.data(), last->bytes.size() + bytes.size()};
      return;
    }
  }
  actions_.push_back(send_action{bytes});
}

void* action_list::allocate(std::size_t n, std::size_t align) {
  while (block_ < blocks_.size()) {
    std::size_t offset = (used_ + align - 1) & ~(align - 1);
    if (offset + n <= blocks_[block_].size) {
      used_ = offset + n;
      return blocks_[block_].data.get() + offset;
    }
    ++block_;
    used_ = 0;
  }
  // operator new[] aligns to __STDCPP_DEFAULT_NEW_ALIGNMENT__, enough for every type stored.
  std::size_t size = std::max(n, min_block_size);
  blocks_.push_back(block{std::unique_ptr<std::byte[]>(new std::byte[size]), size});
  block_ = blocks_.size() - 1;
  used_ = n;
  return blocks_[block_].data.get();
}

std::span<std::uint8_t> action_list::allocate_bytes(std::size_t n) {
  if (n == 0) return {};
  return {static_cast<std::uint8_t*>(allocate(n, 1)), n};
}

std::string_view action_list::copy(std::string_view s) {
  if (s.empty()) return {};
  auto* p = static_cast<char*>(allocate(s.size(), 1));
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

std::span<const std::uint8_t> action_list::copy(std::span<const std::uint8_t> s) {
  auto dst = allocate_bytes(s.size());
  if (!s.empty()) std::memcpy(dst.data(), s.data(), s.size());
  return dst;
}

void action_list::adopt(byte_buffer bytes) { adopted_.push_back(std::move(bytes)); }

std::span<const reason_code> action_list::copy(std::span<const reason_code> codes) {
  static_assert(std::is_trivially_copyable_v<reason_code>);
  if (codes.empty()) return {};
  auto* p = static_cast<reason_code*>(allocate(sizeof(reason_code) * codes.size(), alignof(reason_code)));
  std::uninitialized_copy(codes.begin(), codes.end(), p);
  return {p, codes.size()};
}

property_list action_list::copy(property_list props) {
  static_assert(std::is_trivially_copyable_v<property>);
  if (props.empty()) return {};
  auto* p = static_cast<property*>(allocate(sizeof(property) * props.size(), alignof(property)));
  std::size_t i = 0;
  for (const property& src : props) {
    property dst = src;
    dst.key = copy(src.key);
    dst.value = copy(src.value);
    new (p + i++) property(dst);
  }
  return property_list(std::span<const property>(p, props.size()));
}

}  // namespace mqtk::proto
