#pragma once
// Why the client session closed a connection, in one line for people: the table behind the
// message of every proto::close_action ("no PINGRESP within 60 s", "the broker disconnected:
// Session taken over (reason code 0x8e): ..."). The session reports typed causes and builds no
// sentences; the client library, the tools' -d traces and the tests all read them from here.
#include <chrono>
#include <string>
#include <string_view>

#include "mqtk/diag/failure.hpp"
#include "mqtk/proto/session_action.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::diag {

// The line for `cause` under `version` (which decides how a broker's code is cited). A Reason
// String from the broker is escaped for the terminal.
std::string close_message(const proto::close_cause& cause, proto::protocol_version version);

// The line a tool prints when a connection it had is lost: "connection lost (broker:1883): <why>;
// reconnecting". `broker` may be empty; `why` is a close_message or a transport's words.
std::string connection_lost_line(std::string_view broker, std::string_view why, bool will_reconnect);

// The advice when a 5.0 broker ended the session with a DISCONNECT whose code reports no
// failure: the standard advice for a lost connection ("closed without a reason") would
// contradict the line.
std::string_view disconnect_without_failure_hint() noexcept;

// A deadline that passed while a packet of the broker's was still arriving (issue 15, hostile
// brokers): "the broker was still sending a 1,000-byte PUBLISH (5 bytes so far): it sends too
// slowly (trickles)", or, when nothing came for most of the wait (at least 2 s), "the broker
// stopped 9 bytes into a 1,000-byte PUBLISH and sent nothing more for 12 s: it stalled
// mid-packet". A deadline with no byte of a packet has no such clause: the broker was silent.
std::string receiving_text(const proto::packet_in_progress& p);
// What to try about it (a trickle and a stall have different suspects).
std::string_view receiving_hint(const proto::packet_in_progress& p) noexcept;

// A broker that broke the protocol or stopped acknowledging (issue 15): what it did, so the
// advice fits it rather than the standard advice for a refused or lost connection.
// slow_sender: a deadline passed while a packet of its was still arriving.
enum class broker_misbehaviour : std::uint8_t {
  none, cut_short, packet_too_large, topic_alias_invalid, ack_timeout, slow_sender
};
struct broker_misbehaviour_event {
  broker_misbehaviour what = broker_misbehaviour::none;
  bool reset = false;                // cut_short: a reset rather than a close
  proto::partial_packet cut_short;   // cut_short: the packet that stopped part-way
  proto::packet_in_progress receiving;  // slow_sender: the packet still arriving at the deadline
};
// `f` with the reason and hint for `e` (unchanged for none).
failure explain_broker_misbehaviour(const broker_misbehaviour_event& e, failure f);

// "60 s", "1.5 s": a configured time in the unit people set it in.
std::string seconds_text(std::chrono::milliseconds d);

}  // namespace mqtk::diag
