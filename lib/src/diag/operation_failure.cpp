#include "mqtk/diag/operation_failure.hpp"

#include "mqtk/diag/refusal.hpp"
#include "mqtk/diag/session_close.hpp"
#include "mqtk/report/text_escape.hpp"

namespace mqtk::diag {
namespace {

using proto::packet_type;
using proto::reason_code;

// A topic or filter inside single quotes: the user's input, or the broker's echo of it.
std::string quoted(std::string_view s) { return "'" + report::display_escaped(s, '\'') + "'"; }

// "'a/#': Not authorized (reason code 0x87)"
std::string denied_text(const denied_filter& d, proto::protocol_version version) {
  std::string_view name = d.code.name(packet_type::suback, version);
  if (name.empty()) name = "Unknown reason code";
  return quoted(d.filter) + ": " + std::string(name) + " (reason code " + d.code.hex() + ")";
}

struct line_of {
  std::string operator()(const publish_over_limit& e) const {
    const reason_code code = reason_for(e.which);
    const std::string cited = " (reason code " + code.hex(proto::hex_case::upper) + ", " +
                              std::string(code.name(packet_type::connack, proto::protocol_version::v5)) + ")";
    switch (e.which) {
      case publish_over_limit::limit::maximum_qos:
        return "not sent: the broker allows at most QoS " + std::to_string(e.broker_value) +
               " (Maximum QoS in its CONNACK) and -q " + std::to_string(static_cast<int>(e.asked_qos)) +
               " asks for more \u2014 use -q " + std::to_string(e.broker_value) + cited;
      case publish_over_limit::limit::retain_available:
        return "not sent: the broker does not keep retained messages (Retain Available 0 in its CONNACK) \u2014 "
               "drop -r" + cited;
      case publish_over_limit::limit::maximum_packet_size:
        return "not sent: the PUBLISH is larger than the broker's Maximum Packet Size of " +
               std::to_string(e.broker_value) + " bytes (in its CONNACK) \u2014 send a smaller message" + cited;
    }
    return "not sent";
  }

  std::string operator()(const publish_refused& e) const {
    return "publish to " + quoted(e.topic) + " refused by the broker: " + refusal_reason(e.code, e.version, e.where);
  }

  std::string operator()(const subscription_denied& e) const {
    return "subscription to " + denied_text(e.denied, e.version) +
           " denied; receiving on the other filters \u2014 check the broker's ACL for this client and filter";
  }

  std::string operator()(const every_subscription_denied& e) const {
    if (e.denied.empty()) return "no subscription denied";
    std::string line = e.denied.size() == 1 ? "subscription" : "every subscription";
    line += " denied by the broker: ";
    for (std::size_t i = 0; i < e.denied.size(); ++i) {
      if (i != 0) line += ", ";
      line += denied_text(e.denied[i], e.version);
    }
    line += " \u2014 ";
    line += explain_refusal(e.denied.front().code, e.version, packet_type::suback).fix;
    return line;
  }

  std::string operator()(const publish_lost_repeatedly& e) const {
    return "giving up: the connection was lost " + std::to_string(e.losses) +
           " times in a row with no message acknowledged in between (last: " + std::string(e.last_reason) +
           ") \u2014 the broker most likely refuses a message it is sent again; its log says why";
  }

  std::string operator()(const qos0_unconfirmed& e) const {
    return "the broker ended the connection (" + std::string(e.why) +
           ") before confirming the QoS 0 message(s): it most likely refused a PUBLISH, which QoS 0 cannot "
           "acknowledge \u2014 check the topic (-t), the properties (-D) and the size; -d shows the exchange";
  }

  std::string operator()(const publish_connect_interrupted& e) const {
    return "interrupted by " + std::string(e.signal) + " while " +
           stalled_text(e.awaiting_connack ? stalled_at::awaiting_connack : stalled_at::connecting, e.broker) +
           "; nothing was published";
  }

  std::string operator()(const publish_interrupted& e) const {
    return "interrupted by " + std::string(e.signal) + " with " + std::to_string(e.unacknowledged) +
           " message(s) not acknowledged by the broker (they may or may not have arrived)";
  }

  std::string operator()(const publish_reconnect_gave_up& e) const {
    return "gave up reconnecting to " + std::string(e.broker) + " after " + std::to_string(e.attempts) +
           " attempt(s) (" + std::string(e.last_error) + "); " + std::to_string(e.unacknowledged) +
           " message(s) not acknowledged \u2014 is the broker still up?";
  }

  std::string operator()(const subscribe_timed_out& e) const {
    return "timed out after " + seconds_text(e.waited) + " " + stalled_text(e.where, e.broker, e.receiving);
  }

  std::string operator()(const subscribe_interrupted& e) const {
    return "interrupted by " + std::string(e.signal) + " " + stalled_text(e.where, e.broker);
  }

  std::string operator()(const receive_timed_out& e) const {
    return "timed out after " + seconds_text(e.waited) + " with " + std::to_string(e.received) + " message(s)" +
           (e.wanted ? " of " + std::to_string(*e.wanted) : std::string()) + " received";
  }

  std::string operator()(const output_write_failed& e) const {
    return "cannot write to standard output: " + std::string(e.error) +
           " \u2014 messages not written were not acknowledged (with -c the broker keeps them)";
  }

  std::string operator()(const output_closed_at_start&) const {
    return "standard output is closed, so no message could be printed \u2014 start mqtk-sub with stdout open "
           "(redirect it to /dev/null to discard the messages)";
  }

  std::string operator()(const publish_connection_not_reestablished& e) const {
    return "connection to " + std::string(e.broker) + " lost (" +
           (e.why.empty() ? std::string("no reason given") : std::string(e.why)) +
           ") and not re-established when the input ended; every line was acknowledged before";
  }

  std::string operator()(const qos0_lost_with_connection& e) const {
    return std::to_string(e.count) +
           " QoS 0 message(s) were lost with the connection (QoS 0 is never resent); use -q 1 to have every line "
           "arrive across a broker restart";
  }

  std::string operator()(const input_read_failed& e) const {
    return std::string(e.error) + "; lines read before it were published";
  }

  std::string operator()(const input_closed_at_start& e) const {
    return std::string("standard input is closed, so ") + (e.lines ? "-l" : "-s") +
           " has nothing to read \u2014 give it input (`< file`, a pipe), or use -n for an empty message";
  }

  std::string operator()(const subscribe_reconnect_gave_up& e) const {
    return "gave up reconnecting after " + std::to_string(e.attempts) + " attempt(s): " + std::string(e.last_error);
  }

  std::string operator()(const bench_protocol_broken& e) const {
    return "the broker broke the protocol on " + connections(e.connections) + "; the first: " + std::string(e.first);
  }

  std::string operator()(const bench_connections_lost& e) const {
    return connections(e.connections) + " lost during the run; the first: " + std::string(e.first);
  }

  std::string operator()(const bench_every_connection_failed& e) const {
    return "every connection failed (" + std::to_string(e.connections) + "); the first: " + std::string(e.first);
  }

  std::string operator()(const bench_tls_setup_failed& e) const {
    return "TLS set-up failed: " + std::string(e.error) + " \u2014 check --cafile/--cert/--key";
  }

 private:
  static std::string connections(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " connection" : " connections");
  }
};

}  // namespace

std::string operation_failure_line(const operation_failure& f) {
  // Topics are escaped where they are quoted; the reasons may hold a transport's or a peer's words.
  return report::terminal_safe(std::visit(line_of{}, f));
}

std::string stalled_text(stalled_at where, std::string_view broker,
                         const std::optional<proto::packet_in_progress>& receiving) {
  const std::string b{broker};
  switch (where) {
    case stalled_at::awaiting_suback:
      return "waiting for the SUBACK from " + b + " \u2014 " +
             (receiving ? receiving_text(*receiving) : std::string("the broker did not answer SUBSCRIBE"));
    case stalled_at::awaiting_connack:
      if (receiving) return "waiting for the CONNACK from " + b + " \u2014 " + receiving_text(*receiving);
      return "waiting for the CONNACK from " + b +
             " \u2014 something accepted the connection but did not answer CONNECT; is it an MQTT broker (check -p, "
             "TLS)?";
    case stalled_at::connecting: break;
  }
  return "connecting to " + b + " \u2014 no TCP connection yet; check -h/-p and that the broker is up";
}

proto::reason_code reason_for(publish_over_limit::limit which) noexcept {
  switch (which) {
    case publish_over_limit::limit::maximum_qos: return reason_code::qos_not_supported;
    case publish_over_limit::limit::retain_available: return reason_code::retain_not_supported;
    case publish_over_limit::limit::maximum_packet_size: return reason_code::packet_too_large;
  }
  return reason_code::unspecified_error;
}

}  // namespace mqtk::diag
