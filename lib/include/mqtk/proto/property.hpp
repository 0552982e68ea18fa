#pragma once
// MQTT 5.0 properties: the 27 identifiers, their wire types, and where each is allowed.
#include <cstdint>
#include <optional>
#include <string_view>

#include "mqtk/proto/types.hpp"

namespace mqtk::proto {

enum class property_id : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

enum class property_type : std::uint8_t {
  byte, two_byte_integer, four_byte_integer, variable_byte_integer, utf8_string, binary_data, utf8_string_pair
};

// Where a property may appear. The will properties sit inside CONNECT but have their own set.
enum class property_scope : std::uint16_t {
  connect = 1 << 0, connack = 1 << 1, publish = 1 << 2, will = 1 << 3, puback = 1 << 4,
  pubrec = 1 << 5, pubrel = 1 << 6, pubcomp = 1 << 7, subscribe = 1 << 8, suback = 1 << 9,
  unsubscribe = 1 << 10, unsuback = 1 << 11, disconnect = 1 << 12, auth = 1 << 13,
};

struct property_info {
  property_id id;
  std::string_view name;  // snake_case, as in JSON output: "message_expiry_interval"
  property_type type;
  std::uint16_t scopes;   // bit set of property_scope
  bool repeatable;        // user_property and subscription_identifier (in PUBLISH) may repeat
};

// nullptr when the identifier is not one of the 27.
const property_info* find_property_info(std::uint8_t id) noexcept;
std::span<const property_info> all_property_infos() noexcept;
bool property_allowed(property_id id, property_scope scope) noexcept;

// Why the specification forbids this integer value for `id`, or "" when it is allowed: a
// topic alias, receive maximum or maximum packet size of 0, a subscription identifier of 0 or
// above 268,435,455, or a 0-or-1 property (payload format, request problem/response
// information, ...) with another value. A receiver treats these as a protocol error.
std::string_view property_value_error(property_id id, std::uint32_t number) noexcept;

// One property as it stands on the wire. Integers (of any width, and variable byte integers)
// are in `number`; strings and binary data in `value`; a user property's key in `key`.
struct property {
  property_id id{};
  std::uint32_t number = 0;
  std::string_view key;
  std::string_view value;

  friend bool operator==(const property&, const property&) = default;
};

// Properties keep their wire order, so that a decoded packet re-encodes to the same bytes
// and user properties (whose keys may repeat) keep the order the sender gave them.
class property_list : public list_view<property> {
 public:
  using list_view<property>::list_view;

  const property* find(property_id id) const noexcept;
  std::optional<std::uint32_t> number(property_id id) const noexcept;
  std::optional<std::string_view> string(property_id id) const noexcept;
};

}  // namespace mqtk::proto
