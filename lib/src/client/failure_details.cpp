#include "mqtk/client/failure_details.hpp"

#include <boost/asio/error.hpp>

#include "mqtk/diag/refusal.hpp"
#include "mqtk/net/net_error.hpp"
#include "mqtk/net/socks5_error.hpp"
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

// A connect through a SOCKS5 proxy that failed before the tunnel was open: it is the proxy (or
// the proxy's way to the broker) that failed, not the broker that refused us.
bool proxy_failed(const net::connect_failure& c) {
  using net::connect_phase;
  return !c.proxy.empty() && (c.phase == connect_phase::resolve || c.phase == connect_phase::tcp_connect ||
                              c.phase == connect_phase::proxy_handshake);
}

// What to try after a Unix socket or proxy failure, where the standard advice (check -h/-p and
// the broker's port) points at the wrong thing. Empty: the standard advice holds.
std::string connect_hint(const net::connect_failure& c) {
  using net::socks5_error;
  if (c.phase == net::connect_phase::unix_connect) {
    return "check the --unix path and its permissions, and that the broker listens there (mosquitto: "
           "listener 0 PATH)";
  }
  if (!proxy_failed(c)) return {};
  if (c.phase != net::connect_phase::proxy_handshake) {
    return "check --proxy: a SOCKS5 proxy must run at that host and port (default 1080) and be reachable from here";
  }
  if (c.detail == socks5_error::authentication_failed) {
    return "check the user name and password in --proxy socks5h://USER:PASS@HOST:PORT";
  }
  if (c.detail == socks5_error::no_acceptable_method) {
    return "the proxy wants credentials (or a method other than user name/password): give them in --proxy "
           "socks5h://USER:PASS@HOST:PORT";
  }
  if (c.detail == socks5_error::not_allowed_by_ruleset) {
    return "the proxy's rules do not allow a connection to this broker: check the proxy's configuration";
  }
  if (net::socks5_reply_code(c.detail)) {
    return "the proxy resolves -h and connects to -p itself: check that the broker runs there and that the "
           "proxy's host can reach it (its DNS, its network, the broker's firewall)";
  }
  return "check that --proxy names a SOCKS5 proxy (not an HTTP proxy or the broker itself), and the proxy's log";
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
    f.hint = connect_hint(*connect);
    if (proxy_failed(*connect)) f.kind = diag::failure_kind::unreachable;
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
