#include "mqtk/diag/failure.hpp"

#include "mqtk/report/text_escape.hpp"

namespace mqtk::diag {
namespace {

// What failed, as the start of the line. `subject` is spliced in where it reads naturally, and
// a neutral word stands in when the caller has none.
std::string summary(failure_kind kind, std::string_view subject) {
  const auto or_default = [&](std::string_view fallback) {
    return std::string{subject.empty() ? fallback : subject};
  };
  switch (kind) {
    case failure_kind::unreachable: return "cannot reach " + or_default("the broker");
    case failure_kind::dns: return "cannot resolve " + or_default("the broker's host name");
    case failure_kind::tcp_refused: return "connection to " + or_default("the broker") + " refused";
    case failure_kind::connect_timeout: return "no answer from " + or_default("the broker");
    case failure_kind::tls:
      return "TLS handshake with " + or_default("the broker") + " failed";
    case failure_kind::websocket:
      return "WebSocket upgrade to " + or_default("the broker") + " rejected";
    case failure_kind::connection_lost:
      return "connection to " + or_default("the broker") + " lost";
    case failure_kind::protocol_error: return "protocol error from " + or_default("the broker");
    case failure_kind::timeout: return "timed out waiting for " + or_default("the broker");
    case failure_kind::usage: return "invalid " + or_default("command line");
    case failure_kind::input: return or_default("the input") + " is not valid input";
    case failure_kind::cannot_open: return "cannot open " + or_default("the input");
    case failure_kind::internal:
      return subject.empty() ? std::string{"internal error"} : "internal error in " + or_default("");
    case failure_kind::check_failed:
      return subject.empty() ? std::string{"check failed"} : "check failed: " + or_default("");
  }
  return "failure";
}

}  // namespace

std::string_view failure_kind_name(failure_kind k) noexcept {
  switch (k) {
    case failure_kind::unreachable: return "unreachable";
    case failure_kind::dns: return "dns";
    case failure_kind::tcp_refused: return "tcp_refused";
    case failure_kind::connect_timeout: return "connect_timeout";
    case failure_kind::tls: return "tls";
    case failure_kind::websocket: return "websocket";
    case failure_kind::connection_lost: return "connection_lost";
    case failure_kind::protocol_error: return "protocol_error";
    case failure_kind::timeout: return "timeout";
    case failure_kind::usage: return "usage";
    case failure_kind::input: return "input";
    case failure_kind::cannot_open: return "cannot_open";
    case failure_kind::internal: return "internal";
    case failure_kind::check_failed: return "check_failed";
  }
  return "unknown";
}

diag::exit_code failure::exit_code() const noexcept {
  switch (kind) {
    case failure_kind::unreachable:
    case failure_kind::dns:
    case failure_kind::tcp_refused:
    case failure_kind::connect_timeout: return exit_code::unreachable;
    case failure_kind::tls: return exit_code::tls_failed;
    case failure_kind::websocket: return exit_code::websocket_rejected;
    case failure_kind::connection_lost: return exit_code::connection_lost;
    case failure_kind::protocol_error: return exit_code::protocol_error;
    case failure_kind::timeout: return exit_code::timeout;
    case failure_kind::usage: return exit_code::usage;
    case failure_kind::input: return exit_code::bad_input;
    case failure_kind::cannot_open: return exit_code::cannot_open_input;
    case failure_kind::internal: return exit_code::internal;
    case failure_kind::check_failed: return exit_code::check_failed;
  }
  return exit_code::internal;
}

std::string_view failure::default_hint() const noexcept {
  switch (kind) {
    case failure_kind::unreachable:
      return "check the network and -h; a device must be on a network that routes to the "
             "broker (Wi-Fi up, same subnet or a gateway)";
    case failure_kind::dns:
      return "check the spelling of -h, or use the broker's IP address; .local names need mDNS";
    case failure_kind::tcp_refused:
      return "nothing listens on that port: check -p (1883 mqtt, 8883 mqtts) and that the broker "
             "runs; mosquitto 2.x without a listener line accepts only local connections";
    case failure_kind::connect_timeout:
      return "the host is down or a firewall drops the packets: check -h/-p and the firewall "
             "rules for the port";
    case failure_kind::tls:
      return "check that --cafile is the CA that signed the broker's certificate, that -h matches "
             "the name in the certificate (--insecure skips that check, for tests only), and that "
             "-p is a TLS listener (usually 8883)";
    case failure_kind::websocket:
      return "check the URL path (often /mqtt), the port of the broker's websockets listener, "
             "and ws:// versus wss://";
    case failure_kind::connection_lost:
      return "the broker closed the connection without a reason; its log says why: often "
             "another client with the same id (-i), an ACL denial, a keepalive timeout or a "
             "packet over its size limit";
    case failure_kind::protocol_error:
      return "run with -d to see the packets, or capture them for mqtk-decode; check that -V "
             "matches what the broker speaks";
    case failure_kind::timeout:
      return "raise -W, and check that something publishes on the topic and that the broker "
             "lets this client read it; -d shows what was exchanged";
    case failure_kind::usage: return "run with --help to see the options";
    case failure_kind::input:
      return "check that the file is a pcap/pcapng capture or a hex dump of MQTT packets";
    case failure_kind::cannot_open: return "check the path and its permissions";
    case failure_kind::internal:
      return "this is a bug in mqtk: please report it with the command line and the -d output";
    case failure_kind::check_failed: return "see the findings above";
  }
  return "";
}

std::string failure::line() const {
  std::string out = summary(kind, subject);
  if (!reason.empty()) {
    out += ": ";
    out += reason;
  }
  out += " \u2014 ";
  out += hint.empty() ? default_hint() : std::string_view{hint};
  // The reason often quotes the peer (an HTTP reason phrase, a certificate's names, a Reason
  // String): no control character of theirs reaches the terminal raw.
  return report::terminal_safe(out);
}

}  // namespace mqtk::diag
