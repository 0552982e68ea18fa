#pragma once
// Shared by the session scenario tests: a harness that feeds one input to a session and
// renders the resulting actions as short lines, so a scenario reads as a table of
// "input -> expected lines". Sent bytes are decoded and rendered per packet:
//
//   > PUBLISH a/b q1 #1 dup 'hello'     a packet the session sent (#n = packet id)
//   arm keepalive @60s                  a timer deadline, relative to the test's time zero
//   cancel pingresp
//   deliver a/b q2 #7 'hello'
//   done 3 ok | done 3 rejected rc=0x87 | done 4 ok [0x01,0x80]
//   close pingresp_timeout 'no PINGRESP within 60 s'
//   connack sp=1 rc=0x00 | server_disconnect rc=0x8b | auth rc=0x18
//   < PINGRESP 2B                       a packet received (with report_received_packets)
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "mqtk/proto/encoder.hpp"
#include "mqtk/proto/session.hpp"
#include "support/bytes.hpp"

namespace mqtk::test {

using lines = std::vector<std::string>;

// One line per action; a send of several packets gives one line per packet.
lines render(const proto::action_list& actions, proto::protocol_version version, proto::session_time epoch);

class session_harness {
 public:
  explicit session_harness(proto::protocol_version v = proto::protocol_version::v5,
                           proto::session_options options = {});

  // Moves the clock (relative to time zero) for the following inputs.
  session_harness& at(std::chrono::milliseconds t);

  lines connect(const proto::connect& c);
  lines up();
  lines down();
  lines recv(const proto::packet& p);
  lines recv_bytes(const bytes& b);
  lines expire(proto::timer_kind k);
  lines publish(const proto::publish& m);
  lines publish(std::string_view topic, std::string_view payload, proto::qos q, bool retain = false);
  lines subscribe(const std::vector<proto::subscription>& subs);
  lines unsubscribe(const std::vector<std::string_view>& filters);
  lines disconnect(std::uint8_t reason_code = 0);
  lines auth(const proto::auth& a);
  lines ping();

  // CONNECT (client id "c", keep alive `keep_alive`, clean start), transport up, and an
  // accepting CONNACK with `connack_props`. Checks the CONNECT went out and returns the lines
  // of the CONNACK input.
  lines establish(std::uint16_t keep_alive = 60, const std::vector<proto::property>& connack_props = {},
                  bool session_present = false);
  lines establish_with(const proto::connect& c, const std::vector<proto::property>& connack_props = {},
                       bool session_present = false);
  proto::connect default_connect(std::uint16_t keep_alive = 60) const;

  proto::connect_config config;  // what connect() gave the session, which views it
  proto::session session;
  proto::action_list out;
  proto::protocol_version version;
  proto::session_time epoch{};  // a fixed origin: tests never read a clock
  proto::session_time now{};
  proto::operation_id last_op = 0;
  const proto::action_list* last = nullptr;  // the actions of the last input, until the next

 private:
  lines take();
};

// A table row: one input and the lines it must produce.
struct step {
  std::string what;
  std::function<lines(session_harness&)> input;
  lines expected;
};
void run_steps(session_harness& h, const std::vector<step>& steps);

// Broker packets.
proto::connack connack_ok(bool session_present = false, const std::vector<proto::property>& props = {});
proto::publish incoming(std::string_view topic, std::string_view payload, proto::qos q, std::uint16_t id = 0,
                        bool dup = false);

}  // namespace mqtk::test
