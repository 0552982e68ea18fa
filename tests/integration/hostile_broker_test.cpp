// Every tool that connects (mqtk-pub, mqtk-sub, mqtk-ping, mqtk-bench) against a broker that
// misbehaves on purpose (issue 15): the scripted fake peer (support/fake_broker.hpp), since no
// real broker does this. Each case asserts the exit code, one stderr line that names what the
// broker did, an end within the tool's own timeout (a generous wall-clock bound, not a timing
// assertion), and for the cases that could eat memory the child's peak RSS.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mqtk/proto/encoder.hpp"
#include "support/cli_runner.hpp"
#include "support/fake_broker.hpp"
#include "support/process.hpp"

namespace mqtk {
namespace {

using namespace std::chrono_literals;
using test::concat;
using test::fake_broker;
using test::peer_script;
using test::str;
using bytes = std::vector<std::uint8_t>;

// ---------------------------------------------------------------------------------------------
// Running a tool and watching its memory

struct outcome {
  test::run_result r;
  std::size_t peak_rss_kb = 0;  // VmHWM, read while the child ran
};

std::size_t vm_hwm_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

outcome run_watched(std::vector<std::string> args, std::chrono::milliseconds limit = 60s) {
  test::process p({.args = std::move(args)});
  outcome o;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (p.running()) {
    o.peak_rss_kb = std::max(o.peak_rss_kb, vm_hwm_kb(p.pid()));
    if (std::chrono::steady_clock::now() > deadline) {
      o.r.timed_out = true;
      p.kill();
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (p.status()) o.r.status = *p.status();
  o.r.out = p.out();
  o.r.err = p.err();
  return o;
}

enum class tool { pub, sub, ping, bench };

std::string name_of(tool t) {
  switch (t) {
    case tool::pub: return "pub";
    case tool::sub: return "sub";
    case tool::ping: return "ping";
    case tool::bench: return "bench";
  }
  return "?";
}

// The tool's command line against the fake broker, with short timeouts of its own: keep alive
// 5 s (the minimum), and each tool's -W or connect timeout where it has one.
std::vector<std::string> command(tool t, const fake_broker& fb, const std::vector<std::string>& extra = {}) {
  const std::vector<std::string> at{"-h", "127.0.0.1", "-p", str(fb.port()), "-k", "5"};
  switch (t) {
    case tool::pub: return concat(concat({test::pub_tool(), "-t", "t", "-m", "x", "-q", "1"}, at), extra);
    case tool::sub: return concat(concat({test::sub_tool(), "-t", "t", "-q", "1", "-W", "20"}, at), extra);
    case tool::ping:
      return concat(concat({test::tool_path("mqtk-ping").string(), "-c", "3", "-i", "0.05", "-W", "2"}, at), extra);
    case tool::bench:
      return concat(concat({test::tool_path("mqtk-bench").string(), "pub", "--progress=none", "-c", "1", "-n", "10",
                            "-q", "1", "--connect-timeout", "2"},
                           at),
                    extra);
  }
  return {};
}

void expect_outcome(const outcome& o, int code, const std::vector<std::string>& words) {
  EXPECT_FALSE(o.r.timed_out) << "still running at the wall-clock bound: " << o.r.describe();
  EXPECT_EQ(o.r.exit_code(), code) << o.r.describe();
  EXPECT_EQ(test::count_lines(o.r.err), 1u) << o.r.err;
  for (const auto& w : words) EXPECT_TRUE(test::contains(o.r.err, w)) << "missing '" << w << "' in: " << o.r.err;
}

// Peak RSS bound for the memory cases: far below what the broker's announcements would cost.
constexpr std::size_t rss_bound_kb = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Hostile packets

bytes connack311() { return test::v311_connack(0); }

bytes operator+(bytes a, const bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A PUBLISH announcing remaining length 268,435,455 (a 268,435,460-byte packet), and the first
// 64 KiB of its body.
bytes huge_publish_start() {
  bytes b{0x30, 0xFF, 0xFF, 0xFF, 0x7F};
  b.resize(b.size() + 64 * 1024, 'x');
  return b;
}

// The first 100 bytes of a 1000-byte QoS 0 PUBLISH on topic "t".
bytes publish_start_of_1000() {
  bytes b{0x30, 0xE5, 0x07, 0x00, 0x01, 't'};
  b.resize(100, 'x');
  return b;
}

bytes v5_publish(std::string_view topic, std::optional<std::uint16_t> alias, std::string_view payload = "x") {
  std::vector<proto::property> props;
  if (alias) props.push_back({.id = proto::property_id::topic_alias, .number = *alias});
  bytes out;
  proto::encode_append(proto::publish{.topic = topic, .payload = payload, .properties = props},
                       proto::protocol_version::v5, out);
  return out;
}

bytes v5_connack_ok() { return test::v5_connack(0); }

// ---------------------------------------------------------------------------------------------
// The behaviours every tool meets right after CONNACK

struct every_tool_case {
  std::string name;
  peer_script script;
  std::vector<std::string> extra;  // for every tool
  int code;
  std::vector<std::string> words;
  std::vector<std::string> absent;  // words a wrong diagnosis would use
};

class hostile_broker_every_tool : public ::testing::TestWithParam<std::tuple<every_tool_case, tool>> {};

TEST_P(hostile_broker_every_tool, exits_with_the_code_and_a_line_naming_what_the_broker_did) {
  const auto& [c, t] = GetParam();
  fake_broker fb(c.script);
  const auto o = run_watched(command(t, fb, c.extra), 60s);
  expect_outcome(o, c.code, c.words);
  for (const auto& w : c.absent) EXPECT_FALSE(test::contains(o.r.err, w)) << "'" << w << "' in: " << o.r.err;
  EXPECT_LT(o.peak_rss_kb, rss_bound_kb) << o.r.describe();
}

std::vector<every_tool_case> every_tool_cases() {
  return {
      {.name = "accepts_tcp_and_never_answers",
       .script = {},
       .extra = {},
       .code = 69,
       .words = {"no CONNACK"}},
      {.name = "closes_mid_packet",
       .script = {.reply = connack311() + publish_start_of_1000(), .close_after_reply = true},
       .extra = {},
       .code = 75,
       .words = {"100 bytes into a 1000-byte PUBLISH"},
       .absent = {"same id"}},
      {.name = "announces_256_mb_and_closes_after_64_kib",
       .script = {.reply = connack311() + huge_publish_start(), .close_after_reply = true},
       .extra = {},
       .code = 75,
       .words = {"65541 bytes into a 268435460-byte PUBLISH"},
       .absent = {"same id", "ACL"}},
      {.name = "announces_256_mb_over_max_packet_size",
       .script = {.reply = connack311() + huge_publish_start()},
       .extra = {"--max-packet-size", "1048576"},
       .code = 76,
       .words = {"announced a PUBLISH of 268435460 bytes, over our maximum packet size of 1048576 bytes"}},
      {.name = "sends_a_reserved_packet_type",
       .script = {.reply = connack311() + bytes{0x00, 0x00}},
       .extra = {},
       .code = 76,
       .words = {"reserved"}},
      {.name = "sends_a_5_byte_remaining_length",
       .script = {.reply = connack311() + bytes{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}},
       .extra = {},
       .code = 76,
       .words = {"remaining length"}},
      {.name = "sends_connack_twice",
       .script = {.reply = connack311() + connack311()},
       .extra = {},
       .code = 76,
       .words = {"unexpected CONNACK"}},
  };
}

INSTANTIATE_TEST_SUITE_P(
    cases, hostile_broker_every_tool,
    ::testing::Combine(::testing::ValuesIn(every_tool_cases()),
                       ::testing::Values(tool::pub, tool::ping)),
    [](const auto& row) { return std::get<0>(row.param).name + "_" + name_of(std::get<1>(row.param)); });

// ---------------------------------------------------------------------------------------------
// mqtk-pub: acknowledgements

TEST(hostile_broker, pub_exits_76_when_the_broker_answers_qos1_with_pubrec) {
  fake_broker fb(peer_script{.reply = connack311(), .answer_publishes_with = proto::packet_type::pubrec});
  const auto o = run_watched(command(tool::pub, fb), 30s);
  expect_outcome(o, 76, {"the broker answered QoS 1 PUBLISH id 1 with PUBREC (expected PUBACK)"});
}

// mqtk-bench counts a lost connection in its report and goes on to the end of the run; then,
// report printed, it exits as the pub does (76 for a protocol break, 75 for a loss) with one
// line naming what the broker did, so that CI does not read the run as a pass.
TEST(hostile_broker, bench_reports_the_loss_and_exits_with_the_code_and_a_line_for_each_hostile_behaviour) {
  for (const auto& c : every_tool_cases()) {
    if (c.code == 69) continue;  // never connected: a connect failure, not a loss
    SCOPED_TRACE(c.name);
    fake_broker fb(c.script);
    const auto o = run_watched(command(tool::bench, fb, c.extra), 60s);
    expect_outcome(o, c.code, c.words);
    EXPECT_TRUE(test::contains(o.r.err, c.code == 76 ? "the broker broke the protocol on 1 connection; the first: "
                                                     : "1 connection lost during the run; the first: "))
        << o.r.err;
    EXPECT_TRUE(test::contains(o.r.out, "1 lost during the run")) << o.r.describe();
    // The DISCONNECT a protocol error makes us send is ours, not the broker's.
    EXPECT_FALSE(test::contains(o.r.out, "server DISCONNECT")) << o.r.out;
    EXPECT_LT(o.peak_rss_kb, rss_bound_kb) << o.r.describe();
  }
  fake_broker silent(peer_script{});
  const auto o = run_watched(command(tool::bench, silent), 60s);
  EXPECT_FALSE(o.r.timed_out) << o.r.describe();
  EXPECT_NE(o.r.exit_code(), 0) << o.r.describe();
}

TEST(hostile_broker, pub_exits_76_when_the_broker_answers_qos2_with_puback) {
  fake_broker fb(peer_script{.reply = connack311(), .answer_publishes_with = proto::packet_type::puback});
  const auto o = run_watched(concat(command(tool::pub, fb), {"-q", "2"}), 30s);
  expect_outcome(o, 76, {"the broker answered QoS 2 PUBLISH id 1 with PUBACK (expected PUBREC)"});
}

TEST(hostile_broker, pub_exits_27_when_the_broker_answers_pingreq_but_never_puback) {
  fake_broker fb;  // holds every QoS 1 PUBLISH, answers every PINGREQ
  const auto o = run_watched(command(tool::pub, fb), 40s);
  expect_outcome(o, 27, {"the broker sent no PUBACK for QoS 1 PUBLISH id 1 within 5 s"});
}

TEST(hostile_broker, pub_names_the_packet_a_stalled_broker_stopped_in) {
  // 256 MB announced, 64 KiB sent, then nothing, while the connection stays open: the PINGRESP
  // is stuck behind it. Memory stays at what arrived, not what was announced.
  fake_broker fb(peer_script{.reply = connack311() + huge_publish_start(), .pings_to_answer = 0});
  const auto o = run_watched(concat(command(tool::pub, fb), {"-q", "0"}), 40s);
  // QoS 0 completes when written; the DISCONNECT goes out and the run ends with success, or
  // the PINGRESP deadline names the stalled packet: never a hang and never the ACL story.
  EXPECT_FALSE(o.r.timed_out) << o.r.describe();
  EXPECT_LT(o.peak_rss_kb, rss_bound_kb) << o.r.describe();
  EXPECT_FALSE(test::contains(o.r.err, "ACL")) << o.r.err;
}

// A broker that trickles one byte a second: each tool's deadline passes while a packet is still
// arriving, and the line names it (the packet, its size, the bytes so far), not "no reply".
TEST(hostile_broker, every_tool_names_a_broker_that_trickles_one_byte_per_second) {
  const peer_script trickle{.reply = connack311() + publish_start_of_1000(), .byte_interval = 1000ms};
  {
    fake_broker fb(trickle);
    // The CONNACK is complete after 3 s; the PUBACK deadline (-k 5) passes inside the PUBLISH.
    const auto o = run_watched(command(tool::pub, fb), 60s);
    expect_outcome(o, 27,
                   {"the broker sent no PUBACK for QoS 1 PUBLISH id 1 within 5 s: the broker was still sending a "
                    "1,000-byte PUBLISH (",
                    " bytes so far): it sends too slowly (trickles)"});
  }
  {
    fake_broker fb(trickle);
    // The 4-byte CONNACK takes 3 s: more than -W 2 allows for it.
    const auto o = run_watched(concat(command(tool::sub, fb), {"-W", "2"}), 60s);
    expect_outcome(o, 27,
                   {"timed out after 2 s waiting for the CONNACK from 127.0.0.1:" + str(fb.port()) +
                        " \u2014 the broker was still sending a 4-byte CONNACK (",
                    " bytes so far): it sends too slowly (trickles)"});
  }
  {
    fake_broker fb(trickle);
    // mqtk-bench's own link, with --connect-timeout 2.
    const auto o = run_watched(command(tool::bench, fb), 60s);
    EXPECT_FALSE(o.r.timed_out) << o.r.describe();
    EXPECT_EQ(o.r.exit_code(), 27) << o.r.describe();
    EXPECT_TRUE(test::contains(o.r.err, "no CONNACK within 2 s: the broker was still sending a 4-byte CONNACK ("))
        << o.r.err;
    // The broker answered, only too slowly: it is not "no answer from" it.
    EXPECT_FALSE(test::contains(o.r.err, "no answer")) << o.r.err;
  }
  {
    fake_broker fb(trickle);
    // The same for mqtk-ping's -W 2.
    const auto o = run_watched(command(tool::ping, fb), 60s);
    expect_outcome(o, 27,
                   {"no CONNACK within 2 s: the broker was still sending a 4-byte CONNACK (",
                    " bytes so far): it sends too slowly (trickles)"});
    EXPECT_FALSE(test::contains(o.r.err, "no answer")) << o.r.err;
  }
}

// ---------------------------------------------------------------------------------------------
// mqtk-sub: what arrives on a subscription

struct sub_case {
  std::string name;
  bytes after_connack;
  std::vector<std::string> extra;
  std::vector<std::string> words;
  // Builds after_connack when the test runs: a table built at start-up would make every test
  // process (and every child forked from it, whose peak RSS the memory tests read) megabytes larger.
  bytes (*make_after_connack)() = nullptr;
};

class hostile_broker_sub : public ::testing::TestWithParam<sub_case> {};

TEST_P(hostile_broker_sub, exits_76_naming_what_the_broker_sent) {
  const sub_case& c = GetParam();
  fake_broker fb(peer_script{.reply = v5_connack_ok() + (c.make_after_connack ? c.make_after_connack() : c.after_connack)});
  const auto o = run_watched(concat(command(tool::sub, fb), concat({"-V", "5"}, c.extra)), 40s);
  expect_outcome(o, 76, c.words);
  EXPECT_LT(o.peak_rss_kb, rss_bound_kb) << o.r.describe();
}

// The case: aliases for many long topics, which a subscriber that stored them all
// would hold in memory.
bytes many_long_aliased_topics() {
  bytes all;
  for (std::uint16_t alias = 1; alias <= 200; ++alias) {
    const bytes one = v5_publish(std::string(60'000, 'a') + std::to_string(alias), alias);
    all.insert(all.end(), one.begin(), one.end());
  }
  return all;
}

INSTANTIATE_TEST_SUITE_P(
    cases, hostile_broker_sub,
    ::testing::Values(
        sub_case{"alias_without_an_announced_maximum", v5_publish("t", 7), {},
                 {"topic alias 7 is above the Topic Alias Maximum 0 we announced"}},
        sub_case{"alias_above_the_announced_maximum", v5_publish("t", 11),
                 {"-D", "connect", "topic-alias-maximum", "10"},
                 {"topic alias 11 is above the Topic Alias Maximum 10 we announced"}},
        sub_case{"unknown_alias", v5_publish("", 3), {"-D", "connect", "topic-alias-maximum", "10"},
                 {"the broker used topic alias 3 before giving its topic"}},
        sub_case{"alias_zero", v5_publish("t", 0), {"-D", "connect", "topic-alias-maximum", "10"},
                 {"malformed packet"}},
        sub_case{"aliases_holding_12_mb_of_topics", {}, {"-D", "connect", "topic-alias-maximum", "65535"},
                 {"topic aliases would hold", "bytes of topics, over our limit of 4194304"}, many_long_aliased_topics},
        sub_case{"invalid_utf8_topic", bytes{0x30, 0x06, 0x00, 0x02, 0xC3, 0x28, 0x00, 'x'}, {}, {"UTF-8"}},
        sub_case{"connack_twice", v5_connack_ok(), {}, {"unexpected CONNACK"}},
        sub_case{"publish_over_max_packet_size", huge_publish_start(), {"--max-packet-size", "1048576"},
                 {"announced a PUBLISH of 268435460 bytes, over our maximum packet size of 1048576 bytes"}}),
    [](const auto& row) { return row.param.name; });

// A lost connection is no reason for mqtk-sub to stop (it reconnects, as mosquitto_sub does),
// but a subscription the loss cut off before its SUBACK is a failed run (75); a broker that never
// completes CONNACK ends it by -W (27). Every line on the way names what the broker did, in the
// one-shot tools' words, and memory stays at what arrived.
struct sub_reconnect_case {
  std::string name;
  peer_script script;
  int code;
  std::string each_loss;           // in every "connection lost" line; empty: no loss expected
  std::vector<std::string> words;  // in the whole of stderr
};

class hostile_broker_sub_reconnecting : public ::testing::TestWithParam<sub_reconnect_case> {};

TEST_P(hostile_broker_sub_reconnecting, ends_within_its_timeout_naming_what_the_broker_did) {
  const sub_reconnect_case& c = GetParam();
  fake_broker fb(c.script);
  auto args = command(tool::sub, fb);
  args[std::find(args.begin(), args.end(), "-W") - args.begin() + 1] = "3";
  const auto o = run_watched(args, 60s);
  EXPECT_FALSE(o.r.timed_out) << o.r.describe();
  EXPECT_EQ(o.r.exit_code(), c.code) << o.r.describe();
  for (const auto& w : c.words) EXPECT_TRUE(test::contains(o.r.err, w)) << "missing '" << w << "' in: " << o.r.err;
  std::size_t losses = 0;
  std::istringstream lines(o.r.err);
  for (std::string line; std::getline(lines, line);) {
    if (!test::contains(line, "lost")) continue;
    ++losses;
    EXPECT_TRUE(test::contains(line, c.each_loss)) << "the loss is not named: " << line;
  }
  EXPECT_EQ(losses != 0, !c.each_loss.empty()) << o.r.err;
  EXPECT_LT(o.peak_rss_kb, rss_bound_kb) << o.r.describe();
}

INSTANTIATE_TEST_SUITE_P(
    cases, hostile_broker_sub_reconnecting,
    ::testing::Values(
        sub_reconnect_case{.name = "closes_mid_packet",
                           .script = {.reply = connack311() + publish_start_of_1000(), .close_after_reply = true},
                           .code = 75,
                           .each_loss = "the broker closed the connection 100 bytes into a 1000-byte PUBLISH",
                           .words = {"connection lost: the broker closed the connection 100 bytes into a 1000-byte "
                                     "PUBLISH; reconnecting"}},
        sub_reconnect_case{.name = "announces_256_mb_and_closes_after_64_kib",
                           .script = {.reply = connack311() + huge_publish_start(), .close_after_reply = true},
                           .code = 75,
                           .each_loss = "the broker closed the connection 65541 bytes into a 268435460-byte PUBLISH",
                           .words = {"connection lost: the broker closed the connection 65541 bytes into a "
                                     "268435460-byte PUBLISH; reconnecting"}},
        sub_reconnect_case{.name = "accepts_tcp_and_never_answers",
                           .script = {},
                           .code = 27,
                           .each_loss = "",
                           .words = {"timed out after 3 s waiting for the CONNACK"}},
        sub_reconnect_case{.name = "trickles_one_byte_per_second",
                           .script = {.reply = connack311() + publish_start_of_1000(), .byte_interval = 1000ms},
                           .code = 27,
                           .each_loss = "",
                           .words = {"timed out after 3 s waiting for the CONNACK"}}),
    [](const auto& row) { return row.param.name; });

TEST(hostile_broker, sub_answers_pubrel_for_an_unknown_id_and_goes_on) {
  // Not an error (5.0 §4.3.3): the answer is PUBCOMP, "packet identifier not found" in 5.0.
  fake_broker fb(peer_script{.reply = connack311() + bytes{0x62, 0x02, 0x00, 0x09}});
  const auto o = run_watched(concat(command(tool::sub, fb), {"-E"}), 30s);
  EXPECT_FALSE(o.r.timed_out) << o.r.describe();
  EXPECT_EQ(o.r.exit_code(), 0) << o.r.describe();
  EXPECT_EQ(o.r.err, "");
  EXPECT_EQ(fb.pubcomps(), std::vector<std::uint16_t>{9});
}

TEST(hostile_broker, sub_stops_reading_from_a_broker_that_floods_and_never_reads) {
  // QoS 1 PUBLISH as fast as mqtk-sub takes them, and the PUBACKs never read: unbounded, our
  // queue of PUBACKs would grow with every message. Bounded, mqtk-sub stops reading, the
  // flood gets stuck in the sockets' buffers, and the keep alive ends the connection.
  fake_broker fb(peer_script{.reply = connack311(), .pings_to_answer = 0, .flood_bytes = std::size_t{256} << 20});
  test::process p({.args = command(tool::sub, fb), .stdout_file = "/dev/null"});
  EXPECT_TRUE(fb.wait_for_flood_stuck(60s)) << "the flood never got stuck: " << fb.flooded_bytes()
                                            << " bytes written";
  EXPECT_LT(fb.flooded_bytes(), std::size_t{64} << 20);
  std::size_t peak_kb = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (p.running() && std::chrono::steady_clock::now() < deadline) {
    peak_kb = std::max(peak_kb, vm_hwm_kb(p.pid()));
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(p.status().has_value()) << "mqtk-sub still runs";
  EXPECT_LT(peak_kb, rss_bound_kb);
  EXPECT_TRUE(test::contains(p.err(), "the broker had stopped reading")) << p.err();
}

}  // namespace
}  // namespace mqtk
