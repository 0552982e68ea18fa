#pragma once
// Why a connect failed before the MQTT session began, explained for people: the tables behind
// every failure line about a TCP or SOCKS5 proxy connect, a Unix socket, a TLS certificate or
// handshake, a WebSocket upgrade, and a peer that answered CONNECT with something other than
// CONNACK (ARCHITECTURE.md, "Diagnosis"). The transport reports what it observed; the client
// library translates that into the plain events below (diag depends on neither Boost.Asio nor
// OpenSSL), and every tool prints the words built here.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mqtk/diag/failure.hpp"

namespace mqtk::diag {

// Where a connect attempt stopped. resolve and tcp_connect are the proxy's when one is used;
// proxy_handshake is the SOCKS5 negotiation; unix_connect replaces both for a Unix socket; none:
// a failure that belongs to no step (a target the transport could not use).
enum class connect_step { none, resolve, tcp_connect, tls_handshake, websocket_upgrade, proxy_handshake, unix_connect };

// How a TLS handshake ended: without a certificate verdict, on the chain's verification, or on a
// chain that verified but names another host.
enum class tls_stop { handshake, chain_not_trusted, host_name_mismatch };

// What the SOCKS5 proxy answered when its negotiation failed.
enum class proxy_answer {
  authentication_failed,   // it refused the user name and password
  no_acceptable_method,    // it wants a method we did not offer (credentials)
  not_allowed_by_ruleset,  // reply 0x02
  reply_failure,           // any other SOCKS5 reply code: it could not reach the broker
  not_socks5,              // no SOCKS5 answer at all (an HTTP proxy, the broker itself, a drop)
};

// How the peer ended the exchange, read from the OS, TLS or HTTP error.
enum class peer_ending {
  other,     // an error that says nothing about the peer
  closed,    // EOF, RST, a truncated TLS stream, an HTTP end of stream
  not_http,  // the answer to the WebSocket upgrade does not parse as HTTP
};

// The verification verdict on the server's chain (OpenSSL's X509_V_ERR_*), grouped by
// explanation.
enum class certificate_verdict {
  none,              // the chain was not the problem (or no verdict more specific than OpenSSL's words)
  expired,           // X509_V_ERR_CERT_HAS_EXPIRED
  not_yet_valid,     // X509_V_ERR_CERT_NOT_YET_VALID
  self_signed,       // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
  untrusted_issuer,  // unable to get (local) issuer, self-signed in chain, unable to verify leaf
  name_mismatch,     // X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
};

// The facts of one certificate a diagnosis cites.
struct certificate_facts {
  std::string subject;                 // RFC 2253 ("CN=localhost,O=mqtk tests")
  std::string issuer;
  std::string not_before;              // RFC 3339 UTC ("2026-11-22T22:00:00Z")
  std::string not_after;
  std::vector<std::string> alt_names;  // "DNS:localhost", "IP:127.0.0.1"
};

// What was observed when the transport could not be set up. The words of errors from below
// (the OS's "Connection refused", OpenSSL's, a SOCKS5 reply's RFC 1928 meaning) come as they are;
// the sentences around them are built here.
struct connect_failure_event {
  connect_step step = connect_step::tcp_connect;
  std::string error_words;  // the transport error's own words ("TLS handshake failed")
  std::string cause_words;  // the OS, OpenSSL, Beast or SOCKS5 error under it, empty for none
  bool timed_out = false;   // the step was cut short by its deadline
  std::string host;         // the target host, as given
  std::string address;      // the last address tried ("[::1]:8883"), or the socket path
  std::string proxy_address;  // "host:port" of the SOCKS5 proxy, as given; empty without one
  proxy_answer proxy = proxy_answer::not_socks5;  // meaningful for proxy_handshake
  std::optional<std::uint8_t> socks5_reply;       // the proxy's CONNECT reply code, when it sent one
  std::vector<std::string> attempts;  // every address tried with its outcome, in order
  // A local TLS setting (CA file, key, ciphers) could not be loaded: nothing reached the broker.
  bool local_tls_setup_failed = false;
  tls_stop tls = tls_stop::handshake;
  certificate_verdict verdict = certificate_verdict::none;
  std::string verify_error;                 // OpenSSL's words for the verdict
  int verify_depth = -1;                    // chain position of the failing certificate (0: the server's)
  std::vector<certificate_facts> chain;     // the server's chain as received, server certificate first
  std::string tls_error;                    // OpenSSL's words for a handshake failure ("tlsv1 alert unknown ca")
  std::string psk_identity;                 // set when the handshake used TLS-PSK
  int http_status = 0;                      // the answer to the WebSocket upgrade, 0: none
  std::string http_reason;                  // its reason phrase ("Not Found")
  peer_ending ending = peer_ending::other;

  bool through_proxy() const noexcept { return !proxy_address.empty(); }
};

// The transport's one line for `e`, the reason when nothing more specific can be said: "cannot
// connect to 127.0.0.1:1883: Connection refused", "TLS handshake with 127.0.0.1:8883 failed: ...",
// "proxy 127.0.0.1:1080 could not reach broker example:1883: connection refused (SOCKS5 reply 0x05)".
std::string connect_failure_words(const connect_failure_event& e);

// The failure line's parts for `e`: `kind` and `subject` come from the caller (the error's
// class, "host:port"); reason and hint from the tables, and the kind becomes unreachable when it
// was the proxy, not the broker, that could not be reached.
failure explain_connect_failure(const connect_failure_event& e, failure_kind kind, std::string subject);

// What was observed when the transport was up, CONNECT sent, and the connection failed before
// a CONNACK.
struct before_connack_event {
  std::span<const std::uint8_t> peer_bytes;  // the first bytes the peer sent (at most 64)
  bool connack_timed_out = false;
  std::string session_words;  // the session's line ("no CONNACK within 5 s")
  std::string tls_alert;      // the words of a TLS error that ended the connection, empty for none
  bool closed = false;        // EOF or RST
  bool over_tls = false;      // the connection was TLS
};

// `f` refined by what the peer did instead of answering CONNACK; unchanged when that says nothing.
failure explain_before_connack(const before_connack_event& e, failure f);

// "localhost" for "CN=localhost,O=x": how a certificate is named in a sentence (the whole
// subject when it has no CN).
std::string certificate_name(const std::string& subject);

}  // namespace mqtk::diag
