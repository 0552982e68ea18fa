#include "mqtk/diag/connect_failure_text.hpp"

#include <cstdio>
#include <string_view>
#include <utility>

#include "mqtk/diag/peer_reply.hpp"

namespace mqtk::diag {
namespace {

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

bool contains_any(std::string_view hay, std::initializer_list<std::string_view> needles) {
  for (auto n : needles) {
    if (contains(hay, n)) return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// The date part of an RFC 3339 time ("2026-11-22T22:00:00Z" -> "2026-11-22 22:00 UTC").
std::string readable_time(const std::string& t) {
  if (t.size() < 16) return t;
  return t.substr(0, 10) + " " + t.substr(11, 5) + " UTC";
}

// A connect through a SOCKS5 proxy that failed before the tunnel was open: it is the proxy (or
// the proxy's way to the broker) that failed, not the broker that refused us.
bool proxy_failed(const connect_failure_event& e) {
  return e.through_proxy() && (e.step == connect_step::resolve || e.step == connect_step::tcp_connect ||
                             e.step == connect_step::proxy_handshake);
}

// "(tried 127.0.0.1:1883: Connection refused; [::1]:1883: Connection refused)" when more than one
// address was tried.
std::string tried(const connect_failure_event& e) {
  return e.attempts.size() > 1 ? " (tried " + join(e.attempts, "; ") + ")" : std::string();
}

// The words of what failed underneath, else of the transport's own error.
const std::string& cause_or_error(const connect_failure_event& e) {
  return e.cause_words.empty() ? e.error_words : e.cause_words;
}

// A failed SOCKS5 negotiation, in the proxy's terms; `address` is the broker as asked for.
std::string proxy_words(const connect_failure_event& e) {
  const std::string who = "proxy " + e.proxy_address;
  if (e.timed_out) return who + " did not finish the SOCKS5 handshake in time";
  if (e.socks5_reply) {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(*e.socks5_reply));
    return who + " could not reach broker " + e.address + ": " + e.cause_words + " (SOCKS5 reply " + code + ")";
  }
  switch (e.proxy) {
    case proxy_answer::authentication_failed:
      return who + " refused the user name and password (SOCKS5 user/password authentication failed)";
    case proxy_answer::no_acceptable_method:
      return who + " accepts none of the offered authentication methods (SOCKS5 method reply 0xFF)";
    default: break;
  }
  if (e.ending == peer_ending::closed) return who + " closed the connection during the SOCKS5 handshake";
  return "SOCKS5 handshake with " + who + " failed: " + cause_or_error(e);
}

// The TLS line: the verdict on the chain in OpenSSL's words, or the handshake's error.
std::string tls_words(const connect_failure_event& e, const std::string& where) {
  switch (e.tls) {
    case tls_stop::host_name_mismatch:
      return "TLS certificate of " + where + " does not match '" + e.host + "': " + e.verify_error;
    case tls_stop::chain_not_trusted:
      return "TLS certificate verification failed for " + where + ": " + e.verify_error +
             (e.verify_depth > 0 ? " (certificate " + std::to_string(e.verify_depth) + " of the chain)" : std::string());
    case tls_stop::handshake: break;
  }
  return "TLS handshake with " + where + " failed: " + e.error_words + (e.tls_error.empty() ? "" : ": " + e.tls_error);
}

// What to try after a Unix socket or proxy failure, where the standard advice (check -h/-p and
// the broker's port) points at the wrong thing. Empty: the standard advice holds.
std::string connect_hint(const connect_failure_event& e) {
  if (e.step == connect_step::unix_connect) {
    return "check the --unix path and its permissions, and that the broker listens there (mosquitto: "
           "listener 0 PATH)";
  }
  if (!proxy_failed(e)) return {};
  if (e.step != connect_step::proxy_handshake) {
    return "check --proxy: a SOCKS5 proxy must run at that host and port (default 1080) and be reachable from here";
  }
  switch (e.proxy) {
    case proxy_answer::authentication_failed:
      return "check the user name and password in --proxy socks5h://USER:PASS@HOST:PORT";
    case proxy_answer::no_acceptable_method:
      return "the proxy wants credentials (or a method other than user name/password): give them in --proxy "
             "socks5h://USER:PASS@HOST:PORT";
    case proxy_answer::not_allowed_by_ruleset:
      return "the proxy's rules do not allow a connection to this broker: check the proxy's configuration";
    case proxy_answer::reply_failure:
      return "the proxy resolves -h and connects to -p itself: check that the broker runs there and that the "
             "proxy's host can reach it (its DNS, its network, the broker's firewall)";
    case proxy_answer::not_socks5: break;
  }
  return "check that --proxy names a SOCKS5 proxy (not an HTTP proxy or the broker itself), and the proxy's log";
}

// A certificate-specific explanation: the verdict on the server's chain read for people, with
// the dates and names that prove it. False when nothing more specific than the transport's
// message can be said.
bool explain_certificate_verdict(const connect_failure_event& e, failure& f) {
  const certificate_facts* leaf = e.chain.empty() ? nullptr : &e.chain.front();
  const std::size_t depth = e.verify_depth > 0 ? static_cast<std::size_t>(e.verify_depth) : 0;
  const certificate_facts* failing = depth < e.chain.size() ? &e.chain[depth] : leaf;
  const std::string who = depth > 0 ? "a CA certificate in the broker's chain" : "the broker's certificate";
  const std::string named = failing ? " (" + certificate_name(failing->subject) + ")" : "";
  switch (e.verdict) {
    case certificate_verdict::expired:
      f.reason = who + named + " expired" + (failing ? " on " + readable_time(failing->not_after) : std::string());
      f.hint = "renew the broker's certificate; if it should still be valid, check this machine's clock (date -u)";
      return true;
    case certificate_verdict::not_yet_valid:
      f.reason = who + named + " is not valid yet" +
                 (failing ? ": valid from " + readable_time(failing->not_before) : std::string());
      f.hint = "check this machine's clock (date -u; a device that has not synchronised with NTP/SNTP thinks "
               "it is 1970), or reissue the certificate with a start date in the past";
      return true;
    case certificate_verdict::self_signed:
      f.reason = "the broker presents a self-signed certificate" + named + " that this client does not trust";
      f.hint = "pass that certificate itself with --cafile, or use a certificate signed by a CA you pass with --cafile";
      return true;
    case certificate_verdict::untrusted_issuer: {
      const std::string issuer = failing ? certificate_name(failing->issuer) : std::string();
      f.reason = "the broker's certificate" + named + " is signed by a CA this client does not trust" +
                 (issuer.empty() ? std::string() : " (issuer: " + issuer + ")");
      f.hint = "pass the CA certificate that signed it with --cafile (the CA's, not the broker's own "
               "certificate); --tls-use-os-certs trusts the system's CAs";
      return true;
    }
    case certificate_verdict::name_mismatch: {
      const std::string valid_for =
          leaf && !leaf->alt_names.empty()
              ? join(leaf->alt_names, ", ")
              : (leaf ? "only " + leaf->subject + " (no subjectAltName)" : std::string("other names"));
      f.reason = "the broker's certificate is valid for " + valid_for + ", not for '" + e.host + "'";
      f.hint = "connect with -h set to a name or address the certificate lists, or reissue the certificate with '" +
               e.host + "' in its subjectAltName (--insecure skips this check, for tests only)";
      return true;
    }
    case certificate_verdict::none: break;
  }
  return false;
}

// The explanation, followed by OpenSSL's own words for the verdict ("unable to get local
// issuer certificate"): what a user searches for, and what the broker's log says too.
bool explain_certificate(const connect_failure_event& e, failure& f) {
  if (!explain_certificate_verdict(e, f)) return false;
  if (!e.verify_error.empty()) f.reason += " (OpenSSL: " + e.verify_error + ")";
  return true;
}

// The OpenSSL words that mean the other side does not speak TLS at all.
bool not_tls_words(std::string_view e) { return contains_any(e, {"wrong version number", "packet length too long"}); }

// A handshake that failed without a certificate verdict: what the OpenSSL error says about the
// other side.
void explain_handshake(const connect_failure_event& c, failure& f) {
  const std::string& e = c.tls_error;
  // With a pre-shared key no certificate is involved: a handshake that fails after TCP connected
  // means the broker refused the key or the identity (mosquitto answers a wrong key with an
  // alert), or the port is not a PSK listener. "Check --cafile" would send the user the wrong way.
  // But a server that closes the connection on the hello without a word has not judged the key:
  // mosquitto resets a TLS hello on a plain MQTT listener the same way.
  if (!c.psk_identity.empty() && c.ending == peer_ending::closed) {
    f.reason = "the server at " + c.address + " closed the connection during the TLS-PSK handshake without answering";
    f.hint = "candidates: the port is a plain MQTT listener (mosquitto resets a TLS hello there: use mqtt:// without "
             "--psk, usually port 1883), or a TLS listener without PSK (mosquitto: psk_hint), or the server dropped "
             "identity '" + c.psk_identity + "' without an alert (check its log)";
    return;
  }
  if (!c.psk_identity.empty() && !not_tls_words(e)) {
    f.reason = "the broker did not accept the TLS-PSK key for identity '" + c.psk_identity + "' (" + e + ")";
    f.hint = "check --psk and --psk-identity against the broker's psk_file, and that -p is its PSK listener "
             "(mosquitto: psk_hint)";
    return;
  }
  if (not_tls_words(e) || contains_any(e, {"unknown protocol", "record layer failure"})) {
    f.reason = "the server at " + c.address + " answered the TLS hello with something that is not TLS";
    f.hint = "this port is not a TLS listener (probably plain MQTT or a WebSocket/HTTP one): use mqtt:// (drop "
             "--cafile) or ws:// for it, or the broker's TLS port (usually 8883)";
  } else if (contains_any(e, {"protocol version", "unsupported protocol", "no protocols available", "version too low",
                              "version too high"})) {
    f.reason = "the broker and this client have no TLS version in common (" + e + ")";
    f.hint = "check the broker's tls_version setting against what the client supports (a device on mbedTLS 2.x has "
             "only TLS 1.2); --tls-version and --tls-max-version set this side's oldest and newest";
  } else if (contains_any(e, {"handshake failure", "no shared cipher", "no cipher match", "insufficient security"})) {
    f.reason = "the TLS handshake failed (" + e + "): usually no cipher suite (or TLS version) in common";
    f.hint = "check --ciphers and --tls-version against the broker's ciphers/tls_version settings, or drop --ciphers";
  } else if (contains_any(e, {"certificate required", "peer did not return a certificate"})) {
    f.reason = "the broker requires a client certificate (" + e + ")";
    f.hint = "pass --cert and --key signed by a CA the broker trusts (mosquitto: require_certificate, cafile)";
  } else if (contains_any(e, {"unknown ca", "bad certificate", "certificate unknown", "decrypt error"})) {
    f.reason = "the broker did not accept the client certificate (" + e + ")";
    f.hint = "use a --cert signed by a CA the broker trusts, with its matching --key";
  } else if (c.ending == peer_ending::closed && c.chain.empty()) {
    f.reason = "the server at " + c.address + " closed the connection during the TLS handshake without answering";
    f.hint = "candidates: the port is a plain MQTT listener (mosquitto resets a TLS hello there: use mqtt:// and "
             "drop --cafile, usually port 1883), or the server refused this TLS version or server name without an "
             "alert (check its log)";
  }
}

// A WebSocket upgrade that failed: what the HTTP status (or its absence) says.
void explain_upgrade(const connect_failure_event& c, failure& f) {
  if (c.http_status == 404) {
    f.hint = "the server has no WebSocket endpoint at this path: put the broker's path in the URL (ws://HOST:PORT/mqtt "
             "for EMQX, HiveMQ and most brokers)";
  } else if (c.http_status == 401 || c.http_status == 403) {
    f.hint = "the HTTP server refused the upgrade: it wants credentials (--ws-header \"Authorization: ...\") or "
             "refuses this origin or path";
  } else if (c.http_status != 0) {
    f.hint = "an HTTP server answered but did not upgrade to WebSocket: check the path and that this port is the "
             "broker's WebSocket listener (ws:// vs wss://)";
  } else if (c.ending == peer_ending::closed) {
    f.reason = "the server at " + c.address + " closed the connection on the WebSocket upgrade request without an HTTP "
               "answer";
    f.hint = "this port is probably a plain MQTT listener (use mqtt://, usually port 1883) or a TLS listener (wss:// "
             "or mqtts://, usually 8883)";
  } else if (c.ending == peer_ending::not_http) {
    f.reason = "the server at " + c.address + " answered the WebSocket upgrade with something that is not HTTP";
    f.hint = "this port is not a WebSocket listener: if it speaks TLS use wss:// or mqtts://, otherwise mqtt://";
  }
}

}  // namespace

std::string connect_failure_words(const connect_failure_event& e) {
  const std::string where = e.address.empty() ? e.host : e.address;
  switch (e.step) {
    case connect_step::none:
      if (!e.tls_error.empty()) return e.error_words + ": " + e.tls_error;
      return e.cause_words.empty() ? e.error_words : e.error_words + ": " + e.cause_words;
    case connect_step::resolve: {
      std::string line = e.through_proxy() ? "cannot resolve proxy " + e.proxy_address : "cannot resolve host '" + e.host + "'";
      if (e.timed_out) return line + ": timed out";
      return e.cause_words.empty() ? line : line + ": " + e.cause_words;
    }
    case connect_step::tcp_connect:
      return (e.through_proxy() ? "cannot connect to proxy " : "cannot connect to ") + where + ": " + cause_or_error(e) +
             tried(e);
    case connect_step::tls_handshake: return tls_words(e, where);
    case connect_step::websocket_upgrade:
      if (e.http_status != 0) {
        return "WebSocket upgrade with " + where + " failed: HTTP " + std::to_string(e.http_status) +
               (e.http_reason.empty() ? "" : " " + e.http_reason);
      }
      return "WebSocket upgrade with " + where + " failed: " + e.error_words +
             (e.cause_words.empty() ? "" : ": " + e.cause_words);
    case connect_step::unix_connect: return "cannot connect to Unix socket " + e.address + ": " + cause_or_error(e);
    case connect_step::proxy_handshake: return proxy_words(e);
  }
  return e.error_words;
}

std::string certificate_name(const std::string& subject) {
  const auto at = subject.find("CN=");
  if (at == std::string::npos) return subject;
  const auto end = subject.find(',', at);
  return subject.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

failure explain_connect_failure(const connect_failure_event& e, failure_kind kind, std::string subject) {
  failure f;
  f.kind = proxy_failed(e) ? failure_kind::unreachable : kind;
  f.subject = std::move(subject);
  f.reason = connect_failure_words(e);
  f.hint = connect_hint(e);
  if (e.step == connect_step::tcp_connect && e.timed_out && !e.through_proxy()) {
    // The OS error of an attempt cut short by the deadline is "operation canceled": say what it means.
    f.reason = "no answer to the TCP connection request (SYN) from " + e.address + tried(e);
  }
  if (e.local_tls_setup_failed) {
    f.hint = "a local TLS setting is wrong, not the broker: check that --cafile/--capath, --cert and --key name "
             "readable PEM files (the key matching the certificate), and the --ciphers and --tls-version values";
  } else if (e.step == connect_step::tls_handshake && !explain_certificate(e, f)) {
    explain_handshake(e, f);
  }
  if (e.step == connect_step::websocket_upgrade) explain_upgrade(e, f);
  return f;
}

failure explain_before_connack(const before_connack_event& e, failure f) {
  const auto reply = classify_reply(e.peer_bytes);
  if (reply.protocol == peer_protocol::http) {
    f.kind = failure_kind::protocol_error;
    f.reason = "the port answered the MQTT CONNECT with HTTP (" + reply.summary + "): it is a WebSocket/HTTP listener";
    f.hint = "connect with ws://HOST:PORT/mqtt (-L), or wss:// if it is a TLS WebSocket listener; plain MQTT is "
             "usually on port 1883";
    return f;
  }
  if (reply.protocol == peer_protocol::tls) {
    f.kind = failure_kind::protocol_error;
    f.reason = "the port answered the MQTT CONNECT with TLS (" + reply.summary + "): it is a TLS listener";
    f.hint = "connect with TLS: --cafile CA (or -L mqtts://), usually port 8883";
    return f;
  }
  if (reply.protocol == peer_protocol::other) {
    f.reason = "the port answered the MQTT CONNECT with bytes that are not MQTT: " + reply.summary;
    f.hint = "check -p: this port runs another protocol; -d shows the exchange";
    return f;
  }
  if (e.connack_timed_out) {
    f.reason = "the TCP connection was accepted and CONNECT sent, but " +
               (e.session_words.empty() ? std::string("no CONNACK came") : e.session_words);
    f.hint = "candidates: the port is not an MQTT listener, or one that waits for a TLS or WebSocket handshake "
             "first (try --cafile / mqtts:// or ws://), or the broker is overloaded; check -p and the broker's "
             "listener lines";
    return f;
  }
  if (contains_any(e.tls_alert, {"certificate required", "handshake failure", "bad certificate"})) {
    f.kind = failure_kind::tls;
    f.reason = "the broker ended TLS after the handshake (" + e.tls_alert +
               "): it requires a client certificate it accepts";
    f.hint = "pass --cert and --key signed by a CA the broker trusts (mosquitto: require_certificate, cafile)";
    return f;
  }
  if (e.closed && e.over_tls) {
    // TLS 1.3 finishes the client's side of the handshake before the server has checked the
    // client certificate: a missing one shows up as this drop, the alert often lost to the reset.
    f.reason = "the broker closed the TLS connection after CONNECT without a CONNACK";
    f.hint = "candidates: the broker requires a client certificate (mosquitto: require_certificate; pass --cert and "
             "--key signed by a CA it trusts), or it dropped this CONNECT without an answer (its log says why, e.g. "
             "a protocol version it does not speak: try -V 311)";
    return f;
  }
  if (e.closed) {
    f.reason = "the broker closed the connection after CONNECT without a CONNACK";
    f.hint = "candidates: the port is a TLS listener (mosquitto resets plain MQTT there: add --cafile or use "
             "mqtts://, usually port 8883), or the broker dropped this CONNECT without an answer (its log says "
             "why, e.g. a protocol version it does not speak: try -V 311)";
  }
  return f;
}

}  // namespace mqtk::diag
