#include "mqtk/proto/property.hpp"

#include <array>

namespace mqtk::proto {
namespace {

constexpr std::uint16_t scope(std::initializer_list<property_scope> scopes) {
  std::uint16_t bits = 0;
  for (auto s : scopes) bits |= static_cast<std::uint16_t>(s);
  return bits;
}

using S = property_scope;
using T = property_type;
using I = property_id;

// MQTT 5.0 §2.2.2.2, table 2-4: identifier, type and the packets each property may appear in.
constexpr std::array<property_info, 27> property_table{{
    {I::payload_format_indicator, "payload_format_indicator", T::byte, scope({S::publish, S::will}), false},
    {I::message_expiry_interval, "message_expiry_interval", T::four_byte_integer, scope({S::publish, S::will}), false},
    {I::content_type, "content_type", T::utf8_string, scope({S::publish, S::will}), false},
    {I::response_topic, "response_topic", T::utf8_string, scope({S::publish, S::will}), false},
    {I::correlation_data, "correlation_data", T::binary_data, scope({S::publish, S::will}), false},
    // Repeatable in PUBLISH only (one per matching subscription); SUBSCRIBE allows one.
    {I::subscription_identifier, "subscription_identifier", T::variable_byte_integer, scope({S::publish, S::subscribe}), true},
    {I::session_expiry_interval, "session_expiry_interval", T::four_byte_integer, scope({S::connect, S::connack, S::disconnect}), false},
    {I::assigned_client_identifier, "assigned_client_identifier", T::utf8_string, scope({S::connack}), false},
    {I::server_keep_alive, "server_keep_alive", T::two_byte_integer, scope({S::connack}), false},
    {I::authentication_method, "authentication_method", T::utf8_string, scope({S::connect, S::connack, S::auth}), false},
    {I::authentication_data, "authentication_data", T::binary_data, scope({S::connect, S::connack, S::auth}), false},
    {I::request_problem_information, "request_problem_information", T::byte, scope({S::connect}), false},
    {I::will_delay_interval, "will_delay_interval", T::four_byte_integer, scope({S::will}), false},
    {I::request_response_information, "request_response_information", T::byte, scope({S::connect}), false},
    {I::response_information, "response_information", T::utf8_string, scope({S::connack}), false},
    {I::server_reference, "server_reference", T::utf8_string, scope({S::connack, S::disconnect}), false},
    {I::reason_string, "reason_string", T::utf8_string,
     scope({S::connack, S::puback, S::pubrec, S::pubrel, S::pubcomp, S::suback, S::unsuback, S::disconnect, S::auth}), false},
    {I::receive_maximum, "receive_maximum", T::two_byte_integer, scope({S::connect, S::connack}), false},
    {I::topic_alias_maximum, "topic_alias_maximum", T::two_byte_integer, scope({S::connect, S::connack}), false},
    {I::topic_alias, "topic_alias", T::two_byte_integer, scope({S::publish}), false},
    {I::maximum_qos, "maximum_qos", T::byte, scope({S::connack}), false},
    {I::retain_available, "retain_available", T::byte, scope({S::connack}), false},
    {I::user_property, "user_property", T::utf8_string_pair,
     scope({S::connect, S::connack, S::publish, S::will, S::puback, S::pubrec, S::pubrel, S::pubcomp, S::subscribe,
            S::suback, S::unsubscribe, S::unsuback, S::disconnect, S::auth}), true},
    {I::maximum_packet_size, "maximum_packet_size", T::four_byte_integer, scope({S::connect, S::connack}), false},
    {I::wildcard_subscription_available, "wildcard_subscription_available", T::byte, scope({S::connack}), false},
    {I::subscription_identifier_available, "subscription_identifier_available", T::byte, scope({S::connack}), false},
    {I::shared_subscription_available, "shared_subscription_available", T::byte, scope({S::connack}), false},
}};

// Identifier -> index into property_table, or -1; identifiers stop at 0x2A.
constexpr std::array<std::int8_t, 0x2B> index_by_id = [] {
  std::array<std::int8_t, 0x2B> index{};
  index.fill(-1);
  for (std::size_t i = 0; i < property_table.size(); ++i)
    index[static_cast<std::size_t>(property_table[i].id)] = static_cast<std::int8_t>(i);
  return index;
}();

}  // namespace

const property_info* find_property_info(std::uint8_t id) noexcept {
  if (id >= index_by_id.size() || index_by_id[id] < 0) return nullptr;
  return &property_table[static_cast<std::size_t>(index_by_id[id])];
}

std::span<const property_info> all_property_infos() noexcept { return property_table; }

bool property_allowed(property_id id, property_scope where) noexcept {
  const property_info* info = find_property_info(static_cast<std::uint8_t>(id));
  return info && (info->scopes & static_cast<std::uint16_t>(where)) != 0;
}

std::string_view property_value_error(property_id id, std::uint32_t number) noexcept {
  switch (id) {
    case property_id::topic_alias:
    case property_id::receive_maximum:
    case property_id::maximum_packet_size:
      return number == 0 ? "must not be 0" : "";
    case property_id::subscription_identifier:
      return number == 0 || number > 268'435'455 ? "must be from 1 to 268435455" : "";
    case property_id::payload_format_indicator:
    case property_id::request_problem_information:
    case property_id::request_response_information:
    case property_id::maximum_qos:
    case property_id::retain_available:
    case property_id::wildcard_subscription_available:
    case property_id::subscription_identifier_available:
    case property_id::shared_subscription_available:
      return number > 1 ? "must be 0 or 1" : "";
    default:
      return "";
  }
}

const property* property_list::find(property_id id) const noexcept {
  for (const property& p : *this)
    if (p.id == id) return &p;
  return nullptr;
}

std::optional<std::uint32_t> property_list::number(property_id id) const noexcept {
  if (const property* p = find(id)) return p->number;
  return std::nullopt;
}

std::optional<std::string_view> property_list::string(property_id id) const noexcept {
  if (const property* p = find(id)) return p->value;
  return std::nullopt;
}

}  // namespace mqtk::proto
