// The connect-failure tables: one case per entry, each an observed event and the words every
// tool prints for it (the integration tests check the same words through real sockets).
#include "mqtk/diag/connect_failure_text.hpp"

#include <gtest/gtest.h>

namespace mqtk::diag {
namespace {

connect_failure_event event(connect_step step, std::string cause_words = {}) {
  connect_failure_event e;
  e.step = step;
  e.error_words = "the error's words";
  e.cause_words = std::move(cause_words);
  e.host = "broker.local";
  e.address = "127.0.0.1:8883";
  return e;
}

failure explain(const connect_failure_event& e, failure_kind kind = failure_kind::tls) {
  return explain_connect_failure(e, kind, "broker.local:8883");
}

certificate_facts certificate(std::string subject, std::string issuer) {
  return {std::move(subject), std::move(issuer), "2025-01-02T03:04:05Z", "2026-11-22T22:00:00Z", {}};
}

// --- TCP, Unix socket and proxy connects ---

TEST(connect_failure_text, a_plain_tcp_failure_keeps_the_transport_words_and_the_standard_advice) {
  const auto f = explain(event(connect_step::tcp_connect, "Connection refused"), failure_kind::tcp_refused);
  EXPECT_EQ(f.kind, failure_kind::tcp_refused);
  EXPECT_EQ(f.subject, "broker.local:8883");
  EXPECT_EQ(f.reason, "cannot connect to 127.0.0.1:8883: Connection refused");
  EXPECT_EQ(f.hint, "");
}

TEST(connect_failure_text, an_unanswered_syn_is_named_with_every_address_tried) {
  auto e = event(connect_step::tcp_connect);
  e.timed_out = true;
  EXPECT_EQ(explain(e).reason, "no answer to the TCP connection request (SYN) from 127.0.0.1:8883");
  e.attempts = {"[::1]:8883: Connection refused", "127.0.0.1:8883: timed out"};
  EXPECT_EQ(explain(e).reason,
            "no answer to the TCP connection request (SYN) from 127.0.0.1:8883 (tried [::1]:8883: Connection "
            "refused; 127.0.0.1:8883: timed out)");
}

TEST(connect_failure_text, a_unix_socket_failure_points_at_the_path) {
  const auto f = explain(event(connect_step::unix_connect), failure_kind::tcp_refused);
  EXPECT_EQ(f.kind, failure_kind::tcp_refused);
  EXPECT_EQ(f.hint, "check the --unix path and its permissions, and that the broker listens there (mosquitto: "
                    "listener 0 PATH)");
}

TEST(connect_failure_text, an_unreachable_proxy_is_the_proxys_fault_not_the_brokers) {
  for (auto step : {connect_step::resolve, connect_step::tcp_connect}) {
    auto e = event(step);
    e.proxy_address = "127.0.0.1:1080";
    const auto f = explain(e, failure_kind::tcp_refused);
    EXPECT_EQ(f.kind, failure_kind::unreachable);
    EXPECT_EQ(f.hint,
              "check --proxy: a SOCKS5 proxy must run at that host and port (default 1080) and be reachable from here");
  }
}

TEST(connect_failure_text, each_proxy_answer_has_its_own_advice) {
  const std::pair<proxy_answer, std::string> table[] = {
      {proxy_answer::authentication_failed, "check the user name and password in --proxy socks5h://USER:PASS@HOST:PORT"},
      {proxy_answer::no_acceptable_method,
       "the proxy wants credentials (or a method other than user name/password): give them in --proxy "
       "socks5h://USER:PASS@HOST:PORT"},
      {proxy_answer::not_allowed_by_ruleset,
       "the proxy's rules do not allow a connection to this broker: check the proxy's configuration"},
      {proxy_answer::reply_failure,
       "the proxy resolves -h and connects to -p itself: check that the broker runs there and that the proxy's host "
       "can reach it (its DNS, its network, the broker's firewall)"},
      {proxy_answer::not_socks5,
       "check that --proxy names a SOCKS5 proxy (not an HTTP proxy or the broker itself), and the proxy's log"},
  };
  for (const auto& [answer, hint] : table) {
    auto e = event(connect_step::proxy_handshake);
    e.proxy_address = "127.0.0.1:1080";
    e.proxy = answer;
    const auto f = explain(e, failure_kind::internal);
    EXPECT_EQ(f.kind, failure_kind::unreachable);
    EXPECT_EQ(f.hint, hint);
  }
}

TEST(connect_failure_text, after_the_proxy_tunnel_the_broker_is_diagnosed_as_usual) {
  auto e = event(connect_step::tls_handshake);
  e.proxy_address = "127.0.0.1:1080";
  EXPECT_EQ(explain(e).kind, failure_kind::tls);
}

// --- The transport's line: one case per step ---

TEST(connect_failure_words, a_failure_of_no_step_gives_the_error_and_what_is_under_it) {
  auto e = event(connect_step::none, "Bad file descriptor");
  EXPECT_EQ(connect_failure_words(e), "the error's words: Bad file descriptor");
  e.tls_error = "no cipher match";
  EXPECT_EQ(connect_failure_words(e), "the error's words: no cipher match");
  EXPECT_EQ(connect_failure_words(event(connect_step::none)), "the error's words");
}

TEST(connect_failure_words, an_unresolved_name_is_the_hosts_or_the_proxys) {
  auto e = event(connect_step::resolve, "Host not found (authoritative)");
  EXPECT_EQ(connect_failure_words(e), "cannot resolve host 'broker.local': Host not found (authoritative)");
  e.timed_out = true;
  EXPECT_EQ(connect_failure_words(e), "cannot resolve host 'broker.local': timed out");
  e.timed_out = false;
  e.proxy_address = "proxy.invalid:1080";
  EXPECT_EQ(connect_failure_words(e), "cannot resolve proxy proxy.invalid:1080: Host not found (authoritative)");
}

TEST(connect_failure_words, a_tcp_connect_names_the_address_and_every_attempt) {
  auto e = event(connect_step::tcp_connect);
  EXPECT_EQ(connect_failure_words(e), "cannot connect to 127.0.0.1:8883: the error's words");
  e.cause_words = "Connection refused";
  e.attempts = {"[::1]:8883: Connection refused", "127.0.0.1:8883: Connection refused"};
  EXPECT_EQ(connect_failure_words(e),
            "cannot connect to 127.0.0.1:8883: Connection refused (tried [::1]:8883: Connection refused; "
            "127.0.0.1:8883: Connection refused)");
  e.attempts.clear();
  e.address.clear();
  e.proxy_address = "127.0.0.1:1080";
  EXPECT_EQ(connect_failure_words(e), "cannot connect to proxy broker.local: Connection refused");
}

TEST(connect_failure_words, a_tls_failure_says_which_check_stopped_the_handshake) {
  auto e = event(connect_step::tls_handshake);
  e.tls = tls_stop::host_name_mismatch;
  e.verify_error = "hostname mismatch";
  EXPECT_EQ(connect_failure_words(e), "TLS certificate of 127.0.0.1:8883 does not match 'broker.local': hostname mismatch");
  e.tls = tls_stop::chain_not_trusted;
  e.verify_error = "certificate has expired";
  EXPECT_EQ(connect_failure_words(e), "TLS certificate verification failed for 127.0.0.1:8883: certificate has expired");
  e.verify_depth = 2;
  EXPECT_EQ(connect_failure_words(e),
            "TLS certificate verification failed for 127.0.0.1:8883: certificate has expired (certificate 2 of the "
            "chain)");
  e.tls = tls_stop::handshake;
  e.tls_error = "tlsv1 alert unknown ca";
  EXPECT_EQ(connect_failure_words(e), "TLS handshake with 127.0.0.1:8883 failed: the error's words: tlsv1 alert unknown ca");
}

TEST(connect_failure_words, a_websocket_upgrade_gives_the_http_status_or_the_error) {
  auto e = event(connect_step::websocket_upgrade, "bad version");
  EXPECT_EQ(connect_failure_words(e), "WebSocket upgrade with 127.0.0.1:8883 failed: the error's words: bad version");
  e.http_status = 401;
  e.http_reason = "Unauthorized";
  EXPECT_EQ(connect_failure_words(e), "WebSocket upgrade with 127.0.0.1:8883 failed: HTTP 401 Unauthorized");
}

TEST(connect_failure_words, a_unix_socket_names_its_path) {
  auto e = event(connect_step::unix_connect, "Permission denied");
  e.address = "/run/mosquitto.sock";
  EXPECT_EQ(connect_failure_words(e), "cannot connect to Unix socket /run/mosquitto.sock: Permission denied");
}

TEST(connect_failure_words, each_socks5_outcome_in_the_proxys_terms) {
  auto e = event(connect_step::proxy_handshake);
  e.address = "example:1883";
  e.proxy_address = "127.0.0.1:1080";
  e.cause_words = "connection refused";
  e.socks5_reply = 0x05;
  EXPECT_EQ(connect_failure_words(e),
            "proxy 127.0.0.1:1080 could not reach broker example:1883: connection refused (SOCKS5 reply 0x05)");
  e.socks5_reply.reset();
  e.proxy = proxy_answer::authentication_failed;
  EXPECT_EQ(connect_failure_words(e),
            "proxy 127.0.0.1:1080 refused the user name and password (SOCKS5 user/password authentication failed)");
  e.proxy = proxy_answer::no_acceptable_method;
  EXPECT_EQ(connect_failure_words(e),
            "proxy 127.0.0.1:1080 accepts none of the offered authentication methods (SOCKS5 method reply 0xFF)");
  e.proxy = proxy_answer::not_socks5;
  e.cause_words = "the reply is not SOCKS version 5";
  EXPECT_EQ(connect_failure_words(e),
            "SOCKS5 handshake with proxy 127.0.0.1:1080 failed: the reply is not SOCKS version 5");
  e.cause_words.clear();
  EXPECT_EQ(connect_failure_words(e), "SOCKS5 handshake with proxy 127.0.0.1:1080 failed: the error's words");
  e.ending = peer_ending::closed;
  EXPECT_EQ(connect_failure_words(e), "proxy 127.0.0.1:1080 closed the connection during the SOCKS5 handshake");
  e.timed_out = true;
  EXPECT_EQ(connect_failure_words(e), "proxy 127.0.0.1:1080 did not finish the SOCKS5 handshake in time");
}

// --- TLS: certificate verdicts ---

TEST(connect_failure_text, an_expired_certificate_with_its_date_and_openssls_words) {
  auto e = event(connect_step::tls_handshake);
  e.verdict = certificate_verdict::expired;
  e.verify_error = "certificate has expired";
  e.verify_depth = 0;
  e.chain = {certificate("CN=localhost,O=mqtk tests", "CN=mqtk test CA")};
  const auto f = explain(e);
  EXPECT_EQ(f.reason, "the broker's certificate (localhost) expired on 2026-11-22 22:00 UTC (OpenSSL: certificate has "
                      "expired)");
  EXPECT_EQ(f.hint, "renew the broker's certificate; if it should still be valid, check this machine's clock (date -u)");
}

TEST(connect_failure_text, an_expired_ca_certificate_is_named_as_the_chains) {
  auto e = event(connect_step::tls_handshake);
  e.verdict = certificate_verdict::expired;
  e.verify_depth = 1;
  e.chain = {certificate("CN=localhost", "CN=intermediate"), certificate("CN=intermediate", "CN=root")};
  EXPECT_EQ(explain(e).reason, "a CA certificate in the broker's chain (intermediate) expired on 2026-11-22 22:00 UTC");
}

TEST(connect_failure_text, a_verdict_without_the_chain_says_what_it_can) {
  auto e = event(connect_step::tls_handshake);
  e.verdict = certificate_verdict::expired;
  EXPECT_EQ(explain(e).reason, "the broker's certificate expired");
}

TEST(connect_failure_text, a_certificate_not_yet_valid_points_at_the_clock) {
  auto e = event(connect_step::tls_handshake);
  e.verdict = certificate_verdict::not_yet_valid;
  e.chain = {certificate("CN=localhost", "CN=ca")};
  const auto f = explain(e);
  EXPECT_EQ(f.reason, "the broker's certificate (localhost) is not valid yet: valid from 2025-01-02 03:04 UTC");
  EXPECT_EQ(f.hint, "check this machine's clock (date -u; a device that has not synchronised with NTP/SNTP thinks it "
                    "is 1970), or reissue the certificate with a start date in the past");
}

TEST(connect_failure_text, a_self_signed_certificate) {
  auto e = event(connect_step::tls_handshake);
  e.verdict = certificate_verdict::self_signed;
  e.chain = {certificate("O=no common name", "O=no common name")};
  const auto f = explain(e);
  EXPECT_EQ(f.reason, "the broker presents a self-signed certificate (O=no common name) that this client does not trust");
  EXPECT_EQ(f.hint,
            "pass that certificate itself with --cafile, or use a certificate signed by a CA you pass with --cafile");
}

TEST(connect_failure_text, a_certificate_from_an_untrusted_ca_names_the_issuer) {
  auto e = event(connect_step::tls_handshake);
  e.verdict = certificate_verdict::untrusted_issuer;
  e.verify_error = "unable to get local issuer certificate";
  e.chain = {certificate("CN=localhost,O=mqtk tests", "CN=mqtk test CA,O=mqtk tests")};
  const auto f = explain(e);
  EXPECT_EQ(f.reason, "the broker's certificate (localhost) is signed by a CA this client does not trust (issuer: mqtk "
                      "test CA) (OpenSSL: unable to get local issuer certificate)");
  EXPECT_EQ(f.hint, "pass the CA certificate that signed it with --cafile (the CA's, not the broker's own certificate); "
                    "--tls-use-os-certs trusts the system's CAs");
}

TEST(connect_failure_text, a_name_mismatch_lists_the_names_the_certificate_holds) {
  auto e = event(connect_step::tls_handshake);
  e.verdict = certificate_verdict::name_mismatch;
  e.chain = {certificate("CN=localhost", "CN=ca")};
  e.chain[0].alt_names = {"DNS:localhost", "IP:127.0.0.1"};
  const auto f = explain(e);
  EXPECT_EQ(f.reason, "the broker's certificate is valid for DNS:localhost, IP:127.0.0.1, not for 'broker.local'");
  EXPECT_EQ(f.hint, "connect with -h set to a name or address the certificate lists, or reissue the certificate with "
                    "'broker.local' in its subjectAltName (--insecure skips this check, for tests only)");
  e.chain[0].alt_names.clear();
  EXPECT_EQ(explain(e).reason,
            "the broker's certificate is valid for only CN=localhost (no subjectAltName), not for 'broker.local'");
  e.chain.clear();
  EXPECT_EQ(explain(e).reason, "the broker's certificate is valid for other names, not for 'broker.local'");
}

TEST(connect_failure_text, certificates_are_named_by_their_common_name) {
  EXPECT_EQ(certificate_name("CN=localhost,O=mqtk tests"), "localhost");
  EXPECT_EQ(certificate_name("O=mqtk tests,CN=broker"), "broker");
  EXPECT_EQ(certificate_name("O=mqtk tests"), "O=mqtk tests");
}

// --- TLS: handshake failures without a certificate verdict ---

failure handshake(std::string tls_error, std::string psk_identity = {}) {
  auto e = event(connect_step::tls_handshake);
  e.tls_error = std::move(tls_error);
  e.psk_identity = std::move(psk_identity);
  return explain(e);
}

TEST(connect_failure_text, a_refused_psk_names_the_identity) {
  const auto f = handshake("tlsv1 alert decrypt error", "device-7");
  EXPECT_EQ(f.reason, "the broker did not accept the TLS-PSK key for identity 'device-7' (tlsv1 alert decrypt error)");
  EXPECT_EQ(f.hint, "check --psk and --psk-identity against the broker's psk_file, and that -p is its PSK listener "
                    "(mosquitto: psk_hint)");
  // A port that does not speak TLS is that, with or without a key.
  EXPECT_EQ(handshake("wrong version number", "device-7").reason,
            "the server at 127.0.0.1:8883 answered the TLS hello with something that is not TLS");
}

// A reset on the hello is no verdict on the key (it is what a plain MQTT listener does).
TEST(connect_failure_text, a_psk_handshake_dropped_without_an_answer_lists_the_candidates) {
  auto e = event(connect_step::tls_handshake);
  e.psk_identity = "device-7";
  e.tls_error = "Connection reset by peer";
  e.ending = peer_ending::closed;
  const auto f = explain(e);
  EXPECT_EQ(f.reason,
            "the server at 127.0.0.1:8883 closed the connection during the TLS-PSK handshake without answering");
  EXPECT_EQ(f.hint, "candidates: the port is a plain MQTT listener (mosquitto resets a TLS hello there: use mqtt:// "
                    "without --psk, usually port 1883), or a TLS listener without PSK (mosquitto: psk_hint), or the "
                    "server dropped identity 'device-7' without an alert (check its log)");
}

TEST(connect_failure_text, a_peer_that_does_not_speak_tls) {
  for (auto words : {"wrong version number", "packet length too long", "unknown protocol", "record layer failure"}) {
    const auto f = handshake(words);
    EXPECT_EQ(f.reason, "the server at 127.0.0.1:8883 answered the TLS hello with something that is not TLS") << words;
    EXPECT_EQ(f.hint, "this port is not a TLS listener (probably plain MQTT or a WebSocket/HTTP one): use mqtt:// (drop "
                      "--cafile) or ws:// for it, or the broker's TLS port (usually 8883)");
  }
}

TEST(connect_failure_text, no_tls_version_in_common) {
  for (auto words : {"tlsv1 alert protocol version", "unsupported protocol", "no protocols available",
                     "version too low", "version too high"}) {
    const auto f = handshake(words);
    EXPECT_EQ(f.reason, "the broker and this client have no TLS version in common (" + std::string(words) + ")");
    EXPECT_EQ(f.hint, "check the broker's tls_version setting against what the client supports (a device on mbedTLS "
                      "2.x has only TLS 1.2); --tls-version and --tls-max-version set this side's oldest and newest");
  }
}

TEST(connect_failure_text, no_cipher_in_common) {
  for (auto words : {"sslv3 alert handshake failure", "no shared cipher", "no cipher match", "insufficient security"}) {
    const auto f = handshake(words);
    EXPECT_EQ(f.reason,
              "the TLS handshake failed (" + std::string(words) + "): usually no cipher suite (or TLS version) in common");
    EXPECT_EQ(f.hint,
              "check --ciphers and --tls-version against the broker's ciphers/tls_version settings, or drop --ciphers");
  }
}

TEST(connect_failure_text, a_client_certificate_is_required) {
  for (auto words : {"tlsv13 alert certificate required", "peer did not return a certificate"}) {
    const auto f = handshake(words);
    EXPECT_EQ(f.reason, "the broker requires a client certificate (" + std::string(words) + ")");
    EXPECT_EQ(f.hint, "pass --cert and --key signed by a CA the broker trusts (mosquitto: require_certificate, cafile)");
  }
}

TEST(connect_failure_text, the_client_certificate_is_not_accepted) {
  for (auto words : {"tlsv1 alert unknown ca", "sslv3 alert bad certificate", "certificate unknown", "decrypt error"}) {
    const auto f = handshake(words);
    EXPECT_EQ(f.reason, "the broker did not accept the client certificate (" + std::string(words) + ")");
    EXPECT_EQ(f.hint, "use a --cert signed by a CA the broker trusts, with its matching --key");
  }
}

TEST(connect_failure_text, a_handshake_dropped_without_an_answer_lists_the_candidates) {
  auto e = event(connect_step::tls_handshake);
  e.ending = peer_ending::closed;
  const auto f = explain(e);
  EXPECT_EQ(f.reason, "the server at 127.0.0.1:8883 closed the connection during the TLS handshake without answering");
  EXPECT_EQ(f.hint, "candidates: the port is a plain MQTT listener (mosquitto resets a TLS hello there: use mqtt:// and "
                    "drop --cafile, usually port 1883), or the server refused this TLS version or server name without "
                    "an alert (check its log)");
  // Once the server has sent its certificate it does speak TLS: its words are all there is.
  e.chain = {certificate("CN=localhost", "CN=ca")};
  EXPECT_EQ(explain(e).reason, "TLS handshake with 127.0.0.1:8883 failed: the error's words");
}

TEST(connect_failure_text, an_unknown_handshake_error_keeps_the_transport_words) {
  const auto f = handshake("some new alert");
  EXPECT_EQ(f.reason, "TLS handshake with 127.0.0.1:8883 failed: the error's words: some new alert");
  EXPECT_EQ(f.hint, "");
}

TEST(connect_failure_text, a_local_tls_setup_failure_blames_this_side) {
  auto e = event(connect_step::tls_handshake);
  e.local_tls_setup_failed = true;
  e.verdict = certificate_verdict::expired;  // not looked at: nothing reached the broker
  const auto f = explain(e);
  EXPECT_EQ(f.reason, "TLS handshake with 127.0.0.1:8883 failed: the error's words");
  EXPECT_EQ(f.hint, "a local TLS setting is wrong, not the broker: check that --cafile/--capath, --cert and --key name "
                    "readable PEM files (the key matching the certificate), and the --ciphers and --tls-version values");
}

// --- WebSocket upgrade ---

failure upgrade(int status, peer_ending ending = peer_ending::other) {
  auto e = event(connect_step::websocket_upgrade);
  e.http_status = status;
  e.ending = ending;
  return explain(e, failure_kind::websocket);
}

TEST(connect_failure_text, an_upgrade_answered_404_asks_for_the_path) {
  const auto f = upgrade(404);
  EXPECT_EQ(f.reason, "WebSocket upgrade with 127.0.0.1:8883 failed: HTTP 404");
  EXPECT_EQ(f.hint, "the server has no WebSocket endpoint at this path: put the broker's path in the URL "
                    "(ws://HOST:PORT/mqtt for EMQX, HiveMQ and most brokers)");
}

TEST(connect_failure_text, an_upgrade_answered_401_or_403_asks_for_credentials) {
  for (int status : {401, 403}) {
    EXPECT_EQ(upgrade(status).hint, "the HTTP server refused the upgrade: it wants credentials (--ws-header "
                                    "\"Authorization: ...\") or refuses this origin or path");
  }
}

TEST(connect_failure_text, an_upgrade_answered_with_another_status) {
  EXPECT_EQ(upgrade(200).hint, "an HTTP server answered but did not upgrade to WebSocket: check the path and that this "
                               "port is the broker's WebSocket listener (ws:// vs wss://)");
}

TEST(connect_failure_text, an_upgrade_dropped_without_an_http_answer) {
  const auto f = upgrade(0, peer_ending::closed);
  EXPECT_EQ(f.reason, "the server at 127.0.0.1:8883 closed the connection on the WebSocket upgrade request without an "
                      "HTTP answer");
  EXPECT_EQ(f.hint, "this port is probably a plain MQTT listener (use mqtt://, usually port 1883) or a TLS listener "
                    "(wss:// or mqtts://, usually 8883)");
}

TEST(connect_failure_text, an_upgrade_answered_with_something_not_http) {
  const auto f = upgrade(0, peer_ending::not_http);
  EXPECT_EQ(f.reason, "the server at 127.0.0.1:8883 answered the WebSocket upgrade with something that is not HTTP");
  EXPECT_EQ(f.hint, "this port is not a WebSocket listener: if it speaks TLS use wss:// or mqtts://, otherwise mqtt://");
  EXPECT_EQ(upgrade(0).hint, "");
}

// --- Before CONNACK ---

failure before_connack(const before_connack_event& e) {
  return explain_before_connack(e, failure{failure_kind::connection_lost, "broker:1883", "connection lost", ""});
}

TEST(before_connack_text, an_http_answer_means_a_websocket_listener) {
  const std::string reply = "HTTP/1.1 400 Bad Request\r\n";
  before_connack_event e;
  e.peer_bytes = std::span(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size());
  const auto f = before_connack(e);
  EXPECT_EQ(f.kind, failure_kind::protocol_error);
  EXPECT_TRUE(f.reason.starts_with("the port answered the MQTT CONNECT with HTTP (")) << f.reason;
  EXPECT_TRUE(f.reason.ends_with("): it is a WebSocket/HTTP listener")) << f.reason;
  EXPECT_EQ(f.hint, "connect with ws://HOST:PORT/mqtt (-L), or wss:// if it is a TLS WebSocket listener; plain MQTT is "
                    "usually on port 1883");
}

TEST(before_connack_text, a_tls_answer_means_a_tls_listener) {
  const std::uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46};
  before_connack_event e;
  e.peer_bytes = alert;
  const auto f = before_connack(e);
  EXPECT_EQ(f.kind, failure_kind::protocol_error);
  EXPECT_TRUE(f.reason.starts_with("the port answered the MQTT CONNECT with TLS (")) << f.reason;
  EXPECT_TRUE(f.reason.ends_with("): it is a TLS listener")) << f.reason;
  EXPECT_EQ(f.hint, "connect with TLS: --cafile CA (or -L mqtts://), usually port 8883");
}

TEST(before_connack_text, other_bytes_mean_another_protocol) {
  const std::string reply = "SSH-2.0-OpenSSH_9.6\r\n";
  before_connack_event e;
  e.peer_bytes = std::span(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size());
  const auto f = before_connack(e);
  EXPECT_EQ(f.kind, failure_kind::connection_lost);
  EXPECT_TRUE(f.reason.starts_with("the port answered the MQTT CONNECT with bytes that are not MQTT: ")) << f.reason;
  EXPECT_EQ(f.hint, "check -p: this port runs another protocol; -d shows the exchange");
}

TEST(before_connack_text, no_connack_in_time_lists_the_candidates) {
  before_connack_event e;
  e.connack_timed_out = true;
  e.session_words = "no CONNACK within 5 s";
  const auto f = before_connack(e);
  EXPECT_EQ(f.reason, "the TCP connection was accepted and CONNECT sent, but no CONNACK within 5 s");
  EXPECT_EQ(f.hint, "candidates: the port is not an MQTT listener, or one that waits for a TLS or WebSocket handshake "
                    "first (try --cafile / mqtts:// or ws://), or the broker is overloaded; check -p and the broker's "
                    "listener lines");
  e.session_words.clear();
  EXPECT_EQ(before_connack(e).reason, "the TCP connection was accepted and CONNECT sent, but no CONNACK came");
}

TEST(before_connack_text, a_tls_alert_after_the_handshake_asks_for_a_client_certificate) {
  for (auto words : {"tlsv13 alert certificate required", "sslv3 alert handshake failure", "sslv3 alert bad certificate"}) {
    before_connack_event e;
    e.tls_alert = words;
    e.over_tls = true;
    const auto f = before_connack(e);
    EXPECT_EQ(f.kind, failure_kind::tls);
    EXPECT_EQ(f.reason, "the broker ended TLS after the handshake (" + std::string(words) +
                            "): it requires a client certificate it accepts");
    EXPECT_EQ(f.hint, "pass --cert and --key signed by a CA the broker trusts (mosquitto: require_certificate, cafile)");
  }
}

TEST(before_connack_text, a_drop_over_tls_lists_the_candidates) {
  before_connack_event e;
  e.closed = true;
  e.over_tls = true;
  e.tls_alert = "some other alert";
  const auto f = before_connack(e);
  EXPECT_EQ(f.kind, failure_kind::connection_lost);
  EXPECT_EQ(f.reason, "the broker closed the TLS connection after CONNECT without a CONNACK");
  EXPECT_EQ(f.hint, "candidates: the broker requires a client certificate (mosquitto: require_certificate; pass --cert "
                    "and --key signed by a CA it trusts), or it dropped this CONNECT without an answer (its log says "
                    "why, e.g. a protocol version it does not speak: try -V 311)");
}

TEST(before_connack_text, a_drop_without_tls_lists_the_candidates) {
  before_connack_event e;
  e.closed = true;
  const auto f = before_connack(e);
  EXPECT_EQ(f.reason, "the broker closed the connection after CONNECT without a CONNACK");
  EXPECT_EQ(f.hint, "candidates: the port is a TLS listener (mosquitto resets plain MQTT there: add --cafile or use "
                    "mqtts://, usually port 8883), or the broker dropped this CONNECT without an answer (its log says "
                    "why, e.g. a protocol version it does not speak: try -V 311)");
}

TEST(before_connack_text, anything_else_leaves_the_failure_as_it_was) {
  const failure before{failure_kind::connection_lost, "broker:1883", "connection lost", ""};
  EXPECT_EQ(before_connack(before_connack_event{}), before);
}

}  // namespace
}  // namespace mqtk::diag
