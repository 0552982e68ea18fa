#pragma once
// A DISCONNECT the caller asked for, held back (client_options::confirm_qos0_before_disconnect)
// until a PINGRESP confirms the QoS 0 publishes before it: an owned copy, since the caller's
// properties view strings that are gone by then.
#include <deque>
#include <string>
#include <vector>

#include "mqtk/proto/packet.hpp"

namespace mqtk::client::detail {

class held_disconnect {
 public:
  held_disconnect() = default;
  // The copy views this object's own storage: neither copied nor moved.
  held_disconnect(const held_disconnect&) = delete;
  held_disconnect& operator=(const held_disconnect&) = delete;

  void hold(const proto::disconnect& d);
  const proto::disconnect& packet() const noexcept { return packet_; }

 private:
  proto::disconnect packet_;
  std::vector<proto::property> properties_;
  std::deque<std::string> strings_;  // a deque: its strings do not move as it grows
};

}  // namespace mqtk::client::detail
