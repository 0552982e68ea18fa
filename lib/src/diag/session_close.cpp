#include "mqtk/diag/session_close.hpp"

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

struct message_of {
  protocol_version version;

  std::string operator()(const proto::closing::requested&) const { return "disconnected by the client"; }
  std::string operator()(const proto::closing::no_pingresp& c) const {
    return "no PINGRESP within " + seconds_text(c.waited);
  }
  std::string operator()(const proto::closing::no_connack& c) const {
    return "no CONNACK within " + seconds_text(c.waited);
  }
  std::string operator()(const proto::closing::packet_too_large&) const {
    return "the broker sent a packet larger than our maximum packet size";
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
    return "the broker used topic alias " + std::to_string(c.alias) + ", above our maximum of " +
           std::to_string(c.maximum);
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

std::string_view disconnect_without_failure_hint() noexcept {
  return "the broker ended the session on purpose without reporting a failure: candidates are a broker "
         "shutting down or restarting, or an administrator or plugin removing this client; its log says which";
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
