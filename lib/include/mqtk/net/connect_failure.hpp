#pragma once
// Why a connect failed, in detail: which phase, which address, what OpenSSL or the HTTP
// server said. The error_code says the kind; this says the specifics a diagnosis cites.
#include <string>
#include <vector>

#include <boost/system/error_code.hpp>

#include "mqtk/net/tls_session_info.hpp"

namespace mqtk::net {

// resolve and tcp_connect are the proxy's with a proxy; proxy_handshake is the SOCKS5
// negotiation; unix_connect replaces resolve and tcp_connect for a Unix socket.
enum class connect_phase { none, resolve, tcp_connect, tls_handshake, websocket_upgrade, proxy_handshake, unix_connect };
const char* to_string(connect_phase p) noexcept;

struct connect_failure {
  connect_phase phase = connect_phase::none;
  boost::system::error_code error;   // the net_error (same as the completion's error)
  boost::system::error_code detail;  // the underlying OS / OpenSSL / Beast error, if any
  std::string host;                  // the target host name, as given
  // Last address tried, "[::1]:8883" (the proxy's while connecting to it; the broker's
  // "host:port" from the SOCKS5 request on); the socket path for a Unix socket.
  std::string address;
  std::string unix_socket;           // the socket path when the connect used one
  std::string proxy;                 // "host:port" of the SOCKS5 proxy, as given, when one was used
  // Every address tried with what happened to it, in order ("127.0.0.1:1883: Connection refused").
  std::vector<std::string> attempts;
  // TLS: X509_V_ERR_* of the server certificate (0 when the chain was not the problem) and
  // its text from X509_verify_cert_error_string ("certificate has expired").
  long verify_result = 0;
  std::string verify_error;
  int verify_depth = -1;             // chain position of the failing certificate (0: the server's)
  std::string openssl_error;         // ERR_error_string of the handshake failure ("tlsv1 alert unknown ca")
  std::string psk_identity;          // set when the handshake used TLS-PSK (no certificates involved)
  tls_session_info tls;              // what was learned of the server's chain, even on failure
  // WebSocket: the HTTP status of a rejected upgrade (0: none), its reason phrase and body start.
  int http_status = 0;
  std::string http_reason;
  std::string http_body;
  // The response headers that explain a refusal ("WWW-Authenticate: Basic realm=x", "Location:
  // /other", "Server: nginx"), "Name: value", in the order received.
  std::vector<std::string> http_headers;
  // (A proxy_handshake failure's `detail` is a socks5_error, or the OS error that ended it.)
  // The words for all this are diag's (connect_failure_text), reached through the client
  // library's client::connect_failure_words: the transport reports, it builds no sentence.
};

}  // namespace mqtk::net
