#include "mqtk/proto/decode_error.hpp"

#include <string>

namespace mqtk::proto {
namespace {

struct error_text {
  std::string_view name;
  std::string_view message;
};

error_text text_of(decode_error e) noexcept {
  switch (e) {
    case decode_error::remaining_length_too_long:
      return {"remaining_length_too_long", "remaining length uses more than 4 bytes"};
    case decode_error::remaining_length_not_minimal:
      return {"remaining_length_not_minimal", "remaining length is not minimally encoded"};
    case decode_error::reserved_packet_type: return {"reserved_packet_type", "reserved packet type"};
    case decode_error::invalid_fixed_header_flags:
      return {"invalid_fixed_header_flags", "fixed-header flags are not the ones fixed for this packet type"};
    case decode_error::invalid_qos: return {"invalid_qos", "QoS 3 is not a valid QoS"};
    case decode_error::packet_too_large: return {"packet_too_large", "packet is larger than the maximum packet size"};
    case decode_error::truncated: return {"truncated", "a field runs past the end of the packet"};
    case decode_error::trailing_bytes: return {"trailing_bytes", "bytes left over after the last field of the packet"};
    case decode_error::string_too_long:
      return {"string_too_long", "a length-prefixed field is longer than what is left of the packet"};
    case decode_error::invalid_utf8: return {"invalid_utf8", "a UTF-8 string is not well-formed UTF-8"};
    case decode_error::utf8_null_character: return {"utf8_null_character", "a UTF-8 string contains U+0000"};
    case decode_error::invalid_protocol_name:
      return {"invalid_protocol_name", "CONNECT protocol name is neither \"MQTT\" nor \"MQIsdp\""};
    case decode_error::unsupported_protocol_version:
      return {"unsupported_protocol_version", "CONNECT protocol level is not 3 (3.1), 4 (3.1.1) or 5 (5.0)"};
    case decode_error::invalid_connect_flags: return {"invalid_connect_flags", "CONNECT flags are inconsistent"};
    case decode_error::invalid_connack_flags:
      return {"invalid_connack_flags", "CONNACK acknowledge flags have reserved bits set"};
    case decode_error::packet_id_zero: return {"packet_id_zero", "packet identifier 0 where one is required"};
    case decode_error::property_length_overrun:
      return {"property_length_overrun", "property length runs past the end of the packet"};
    case decode_error::unknown_property: return {"unknown_property", "unknown property identifier"};
    case decode_error::duplicate_property: return {"duplicate_property", "a single-valued property appears twice"};
    case decode_error::property_not_allowed:
      return {"property_not_allowed", "property is not allowed in this packet"};
    case decode_error::invalid_property_value: return {"invalid_property_value", "property value is out of range"};
    case decode_error::variable_byte_integer_invalid:
      return {"variable_byte_integer_invalid", "malformed variable byte integer"};
    case decode_error::no_topic_filters: return {"no_topic_filters", "SUBSCRIBE or UNSUBSCRIBE without topic filters"};
    case decode_error::invalid_subscription_options:
      return {"invalid_subscription_options", "subscription options have reserved bits set or retain handling 3"};
    case decode_error::invalid_topic_name:
      return {"invalid_topic_name", "topic name is empty or contains wildcards"};
    case decode_error::version_unknown:
      return {"version_unknown", "protocol version unknown: no CONNECT seen and none given"};
  }
  return {"unknown", "unknown decode error"};
}

class decode_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mqtk.decode"; }
  std::string message(int ev) const override {
    return std::string(text_of(static_cast<decode_error>(ev)).message);
  }
};

}  // namespace

const boost::system::error_category& decode_category() noexcept {
  static const decode_category_impl category;
  return category;
}

boost::system::error_code make_error_code(decode_error e) noexcept {
  return {static_cast<int>(e), decode_category()};
}

std::string_view decode_error_name(decode_error e) noexcept { return text_of(e).name; }

std::string decode_failure::message() const {
  return std::string(text_of(error).message) + " (at byte " + std::to_string(offset) + ")";
}

}  // namespace mqtk::proto
