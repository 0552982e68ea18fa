#include "mqtk/proto/session_error.hpp"

#include <string>

namespace mqtk::proto {
namespace {

std::string_view message_of(session_error e) noexcept {
  switch (e) {
    case session_error::connection_refused: return "the broker refused the connection";
    case session_error::server_disconnected: return "the broker closed the connection with DISCONNECT";
    case session_error::connection_lost: return "the connection was lost";
    case session_error::client_disconnected: return "the client disconnected";
    case session_error::malformed_packet: return "the broker sent a malformed packet";
    case session_error::protocol_error: return "the broker broke the protocol";
    case session_error::topic_alias_invalid: return "the broker used an invalid topic alias";
    case session_error::receive_maximum_exceeded: return "the broker exceeded our receive maximum";
    case session_error::packet_too_large: return "packet larger than the maximum packet size";
    case session_error::pingresp_timeout: return "no PINGRESP in time";
    case session_error::connack_timeout: return "no CONNACK in time";
    case session_error::ack_timeout: return "no acknowledgement in time";
    case session_error::rejected: return "the broker rejected the request";
    case session_error::qos_not_supported: return "QoS above the broker's maximum QoS";
    case session_error::retain_not_supported: return "the broker does not support retained messages";
    case session_error::session_lost: return "the broker lost the session before the message was acknowledged";
    case session_error::invalid_request: return "invalid request";
    case session_error::cancelled: return "cancelled";
  }
  return "unknown session error";
}

class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mqtk.session"; }
  std::string message(int ev) const override { return std::string(message_of(static_cast<session_error>(ev))); }
};

}  // namespace

const boost::system::error_category& session_category() noexcept {
  static const category instance;
  return instance;
}

boost::system::error_code make_error_code(session_error e) noexcept {
  return {static_cast<int>(e), session_category()};
}

std::string_view session_error_name(session_error e) noexcept {
  switch (e) {
    case session_error::connection_refused: return "connection_refused";
    case session_error::server_disconnected: return "server_disconnected";
    case session_error::connection_lost: return "connection_lost";
    case session_error::client_disconnected: return "client_disconnected";
    case session_error::malformed_packet: return "malformed_packet";
    case session_error::protocol_error: return "protocol_error";
    case session_error::topic_alias_invalid: return "topic_alias_invalid";
    case session_error::receive_maximum_exceeded: return "receive_maximum_exceeded";
    case session_error::packet_too_large: return "packet_too_large";
    case session_error::pingresp_timeout: return "pingresp_timeout";
    case session_error::connack_timeout: return "connack_timeout";
    case session_error::ack_timeout: return "ack_timeout";
    case session_error::rejected: return "rejected";
    case session_error::qos_not_supported: return "qos_not_supported";
    case session_error::retain_not_supported: return "retain_not_supported";
    case session_error::session_lost: return "session_lost";
    case session_error::invalid_request: return "invalid_request";
    case session_error::cancelled: return "cancelled";
  }
  return "unknown";
}

}  // namespace mqtk::proto
