#pragma once
// Why bytes are not a valid MQTT packet. Each value has a message; `offset` in decode_failure
// says where the fault was found.
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

#include <boost/system/error_code.hpp>

namespace mqtk::proto {

enum class decode_error {
  remaining_length_too_long = 1,  // a fifth remaining-length byte
  remaining_length_not_minimal,   // e.g. 0x80 0x00 for zero
  reserved_packet_type,           // type 0 (or 15 before 5.0)
  invalid_fixed_header_flags,     // flags other than those fixed for the type
  invalid_qos,                    // QoS 3 in PUBLISH, a will or a subscription
  packet_too_large,               // remaining length above the configured maximum
  truncated,                      // a field runs past the end of the packet
  trailing_bytes,                 // bytes left after the last field
  string_too_long,                // a length-prefixed field longer than what is left of the packet
  invalid_utf8,                   // ill-formed UTF-8, surrogates or overlongs
  utf8_null_character,            // U+0000 in a UTF-8 string
  invalid_protocol_name,          // CONNECT protocol name is neither "MQTT" nor "MQIsdp"
  unsupported_protocol_version,   // CONNECT protocol level other than 3, 4 or 5
  invalid_connect_flags,          // reserved bit set, will flags without will, password without user (3.1.1)
  invalid_connack_flags,          // CONNACK acknowledge flags other than session present
  packet_id_zero,                 // packet identifier 0 where one is required
  property_length_overrun,        // property length past the end of the packet
  unknown_property,               // identifier not among the 27
  duplicate_property,             // a single-valued property given twice
  property_not_allowed,           // a property that this packet may not carry
  invalid_property_value,         // e.g. receive maximum 0, payload format indicator 2
  variable_byte_integer_invalid,  // malformed variable byte integer inside the packet
  no_topic_filters,               // SUBSCRIBE or UNSUBSCRIBE with an empty payload
  invalid_subscription_options,   // reserved bits or retain handling 3
  invalid_topic_name,             // wildcards or empty topic without an alias
  version_unknown,                // a packet other than CONNECT before the version is known
};

const boost::system::error_category& decode_category() noexcept;
boost::system::error_code make_error_code(decode_error e) noexcept;
// snake_case name used in JSON ("remaining_length_too_long").
std::string_view decode_error_name(decode_error e) noexcept;

// An error and the byte offset where it was found: from the start of the packet for
// decode_packet(), from the start of the stream for stream_decoder.
struct decode_failure {
  decode_error error{};
  std::size_t offset = 0;

  std::string message() const;
  friend bool operator==(const decode_failure&, const decode_failure&) = default;
};

}  // namespace mqtk::proto

template <>
struct boost::system::is_error_code_enum<mqtk::proto::decode_error> : std::true_type {};
