// Strings a broker sends (a 5.0 Reason String) reach a person's terminal only escaped: a
// hostile or broken broker must not reset the terminal (ESC c), forge a line (CR LF) or send a
// C1 CSI (U+009B, "\xC2\x9B" in UTF-8) through mqtk-pub's or mqtk-sub's stderr (issue 15). No
// real broker sends such a Reason String, so the scripted peer does.
//
// Every wait is bounded; nothing asserts on how long something took.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/cli_runner.hpp"
#include "support/process.hpp"
#include "support/fake_broker.hpp"

namespace mqtk {
namespace {

using namespace std::chrono_literals;
using test::concat;
using test::contains;
using test::peer_script;
using test::fake_broker;
using test::str;

const std::string hostile_reason = "bye\x1b" "c\r\nFAKE LINE\xc2\x9b";
const std::string escaped_reason = "bye\\x1bc\\x0d\\x0aFAKE LINE\\xc2\\x9b";

// No control character of the peer's reached the stream raw: no ESC, no CR, no C1 CSI, and LF
// only as the end of the tool's own lines, each of which starts with the tool's name.
void expect_no_raw_controls(const std::string& err, const std::string& tool) {
  EXPECT_FALSE(contains(err, "\x1b")) << err;
  EXPECT_FALSE(contains(err, "\r")) << err;
  EXPECT_FALSE(contains(err, "\xc2\x9b")) << err;
  for (const auto& line : test::lines_of(err)) {
    EXPECT_EQ(line.rfind(tool + ": ", 0), 0u) << "a line the tool did not write: " << line;
  }
}

std::vector<std::string> v5_at(const fake_broker& peer) {
  return {"-h", "127.0.0.1", "-p", str(peer.port()), "-V", "5"};
}

TEST(pubsub_peer_text, pub_prints_one_line_with_a_disconnect_reason_string_escaped) {
  fake_broker peer(
      peer_script{.reply = test::v5_connack(0), .then_send = test::v5_disconnect(0x00, "", hostile_reason)});
  const auto r = test::run(concat({test::pub_tool()}, concat(v5_at(peer), {"-t", "t", "-m", "x", "-q", "1"})), 20s);
  test::expect_one_error_line(r, 75, {"lost", escaped_reason});
  expect_no_raw_controls(r.err, "mqtk-pub");
}

TEST(pubsub_peer_text, sub_prints_one_line_for_a_refusing_connack_with_a_hostile_reason_string) {
  fake_broker peer(peer_script{.reply = test::v5_connack(0x87, "", hostile_reason)});
  const auto r = test::run(concat({test::sub_tool()}, concat(v5_at(peer), {"-t", "t", "-W", "5"})), 20s);
  test::expect_one_error_line(r, 0x87, {"connection refused: not authorized"});
  expect_no_raw_controls(r.err, "mqtk-sub");
}

TEST(pubsub_peer_text, sub_connection_lost_lines_escape_a_disconnect_reason_string) {
  // mqtk-sub reconnects after a DISCONNECT: every "connection lost" line escapes the reason.
  fake_broker peer(
      peer_script{.reply = test::v5_connack(0), .then_send = test::v5_disconnect(0x00, "", hostile_reason)});
  const auto r = test::run(concat({test::sub_tool()}, concat(v5_at(peer), {"-t", "t", "-W", "2"})), 20s);
  EXPECT_TRUE(contains(r.err, "connection lost: the broker disconnected: Normal disconnection (reason code 0x00): " +
                                  escaped_reason))
      << r.describe();
  expect_no_raw_controls(r.err, "mqtk-sub");
}

TEST(pubsub_peer_text, debug_trace_escapes_the_c1_controls_of_a_reason_string) {
  fake_broker peer(peer_script{.reply = test::v5_connack(0x87, "", hostile_reason)});
  const auto r = test::run(concat({test::sub_tool(), "-d"}, concat(v5_at(peer), {"-t", "t", "-W", "5"})), 20s);
  EXPECT_EQ(r.exit_code(), 0x87) << r.describe();
  EXPECT_TRUE(contains(r.err, "reason_string=\"" + escaped_reason + "\"")) << r.err;
  expect_no_raw_controls(r.err, "mqtk-sub");
}

}  // namespace
}  // namespace mqtk
