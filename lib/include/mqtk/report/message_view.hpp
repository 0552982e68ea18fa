#pragma once
// One received application message, as the output formatters (-F, -v, --json) see it. It views
// into storage the caller owns (a decoded PUBLISH, a test's literals), so building one costs
// nothing; the receive time comes in as a value because report/ never reads a clock.
#include <chrono>
#include <cstdint>
#include <string_view>

#include "mqtk/proto/packet.hpp"
#include "mqtk/proto/property.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::report {

struct message_view {
  std::string_view topic;
  std::string_view payload;
  proto::qos qos = proto::qos::at_most_once;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;                        // 0 for QoS 0
  const proto::property_list* properties = nullptr;   // nullptr or empty: none (3.1.1)
  std::chrono::system_clock::time_point timestamp{};  // when the message arrived
};

// A view of a decoded PUBLISH received at `at`; `p` must outlive the view.
message_view make_message_view(const proto::publish& p, std::chrono::system_clock::time_point at) noexcept;

}  // namespace mqtk::report
