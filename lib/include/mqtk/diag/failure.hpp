#pragma once
// A failure on this side of the wire (the broker did not give a reason code): what kind it is,
// which exit code it maps to (exit_code.hpp), and the one stderr line ARCHITECTURE.md asks for,
// saying what failed, why, and what to try. Refusals with a reason code are in refusal.hpp.
#include <string>
#include <string_view>

#include "mqtk/diag/exit_code.hpp"

namespace mqtk::diag {

enum class failure_kind {
  unreachable,      // no route, network down, host unreachable
  dns,              // the host name does not resolve
  tcp_refused,      // RST to the SYN: nothing listens on that port
  connect_timeout,  // no answer to the SYN (or to CONNECT) in time
  tls,              // handshake or certificate verification failed
  websocket,        // the HTTP upgrade was refused
  connection_lost,  // EOF or RST mid-session, no DISCONNECT reason
  protocol_error,   // the peer sent a malformed or unexpected packet
  timeout,          // -W expired, or an acknowledgement never came
  usage,            // a bad option or value
  input,            // an input file is not what it claims to be
  cannot_open,      // an input file cannot be opened
  internal,         // a bug in mqtk
  check_failed,     // mqtk-ping findings at error level, mqtk-bench thresholds
};

// "unreachable", "tcp_refused", ...: the spelling used in JSON output.
std::string_view failure_kind_name(failure_kind k) noexcept;

struct failure {
  failure_kind kind = failure_kind::internal;
  // What was being done or reached: "broker.local:1883", "-q", "dump.pcapng", "PUBACK for id 7".
  std::string subject;
  // Why, in the words of the OS, the library or the peer: "Connection refused", "HTTP 404
  // Not Found", "certificate verify failed". May be empty.
  std::string reason;
  // What to try; empty means the kind's standard advice.
  std::string hint;

  diag::exit_code exit_code() const noexcept;
  // One line, no trailing newline: "<what failed>[: <why>] — <what to try>".
  std::string line() const;
  // The standard advice for the kind, used when `hint` is empty.
  std::string_view default_hint() const noexcept;

  friend bool operator==(const failure&, const failure&) = default;
};

}  // namespace mqtk::diag
