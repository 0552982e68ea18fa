#include "mqtk/proto/reason_code.hpp"

#include <array>

namespace mqtk::proto {
namespace {

constexpr std::uint16_t bit(packet_type t) noexcept {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(t));
}

constexpr std::uint16_t connack = bit(packet_type::connack);
constexpr std::uint16_t puback = bit(packet_type::puback);
constexpr std::uint16_t pubrec = bit(packet_type::pubrec);
constexpr std::uint16_t pubrel = bit(packet_type::pubrel);
constexpr std::uint16_t pubcomp = bit(packet_type::pubcomp);
constexpr std::uint16_t suback = bit(packet_type::suback);
constexpr std::uint16_t unsuback = bit(packet_type::unsuback);
constexpr std::uint16_t disconnect = bit(packet_type::disconnect);
constexpr std::uint16_t auth = bit(packet_type::auth);

// The codes that most acknowledgements may carry when an operation fails (5.0 §2.4).
constexpr std::uint16_t pub_acks = puback | pubrec;
constexpr std::uint16_t general_failure = connack | pub_acks | suback | unsuback | disconnect;

// `v311_return_code` marks the entries that belong to 3.1 and 3.1.1 (their CONNACK return codes
// and SUBACK return codes); all others are 5.0 reason codes. Names follow the specs' wording.
constexpr std::array table{
    // MQTT 3.1 / 3.1.1 CONNACK return codes (3.1.1 §3.2.2.3).
    reason_code_info{0x00, "Connection Accepted", "the connection was accepted", connack, true},
    reason_code_info{0x01, "Unacceptable protocol version",
                     "the server does not support the protocol level the client asked for",
                     connack, true},
    reason_code_info{0x02, "Identifier rejected",
                     "the client identifier is valid UTF-8 but not allowed by the server", connack,
                     true},
    reason_code_info{0x03, "Server unavailable",
                     "the network connection was made but the MQTT service is unavailable",
                     connack, true},
    reason_code_info{0x04, "Bad user name or password",
                     "the data in the user name or password is malformed", connack, true},
    reason_code_info{0x05, "Not authorized", "the client is not authorized to connect", connack,
                     true},
    // MQTT 3.1.1 SUBACK return codes (3.1.1 §3.9.3).
    reason_code_info{0x00, "Success - Maximum QoS 0", "subscribed; messages arrive at QoS 0",
                     suback, true},
    reason_code_info{0x01, "Success - Maximum QoS 1", "subscribed; messages arrive at up to QoS 1",
                     suback, true},
    reason_code_info{0x02, "Success - Maximum QoS 2", "subscribed; messages arrive at up to QoS 2",
                     suback, true},
    reason_code_info{0x80, "Failure", "the subscription was refused", suback, true},

    // MQTT 5.0 reason codes (5.0 §2.4, Table 2-6). Code 0 has one name per packet.
    reason_code_info{0x00, "Success", "the operation succeeded",
                     connack | pub_acks | pubrel | pubcomp | unsuback | auth, false},
    reason_code_info{0x00, "Normal disconnection",
                     "the connection is closed normally; the will message is not sent", disconnect,
                     false},
    reason_code_info{0x00, "Granted QoS 0", "subscribed; messages arrive at QoS 0", suback, false},
    reason_code_info{0x01, "Granted QoS 1", "subscribed; messages arrive at up to QoS 1", suback,
                     false},
    reason_code_info{0x02, "Granted QoS 2", "subscribed; messages arrive at up to QoS 2", suback,
                     false},
    reason_code_info{0x04, "Disconnect with Will Message",
                     "the client disconnects but wants the server to publish its will message",
                     disconnect, false},
    reason_code_info{0x10, "No matching subscribers",
                     "the message was accepted but nobody is subscribed to its topic", pub_acks,
                     false},
    reason_code_info{0x11, "No subscription existed",
                     "there was no subscription matching this filter to remove", unsuback, false},
    reason_code_info{0x18, "Continue authentication", "continue the authentication exchange", auth,
                     false},
    reason_code_info{0x19, "Re-authenticate", "the client starts a re-authentication", auth, false},
    reason_code_info{0x80, "Unspecified error",
                     "the receiver failed and does not want to say why, or no other code applies",
                     general_failure, false},
    reason_code_info{0x81, "Malformed Packet",
                     "a received packet could not be parsed according to the specification",
                     connack | disconnect, false},
    reason_code_info{0x82, "Protocol Error",
                     "a packet was unexpected or broke the protocol after it was parsed",
                     connack | disconnect, false},
    reason_code_info{0x83, "Implementation specific error",
                     "the packet is valid but the receiver does not accept it", general_failure,
                     false},
    reason_code_info{0x84, "Unsupported Protocol Version",
                     "the server does not support the MQTT version the client asked for", connack,
                     false},
    reason_code_info{0x85, "Client Identifier not valid",
                     "the client identifier is valid UTF-8 but not allowed by the server", connack,
                     false},
    reason_code_info{0x86, "Bad User Name or Password",
                     "the server does not accept the user name or password given", connack, false},
    reason_code_info{0x87, "Not authorized", "the client is not authorized to do this",
                     general_failure, false},
    reason_code_info{0x88, "Server unavailable", "the MQTT server is not available", connack,
                     false},
    reason_code_info{0x89, "Server busy", "the server is busy; try again later",
                     connack | disconnect, false},
    reason_code_info{0x8A, "Banned", "this client is banned by administrative action", connack,
                     false},
    reason_code_info{0x8B, "Server shutting down", "the server is shutting down", disconnect,
                     false},
    reason_code_info{0x8C, "Bad authentication method",
                     "the authentication method is not supported or does not match the one in use",
                     connack | disconnect, false},
    reason_code_info{0x8D, "Keep Alive timeout",
                     "nothing was received for 1.5 times the keep alive interval", disconnect,
                     false},
    reason_code_info{0x8E, "Session taken over",
                     "another connection using the same client identifier has connected",
                     disconnect, false},
    reason_code_info{0x8F, "Topic Filter invalid",
                     "the topic filter is well formed but not accepted by the server",
                     suback | unsuback | disconnect, false},
    reason_code_info{0x90, "Topic Name invalid",
                     "the topic name is well formed but not accepted by the server",
                     connack | pub_acks | disconnect, false},
    reason_code_info{0x91, "Packet Identifier in use",
                     "the packet identifier is already in use", pub_acks | suback | unsuback,
                     false},
    reason_code_info{0x92, "Packet Identifier not found", "the packet identifier is not known",
                     pubrel | pubcomp, false},
    reason_code_info{0x93, "Receive Maximum exceeded",
                     "more QoS 1 and 2 publications were in flight than Receive Maximum allows",
                     disconnect, false},
    reason_code_info{0x94, "Topic Alias invalid",
                     "the topic alias is zero or above the Topic Alias Maximum", disconnect,
                     false},
    reason_code_info{0x95, "Packet too large", "the packet exceeded the maximum permissible size",
                     connack | disconnect, false},
    reason_code_info{0x96, "Message rate too high", "the received data rate is too high",
                     disconnect, false},
    reason_code_info{0x97, "Quota exceeded", "an implementation or administrative limit was hit",
                     connack | pub_acks | suback | disconnect, false},
    reason_code_info{0x98, "Administrative action",
                     "the connection is closed because of an administrative action", disconnect,
                     false},
    reason_code_info{0x99, "Payload format invalid",
                     "the payload does not match the Payload Format Indicator",
                     connack | pub_acks | disconnect, false},
    reason_code_info{0x9A, "Retain not supported", "the server does not support retained messages",
                     connack | disconnect, false},
    reason_code_info{0x9B, "QoS not supported",
                     "the client asked for a QoS above the server's Maximum QoS",
                     connack | disconnect, false},
    reason_code_info{0x9C, "Use another server",
                     "the client should temporarily use another server", connack | disconnect,
                     false},
    reason_code_info{0x9D, "Server moved", "the client should permanently use another server",
                     connack | disconnect, false},
    reason_code_info{0x9E, "Shared Subscriptions not supported",
                     "the server does not support shared subscriptions", suback | disconnect,
                     false},
    reason_code_info{0x9F, "Connection rate exceeded",
                     "the connection rate limit has been exceeded", connack | disconnect, false},
    reason_code_info{0xA0, "Maximum connect time",
                     "the maximum connection time authorized for this connection was exceeded",
                     disconnect, false},
    reason_code_info{0xA1, "Subscription Identifiers not supported",
                     "the server does not support subscription identifiers", suback | disconnect,
                     false},
    reason_code_info{0xA2, "Wildcard Subscriptions not supported",
                     "the server does not support wildcard subscriptions", suback | disconnect,
                     false},
};

}  // namespace

std::span<const reason_code_info> all_reason_codes() noexcept { return table; }

const reason_code_info* find_reason_code(std::uint8_t code, packet_type type,
                                         protocol_version version) noexcept {
  const bool before_v5 = version != protocol_version::v5;
  for (const auto& info : table) {
    if (info.code == code && info.v311_return_code == before_v5 && (info.packets & bit(type)) != 0) {
      return &info;
    }
  }
  return nullptr;
}

std::string reason_code_hex(std::uint8_t code, hex_case letters) {
  const char* digits = letters == hex_case::upper ? "0123456789ABCDEF" : "0123456789abcdef";
  return {'0', 'x', digits[code >> 4], digits[code & 0x0F]};
}

std::string_view reason_code_name(std::uint8_t code, packet_type type,
                                  protocol_version version) noexcept {
  const auto* info = find_reason_code(code, type, version);
  return info != nullptr ? info->name : std::string_view{};
}

}  // namespace mqtk::proto
