#pragma once
// One plain aggregate per MQTT control packet, and `packet`, the variant of all fifteen.
//
// Strings, binary data and lists are views: a decoded packet views into the bytes given to the
// decoder (or its scratch storage) and stays valid until the decoder's next call; a packet built
// by hand views into storage the caller keeps alive while it is encoded.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "mqtk/proto/property.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::proto {

struct will_message {
  std::string_view topic;
  std::string_view payload;
  proto::qos qos = qos::at_most_once;
  bool retain = false;
  property_list properties;  // 5.0 will properties

  friend bool operator==(const will_message&, const will_message&) = default;
};

struct connect {
  protocol_version version = protocol_version::v311;
  std::string_view client_id;
  std::uint16_t keep_alive = 60;
  bool clean_start = true;  // "clean session" before 5.0
  std::optional<will_message> will;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;
  property_list properties;

  friend bool operator==(const connect&, const connect&) = default;
};

struct connack {
  bool session_present = false;
  proto::reason_code reason_code;  // 3.1.1 return code (0-5) or 5.0 reason code
  property_list properties;

  friend bool operator==(const connack&, const connack&) = default;
};

struct publish {
  std::string_view topic;
  std::string_view payload;
  proto::qos qos = qos::at_most_once;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;  // present on the wire only for QoS 1 and 2
  property_list properties;

  friend bool operator==(const publish&, const publish&) = default;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape; the tag keeps them distinct types.
// In 5.0 a reason code of 0 with no properties is sent in the two-byte short form.
template <packet_type Type>
struct publish_response {
  static constexpr packet_type type = Type;
  std::uint16_t packet_id = 0;
  proto::reason_code reason_code;
  property_list properties;

  friend bool operator==(const publish_response&, const publish_response&) = default;
};
using puback = publish_response<packet_type::puback>;
using pubrec = publish_response<packet_type::pubrec>;
using pubrel = publish_response<packet_type::pubrel>;
using pubcomp = publish_response<packet_type::pubcomp>;

struct subscription {
  std::string_view filter;
  proto::qos max_qos = qos::at_most_once;
  bool no_local = false;             // 5.0
  bool retain_as_published = false; // 5.0
  std::uint8_t retain_handling = 0;  // 5.0: 0 send retained, 1 only if new, 2 never

  friend bool operator==(const subscription&, const subscription&) = default;
};

struct subscribe {
  std::uint16_t packet_id = 0;
  list_view<subscription> subscriptions;
  property_list properties;

  friend bool operator==(const subscribe&, const subscribe&) = default;
};

struct suback {
  std::uint16_t packet_id = 0;
  list_view<proto::reason_code> reason_codes;  // granted QoS (0-2) or a failure code (0x80+)
  property_list properties;

  friend bool operator==(const suback&, const suback&) = default;
};

struct unsubscribe {
  std::uint16_t packet_id = 0;
  list_view<std::string_view> filters;
  property_list properties;

  friend bool operator==(const unsubscribe&, const unsubscribe&) = default;
};

struct unsuback {
  std::uint16_t packet_id = 0;
  list_view<proto::reason_code> reason_codes;  // 5.0 only; empty before 5.0
  property_list properties;

  friend bool operator==(const unsuback&, const unsuback&) = default;
};

struct pingreq {
  friend bool operator==(const pingreq&, const pingreq&) = default;
};
struct pingresp {
  friend bool operator==(const pingresp&, const pingresp&) = default;
};

// In 5.0 a reason code of 0 with no properties is sent with remaining length 0.
struct disconnect {
  proto::reason_code reason_code;
  property_list properties;

  friend bool operator==(const disconnect&, const disconnect&) = default;
};

struct auth {
  proto::reason_code reason_code;
  property_list properties;

  friend bool operator==(const auth&, const auth&) = default;
};

using packet = std::variant<connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe,
                            suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth>;

packet_type type_of(const packet& p) noexcept;

// A stable one-line description used by -d output, mqtk-decode and test failures, e.g.
// `PUBLISH(topic="a/b", qos=1, retain=0, dup=0, id=7, payload=5 bytes "hello")`.
// Passwords are shown by length only.
std::string to_string(const packet& p);

}  // namespace mqtk::proto
