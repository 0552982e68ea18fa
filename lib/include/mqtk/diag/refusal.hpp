#pragma once
// Why a broker refused or dropped a connection, explained for people: the one table behind
// every "connection refused: ..." line of pub, sub, ping, bench and decode (ARCHITECTURE.md,
// "Diagnosis of refusals"). Names come from proto/reason_code; this adds likely causes and
// fixes in terms of mqtk's options and of what ESP32 and mosquitto users actually run into.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::diag {

struct refusal_explanation {
  proto::reason_code code;
  std::string_view name;   // lower case, as it reads inside a sentence: "not authorized"
  std::string_view cause;  // the likely cause: "the broker did not accept the username/password"
  std::string_view fix;    // what to try: "check -u/-P, and ..."
  bool known = true;       // false when the code is not defined for that packet and version
};

// The explanation of `code` received in `where` (CONNACK, DISCONNECT, PUBACK/PUBREC,
// PUBREL/PUBCOMP, SUBACK, UNSUBACK; any other packet type is treated like DISCONNECT) from a
// broker speaking `version`. 3.1 and 3.1.1 have only CONNACK return codes and the SUBACK 0x80.
// A code the spec does not define for that packet but does elsewhere keeps that meaning with
// `known == false`; a code defined nowhere gets a generic explanation, also `known == false`.
refusal_explanation explain_refusal(proto::reason_code code, proto::protocol_version version,
                                    proto::packet_type where) noexcept;

// The one-line message of ARCHITECTURE.md, e.g. `connection refused: not authorized (3.1.1 return
// code 5) — the broker did not accept the username/password; check -u/-P, ...`. A DISCONNECT
// reads `disconnected by the broker: session taken over (5.0 reason code 0x8E) — ...`.
std::string refusal_line(proto::reason_code code, proto::protocol_version version,
                         proto::packet_type where);

// The part after the colon: `packet too large (5.0 reason code 0x95) — <cause>; <fix>`.
std::string refusal_reason(proto::reason_code code, proto::protocol_version version,
                           proto::packet_type where);

// "3.1.1 return code 5" / "5.0 reason code 0x87": how the code is cited in messages.
std::string reason_code_label(proto::reason_code code, proto::protocol_version version);

// What the broker added in words to a refusal or DISCONNECT (5.0 properties), escaped for a
// terminal: "server reference: new.example:8883; reason string: maintenance". Empty when it
// gave neither.
std::string broker_words(std::string_view server_reference, std::string_view reason_string);

// The process exit code for a reason code from the broker (ARCHITECTURE.md, "Exit codes"): the code
// itself for 3.1/3.1.1 refusals (1-5) and 5.0 failures (0x80 and above); 0 for the codes below
// 0x80 that are not failures (success, granted QoS, no matching subscribers, ...).
int exit_code_for_reason(proto::reason_code code) noexcept;

// Every entry the table holds for `version` and `where`, in code order: for tests and
// documentation. Empty before 5.0 for packets other than CONNACK and SUBACK.
std::span<const refusal_explanation> all_refusals(proto::protocol_version version,
                                                  proto::packet_type where) noexcept;

}  // namespace mqtk::diag
