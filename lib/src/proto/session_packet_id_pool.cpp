#include "mqtk/proto/session_packet_id_pool.hpp"

#include <algorithm>

namespace mqtk::proto {

std::optional<std::uint16_t> packet_id_pool::allocate() noexcept {
  if (used_ >= 65535) return std::nullopt;
  std::uint16_t id = last_;
  // At most 65535 probes, and usually one: ids come back roughly in the order they went out.
  for (;;) {
    id = id == 65535 ? 1 : static_cast<std::uint16_t>(id + 1);
    if (!in_use(id)) break;
  }
  reserve(id);
  last_ = id;
  return id;
}

bool packet_id_pool::reserve(std::uint16_t id) noexcept {
  if (id == 0 || in_use(id)) return false;
  if (!bits_) {
    bits_ = std::make_unique<std::uint64_t[]>(words);  // zeroed
  }
  bits_[id / 64] |= std::uint64_t{1} << (id % 64);
  ++used_;
  return true;
}

void packet_id_pool::release(std::uint16_t id) noexcept {
  if (!in_use(id)) return;
  bits_[id / 64] &= ~(std::uint64_t{1} << (id % 64));
  --used_;
}

bool packet_id_pool::in_use(std::uint16_t id) const noexcept {
  return bits_ && (bits_[id / 64] >> (id % 64) & 1U) != 0;
}

void packet_id_pool::clear() noexcept {
  if (bits_) std::fill_n(bits_.get(), words, std::uint64_t{0});
  used_ = 0;
}

}  // namespace mqtk::proto
