#pragma once
// Basic vocabulary of the MQTT wire protocol shared by every proto header.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mqtk::proto {

// The protocol level byte of CONNECT: 3 = MQTT 3.1 ("MQIsdp"), 4 = 3.1.1, 5 = 5.0.
enum class protocol_version : std::uint8_t { v31 = 3, v311 = 4, v5 = 5 };

// The high nibble of the first fixed-header byte; 0 is reserved (MQTT 3.1.1 and 5.0 both).
enum class packet_type : std::uint8_t {
  connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp,
  subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth
};

enum class qos : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

// "3.1", "3.1.1", "5.0": the spelling used in JSON output and by tshark.
std::string_view version_name(protocol_version v) noexcept;
// "CONNECT", "PUBLISH", ...: the spelling used in JSON output and traces.
std::string_view packet_type_name(packet_type t) noexcept;

// A read-only sequence that compares by value. Decoded packets view into the decoder's input
// or scratch storage; packets built by hand view into the caller's arrays or vectors.
template <class T>
class list_view {
 public:
  constexpr list_view() noexcept = default;
  constexpr list_view(std::span<const T> items) noexcept : items_(items) {}
  list_view(const std::vector<T>& items) noexcept : items_(items) {}
  constexpr list_view(std::initializer_list<T> items) noexcept = delete;  // would dangle

  constexpr auto begin() const noexcept { return items_.begin(); }
  constexpr auto end() const noexcept { return items_.end(); }
  constexpr std::size_t size() const noexcept { return items_.size(); }
  constexpr bool empty() const noexcept { return items_.empty(); }
  constexpr const T& operator[](std::size_t i) const noexcept { return items_[i]; }
  constexpr std::span<const T> span() const noexcept { return items_; }

  friend bool operator==(const list_view& a, const list_view& b) noexcept {
    return std::ranges::equal(a.items_, b.items_);
  }

 private:
  std::span<const T> items_;
};

}  // namespace mqtk::proto
