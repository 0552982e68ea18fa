// Keep alive: PINGREQ only after the keep alive interval without a send, the PINGRESP deadline
// and its exact message, and the 5.0 Server Keep Alive overriding ours.
#include "session_test_support.hpp"

namespace mqtk::test {
namespace {

using namespace std::chrono_literals;
using proto::property;
using proto::property_id;
using proto::qos;
using proto::timer_kind;

TEST(session_keepalive, connack_arms_the_keepalive_from_the_connect_send) {
  session_harness h;
  EXPECT_EQ(h.establish(60), (lines{"connack sp=0 rc=0x00", "arm keepalive @60s"}));
  EXPECT_EQ(h.session.keep_alive(), 60s);
}

TEST(session_keepalive, pingreq_only_after_idle_interval) {
  session_harness h;
  h.establish(60);
  run_steps(h, {
      {"fires early: not due", [](auto& s) { return s.at(30s).expire(timer_kind::keepalive); }, {}},
      {"idle for 60 s", [](auto& s) { return s.at(60s).expire(timer_kind::keepalive); },
       {"> PINGREQ", "arm pingresp @120s", "arm keepalive @120s"}},
      {"PINGRESP", [](auto& s) { return s.at(61s).recv(proto::pingresp{}); }, {"cancel pingresp"}},
      {"idle again", [](auto& s) { return s.at(120s).expire(timer_kind::keepalive); },
       {"> PINGREQ", "arm pingresp @180s", "arm keepalive @180s"}},
  });
}

TEST(session_keepalive, any_send_postpones_the_ping) {
  session_harness h;
  h.establish(60);
  run_steps(h, {
      {"publish at 30 s", [](auto& s) { return s.at(30s).publish("a", "x", qos::at_most_once); },
       {"> PUBLISH a q0 'x'", "done 1 ok"}},
      {"timer at 60 s re-arms from the publish", [](auto& s) { return s.at(60s).expire(timer_kind::keepalive); },
       {"arm keepalive @90s"}},
      {"PUBACK we send at 80 s counts as a send",
       [](auto& s) { return s.at(80s).recv(incoming("t", "m", qos::at_least_once, 9)); },
       {"deliver t q1 #9 'm'", "> PUBACK #9"}},
      {"timer at 90 s", [](auto& s) { return s.at(90s).expire(timer_kind::keepalive); }, {"arm keepalive @140s"}},
      {"idle until 140 s", [](auto& s) { return s.at(140s).expire(timer_kind::keepalive); },
       {"> PINGREQ", "arm pingresp @200s", "arm keepalive @200s"}},
  });
}

TEST(session_keepalive, receiving_does_not_postpone_the_ping) {
  session_harness h;
  h.establish(60);
  EXPECT_EQ(h.at(50s).recv(incoming("t", "m", qos::at_most_once)), lines{"deliver t q0 'm'"});
  EXPECT_EQ(h.at(60s).expire(timer_kind::keepalive),
            (lines{"> PINGREQ", "arm pingresp @120s", "arm keepalive @120s"}));
}

TEST(session_keepalive, no_pingresp_closes_with_exact_message) {
  session_harness h;
  h.establish(60);
  h.at(60s).expire(timer_kind::keepalive);
  EXPECT_EQ(h.at(120s).expire(timer_kind::pingresp),
            (lines{"cancel keepalive", "close pingresp_timeout 'no PINGRESP within 60 s'"}));
  EXPECT_EQ(h.session.state(), proto::session_state::down);
}

TEST(session_keepalive, keepalive_firing_while_ping_outstanding_sends_no_second_ping) {
  session_harness h;
  h.establish(60);
  h.at(60s).expire(timer_kind::keepalive);
  EXPECT_EQ(h.at(120s).expire(timer_kind::keepalive), lines{"arm keepalive @180s"});
  EXPECT_EQ(h.at(120s).expire(timer_kind::pingresp),
            (lines{"cancel keepalive", "close pingresp_timeout 'no PINGRESP within 60 s'"}));
}

TEST(session_keepalive, pingresp_timeout_is_configurable) {
  session_harness h(proto::protocol_version::v311, {.pingresp_timeout = 1500ms});
  h.establish(10);
  EXPECT_EQ(h.at(10s).expire(timer_kind::keepalive),
            (lines{"> PINGREQ", "arm pingresp @11500ms", "arm keepalive @20s"}));
  EXPECT_EQ(h.at(11500ms).expire(timer_kind::pingresp),
            (lines{"cancel keepalive", "close pingresp_timeout 'no PINGRESP within 1.5 s'"}));
}

TEST(session_keepalive, server_keep_alive_overrides_ours) {
  session_harness h;
  EXPECT_EQ(h.establish(60, {property{.id = property_id::server_keep_alive, .number = 20}}),
            (lines{"connack sp=0 rc=0x00", "arm keepalive @20s"}));
  EXPECT_EQ(h.session.keep_alive(), 20s);
  EXPECT_EQ(h.at(20s).expire(timer_kind::keepalive),
            (lines{"> PINGREQ", "arm pingresp @40s", "arm keepalive @40s"}));
  EXPECT_EQ(h.at(40s).expire(timer_kind::pingresp),
            (lines{"cancel keepalive", "close pingresp_timeout 'no PINGRESP within 20 s'"}));
}

TEST(session_keepalive, server_keep_alive_zero_turns_keepalive_off) {
  session_harness h;
  EXPECT_EQ(h.establish(60, {property{.id = property_id::server_keep_alive, .number = 0}}),
            lines{"connack sp=0 rc=0x00"});
  EXPECT_EQ(h.session.keep_alive(), 0s);
}

TEST(session_keepalive, keep_alive_zero_arms_no_timer) {
  session_harness h(proto::protocol_version::v311);
  EXPECT_EQ(h.establish(0), lines{"connack sp=0 rc=0x00"});
  EXPECT_EQ(h.at(1000s).expire(timer_kind::keepalive), lines{});
}

TEST(session_keepalive, stale_expiries_are_ignored) {
  session_harness h;
  h.establish(60);
  run_steps(h, {
      {"pingresp timer never armed", [](auto& s) { return s.at(70s).expire(timer_kind::pingresp); }, {}},
      {"connack timer never armed", [](auto& s) { return s.expire(timer_kind::connack); }, {}},
      {"unsolicited PINGRESP", [](auto& s) { return s.recv(proto::pingresp{}); }, {}},
      {"the real keepalive still works", [](auto& s) { return s.at(70s).expire(timer_kind::keepalive); },
       {"> PINGREQ", "arm pingresp @130s", "arm keepalive @130s"}},
      {"after PINGRESP the old deadline is stale", [](auto& s) { return s.at(71s).recv(proto::pingresp{}); },
       {"cancel pingresp"}},
      {"late expiry of a cancelled timer", [](auto& s) { return s.at(130s).expire(timer_kind::pingresp); }, {}},
  });
  EXPECT_EQ(h.session.state(), proto::session_state::connected);
}

TEST(session_keepalive, transport_down_cancels_timers) {
  session_harness h;
  h.establish(60);
  h.at(60s).expire(timer_kind::keepalive);
  EXPECT_EQ(h.at(61s).down(), (lines{"cancel keepalive", "cancel pingresp"}));
  EXPECT_EQ(h.at(200s).expire(timer_kind::pingresp), lines{});
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

using namespace std::chrono_literals;

TEST(session_keepalive, ping_on_demand_for_round_trips) {
  session_harness h(proto::protocol_version::v5, {.report_received_packets = true});
  h.establish(60);
  run_steps(h, {
      {"ping at 5 s", [](auto& s) { return s.at(5s).ping(); }, {"> PINGREQ", "arm pingresp @65s"}},
      {"no second ping while one is out", [](auto& s) { return s.at(6s).ping(); }, {}},
      {"PINGRESP is reported", [](auto& s) { return s.at(7s).recv(proto::pingresp{}); },
       {"< PINGRESP 2B", "cancel pingresp"}},
      {"the ping counts as a send for keep alive", [](auto& s) { return s.at(60s).expire(proto::timer_kind::keepalive); },
       {"arm keepalive @65s"}},
  });
}

TEST(session_keepalive, ping_without_keep_alive_has_no_deadline) {
  session_harness h(proto::protocol_version::v311);
  h.establish(0);
  EXPECT_EQ(h.ping(), lines{"> PINGREQ"});
  EXPECT_EQ(h.recv(proto::pingresp{}), lines{});
}

TEST(session_keepalive, ping_before_connack_does_nothing) {
  session_harness h;
  h.connect(h.default_connect());
  h.up();
  EXPECT_EQ(h.ping(), lines{});
}

}  // namespace
}  // namespace mqtk::test
