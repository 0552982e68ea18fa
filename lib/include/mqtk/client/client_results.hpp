#pragma once
// What the client's operations complete with, beside their error_code. Owned values: they may
// be kept after the completion.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::client {

// The accepted (or refusing) CONNACK of async_connect.
struct connect_result {
  bool session_present = false;
  proto::reason_code reason_code;  // 3.1.1 return code or 5.0 reason code
  proto::protocol_version version = proto::protocol_version::v311;
  proto::server_limits limits;   // receive maximum, maximum QoS, packet size, ...
  std::chrono::seconds keep_alive{0};  // in force: the broker's Server Keep Alive or ours
  std::string client_id;         // in force: the broker-assigned one, or ours
  std::string reason_string;     // 5.0 Reason String, when sent
};

struct publish_result {
  // PUBACK / PUBREC (or PUBCOMP) reason code; success for QoS 0 and for 3.1.1. A failure code
  // (5.0, >= 0x80) comes with error session_error::rejected.
  proto::reason_code reason_code;
  std::uint16_t packet_id = 0;  // 0 for QoS 0
};

// SUBACK / UNSUBACK: one code per filter, in request order (granted QoS 0-2, or a failure
// >= 0x80). UNSUBACK before 5.0 carries none: the vector is empty.
struct subscribe_result {
  std::vector<proto::reason_code> reason_codes;
  std::uint16_t packet_id = 0;
};

}  // namespace mqtk::client
