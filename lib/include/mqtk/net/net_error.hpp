#pragma once
// Errors of the transports, as boost::system::error_code values in the "mqtk.net" category.
// Errors from the OS (e.g. connection_reset while reading) and from OpenSSL during reads are
// passed on as they are; classify() sorts any of them into what a tool reports.
#include <boost/system/error_code.hpp>

namespace mqtk::net {

enum class net_error {
  invalid_target = 1,          // empty host, port 0, scheme options that do not fit
  dns_failed,                  // the host name did not resolve
  connect_refused,             // every address refused (RST): nothing listens there
  connect_timeout,             // no TCP connection within connect_options::connect_timeout
  network_unreachable,         // no route to the address (ENETUNREACH, EHOSTUNREACH)
  connect_failed,              // another socket error while connecting (failure.detail says)
  tls_setup_failed,            // local TLS configuration: unreadable cafile, cert or key, bad ciphers
  tls_handshake_failed,        // the TLS handshake failed without a certificate verdict (alert, versions)
  tls_verify_failed,           // the server's certificate chain did not verify (failure.verify_error)
  tls_hostname_mismatch,       // the chain verified but is not for this host name / IP address
  tls_handshake_timeout,       // no TLS handshake within the time limit
  websocket_upgrade_rejected,  // the server answered the upgrade with another HTTP status
  websocket_handshake_failed,  // no (valid) HTTP answer to the upgrade, e.g. not a WebSocket port
  websocket_timeout,           // no upgrade answer within the time limit
  not_connected,               // read or write before connect, or after close
  websocket_closed,            // the server sent a WebSocket close frame
  proxy_handshake_failed,      // the SOCKS5 proxy refused or could not open the tunnel (failure.detail says why)
};

const boost::system::error_category& net_category() noexcept;
inline boost::system::error_code make_error_code(net_error e) noexcept {
  return {static_cast<int>(e), net_category()};
}

// What kind of failure an error is, for exit codes (unreachable: 69, tls: 79, websocket: 80,
// connection_lost: 75).
enum class failure_class {
  none,             // not an error
  unreachable,      // DNS, refused, unreachable, connect timeout; any proxy failure
  tls,              // TLS setup, handshake or verification; also TLS alerts while reading
  websocket,        // upgrade rejected or failed
  connection_lost,  // EOF, reset, close frame after the connection was established
  other,
};
failure_class classify(const boost::system::error_code& ec) noexcept;

}  // namespace mqtk::net

template <>
struct boost::system::is_error_code_enum<mqtk::net::net_error> : std::true_type {};
