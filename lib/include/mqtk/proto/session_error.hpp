#pragma once
// Why the client session closed a connection or failed an operation. MQTT reason codes are
// values carried beside these errors (ARCHITECTURE.md: reason codes are values, not errors).
#include <string_view>

#include <boost/system/error_code.hpp>

namespace mqtk::proto {

enum class session_error {
  connection_refused = 1,    // CONNACK with a failure code (3.1.1 return code 1-5, 5.0 >= 0x80)
  server_disconnected,       // the broker sent DISCONNECT
  connection_lost,           // the transport went down without a DISCONNECT
  client_disconnected,       // the caller asked to disconnect
  malformed_packet,          // bytes from the broker do not decode
  protocol_error,            // a well-formed packet the broker may not send here
  topic_alias_invalid,       // an unknown incoming alias, or one above our Topic Alias Maximum
  receive_maximum_exceeded,  // the broker has more incoming QoS 2 open than we allowed
  packet_too_large,          // above our Maximum Packet Size (in) or the broker's (out)
  pingresp_timeout,          // no PINGRESP within the configured time
  connack_timeout,           // no CONNACK within the configured time
  ack_timeout,               // no PUBACK/PUBREC/PUBCOMP/SUBACK/UNSUBACK within the configured time
  rejected,                  // the broker answered a request with a failure reason code
  qos_not_supported,         // a PUBLISH above the broker's Maximum QoS
  retain_not_supported,      // a retained PUBLISH to a broker without Retain Available
  session_lost,              // the broker had no session: an in-flight message was dropped
  invalid_request,           // a request that cannot be encoded (bad topic, empty list, ...)
  cancelled,                 // cancel_all() was called
};

const boost::system::error_category& session_category() noexcept;
boost::system::error_code make_error_code(session_error e) noexcept;
// snake_case name used in JSON and traces ("pingresp_timeout").
std::string_view session_error_name(session_error e) noexcept;

}  // namespace mqtk::proto

template <>
struct boost::system::is_error_code_enum<mqtk::proto::session_error> : std::true_type {};
