#pragma once
// Why a connect, an operation or a connection failed, in the detail a tool prints: the error
// (net_error, session_error, an OS or TLS error), the broker's reason code when it gave one,
// the transport's connect_failure, and the session's one-line message ("no PINGRESP within
// 1 s"). Maps to the exit codes of ARCHITECTURE.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/system/error_code.hpp>

#include "mqtk/diag/connect_failure_text.hpp"
#include "mqtk/diag/failure.hpp"
#include "mqtk/net/connect_failure.hpp"
#include "mqtk/net/url.hpp"
#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/session_action.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::client {

struct failure_details {
  boost::system::error_code error;
  // The broker's code when it said why: CONNACK refusal, DISCONNECT, PUBACK/PUBREC/SUBACK
  // failure (with `where` saying which packet). 0 otherwise.
  proto::reason_code reason_code;
  proto::packet_type where = proto::packet_type::connack;
  proto::protocol_version version = proto::protocol_version::v311;
  // One line in the session's or the transport's words.
  std::string message;
  // "host:port" of the broker, for messages.
  std::string subject;
  // Set when the transport failed to connect: phase, address, OpenSSL verify error, HTTP status.
  std::optional<net::connect_failure> connect;
  // The transport was up and CONNECT sent, but no CONNACK had arrived when this failed: a drop
  // or garbage now says something about what listens on the port.
  bool before_connack = false;
  // The first bytes the peer sent before CONNACK (at most 64): an HTTP status line or a TLS
  // alert there names the protocol the port really speaks (diag::classify_reply).
  std::vector<std::uint8_t> peer_bytes;
  // The scheme connected with: a drop before CONNACK means one thing over TLS, another without.
  net::scheme scheme = net::scheme::mqtt;
  // The broker's packet that had only partly arrived when the connection ended: a drop in
  // the middle of a packet is not a broker closing a connection it refuses.
  std::optional<proto::partial_packet> cut_short;
  // The broker's packet still arriving when a deadline (CONNACK, acknowledgement, PINGRESP)
  // passed: a broker that trickles or stalled, not one that stayed silent.
  std::optional<proto::packet_in_progress> receiving;

  explicit operator bool() const noexcept { return static_cast<bool>(error); }

  // True when the broker gave a failure reason code (exit code = that code).
  bool broker_refused() const noexcept;
  // True when the broker sent what MQTT forbids (malformed, unexpected, over our limits):
  // reconnecting would only see it again.
  bool broker_broke_protocol() const noexcept;
  // ARCHITECTURE.md exit code: the broker's reason code as itself; 69 unreachable (also no CONNACK in
  // time); 79 TLS; 80 WebSocket; 75 connection lost, including a keep-alive failure ("no
  // PINGRESP within N s": the broker stopped answering without a reason); 76 the broker broke
  // the protocol; 70 anything else.
  int exit_code() const noexcept;
  // The local failure for diag (kind, subject, reason); meaningful when !broker_refused().
  diag::failure to_failure() const;
  // The one stderr line: a refusal explained by diag::refusal_line, or to_failure().line().
  std::string line() const;
};

// The transport's connect_failure as the plain event diag explains: the Asio, OpenSSL, Beast and
// SOCKS5 error codes read here, so that diag needs none of them.
diag::connect_failure_event connect_failure_event_of(const net::connect_failure& c);

// Its one line in diag's words ("cannot connect to 127.0.0.1:1883: Connection refused"), for
// the places that print the transport's failure without the rest of a failure line.
std::string connect_failure_words(const net::connect_failure& c);

}  // namespace mqtk::client
