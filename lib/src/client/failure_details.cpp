#include "mqtk/client/failure_details.hpp"

#include <boost/asio/error.hpp>

#include "mqtk/diag/refusal.hpp"
#include "mqtk/net/net_error.hpp"
#include "mqtk/proto/decode_error.hpp"
#include "mqtk/proto/session_error.hpp"

namespace mqtk::client {

namespace {

using proto::session_error;

bool is(const boost::system::error_code& ec, session_error e) { return ec == proto::make_error_code(e); }

diag::failure_kind kind_of(const boost::system::error_code& ec) {
  using diag::failure_kind;
  if (ec.category() == proto::session_category()) {
    switch (static_cast<session_error>(ec.value())) {
      case session_error::connack_timeout: return failure_kind::connect_timeout;
      case session_error::connection_lost:
      case session_error::pingresp_timeout:
      case session_error::server_disconnected:
      case session_error::session_lost: return failure_kind::connection_lost;
      case session_error::malformed_packet:
      case session_error::protocol_error:
      case session_error::topic_alias_invalid:
      case session_error::receive_maximum_exceeded:
      case session_error::packet_too_large: return failure_kind::protocol_error;
      default: return failure_kind::internal;
    }
  }
  if (ec.category() == proto::decode_category()) return failure_kind::protocol_error;
  if (ec.category() == net::net_category()) {
    switch (static_cast<net::net_error>(ec.value())) {
      case net::net_error::dns_failed: return failure_kind::dns;
      case net::net_error::connect_refused: return failure_kind::tcp_refused;
      case net::net_error::connect_timeout: return failure_kind::connect_timeout;
      default: break;
    }
  }
  switch (net::classify(ec)) {
    case net::failure_class::unreachable: return failure_kind::unreachable;
    case net::failure_class::tls: return failure_kind::tls;
    case net::failure_class::websocket: return failure_kind::websocket;
    case net::failure_class::connection_lost: return failure_kind::connection_lost;
    default: break;
  }
  if (ec == boost::asio::error::timed_out) return failure_kind::timeout;
  return failure_kind::internal;
}

}  // namespace

bool failure_details::broker_refused() const noexcept {
  if (reason_code == 0) return false;
  if (is(error, session_error::connection_refused) || is(error, session_error::rejected)) return true;
  // A 5.0 DISCONNECT with a failure code is the broker saying why; "normal disconnection"
  // (0) or a code below 0x80 is not a refusal and maps like a lost connection.
  return is(error, session_error::server_disconnected) && reason_code >= 0x80;
}

int failure_details::exit_code() const noexcept {
  if (!error) return 0;
  if (broker_refused()) return diag::exit_code_for_reason(reason_code) == 0 ? reason_code
                                                                           : diag::exit_code_for_reason(reason_code);
  return diag::to_int(diag::failure{.kind = kind_of(error)}.exit_code());
}

diag::failure failure_details::to_failure() const {
  diag::failure f;
  f.kind = kind_of(error);
  f.subject = subject;
  if (connect && connect->phase != net::connect_phase::none) {
    f.reason = connect->message();
  } else if (!message.empty()) {
    f.reason = message;
  } else {
    f.reason = error.message();
  }
  return f;
}

std::string failure_details::line() const {
  if (broker_refused() && (where == proto::packet_type::connack || where == proto::packet_type::disconnect)) {
    return diag::refusal_line(reason_code, version, where);
  }
  if (broker_refused()) {
    return std::string(proto::packet_type_name(where)) + " failed: " + message + " (" +
           diag::reason_code_label(reason_code, version) + ")";
  }
  return to_failure().line();
}

}  // namespace mqtk::client
