#pragma once
// The packet identifiers a client has in use (PUBLISH QoS 1/2, SUBSCRIBE, UNSUBSCRIBE).
#include <cstdint>
#include <memory>
#include <optional>

namespace mqtk::proto {

class packet_id_pool {
 public:
  // The next free id after the last one handed out, wrapping from 65535 to 1, so that a
  // just-released id is not reused at once (a late duplicate ack cannot hit a new message).
  std::optional<std::uint16_t> allocate() noexcept;
  // Marks a specific id used (ids restored from a persisted session); false if already used.
  bool reserve(std::uint16_t id) noexcept;
  void release(std::uint16_t id) noexcept;
  bool in_use(std::uint16_t id) const noexcept;
  std::size_t used() const noexcept { return used_; }
  void clear() noexcept;

 private:
  static constexpr std::size_t words = 65536 / 64;
  // Allocated on first use: a QoS 0 session (most bench connections) never pays its 8 KiB.
  std::unique_ptr<std::uint64_t[]> bits_;
  std::size_t used_ = 0;
  std::uint16_t last_ = 0;
};

}  // namespace mqtk::proto
