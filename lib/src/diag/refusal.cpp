#include "mqtk/diag/refusal.hpp"

#include <array>

#include "mqtk/proto/reason_code.hpp"
#include "mqtk/report/text_escape.hpp"

namespace mqtk::diag {
namespace {

using proto::packet_type;
using proto::protocol_version;
using proto::reason_code;

// Fixes shared by several entries, so that the same situation always reads the same way.
constexpr std::string_view credentials_fix =
    "check -u/-P, and that the broker allows this user (mosquitto: password_file, "
    "allow_anonymous)";
constexpr std::string_view broker_log_fix =
    "check the broker's log; -d shows the reason string if the broker sent one";
constexpr std::string_view capture_fix =
    "run with -d or capture the traffic and read it with mqtk-decode; try -V 311 to rule out a "
    "5.0 feature; please report it if mqtk sent the packet";
constexpr std::string_view retry_later_fix =
    "retry later with a growing delay; check the broker's health and log";
constexpr std::string_view use_another_server_fix =
    "connect to the server named in the Server Reference property (-d shows it) with -h/-p or -L";
constexpr std::string_view server_moved_fix =
    "change -h/-p (or -L) to the new server named in the Server Reference property (-d shows it)";
constexpr std::string_view connection_rate_fix =
    "connect less often: add a delay between reconnects (ESP32 esp-mqtt: reconnect_timeout_ms) "
    "and make sure a reconnect loop is not spinning";

// 3.1 and 3.1.1 CONNACK return codes. ESP-IDF logs code 5 as "Connection refused, not
// authorized", the message ESP32 users search for most.
constexpr std::array v311_connack{
    refusal_explanation{
        reason_code::v311_unacceptable_protocol_version, "unacceptable protocol version",
        "the broker does not speak the MQTT version this client asked for",
        "try another version with -V (311 is understood by every broker; 5 needs mosquitto 1.6 or "
        "later; 31 only for very old brokers)"},
    refusal_explanation{
        reason_code::v311_identifier_rejected, "identifier rejected",
        "the broker does not accept this client id (MQTT 3.1 allows 1 to 23 letters and digits; "
        "an empty id is refused without a clean session)",
        "choose another id with -i (at most 23 characters, [0-9a-zA-Z]) or leave it out so one is "
        "generated; an empty id needs a clean session (do not use -c)"},
    refusal_explanation{
        reason_code::v311_server_unavailable, "server unavailable",
        "the network connection worked but the MQTT service behind it is unavailable (starting "
        "up, overloaded, or a back end such as its authentication plugin is down)",
        retry_later_fix},
    refusal_explanation{
        reason_code::v311_bad_user_name_or_password, "bad user name or password",
        "the username or password was malformed or not accepted (a password without a username "
        "is refused in 3.1.1)",
        "check -u/-P and their quoting in the shell; a password needs a username too"},
    refusal_explanation{reason_code::v311_not_authorized, "not authorized",
                        "the broker did not accept the username/password",
                        credentials_fix},
};

// 5.0 CONNACK reason codes of 0x80 and above: the connection was refused.
constexpr std::array v5_connack{
    refusal_explanation{reason_code::unspecified_error, "unspecified error",
                        "the broker refused the connection without saying why", broker_log_fix},
    refusal_explanation{reason_code::malformed_packet, "malformed packet",
                        "the broker could not parse this CONNECT",
                        capture_fix},
    refusal_explanation{
        reason_code::protocol_error, "protocol error",
        "the broker found this CONNECT against the protocol (e.g. a property repeated or not "
        "allowed)",
        capture_fix},
    refusal_explanation{reason_code::implementation_specific_error, "implementation specific error",
                        "the broker refused the CONNECT for a reason of its own", broker_log_fix},
    refusal_explanation{reason_code::unsupported_protocol_version, "unsupported protocol version",
                        "the broker does not support the MQTT version this client asked for",
                        "try -V 311 (every broker speaks MQTT 3.1.1)"},
    refusal_explanation{
        reason_code::client_identifier_not_valid, "client identifier not valid",
        "the broker does not accept this client id (too long, characters it refuses, empty, or "
        "reserved)",
        "choose another id with -i (at most 23 characters, [0-9a-zA-Z], is accepted everywhere)"},
    refusal_explanation{reason_code::bad_user_name_or_password, "bad user name or password",
                        "the broker did not accept the username/password", credentials_fix},
    refusal_explanation{reason_code::not_authorized, "not authorized",
                        "the broker did not accept the username/password, or this user may not "
                        "connect",
                        credentials_fix},
    refusal_explanation{reason_code::server_unavailable, "server unavailable",
                        "the broker cannot serve connections right now", retry_later_fix},
    refusal_explanation{reason_code::server_busy, "server busy", "the broker is overloaded", retry_later_fix},
    refusal_explanation{reason_code::banned, "banned",
                        "an administrator banned this client (by client id, user or address)",
                        "ask the broker's administrator"},
    refusal_explanation{
        reason_code::bad_authentication_method, "bad authentication method",
        "the broker does not support the authentication method asked for",
        "drop the authentication method, or use the one the broker expects; most brokers want "
        "-u/-P"},
    refusal_explanation{reason_code::topic_name_invalid, "topic name invalid",
                        "the broker does not accept the will topic",
                        "check --will-topic: no '+' or '#', and allowed by the broker's ACL"},
    refusal_explanation{
        reason_code::packet_too_large, "packet too large",
        "the CONNECT is larger than the broker accepts (usually a big will payload)",
        "shorten the will payload or the properties; check the broker's max_packet_size"},
    refusal_explanation{
        reason_code::quota_exceeded, "quota exceeded",
        "a broker limit was reached (e.g. the number of connections for this user or in total)",
        "close other connections or retry later; ask for the limit to be raised (mosquitto: "
        "max_connections)"},
    refusal_explanation{reason_code::payload_format_invalid, "payload format invalid",
                        "the will payload is marked as UTF-8 text but is not valid UTF-8",
                        "send a UTF-8 will payload or drop its payload format indicator"},
    refusal_explanation{reason_code::retain_not_supported, "retain not supported",
                        "the will is retained but the broker does not support retained messages",
                        "drop --will-retain"},
    refusal_explanation{reason_code::qos_not_supported, "QoS not supported",
                        "the will QoS is above the highest QoS the broker supports",
                        "lower --will-qos"},
    refusal_explanation{reason_code::use_another_server, "use another server",
                        "the broker sends this client to another server for now",
                        use_another_server_fix},
    refusal_explanation{reason_code::server_moved, "server moved", "the broker has moved permanently",
                        server_moved_fix},
    refusal_explanation{reason_code::connection_rate_exceeded, "connection rate exceeded",
                        "too many connections in too short a time (from this address or in total)",
                        connection_rate_fix},
};

// 5.0 DISCONNECT reason codes: why an established connection ended. 0x00 and 0x04 are listed
// so that a decoded client DISCONNECT is explained too.
constexpr std::array v5_disconnect{
    refusal_explanation{reason_code::normal_disconnection, "normal disconnection",
                        "the connection was closed on purpose",
                        "nothing to fix if this was expected; otherwise check the broker's log"},
    refusal_explanation{reason_code::disconnect_with_will_message, "disconnect with will message",
                        "the client closed the connection and asked for its will to be published",
                        "nothing to fix: the client chose this"},
    refusal_explanation{reason_code::unspecified_error, "unspecified error",
                        "the broker dropped the connection without saying why", broker_log_fix},
    refusal_explanation{reason_code::malformed_packet, "malformed packet",
                        "the broker could not parse a packet this client sent", capture_fix},
    refusal_explanation{
        reason_code::protocol_error, "protocol error",
        "a packet broke the protocol (e.g. a second CONNECT, an unknown packet id, a topic alias "
        "that was not agreed)",
        capture_fix},
    refusal_explanation{reason_code::implementation_specific_error, "implementation specific error",
                        "the broker ended the connection for a reason of its own", broker_log_fix},
    refusal_explanation{
        reason_code::not_authorized, "not authorized",
        "the client did something its ACL does not allow (publish or subscribe to a forbidden "
        "topic), or its rights were revoked",
        "check the broker's ACL for this user and topic (mosquitto: acl_file, pattern lines)"},
    refusal_explanation{reason_code::server_busy, "server busy",
                        "the broker is overloaded and shed this connection",
                        retry_later_fix},
    refusal_explanation{reason_code::server_shutting_down, "server shutting down",
                        "the broker is shutting down or restarting",
                        "reconnect once the broker is back"},
    refusal_explanation{
        reason_code::bad_authentication_method, "bad authentication method",
        "re-authentication used another method than the one the connection started with",
        "use the same authentication method for re-authentication"},
    refusal_explanation{
        reason_code::keep_alive_timeout, "keep alive timeout",
        "the broker heard nothing from the client for 1.5 times the keepalive (a blocked network "
        "loop, Wi-Fi power saving, or a NAT dropping idle connections)",
        "keep the client's network loop running (ESP32: call loop() often, avoid long delay()); "
        "lower the keepalive with -k"},
    refusal_explanation{
        reason_code::session_taken_over, "session taken over",
        "another client connected with the same client id, and the broker closed this one",
        "give every device and every tool its own client id (-i); two boards flashed with the "
        "same id keep kicking each other off"},
    refusal_explanation{reason_code::topic_filter_invalid, "topic filter invalid",
                        "the broker refused a subscription filter",
                        "check -t: '#' only as the last level, '+' only as a whole level, and the "
                        "broker's limits on filters"},
    refusal_explanation{reason_code::topic_name_invalid, "topic name invalid",
                        "the broker refused a publish topic",
                        "check -t: no '+' or '#' when publishing, no leading '$', and the broker's "
                        "limits on topics"},
    refusal_explanation{
        reason_code::receive_maximum_exceeded, "receive maximum exceeded",
        "the client had more QoS 1/2 messages in flight than the broker's Receive Maximum allows",
        "wait for acknowledgements before sending more; report it if mqtk did this"},
    refusal_explanation{
        reason_code::topic_alias_invalid, "topic alias invalid",
        "the client used a topic alias of 0 or above the broker's Topic Alias Maximum",
        "stop using topic aliases; report it if mqtk did this"},
    refusal_explanation{
        reason_code::packet_too_large, "packet too large",
        "the client sent a packet larger than the broker's maximum packet size",
        "send a smaller payload, or raise the broker's limit (mosquitto: max_packet_size, "
        "message_size_limit); -d shows the Maximum Packet Size from CONNACK"},
    refusal_explanation{reason_code::message_rate_too_high, "message rate too high",
                        "the client published faster than the broker allows",
                        "publish more slowly"},
    refusal_explanation{reason_code::quota_exceeded, "quota exceeded",
                        "a broker quota was used up (messages, bytes or connections for this user)",
                        "send less or ask for a larger quota"},
    refusal_explanation{reason_code::administrative_action, "administrative action",
                        "an administrator or a management API disconnected this client",
                        "ask the broker's administrator"},
    refusal_explanation{reason_code::payload_format_invalid, "payload format invalid",
                        "a payload marked as UTF-8 text is not valid UTF-8",
                        "send valid UTF-8 or drop the payload format indicator"},
    refusal_explanation{reason_code::retain_not_supported, "retain not supported",
                        "the client published a retained message but the broker does not support "
                        "retained messages",
                        "drop -r"},
    refusal_explanation{reason_code::qos_not_supported, "QoS not supported",
                        "the client used a QoS above the broker's Maximum QoS", "lower -q"},
    refusal_explanation{reason_code::use_another_server, "use another server",
                        "the broker sends this client to another server for now",
                        use_another_server_fix},
    refusal_explanation{reason_code::server_moved, "server moved", "the broker has moved permanently",
                        server_moved_fix},
    refusal_explanation{
        reason_code::shared_subscriptions_not_supported, "shared subscriptions not supported",
        "the client subscribed to a $share/ filter but the broker has no shared subscriptions",
        "subscribe without $share/, or use a broker that supports them"},
    refusal_explanation{reason_code::connection_rate_exceeded, "connection rate exceeded",
                        "too many connections in too short a time (from this address or in total)",
                        connection_rate_fix},
    refusal_explanation{reason_code::maximum_connect_time, "maximum connect time",
                        "the connection lasted as long as the broker allows",
                        "reconnect; this broker limits how long a connection may last"},
    refusal_explanation{reason_code::subscription_identifiers_not_supported, "subscription identifiers not supported",
                        "the client subscribed with a subscription identifier the broker does not "
                        "support",
                        "subscribe without a subscription identifier"},
    refusal_explanation{reason_code::wildcard_subscriptions_not_supported, "wildcard subscriptions not supported",
                        "the client subscribed with '+' or '#' but the broker does not allow "
                        "wildcards",
                        "subscribe to exact topic names"},
};

// 5.0 PUBACK and PUBREC failure codes: the broker refused one message (5.0 §3.4.2.1). 0x95 is
// not in the spec's list for these packets, but mosquitto 2.0 answers a PUBLISH over
// message_size_limit with it, so it is explained here rather than as an unknown code.
constexpr std::array v5_pub_ack{
    refusal_explanation{reason_code::unspecified_error, "unspecified error",
                        "the broker refused the message without saying why",
                        broker_log_fix},
    refusal_explanation{reason_code::implementation_specific_error, "implementation specific error",
                        "the broker refused the message for a reason of its own (often a plugin or a "
                        "bridge that failed)",
                        broker_log_fix},
    refusal_explanation{reason_code::not_authorized, "not authorized",
                        "the broker's ACL does not let this client publish to the topic",
                        "check the broker's ACL for this user and topic (mosquitto: acl_file, topic write "
                        "lines); -u selects the user"},
    refusal_explanation{reason_code::topic_name_invalid, "topic name invalid",
                        "the broker does not accept this topic name",
                        "check -t: no '+' or '#' when publishing, and the broker's limits on topics"},
    refusal_explanation{reason_code::packet_identifier_in_use, "packet identifier in use",
                        "the broker still had a message with this packet identifier in flight",
                        "report it to mqtk with -d output: the client reused a packet id"},
    refusal_explanation{reason_code::packet_too_large, "packet too large",
                        "the message is larger than the broker accepts (mosquitto: message_size_limit or "
                        "max_packet_size)",
                        "send a smaller payload, or raise the broker's limit"},
    refusal_explanation{reason_code::quota_exceeded, "quota exceeded",
                        "a broker quota for this client or user was used up",
                        "publish less, or ask for a larger quota"},
    refusal_explanation{reason_code::payload_format_invalid, "payload format invalid",
                        "the payload is marked as UTF-8 text (payload format indicator 1) but is not valid "
                        "UTF-8",
                        "send valid UTF-8 or drop the payload format indicator property"},
};

// 5.0 PUBREL and PUBCOMP: the only failure is a QoS 2 exchange the other side does not know.
constexpr std::array v5_pubrel{
    refusal_explanation{reason_code::packet_identifier_not_found, "packet identifier not found",
                        "the broker had no QoS 2 message with this packet identifier (its session was "
                        "lost, or the exchange was already finished)",
                        "nothing to resend; use a persistent session (-c with a fixed -i) if QoS 2 must "
                        "survive reconnects"},
};

// 5.0 SUBACK failure codes (5.0 §3.9.3).
constexpr std::array v5_suback{
    refusal_explanation{reason_code::unspecified_error, "unspecified error",
                        "the broker refused the subscription without saying why",
                        broker_log_fix},
    refusal_explanation{reason_code::implementation_specific_error, "implementation specific error",
                        "the broker refused the subscription for a reason of its own", broker_log_fix},
    refusal_explanation{reason_code::not_authorized, "not authorized",
                        "the broker's ACL does not let this client read the filter",
                        "check the broker's ACL for this user and filter (mosquitto: acl_file, topic read "
                        "lines); -u selects the user"},
    refusal_explanation{reason_code::topic_filter_invalid, "topic filter invalid",
                        "the broker does not accept this topic filter",
                        "check -t: '#' only as the last level, '+' only as a whole level"},
    refusal_explanation{reason_code::packet_identifier_in_use, "packet identifier in use",
                        "the broker still had a request with this packet identifier in flight",
                        "report it to mqtk with -d output: the client reused a packet id"},
    refusal_explanation{reason_code::quota_exceeded, "quota exceeded",
                        "a broker limit on subscriptions was reached",
                        "subscribe to fewer filters, or ask for a larger quota"},
    refusal_explanation{reason_code::shared_subscriptions_not_supported, "shared subscriptions not supported",
                        "the filter starts with $share/ but the broker has no shared subscriptions",
                        "subscribe without $share/, or use a broker that supports them"},
    refusal_explanation{reason_code::subscription_identifiers_not_supported, "subscription identifiers not supported",
                        "the SUBSCRIBE carried a subscription identifier the broker does not support",
                        "subscribe without a subscription identifier"},
    refusal_explanation{reason_code::wildcard_subscriptions_not_supported, "wildcard subscriptions not supported",
                        "the filter has '+' or '#' but the broker does not allow wildcards",
                        "subscribe to exact topic names"},
};

// 5.0 UNSUBACK failure codes (5.0 §3.11.3).
constexpr std::array v5_unsuback{
    refusal_explanation{reason_code::unspecified_error, "unspecified error",
                        "the broker refused the unsubscribe without saying why",
                        broker_log_fix},
    refusal_explanation{reason_code::implementation_specific_error, "implementation specific error",
                        "the broker refused the unsubscribe for a reason of its own", broker_log_fix},
    refusal_explanation{reason_code::not_authorized, "not authorized",
                        "the broker's ACL does not let this client unsubscribe",
                        "check the broker's ACL for this user and filter"},
    refusal_explanation{reason_code::topic_filter_invalid, "topic filter invalid",
                        "the broker does not accept this topic filter",
                        "check -t: '#' only as the last level, '+' only as a whole level"},
    refusal_explanation{reason_code::packet_identifier_in_use, "packet identifier in use",
                        "the broker still had a request with this packet identifier in flight",
                        "report it to mqtk with -d output: the client reused a packet id"},
};

// 3.1.1 SUBACK: one code for every refusal.
constexpr std::array v311_suback{
    refusal_explanation{reason_code::v311_subscription_failure, "failure",
                        "the broker refused the subscription (3.1.1 gives no reason: usually its ACL, or "
                        "a filter it does not accept)",
                        "check the broker's ACL for this user and filter (mosquitto: acl_file) and the "
                        "filter's syntax; with -V 5 the broker says which"},
};

refusal_explanation unknown(reason_code code) noexcept {
  return {code, "unknown reason code",
          "the broker sent a code that MQTT does not define for this packet and version",
          "check the broker's log and documentation; -d shows the packet", false};
}

}  // namespace

std::span<const refusal_explanation> all_refusals(protocol_version version,
                                                  packet_type where) noexcept {
  if (version != protocol_version::v5) {
    if (where == packet_type::connack) return v311_connack;
    if (where == packet_type::suback) return v311_suback;
    return {};
  }
  switch (where) {
    case packet_type::connack: return v5_connack;
    case packet_type::puback:
    case packet_type::pubrec: return v5_pub_ack;
    case packet_type::pubrel:
    case packet_type::pubcomp: return v5_pubrel;
    case packet_type::suback: return v5_suback;
    case packet_type::unsuback: return v5_unsuback;
    default: return v5_disconnect;
  }
}

refusal_explanation explain_refusal(reason_code code, protocol_version version,
                                    packet_type where) noexcept {
  // Before 5.0 a broker can only refuse in CONNACK (and per filter in SUBACK); it drops later
  // connections without a code.
  if (version != protocol_version::v5 && where != packet_type::suback) where = packet_type::connack;
  for (const auto& e : all_refusals(version, where)) {
    if (e.code == code) return e;
  }
  if (version == protocol_version::v5) {
    // A code the spec does not list for this packet (brokers do send them): its meaning from
    // the packet where it is defined, marked as not expected here.
    for (const auto other : {packet_type::disconnect, packet_type::connack, packet_type::suback}) {
      for (const auto& e : all_refusals(version, other)) {
        if (e.code == code) {
          refusal_explanation r = e;
          r.known = false;
          return r;
        }
      }
    }
  }
  return unknown(code);
}

std::string reason_code_label(reason_code code, protocol_version version) {
  std::string label{proto::version_name(version)};
  if (version == protocol_version::v5) {
    label += " reason code " + code.hex(proto::hex_case::upper);
  } else {
    label += " return code ";
    label += std::to_string(code.value());
  }
  return label;
}

std::string refusal_reason(reason_code code, protocol_version version, packet_type where) {
  const auto e = explain_refusal(code, version, where);
  std::string out{e.name};
  out += " (";
  out += reason_code_label(code, version);
  out += ") \u2014 ";
  out += e.cause;
  out += "; ";
  out += e.fix;
  return out;
}

std::string refusal_line(reason_code code, protocol_version version, packet_type where) {
  std::string line;
  switch (where) {
    case packet_type::connack: line = "connection refused: "; break;
    case packet_type::puback:
    case packet_type::pubrec: line = "publish refused by the broker: "; break;
    case packet_type::pubrel:
    case packet_type::pubcomp: line = "QoS 2 exchange failed: "; break;
    case packet_type::suback: line = "subscription refused by the broker: "; break;
    case packet_type::unsuback: line = "unsubscribe refused by the broker: "; break;
    default:
      line = version == protocol_version::v5 ? "disconnected by the broker: " : "connection refused: ";
  }
  return line + refusal_reason(code, version, where);
}

std::string broker_words(std::string_view server_reference, std::string_view reason_string) {
  std::string out;
  if (!server_reference.empty()) out += "server reference: " + report::display_escaped(server_reference, 0);
  if (!reason_string.empty()) {
    if (!out.empty()) out += "; ";
    out += "reason string: " + report::display_escaped(reason_string, 0);
  }
  return out;
}

int exit_code_for_reason(reason_code code) noexcept {
  // Below 0x80 only the 3.1/3.1.1 CONNACK refusals (1-5) are failures; the rest (0x00, granted
  // QoS, 0x04, 0x10, 0x11, 0x18, 0x19) report success or progress. The packet and version are
  // not known here, so both ranges count.
  const bool v5_failure = code.is_failure(packet_type::disconnect, protocol_version::v5);
  const bool v311_refusal =
      code >= reason_code::v311_unacceptable_protocol_version && code <= reason_code::v311_not_authorized;
  return v5_failure || v311_refusal ? code.value() : 0;
}

}  // namespace mqtk::diag
