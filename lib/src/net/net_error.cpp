#include "mqtk/net/net_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include "mqtk/net/connect_failure.hpp"

namespace mqtk::net {

namespace {

class net_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mqtk.net"; }
  std::string message(int ev) const override {
    switch (static_cast<net_error>(ev)) {
      case net_error::invalid_target: return "invalid connection target";
      case net_error::dns_failed: return "host name could not be resolved";
      case net_error::connect_refused: return "connection refused";
      case net_error::connect_timeout: return "connection timed out";
      case net_error::network_unreachable: return "network unreachable";
      case net_error::connect_failed: return "connection failed";
      case net_error::tls_setup_failed: return "TLS configuration error";
      case net_error::tls_handshake_failed: return "TLS handshake failed";
      case net_error::tls_verify_failed: return "TLS certificate verification failed";
      case net_error::tls_hostname_mismatch: return "TLS certificate does not match the host name";
      case net_error::tls_handshake_timeout: return "TLS handshake timed out";
      case net_error::websocket_upgrade_rejected: return "WebSocket upgrade rejected";
      case net_error::websocket_handshake_failed: return "WebSocket handshake failed";
      case net_error::websocket_timeout: return "WebSocket upgrade timed out";
      case net_error::not_connected: return "not connected";
      case net_error::websocket_closed: return "WebSocket closed by the server";
      case net_error::proxy_handshake_failed: return "SOCKS5 proxy handshake failed";
    }
    return "unknown network error";
  }
};

}  // namespace

const boost::system::error_category& net_category() noexcept {
  static const net_category_impl instance;
  return instance;
}

failure_class classify(const boost::system::error_code& ec) noexcept {
  if (!ec) return failure_class::none;
  namespace asio = boost::asio;
  if (ec.category() == net_category()) {
    switch (static_cast<net_error>(ec.value())) {
      case net_error::dns_failed:
      case net_error::connect_refused:
      case net_error::connect_timeout:
      case net_error::network_unreachable:
      case net_error::connect_failed:
      case net_error::proxy_handshake_failed: return failure_class::unreachable;
      case net_error::tls_setup_failed:
      case net_error::tls_handshake_failed:
      case net_error::tls_verify_failed:
      case net_error::tls_hostname_mismatch:
      case net_error::tls_handshake_timeout: return failure_class::tls;
      case net_error::websocket_upgrade_rejected:
      case net_error::websocket_handshake_failed:
      case net_error::websocket_timeout: return failure_class::websocket;
      case net_error::websocket_closed: return failure_class::connection_lost;
      default: return failure_class::other;
    }
  }
  // A peer that closes without close_notify is a lost connection, not a TLS problem.
  if (ec == asio::ssl::error::stream_truncated) return failure_class::connection_lost;
  if (ec.category() == asio::error::get_ssl_category()) return failure_class::tls;
  if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::connection_aborted || ec == boost::beast::websocket::error::closed) {
    return failure_class::connection_lost;
  }
  return failure_class::other;
}

const char* to_string(connect_phase p) noexcept {
  switch (p) {
    case connect_phase::none: return "none";
    case connect_phase::resolve: return "resolve";
    case connect_phase::tcp_connect: return "tcp_connect";
    case connect_phase::tls_handshake: return "tls_handshake";
    case connect_phase::websocket_upgrade: return "websocket_upgrade";
    case connect_phase::proxy_handshake: return "proxy_handshake";
    case connect_phase::unix_connect: return "unix_connect";
  }
  return "none";
}

}  // namespace mqtk::net
