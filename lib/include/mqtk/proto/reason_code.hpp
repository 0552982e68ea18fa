#pragma once
// Every MQTT 3.1.1 CONNACK return code and 5.0 reason code, in one table: its name, the packets
// it applies to and a one-line meaning. diag/ builds its explanations and hints on top of this.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mqtk/proto/types.hpp"

namespace mqtk::proto {

struct reason_code_info {
  std::uint8_t code;
  std::string_view name;     // "Not authorized"
  std::string_view meaning;  // one line: what the sender wants to say
  std::uint16_t packets;     // bit (1 << packet_type) for each packet type it may appear in
  bool v311_return_code;     // a 3.1.1 CONNACK return code rather than a 5.0 reason code
};

std::span<const reason_code_info> all_reason_codes() noexcept;

// The entry for `code` in `type` under `version` (3.1.1 return codes for CONNACK before 5.0).
// nullptr when that code is not defined there.
const reason_code_info* find_reason_code(std::uint8_t code, packet_type type,
                                         protocol_version version) noexcept;

// Name for display; "Unknown reason code 0x.." style text is produced by the caller.
std::string_view reason_code_name(std::uint8_t code, packet_type type,
                                  protocol_version version) noexcept;

// "0x87": how stderr lines and traces show a reason code next to its name ("0x8C" with
// hex_case::upper, as the capture reports and refusal explanations print it).
enum class hex_case : std::uint8_t { lower, upper };
std::string reason_code_hex(std::uint8_t code, hex_case letters = hex_case::lower);

// 5.0: a code of 0x80 or above is a failure. 3.1.1 CONNACK: any non-zero code is a refusal.
constexpr bool is_failure(std::uint8_t code, packet_type type, protocol_version version) noexcept {
  if (version != protocol_version::v5 && type == packet_type::connack) return code != 0;
  if (type == packet_type::suback && version != protocol_version::v5) return code == 0x80;
  return code >= 0x80;
}

// One reason code (5.0) or return code (3.1 / 3.1.1) as it travels through the library: a byte
// with a type, so a reason code is not mistaken for a count or a flag and is never compared with
// bare literals. A code only means something together with the packet that carried it and the
// protocol version (0x00 is "Success", "Normal disconnection" or "Granted QoS 0"; 0x05 is
// "Not authorized" in a 3.1.1 CONNACK and undefined in 5.0), so the questions that depend on
// that take the packet type and version. It is one byte and every member is constexpr or a
// table lookup, so the session's hot path pays nothing for it.
class reason_code {
 public:
  constexpr reason_code() noexcept = default;
  constexpr explicit reason_code(std::uint8_t value) noexcept : value_(value) {}

  constexpr std::uint8_t value() const noexcept { return value_; }
  friend constexpr auto operator<=>(reason_code, reason_code) noexcept = default;

  // A refusal or error rather than success (5.0: 0x80 and above; 3.1.1 CONNACK: non-zero;
  // 3.1.1 SUBACK: 0x80).
  constexpr bool is_failure(packet_type type, protocol_version version) const noexcept {
    return proto::is_failure(value_, type, version);
  }
  // The table entry (name, meaning, packets); nullptr when the code is not defined for `type`
  // under `version`.
  const reason_code_info* info(packet_type type, protocol_version version) const noexcept {
    return find_reason_code(value_, type, version);
  }
  // Whether the spec defines this code for `type` under `version`.
  bool valid_in(packet_type type, protocol_version version) const noexcept {
    return info(type, version) != nullptr;
  }
  // The spec's name ("Not authorized"); empty when the code is not defined there.
  std::string_view name(packet_type type, protocol_version version) const noexcept {
    return reason_code_name(value_, type, version);
  }
  // "0x87" (or "0x8C" with hex_case::upper).
  std::string hex(hex_case letters = hex_case::lower) const { return reason_code_hex(value_, letters); }

  // MQTT 3.1 / 3.1.1 CONNACK return codes (3.1.1 §3.2.2.3) and the SUBACK failure (§3.9.3).
  static const reason_code connection_accepted;
  static const reason_code v311_unacceptable_protocol_version;
  static const reason_code v311_identifier_rejected;
  static const reason_code v311_server_unavailable;
  static const reason_code v311_bad_user_name_or_password;
  static const reason_code v311_not_authorized;
  static const reason_code v311_subscription_failure;

  // MQTT 5.0 reason codes (5.0 §2.4, Table 2-6).
  static const reason_code success;
  static const reason_code normal_disconnection;
  static const reason_code granted_qos_0;
  static const reason_code granted_qos_1;
  static const reason_code granted_qos_2;
  static const reason_code disconnect_with_will_message;
  static const reason_code no_matching_subscribers;
  static const reason_code no_subscription_existed;
  static const reason_code continue_authentication;
  static const reason_code re_authenticate;
  static const reason_code unspecified_error;
  static const reason_code malformed_packet;
  static const reason_code protocol_error;
  static const reason_code implementation_specific_error;
  static const reason_code unsupported_protocol_version;
  static const reason_code client_identifier_not_valid;
  static const reason_code bad_user_name_or_password;
  static const reason_code not_authorized;
  static const reason_code server_unavailable;
  static const reason_code server_busy;
  static const reason_code banned;
  static const reason_code server_shutting_down;
  static const reason_code bad_authentication_method;
  static const reason_code keep_alive_timeout;
  static const reason_code session_taken_over;
  static const reason_code topic_filter_invalid;
  static const reason_code topic_name_invalid;
  static const reason_code packet_identifier_in_use;
  static const reason_code packet_identifier_not_found;
  static const reason_code receive_maximum_exceeded;
  static const reason_code topic_alias_invalid;
  static const reason_code packet_too_large;
  static const reason_code message_rate_too_high;
  static const reason_code quota_exceeded;
  static const reason_code administrative_action;
  static const reason_code payload_format_invalid;
  static const reason_code retain_not_supported;
  static const reason_code qos_not_supported;
  static const reason_code use_another_server;
  static const reason_code server_moved;
  static const reason_code shared_subscriptions_not_supported;
  static const reason_code connection_rate_exceeded;
  static const reason_code maximum_connect_time;
  static const reason_code subscription_identifiers_not_supported;
  static const reason_code wildcard_subscriptions_not_supported;

 private:
  std::uint8_t value_ = 0;
};

static_assert(sizeof(reason_code) == 1);

constexpr reason_code reason_code::connection_accepted{0x00};
constexpr reason_code reason_code::v311_unacceptable_protocol_version{0x01};
constexpr reason_code reason_code::v311_identifier_rejected{0x02};
constexpr reason_code reason_code::v311_server_unavailable{0x03};
constexpr reason_code reason_code::v311_bad_user_name_or_password{0x04};
constexpr reason_code reason_code::v311_not_authorized{0x05};
constexpr reason_code reason_code::v311_subscription_failure{0x80};

constexpr reason_code reason_code::success{0x00};
constexpr reason_code reason_code::normal_disconnection{0x00};
constexpr reason_code reason_code::granted_qos_0{0x00};
constexpr reason_code reason_code::granted_qos_1{0x01};
constexpr reason_code reason_code::granted_qos_2{0x02};
constexpr reason_code reason_code::disconnect_with_will_message{0x04};
constexpr reason_code reason_code::no_matching_subscribers{0x10};
constexpr reason_code reason_code::no_subscription_existed{0x11};
constexpr reason_code reason_code::continue_authentication{0x18};
constexpr reason_code reason_code::re_authenticate{0x19};
constexpr reason_code reason_code::unspecified_error{0x80};
constexpr reason_code reason_code::malformed_packet{0x81};
constexpr reason_code reason_code::protocol_error{0x82};
constexpr reason_code reason_code::implementation_specific_error{0x83};
constexpr reason_code reason_code::unsupported_protocol_version{0x84};
constexpr reason_code reason_code::client_identifier_not_valid{0x85};
constexpr reason_code reason_code::bad_user_name_or_password{0x86};
constexpr reason_code reason_code::not_authorized{0x87};
constexpr reason_code reason_code::server_unavailable{0x88};
constexpr reason_code reason_code::server_busy{0x89};
constexpr reason_code reason_code::banned{0x8A};
constexpr reason_code reason_code::server_shutting_down{0x8B};
constexpr reason_code reason_code::bad_authentication_method{0x8C};
constexpr reason_code reason_code::keep_alive_timeout{0x8D};
constexpr reason_code reason_code::session_taken_over{0x8E};
constexpr reason_code reason_code::topic_filter_invalid{0x8F};
constexpr reason_code reason_code::topic_name_invalid{0x90};
constexpr reason_code reason_code::packet_identifier_in_use{0x91};
constexpr reason_code reason_code::packet_identifier_not_found{0x92};
constexpr reason_code reason_code::receive_maximum_exceeded{0x93};
constexpr reason_code reason_code::topic_alias_invalid{0x94};
constexpr reason_code reason_code::packet_too_large{0x95};
constexpr reason_code reason_code::message_rate_too_high{0x96};
constexpr reason_code reason_code::quota_exceeded{0x97};
constexpr reason_code reason_code::administrative_action{0x98};
constexpr reason_code reason_code::payload_format_invalid{0x99};
constexpr reason_code reason_code::retain_not_supported{0x9A};
constexpr reason_code reason_code::qos_not_supported{0x9B};
constexpr reason_code reason_code::use_another_server{0x9C};
constexpr reason_code reason_code::server_moved{0x9D};
constexpr reason_code reason_code::shared_subscriptions_not_supported{0x9E};
constexpr reason_code reason_code::connection_rate_exceeded{0x9F};
constexpr reason_code reason_code::maximum_connect_time{0xA0};
constexpr reason_code reason_code::subscription_identifiers_not_supported{0xA1};
constexpr reason_code reason_code::wildcard_subscriptions_not_supported{0xA2};

}  // namespace mqtk::proto
