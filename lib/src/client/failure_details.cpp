#include "mqtk/client/failure_details.hpp"

#include <openssl/x509_vfy.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "mqtk/diag/connect_failure_text.hpp"
#include "mqtk/diag/refusal.hpp"
#include "mqtk/diag/session_close.hpp"
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

bool is_eof_or_reset(const boost::system::error_code& ec) {
  return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
         ec == boost::asio::ssl::error::stream_truncated || ec == boost::beast::http::error::end_of_stream;
}

diag::connect_step step_of(net::connect_phase p) {
  using net::connect_phase;
  switch (p) {
    case connect_phase::resolve: return diag::connect_step::resolve;
    case connect_phase::tls_handshake: return diag::connect_step::tls_handshake;
    case connect_phase::websocket_upgrade: return diag::connect_step::websocket_upgrade;
    case connect_phase::proxy_handshake: return diag::connect_step::proxy_handshake;
    case connect_phase::unix_connect: return diag::connect_step::unix_connect;
    case connect_phase::none: return diag::connect_step::none;
    case connect_phase::tcp_connect: break;
  }
  return diag::connect_step::tcp_connect;
}

// What the SOCKS5 negotiation's error says the proxy answered.
diag::proxy_answer proxy_answer_of(const boost::system::error_code& detail) {
  using net::socks5_error;
  if (detail == socks5_error::authentication_failed) return diag::proxy_answer::authentication_failed;
  if (detail == socks5_error::no_acceptable_method) return diag::proxy_answer::no_acceptable_method;
  if (detail == socks5_error::not_allowed_by_ruleset) return diag::proxy_answer::not_allowed_by_ruleset;
  if (net::socks5_reply_code(detail)) return diag::proxy_answer::reply_failure;
  return diag::proxy_answer::not_socks5;
}

diag::tls_stop tls_stop_of(const boost::system::error_code& error) {
  if (error == net::net_error::tls_hostname_mismatch) return diag::tls_stop::host_name_mismatch;
  if (error == net::net_error::tls_verify_failed) return diag::tls_stop::chain_not_trusted;
  return diag::tls_stop::handshake;
}

diag::peer_ending ending_of(const boost::system::error_code& detail) {
  if (is_eof_or_reset(detail)) return diag::peer_ending::closed;
  if (detail.category() == boost::beast::http::make_error_code(boost::beast::http::error::bad_version).category() ||
      detail == boost::asio::error::message_size) {
    return diag::peer_ending::not_http;
  }
  return diag::peer_ending::other;
}

diag::certificate_verdict verdict_of(long verify_result) {
  using diag::certificate_verdict;
  switch (verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED: return certificate_verdict::expired;
    case X509_V_ERR_CERT_NOT_YET_VALID: return certificate_verdict::not_yet_valid;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return certificate_verdict::self_signed;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: return certificate_verdict::untrusted_issuer;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return certificate_verdict::name_mismatch;
    default: return certificate_verdict::none;
  }
}

// The session's failure before CONNACK as the plain event diag explains.
diag::before_connack_event before_connack_event_of(const failure_details& d) {
  diag::before_connack_event e;
  e.peer_bytes = d.peer_bytes;
  e.connack_timed_out = d.error == session_error::connack_timeout;
  e.session_words = d.message;
  if (d.error.category() == boost::asio::error::get_ssl_category()) e.tls_alert = d.error.message();
  e.closed = is_eof_or_reset(d.error);
  e.over_tls = net::is_tls(d.scheme);
  return e;
}

// What a misbehaving broker did (issue 15), as the plain event diag explains; none when the
// failure is not one of those.
diag::broker_misbehaviour_event misbehaviour_of(const failure_details& d) {
  diag::broker_misbehaviour_event e;
  if (d.cut_short && is_eof_or_reset(d.error)) {
    e.what = diag::broker_misbehaviour::cut_short;
    e.reset = d.error != boost::asio::error::eof;
    e.cut_short = *d.cut_short;
  } else if (is(d.error, session_error::packet_too_large)) {
    e.what = diag::broker_misbehaviour::packet_too_large;
  } else if (is(d.error, session_error::topic_alias_invalid)) {
    e.what = diag::broker_misbehaviour::topic_alias_invalid;
  } else if (d.receiving) {
    e.what = diag::broker_misbehaviour::slow_sender;
    e.receiving = *d.receiving;
  } else if (is(d.error, session_error::ack_timeout)) {
    e.what = diag::broker_misbehaviour::ack_timeout;
  }
  return e;
}

}  // namespace

diag::connect_failure_event connect_failure_event_of(const net::connect_failure& c) {
  diag::connect_failure_event e;
  e.step = step_of(c.phase);
  e.error_words = c.error ? c.error.message() : "no failure";
  if (c.detail) e.cause_words = c.detail.message();
  e.timed_out = c.error == net::net_error::connect_timeout;
  e.host = c.host;
  e.address = c.address;
  e.proxy_address = c.proxy;
  e.proxy = proxy_answer_of(c.detail);
  e.socks5_reply = net::socks5_reply_code(c.detail);
  e.attempts = c.attempts;
  e.local_tls_setup_failed = c.error == net::net_error::tls_setup_failed;
  e.tls = tls_stop_of(c.error);
  e.verdict = verdict_of(c.verify_result);
  e.verify_error = c.verify_error;
  e.verify_depth = c.verify_depth;
  for (const auto& cert : c.tls.peer_chain) {
    e.chain.push_back({cert.subject, cert.issuer, cert.not_before, cert.not_after, cert.subject_alt_names});
  }
  e.tls_error = c.openssl_error;
  e.psk_identity = c.psk_identity;
  e.http_status = c.http_status;
  e.http_reason = c.http_reason;
  e.ending = ending_of(c.detail);
  return e;
}

std::string connect_failure_words(const net::connect_failure& c) {
  return diag::connect_failure_words(connect_failure_event_of(c));
}

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
  if (reason_code == proto::reason_code{}) return false;  // no code given
  if (is(error, session_error::connection_refused) || is(error, session_error::rejected)) return true;
  // A 5.0 DISCONNECT with a failure code is the broker saying why; "normal disconnection"
  // (0) or a code below 0x80 is not a refusal and maps like a lost connection.
  return is(error, session_error::server_disconnected) &&
         reason_code.is_failure(proto::packet_type::disconnect, proto::protocol_version::v5);
}

int failure_details::exit_code() const noexcept {
  if (!error) return 0;
  if (broker_refused()) return diag::exit_code_for_reason(reason_code) == 0 ? reason_code.value()
                                                                           : diag::exit_code_for_reason(reason_code);
  return diag::to_int(to_failure().exit_code());
}

diag::failure failure_details::to_failure() const {
  if (connect && connect->phase != net::connect_phase::none) {
    return diag::explain_connect_failure(connect_failure_event_of(*connect), kind_of(error), subject);
  }
  diag::failure f;
  f.kind = kind_of(error);
  // A CONNACK deadline that passed while the broker's packet was still arriving: the broker is
  // reachable and answering, only too slowly, so this is a timeout (27), not "no answer" (69).
  if (receiving && f.kind == diag::failure_kind::connect_timeout) f.kind = diag::failure_kind::timeout;
  f.subject = subject;
  if (!message.empty()) {
    f.reason = message;
    // The broker did say goodbye, with a code that reports no failure: the kind's standard
    // advice ("closed the connection without a reason") would contradict the line.
    if (is(error, session_error::server_disconnected)) f.hint = diag::disconnect_without_failure_hint();
  } else {
    f.reason = error.message();
  }
  if (before_connack && !connect) f = diag::explain_before_connack(before_connack_event_of(*this), std::move(f));
  if (!connect) f = diag::explain_broker_misbehaviour(misbehaviour_of(*this), std::move(f));
  return f;
}

std::string failure_details::line() const {
  if (broker_refused()) return diag::refusal_line(reason_code, version, where);
  return to_failure().line();
}

}  // namespace mqtk::client
