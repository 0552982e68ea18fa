#include "mqtk/diag/session_close.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "mqtk/report/text_escape.hpp"

namespace mqtk::diag {
namespace {

using proto::packet_type;
using proto::protocol_version;

// "Not authorized (reason code 0x87)" / "Not authorized (return code 5)", then ": <reason
// string>" when the broker gave one.
std::string refusal_text(proto::reason_code code, protocol_version version, std::string_view reason_string) {
  std::string_view name = code.name(packet_type::connack, version);
  std::string out{name.empty() ? std::string_view{"unknown reason code"} : name};
  out += version == protocol_version::v5 ? " (reason code " + code.hex() + ")"
                                         : " (return code " + std::to_string(code.value()) + ")";
  if (!reason_string.empty()) out += ": " + report::display_escaped(reason_string, 0);
  return out;
}

// "PUBLISH", or "packet of reserved type 0": the type a fixed header's first byte names.
std::string type_named_by(std::uint8_t first_byte) {
  const auto type = static_cast<unsigned>(first_byte >> 4);
  if (type == 0) return "packet of reserved type 0";
  return std::string(proto::packet_type_name(static_cast<packet_type>(type)));
}

// "QoS 1 PUBLISH id 7", "PUBREL id 7", "SUBSCRIBE id 7": the request awaiting its answer.
std::string request_text(const proto::closing::awaited_ack& a) {
  std::string out;
  if (a.request == packet_type::publish) out = "QoS " + std::to_string(a.qos) + " ";
  out += proto::packet_type_name(a.request);
  return out + " id " + std::to_string(a.packet_id);
}

// "1,000": sizes people compare at a glance.
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (auto at = static_cast<std::ptrdiff_t>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

std::string bytes_text(std::uint64_t n) { return grouped(n) + (n == 1 ? " byte" : " bytes"); }

// A broker that sent nothing for most of the wait (and for a while) stopped; one whose bytes
// kept coming was sending too slowly for it.
bool stalled(const proto::packet_in_progress& p) {
  return p.since_last_byte >= std::max<std::chrono::milliseconds>(p.waited / 2, std::chrono::seconds{2});
}

// "the deadline's words" + ": " + what the broker was in the middle of, when it was.
std::string with_receiving(std::string deadline, const std::optional<proto::packet_in_progress>& p) {
  if (p) deadline += ": " + receiving_text(*p);
  return deadline;
}

struct message_of {
  protocol_version version;

  std::string operator()(const proto::closing::requested&) const { return "disconnected by the client"; }
  // A PINGRESP, CONNACK or acknowledgement stuck behind a packet that is not arriving: say so,
  // it is what happened.
  std::string operator()(const proto::closing::no_pingresp& c) const {
    return with_receiving("no PINGRESP within " + seconds_text(c.waited), c.receiving);
  }
  std::string operator()(const proto::closing::no_connack& c) const {
    return with_receiving("no CONNACK within " + seconds_text(c.waited), c.receiving);
  }
  std::string operator()(const proto::closing::packet_too_large& c) const {
    const std::string what = c.packet ? "a " + type_named_by(c.packet->first_byte) + " of " +
                                            std::to_string(c.packet->size) + " bytes"
                                      : std::string("a packet");
    return "the broker announced " + what + ", over our maximum packet size of " + std::to_string(c.maximum) +
           " bytes";
  }
  std::string operator()(const proto::closing::no_ack& c) const {
    return with_receiving("the broker sent no " + std::string(proto::packet_type_name(c.awaited.expected)) + " for " +
                              request_text(c.awaited) + " within " + seconds_text(c.waited),
                          c.receiving);
  }
  std::string operator()(const proto::closing::wrong_ack& c) const {
    return "the broker answered " + request_text(c.awaited) + " with " +
           std::string(proto::packet_type_name(c.got)) + " (expected " +
           std::string(proto::packet_type_name(c.awaited.expected)) + ")";
  }
  std::string operator()(const proto::closing::malformed_packet& c) const {
    return "malformed packet from the broker: " + std::string(c.why);
  }
  std::string operator()(const proto::closing::unexpected_packet& c) const {
    return "unexpected " + std::string(proto::packet_type_name(c.type)) +
           (c.before_connack ? " before CONNACK" : " from the broker");
  }
  std::string operator()(const proto::closing::publish_without_topic&) const { return "PUBLISH without a topic"; }
  std::string operator()(const proto::closing::topic_alias_above_maximum& c) const {
    return "topic alias " + std::to_string(c.alias) + " is above the Topic Alias Maximum " +
           std::to_string(c.maximum) + " we announced";
  }
  std::string operator()(const proto::closing::topic_aliases_too_large& c) const {
    return "the broker's topic aliases would hold " + std::to_string(c.bytes) + " bytes of topics, over our limit of " +
           std::to_string(c.limit);
  }
  std::string operator()(const proto::closing::topic_alias_unknown& c) const {
    return "the broker used topic alias " + std::to_string(c.alias) + " before giving its topic";
  }
  std::string operator()(const proto::closing::receive_maximum_exceeded& c) const {
    return "the broker sent more than " + std::to_string(c.receive_maximum) + " unacknowledged QoS 2 messages";
  }
  std::string operator()(const proto::closing::refused& c) const {
    return "connection refused: " + refusal_text(c.code, version, c.reason_string);
  }
  std::string operator()(const proto::closing::server_disconnect& c) const {
    // Only 5.0 has server DISCONNECTs, and their codes are always cited in hex.
    std::string_view name = c.code.name(packet_type::disconnect, version);
    std::string out = "the broker disconnected: ";
    out += name.empty() ? std::string_view{"unknown reason code"} : name;
    out += " (reason code " + c.code.hex() + ")";
    if (!c.reason_string.empty()) out += ": " + report::display_escaped(c.reason_string, 0);
    return out;
  }
};

}  // namespace

std::string close_message(const proto::close_cause& cause, protocol_version version) {
  return std::visit(message_of{version}, cause);
}

std::string receiving_text(const proto::packet_in_progress& p) {
  const std::string packet = grouped(p.packet.size) + "-byte " + type_named_by(p.packet.first_byte);
  if (stalled(p)) {
    return "the broker stopped " + bytes_text(p.packet.received) + " into a " + packet + " and sent nothing more for " +
           seconds_text(std::chrono::duration_cast<std::chrono::seconds>(p.since_last_byte)) +
           ": it stalled mid-packet";
  }
  return "the broker was still sending a " + packet + " (" + bytes_text(p.packet.received) +
         " so far): it sends too slowly (trickles)";
}

std::string_view receiving_hint(const proto::packet_in_progress& p) noexcept {
  if (stalled(p)) {
    return "the connection stayed open but the broker stopped part-way through a packet: candidates are a broker "
           "hung while sending (check its log) or a proxy, load balancer or link that stopped forwarding";
  }
  return "the broker's bytes kept coming, too slowly to meet the deadline: candidates are an overloaded broker, or "
         "a congested or throttled link or proxy between (-d shows each packet as it completes)";
}

std::string_view disconnect_without_failure_hint() noexcept {
  return "the broker ended the session on purpose without reporting a failure: candidates are a broker "
         "shutting down or restarting, or an administrator or plugin removing this client; its log says which";
}

failure explain_broker_misbehaviour(const broker_misbehaviour_event& e, failure f) {
  switch (e.what) {
    case broker_misbehaviour::none: break;
    case broker_misbehaviour::cut_short:
      f.reason = (e.reset ? "the connection was reset " : "the broker closed the connection ") +
                 proto::to_string(e.cut_short);
      f.hint = "a packet cut short is no refusal: candidates are a broker that crashed or restarted while sending, or "
               "a proxy or load balancer that cut the connection; check the broker's log (--max-packet-size refuses "
               "packets this large before they arrive)";
      break;
    case broker_misbehaviour::packet_too_large:
      f.hint = "raise --max-packet-size if the broker's messages may be this large; otherwise the broker sent a bogus "
               "length (-d shows the packets)";
      break;
    case broker_misbehaviour::topic_alias_invalid:
      f.hint = "the broker ignores the Topic Alias Maximum we announce in CONNECT (0 unless -D "
               "topic-alias-maximum=N allows aliases): report it to the broker's vendor; -d shows the packets";
      break;
    case broker_misbehaviour::ack_timeout:
      f.hint = "the connection stayed up but the broker never acknowledged: check its log (an overloaded broker, a "
               "plugin or bridge holding the message); the wait is the keep alive interval, set with -k";
      break;
    case broker_misbehaviour::slow_sender: f.hint = receiving_hint(e.receiving); break;
  }
  return f;
}

std::string connection_lost_line(std::string_view broker, std::string_view why, bool will_reconnect) {
  std::string line = "connection lost";
  if (!broker.empty()) line += " (" + std::string(broker) + ")";
  line += ": ";
  line += why;
  if (will_reconnect) line += "; reconnecting";
  return report::terminal_safe(line);
}

std::string seconds_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  std::string s = std::to_string(ms / 1000);
  if (const auto frac = ms % 1000; frac != 0) {
    char digits[8];
    std::snprintf(digits, sizeof digits, ".%03d", static_cast<int>(frac));
    std::string f = digits;
    while (f.back() == '0') f.pop_back();
    s += f;
  }
  return s + " s";
}

}  // namespace mqtk::diag
