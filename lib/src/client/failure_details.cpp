#include "mqtk/client/failure_details.hpp"

#include <openssl/x509_vfy.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "mqtk/diag/peer_reply.hpp"

#include "mqtk/diag/refusal.hpp"
#include "mqtk/net/net_error.hpp"
#include "mqtk/net/socks5_error.hpp"
#include "mqtk/proto/decode_error.hpp"
#include "mqtk/proto/reason_code.hpp"
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
      case session_error::ack_timeout: return failure_kind::timeout;
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


bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// "CN=localhost" -> "localhost" when the subject is only a CN; the whole subject otherwise.
std::string subject_cn(const std::string& subject) {
  const auto at = subject.find("CN=");
  if (at == std::string::npos) return subject;
  const auto end = subject.find(',', at);
  return subject.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

// The date part of an RFC 3339 time ("2026-11-22T22:00:00Z" -> "2026-11-22 22:00 UTC").
std::string readable_time(const std::string& t) {
  if (t.size() < 16) return t;
  return t.substr(0, 10) + " " + t.substr(11, 5) + " UTC";
}

bool is_eof_or_reset(const boost::system::error_code& ec) {
  return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
         ec == boost::asio::ssl::error::stream_truncated || ec == boost::beast::http::error::end_of_stream;
}

// A certificate-specific explanation: the verify result of the server's chain read for people,
// with the dates and names that prove it. False when nothing more specific than the
// transport's message can be said.
bool explain_certificate_verdict(const net::connect_failure& c, diag::failure& f) {
  const auto& chain = c.tls.peer_chain;
  const net::certificate_info* leaf = chain.empty() ? nullptr : &chain.front();
  const std::size_t depth = c.verify_depth > 0 ? static_cast<std::size_t>(c.verify_depth) : 0;
  const net::certificate_info* failing = depth < chain.size() ? &chain[depth] : leaf;
  const std::string who = depth > 0 ? "a CA certificate in the broker's chain" : "the broker's certificate";
  const std::string named = failing ? " (" + subject_cn(failing->subject) + ")" : "";
  switch (c.verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      f.reason = who + named + " expired" + (failing ? " on " + readable_time(failing->not_after) : std::string());
      f.hint = "renew the broker's certificate; if it should still be valid, check this machine's clock (date -u)";
      return true;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      f.reason = who + named + " is not valid yet" +
                 (failing ? ": valid from " + readable_time(failing->not_before) : std::string());
      f.hint = "check this machine's clock (date -u; a device that has not synchronised with NTP/SNTP thinks "
               "it is 1970), or reissue the certificate with a start date in the past";
      return true;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      f.reason = "the broker presents a self-signed certificate" + named + " that this client does not trust";
      f.hint = "pass that certificate itself with --cafile, or use a certificate signed by a CA you pass with --cafile";
      return true;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
      const std::string issuer = failing ? subject_cn(failing->issuer) : std::string();
      f.reason = "the broker's certificate" + named + " is signed by a CA this client does not trust" +
                 (issuer.empty() ? std::string() : " (issuer: " + issuer + ")");
      f.hint = "pass the CA certificate that signed it with --cafile (the CA's, not the broker's own "
               "certificate); --tls-use-os-certs trusts the system's CAs";
      return true;
    }
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: {
      std::vector<std::string> names;
      if (leaf) names = leaf->subject_alt_names;
      const std::string valid_for =
          names.empty() ? (leaf ? "only " + leaf->subject + " (no subjectAltName)" : std::string("other names"))
                        : join(names, ", ");
      f.reason = "the broker's certificate is valid for " + valid_for + ", not for '" + c.host + "'";
      f.hint = "connect with -h set to a name or address the certificate lists, or reissue the certificate with '" +
               c.host + "' in its subjectAltName (--insecure skips this check, for tests only)";
      return true;
    }
    default: return false;
  }
}

// The explanation, followed by OpenSSL's own words for the verdict ("unable to get local
// issuer certificate"): what a user searches for, and what the broker's log says too.
bool explain_certificate(const net::connect_failure& c, diag::failure& f) {
  if (!explain_certificate_verdict(c, f)) return false;
  if (!c.verify_error.empty()) f.reason += " (OpenSSL: " + c.verify_error + ")";
  return true;
}

// A handshake that failed without a certificate verdict: what the OpenSSL error says about the
// other side.
void explain_handshake(const net::connect_failure& c, diag::failure& f) {
  const std::string& e = c.openssl_error;
  // With a pre-shared key no certificate is involved: a handshake that fails after TCP connected
  // means the broker refused the key or the identity (mosquitto answers a wrong key with an
  // alert), or the port is not a PSK listener. "Check --cafile" would send the user the wrong way.
  if (!c.psk_identity.empty() && !contains(e, "wrong version number") && !contains(e, "packet length too long")) {
    f.reason = "the broker did not accept the TLS-PSK key for identity '" + c.psk_identity + "' (" + e + ")";
    f.hint = "check --psk and --psk-identity against the broker's psk_file, and that -p is its PSK listener "
             "(mosquitto: psk_hint)";
    return;
  }
  if (contains(e, "wrong version number") || contains(e, "packet length too long") ||
      contains(e, "unknown protocol") || contains(e, "record layer failure")) {
    f.reason = "the server at " + c.address + " answered the TLS hello with something that is not TLS";
    f.hint = "this port is not a TLS listener (probably plain MQTT or a WebSocket/HTTP one): use mqtt:// (drop "
             "--cafile) or ws:// for it, or the broker's TLS port (usually 8883)";
  } else if (contains(e, "protocol version") || contains(e, "unsupported protocol") ||
             contains(e, "no protocols available") || contains(e, "version too low") ||
             contains(e, "version too high")) {
    f.reason = "the broker and this client have no TLS version in common (" + e + ")";
    f.hint = "check the broker's tls_version setting against what the client supports (a device on mbedTLS 2.x has "
             "only TLS 1.2); --tls-version and --tls-max-version set this side's oldest and newest";
  } else if (contains(e, "handshake failure") || contains(e, "no shared cipher") || contains(e, "no cipher match") ||
             contains(e, "insufficient security")) {
    f.reason = "the TLS handshake failed (" + e + "): usually no cipher suite (or TLS version) in common";
    f.hint = "check --ciphers and --tls-version against the broker's ciphers/tls_version settings, or drop --ciphers";
  } else if (contains(e, "certificate required") || contains(e, "peer did not return a certificate")) {
    f.reason = "the broker requires a client certificate (" + e + ")";
    f.hint = "pass --cert and --key signed by a CA the broker trusts (mosquitto: require_certificate, cafile)";
  } else if (contains(e, "unknown ca") || contains(e, "bad certificate") || contains(e, "certificate unknown") ||
             contains(e, "decrypt error")) {
    f.reason = "the broker did not accept the client certificate (" + e + ")";
    f.hint = "use a --cert signed by a CA the broker trusts, with its matching --key";
  } else if (is_eof_or_reset(c.detail) && c.tls.peer_chain.empty()) {
    f.reason = "the server at " + c.address + " closed the connection during the TLS handshake without answering";
    f.hint = "candidates: the port is a plain MQTT listener (mosquitto resets a TLS hello there: use mqtt:// and "
             "drop --cafile, usually port 1883), or the server refused this TLS version or server name without an "
             "alert (check its log)";
  }
}

// A WebSocket upgrade that failed: what the HTTP status (or its absence) says.
void explain_upgrade(const net::connect_failure& c, diag::failure& f) {
  if (c.http_status == 404) {
    f.hint = "the server has no WebSocket endpoint at this path: put the broker's path in the URL (ws://HOST:PORT/mqtt "
             "for EMQX, HiveMQ and most brokers)";
  } else if (c.http_status == 401 || c.http_status == 403) {
    f.hint = "the HTTP server refused the upgrade: it wants credentials (--ws-header \"Authorization: ...\") or "
             "refuses this origin or path";
  } else if (c.http_status != 0) {
    f.hint = "an HTTP server answered but did not upgrade to WebSocket: check the path and that this port is the "
             "broker's WebSocket listener (ws:// vs wss://)";
  } else if (is_eof_or_reset(c.detail)) {
    f.reason = "the server at " + c.address + " closed the connection on the WebSocket upgrade request without an HTTP "
               "answer";
    f.hint = "this port is probably a plain MQTT listener (use mqtt://, usually port 1883) or a TLS listener (wss:// "
             "or mqtts://, usually 8883)";
  } else if (c.detail.category() == boost::beast::http::make_error_code(boost::beast::http::error::bad_version).category() ||
             c.detail == boost::asio::error::message_size) {
    f.reason = "the server at " + c.address + " answered the WebSocket upgrade with something that is not HTTP";
    f.hint = "this port is not a WebSocket listener: if it speaks TLS use wss:// or mqtts://, otherwise mqtt://";
  }
}

// The transport was up and CONNECT sent, and then no CONNACK: what the peer did instead.
void explain_before_connack(const failure_details& d, diag::failure& f) {
  const auto reply = diag::classify_reply(d.peer_bytes);
  if (reply.protocol == diag::peer_protocol::http) {
    f.kind = diag::failure_kind::protocol_error;
    f.reason = "the port answered the MQTT CONNECT with HTTP (" + reply.summary + "): it is a WebSocket/HTTP listener";
    f.hint = "connect with ws://HOST:PORT/mqtt (-L), or wss:// if it is a TLS WebSocket listener; plain MQTT is "
             "usually on port 1883";
    return;
  }
  if (reply.protocol == diag::peer_protocol::tls) {
    f.kind = diag::failure_kind::protocol_error;
    f.reason = "the port answered the MQTT CONNECT with TLS (" + reply.summary + "): it is a TLS listener";
    f.hint = "connect with TLS: --cafile CA (or -L mqtts://), usually port 8883";
    return;
  }
  if (reply.protocol == diag::peer_protocol::other) {
    f.reason = "the port answered the MQTT CONNECT with bytes that are not MQTT: " + reply.summary;
    f.hint = "check -p: this port runs another protocol; -d shows the exchange";
    return;
  }
  if (d.error == session_error::connack_timeout) {
    f.reason = "the TCP connection was accepted and CONNECT sent, but " +
               (d.message.empty() ? std::string("no CONNACK came") : d.message);
    f.hint = "candidates: the port is not an MQTT listener, or one that waits for a TLS or WebSocket handshake "
             "first (try --cafile / mqtts:// or ws://), or the broker is overloaded; check -p and the broker's "
             "listener lines";
    return;
  }
  if (d.error.category() == boost::asio::error::get_ssl_category()) {
    const std::string m = d.error.message();
    if (contains(m, "certificate required") || contains(m, "handshake failure") || contains(m, "bad certificate")) {
      f.kind = diag::failure_kind::tls;
      f.reason = "the broker ended TLS after the handshake (" + m + "): it requires a client certificate it accepts";
      f.hint = "pass --cert and --key signed by a CA the broker trusts (mosquitto: require_certificate, cafile)";
      return;
    }
  }
  if (is_eof_or_reset(d.error) && net::is_tls(d.scheme)) {
    // TLS 1.3 finishes the client's side of the handshake before the server has checked the
    // client certificate: a missing one shows up as this drop, the alert often lost to the reset.
    f.reason = "the broker closed the TLS connection after CONNECT without a CONNACK";
    f.hint = "candidates: the broker requires a client certificate (mosquitto: require_certificate; pass --cert and "
             "--key signed by a CA it trusts), or it dropped this CONNECT without an answer (its log says why, e.g. "
             "a protocol version it does not speak: try -V 311)";
    return;
  }
  if (is_eof_or_reset(d.error)) {
    f.reason = "the broker closed the connection after CONNECT without a CONNACK";
    f.hint = "candidates: the port is a TLS listener (mosquitto resets plain MQTT there: add --cafile or use "
             "mqtts://, usually port 8883), or the broker dropped this CONNECT without an answer (its log says "
             "why, e.g. a protocol version it does not speak: try -V 311)";
  }
}

// ---------------------------------------------------------------------------------------------
// A broker that misbehaves (issue 15): what it did, and what to try for that, not the standard
// advice for a refused connection.

void explain_hostile(const failure_details& d, diag::failure& f) {
  if (d.cut_short && is_eof_or_reset(d.error)) {
    f.reason = (d.error == boost::asio::error::eof ? "the broker closed the connection " : "the connection was reset ") +
               proto::to_string(*d.cut_short);
    f.hint = "a packet cut short is no refusal: candidates are a broker that crashed or restarted while sending, or "
             "a proxy or load balancer that cut the connection; check the broker's log (--max-packet-size refuses "
             "packets this large before they arrive)";
  } else if (is(d.error, session_error::packet_too_large)) {
    f.hint = "raise --max-packet-size if the broker's messages may be this large; otherwise the broker sent a bogus "
             "length (-d shows the packets)";
  } else if (is(d.error, session_error::topic_alias_invalid)) {
    f.hint = "the broker ignores the Topic Alias Maximum we announce in CONNECT (0 unless -D "
             "topic-alias-maximum=N allows aliases): report it to the broker's vendor; -d shows the packets";
  } else if (is(d.error, session_error::ack_timeout)) {
    f.hint = "the connection stayed up but the broker never acknowledged: check its log (an overloaded broker, a "
             "plugin or bridge holding the message); the wait is the keep alive interval, set with -k";
  }
}

}  // namespace

bool failure_details::broker_broke_protocol() const noexcept {
  if (error.category() == proto::decode_category()) return true;
  if (error.category() != proto::session_category()) return false;
  switch (static_cast<session_error>(error.value())) {
    case session_error::malformed_packet:
    case session_error::protocol_error:
    case session_error::topic_alias_invalid:
    case session_error::receive_maximum_exceeded:
    case session_error::packet_too_large: return true;
    default: return false;
  }
}

bool failure_details::broker_refused() const noexcept {
  if (reason_code == 0) return false;
  if (is(error, session_error::connection_refused) || is(error, session_error::rejected)) return true;
  // A 5.0 DISCONNECT with a failure code is the broker saying why; "normal disconnection"
  // (0) or a code below 0x80 is not a refusal and maps like a lost connection.
  return is(error, session_error::server_disconnected) &&
         proto::reason_code{reason_code}.is_failure(proto::packet_type::disconnect, proto::protocol_version::v5);
}

int failure_details::exit_code() const noexcept {
  if (!error) return 0;
  if (broker_refused()) return diag::exit_code_for_reason(reason_code) == 0 ? reason_code
                                                                           : diag::exit_code_for_reason(reason_code);
  return diag::to_int(to_failure().exit_code());
}

diag::failure failure_details::to_failure() const {
  diag::failure f;
  f.kind = kind_of(error);
  f.subject = subject;
  if (connect && connect->phase != net::connect_phase::none) {
    f.reason = connect->message();
    f.hint = connect_hint(*connect);
    if (proxy_failed(*connect)) f.kind = diag::failure_kind::unreachable;
    if (connect->phase == net::connect_phase::tcp_connect && error == net::net_error::connect_timeout &&
        connect->proxy.empty()) {
      // The OS error of an attempt cut short by the deadline is "operation canceled": say what it means.
      f.reason = "no answer to the TCP connection request (SYN) from " + connect->address;
      if (connect->attempts.size() > 1) f.reason += " (tried " + join(connect->attempts, "; ") + ")";
    }
    if (error == net::net_error::tls_setup_failed) {
      f.hint = "a local TLS setting is wrong, not the broker: check that --cafile/--capath, --cert and --key name "
               "readable PEM files (the key matching the certificate), and the --ciphers and --tls-version values";
    } else if (connect->phase == net::connect_phase::tls_handshake && !explain_certificate(*connect, f)) {
      explain_handshake(*connect, f);
    }
    if (connect->phase == net::connect_phase::websocket_upgrade) explain_upgrade(*connect, f);
  } else if (!message.empty()) {
    f.reason = message;
    if (is(error, session_error::server_disconnected)) {
      // The broker did say goodbye, with a code that reports no failure: the kind's standard
      // advice ("closed the connection without a reason") would contradict the line.
      f.hint = "the broker ended the session on purpose without reporting a failure: candidates are a broker "
               "shutting down or restarting, or an administrator or plugin removing this client; its log says which";
    }
  } else {
    f.reason = error.message();
  }
  if (before_connack && !connect) explain_before_connack(*this, f);
  if (!connect) explain_hostile(*this, f);
  return f;
}

std::string failure_details::line() const {
  if (broker_refused()) return diag::refusal_line(reason_code, version, where);
  return to_failure().line();
}

}  // namespace mqtk::client
