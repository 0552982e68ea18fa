// mqtk-pub and mqtk-sub as drop-ins for mosquitto_pub/mosquitto_sub 2.0.11, continued: the
// behaviours pubsub_cli_test.cpp does not pin down.
//
//  - mqtk-pub -l at QoS 1/2 keeps exactly -M messages in flight and refills the window one
//    message per acknowledgement. mosquitto acknowledges too fast to watch this, so here (and
//    only here) the peer is a scripted broker (support/fake_broker.hpp).
//  - The exact exit codes of ARCHITECTURE.md when the broker goes away mid-session, with one stderr
//    line that says what failed.
//  - -F's time conversions (%I, %U, @-strftime, @N) against mosquitto_sub itself, in several
//    time zones, on the same message.
//  - MQTT 5.0 ACL denials from a real mosquitto: PUBACK/PUBREC reason codes as exit codes,
//    SUBACK failures.
//
// Every wait is bounded; nothing asserts on how long something took.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "support/broker.hpp"
#include "support/cli_runner.hpp"
#include "support/fake_broker.hpp"
#include "support/process.hpp"

namespace mqtk {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::at;
using test::broker;
using test::broker_options;
using test::concat;
using test::contains;
using test::lines_of;
using test::count_lines;
using test::process;
using test::process_options;
using test::pub_tool;
using test::str;
using test::sub_tool;
using test::wait_for_file;
using test::wait_for_subscribe;


// ---------------------------------------------------------------------------------------------
// 1. The in-flight window of mqtk-pub -l (-M), against the scripted broker.

struct window_case {
  std::string qos;
  std::string version;  // -V
};

void PrintTo(const window_case& c, std::ostream* os) { *os << "-q " << c.qos << " -V " << c.version; }

class pub_inflight_window : public ::testing::TestWithParam<window_case> {};

TEST_P(pub_inflight_window, exactly_M_in_flight_and_one_more_per_acknowledgement) {
  const window_case& c = GetParam();
  constexpr std::size_t window = 5;
  constexpr std::size_t total = 50;
  test::fake_broker fb;
  std::string input;
  for (std::size_t i = 0; i < total; ++i) input += "line-" + std::to_string(i) + "\n";
  process pub(process_options{.args = {pub_tool(), "-h", fb.host(), "-p", str(fb.port()), "-V", c.version, "-t",
                                       "window/test", "-q", c.qos, "-l", "-M", std::to_string(window)},
                              .input = test::stdin_mode::data,
                              .stdin_data = input});
  const auto context = [&] {
    return "\nmqtk-pub stderr: " + pub.err() + "\nfake broker problems: " + fb.problems();
  };

  // All 50 lines are there at once, so only the window holds the publisher back.
  ASSERT_TRUE(fb.wait_for_publishes(window, 15s)) << fb.publish_count() << " PUBLISH arrived" << context();
  ASSERT_TRUE(fb.sync(10s)) << "no PUBACK for the sync probe" << context();
  ASSERT_EQ(fb.publish_count(), window) << "more PUBLISH than -M " << window << " before any acknowledgement"
                                        << context();
  for (std::size_t acked = 1; acked <= total - window; ++acked) {
    fb.release(1);
    ASSERT_TRUE(fb.wait_for_publishes(window + acked, 10s))
        << "after " << acked << " acknowledgement(s) only " << fb.publish_count() << " PUBLISH" << context();
    ASSERT_TRUE(fb.sync(10s)) << context();
    ASSERT_EQ(fb.publish_count(), window + acked) << "after " << acked << " acknowledgement(s)" << context();
    ASSERT_EQ(fb.held(), window);
  }
  fb.release(window);

  const auto status = pub.wait_or_kill(20s);
  EXPECT_TRUE(status.success()) << status.to_string() << context();
  EXPECT_EQ(pub.out(), "");
  EXPECT_EQ(pub.err(), "");
  EXPECT_TRUE(fb.wait_for_client_gone(10s));
  EXPECT_TRUE(fb.got_disconnect()) << "mqtk-pub closed without DISCONNECT";
  EXPECT_EQ(fb.problems(), "");

  const auto got = fb.publishes();
  ASSERT_EQ(got.size(), total);
  for (std::size_t i = 0; i < total; ++i) {
    EXPECT_EQ(got[i].payload, "line-" + std::to_string(i)) << "out of order at " << i;
    EXPECT_EQ(got[i].topic, "window/test");
    EXPECT_EQ(static_cast<int>(got[i].qos), std::stoi(c.qos));
    EXPECT_FALSE(got[i].dup);
    // Messages in flight together need distinct packet ids.
    for (std::size_t j = i >= window ? i - window + 1 : 0; j < i; ++j)
      EXPECT_NE(got[i].packet_id, got[j].packet_id) << "messages " << j << " and " << i << " in flight together";
  }
}

INSTANTIATE_TEST_SUITE_P(qos_and_version, pub_inflight_window,
                         ::testing::Values(window_case{"1", "311"}, window_case{"2", "311"}, window_case{"1", "5"},
                                           window_case{"2", "5"}),
                         [](const ::testing::TestParamInfo<window_case>& p) {
                           return "qos" + p.param.qos + "_v" + p.param.version;
                         });

// A broker that takes every message but never acknowledges the last, then closes the
// connection without a DISCONNECT: the job failed, with "connection lost" (75), not success.
// (--repeat: a fixed set of messages ends with the connection, as mosquitto_pub's does; -l is
// a stream that reconnects and resends, pubsub_delivery_test.cpp.)
class pub_unacknowledged : public ::testing::TestWithParam<std::string> {};

TEST_P(pub_unacknowledged, broker_closing_before_the_last_ack_is_75) {
  const std::string qos = GetParam();
  constexpr std::size_t total = 10;
  test::fake_broker fb;
  fb.release(total - 1);  // every message but the last is acknowledged as it arrives
  process pub(process_options{.args = {pub_tool(), "-h", fb.host(), "-p", str(fb.port()), "-t", "unacked", "-q", qos,
                                       "-m", "l", "--repeat", std::to_string(total), "-M", "5"}});
  ASSERT_TRUE(fb.wait_for_publishes(total, 15s)) << fb.publish_count() << "\n" << pub.err() << fb.problems();
  // The client has handled the nine acknowledgements: only the last line is outstanding.
  ASSERT_TRUE(fb.sync(10s)) << pub.err();
  ASSERT_EQ(fb.held(), 1u);
  ASSERT_TRUE(pub.running()) << "mqtk-pub ended with a message unacknowledged: " << pub.err();
  fb.close_connection();

  const auto status = pub.wait_or_kill(20s);
  EXPECT_TRUE(status.exited) << status.to_string();
  EXPECT_EQ(status.exit_code, 75) << pub.err();
  EXPECT_EQ(pub.out(), "");
  EXPECT_EQ(count_lines(pub.err()), 1u) << pub.err();
  EXPECT_TRUE(contains(pub.err(), "lost")) << pub.err();
}

INSTANTIATE_TEST_SUITE_P(qos, pub_unacknowledged, ::testing::Values("1", "2"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return "qos" + p.param; });

// ---------------------------------------------------------------------------------------------
// 2. The broker goes away mid-session: exact exit codes (ARCHITECTURE.md: 75 connection lost; 27 when
// -W expires first).

enum class broker_end { killed, stopped };

struct lost_case {
  broker_end end;
  std::string version;
};

void PrintTo(const lost_case& c, std::ostream* os) {
  *os << (c.end == broker_end::killed ? "broker killed" : "broker stopped") << ", -V " << c.version;
}

class pub_connection_lost : public ::testing::TestWithParam<lost_case> {};

// mosquitto 2.0.11 closes its clients' connections without a DISCONNECT even on SIGTERM (measured:
// no "server shutting down" 0x8B for 5.0 clients), so a graceful stop is also "lost", 75.
// -l is a stream: it says so and tries to reconnect (a restart: pubsub_delivery_test.cpp), and
// gives up with a second line once the broker stays away (~15 s).
TEST_P(pub_connection_lost, broker_gone_mid_line_stream_is_75) {
  const lost_case& c = GetParam();
  broker b;
  test::temp_dir dir("mqtk-pubsub-lost");
  const std::string topic = "lost/lines";
  // A subscriber that sees the first line proves the stream is under way.
  process first(process_options{.args = concat(concat({sub_tool()}, at(b)),
                                               {"-t", topic, "-q", "1", "-C", "1", "-W", "30", "--ready-file",
                                                (dir / "ready").string()})});
  ASSERT_TRUE(wait_for_file(dir / "ready", 15s)) << first.err();
  process pub(process_options{
      .args = concat(concat({pub_tool()}, at(b)), {"-V", c.version, "-t", topic, "-q", "1", "-l"}),
      .input = test::stdin_mode::pipe});
  std::string chunk;
  for (int i = 0; i < 1000; ++i) chunk += "line-" + std::to_string(i) + "\n";
  pub.write_stdin(chunk);
  const auto first_status = first.wait_or_kill(20s);
  ASSERT_TRUE(first_status.success()) << first_status.to_string() << first.err();
  ASSERT_EQ(first.out(), "line-0\n");

  if (c.end == broker_end::killed) {
    b.kill();
  } else {
    b.stop();
  }
  // More lines after the broker is gone: they cannot be delivered, whether or not the publisher
  // had noticed the loss while it waited for input.
  try {
    pub.write_stdin(chunk);
    pub.close_stdin();
  } catch (const std::exception&) {
    // It noticed already (messages were in flight) and closed its stdin.
  }
  const auto status = pub.wait_or_kill(60s);
  ASSERT_TRUE(status.exited) << status.to_string();
  EXPECT_EQ(status.exit_code, 75) << pub.err();
  EXPECT_EQ(pub.out(), "");
  EXPECT_EQ(count_lines(pub.err()), 2u) << pub.err();
  EXPECT_TRUE(contains(pub.err(), "gave up reconnecting")) << pub.err();
  EXPECT_TRUE(contains(pub.err(), "lost")) << pub.err();
  EXPECT_TRUE(contains(pub.err(), b.host() + ":" + str(b.port()))) << "the line does not say which broker: "
                                                                   << pub.err();
}

INSTANTIATE_TEST_SUITE_P(how, pub_connection_lost,
                         ::testing::Values(lost_case{broker_end::killed, "311"}, lost_case{broker_end::killed, "5"},
                                           lost_case{broker_end::stopped, "5"}),
                         [](const ::testing::TestParamInfo<lost_case>& p) {
                           return std::string(p.param.end == broker_end::killed ? "killed" : "stopped") + "_v" +
                                  p.param.version;
                         });

// The broker goes while -l waits for input with every line acknowledged; then the input ends.
// Nothing was lost, but the clean end (DISCONNECT) never happened: a script must hear of it
// (mosquitto_pub -l in this case never exits at all).
TEST(pub_connection_lost_idle, input_ending_after_the_broker_went_is_75) {
  broker b;
  const std::string topic = "lost/idle";
  process pub(process_options{.args = concat(concat({pub_tool()}, at(b)), {"-t", topic, "-q", "1", "-l", "-d"}),
                              .input = test::stdin_mode::pipe});
  pub.write_stdin("only line\n");
  // -d shows the PUBACK: from then on the publisher is idle, waiting for input.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!contains(pub.err(), "received PUBACK") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(contains(pub.err(), "received PUBACK")) << pub.err();
  b.kill();
  while (!contains(pub.err(), "connection lost") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  pub.close_stdin();
  const auto status = pub.wait_or_kill(20s);
  ASSERT_TRUE(status.exited) << status.to_string();
  EXPECT_EQ(status.exit_code, 75) << pub.err();
  EXPECT_TRUE(contains(lines_of(pub.err()).back(), b.host() + ":" + str(b.port()))) << pub.err();
}

// mqtk-sub, like mosquitto_sub, reconnects for as long as it runs (reconnect_policy::subscriber,
// no attempt limit), so a broker that is gone for good ends it only through -W: exit 27, as
// mosquitto_sub. Its stderr then has the reconnect notices it prints for every loss (a silent
// gap misleads) and exactly one line saying what failed, the last.
TEST(sub_connection_lost, broker_gone_for_good_ends_at_W_with_27_as_mosquitto_sub) {
  broker b(broker_options{.verbose_log = true});
  test::temp_dir dir("mqtk-sub-lost");
  const std::string topic = "lost/sub";
  const std::vector<std::string> common = {"-t", topic, "-q", "1", "-C", "2", "-W", "4"};
  process ours(process_options{
      .args = concat(concat(concat({sub_tool()}, at(b)), common), {"--ready-file", (dir / "ready").string()})});
  process theirs(process_options{.args = concat(concat(concat({"mosquitto_sub"}, at(b)), common), {"-i", "lost-ref"})});
  ASSERT_TRUE(wait_for_file(dir / "ready", 15s)) << ours.err();
  ASSERT_TRUE(wait_for_subscribe(b, "lost-ref")) << b.log();
  const auto r = test::run(concat(concat({"mosquitto_pub"}, at(b)), {"-t", topic, "-q", "1", "-m", "one"}), 20s);
  ASSERT_TRUE(r.status.success()) << r.describe();
  ASSERT_TRUE(ours.wait_for_output("one\n", 15s)) << ours.err();
  ASSERT_TRUE(theirs.wait_for_output("one\n", 15s)) << theirs.err();
  b.kill();

  const auto our_status = ours.wait_or_kill(30s);
  const auto their_status = theirs.wait_or_kill(30s);
  ASSERT_TRUE(our_status.exited) << our_status.to_string();
  EXPECT_EQ(our_status.exit_code, 27) << ours.err();
  EXPECT_EQ(ours.out(), "one\n");
  EXPECT_EQ(their_status.exit_code, 27) << "mosquitto_sub: " << their_status.to_string() << theirs.err();
  EXPECT_EQ(theirs.out(), "one\n");

  const auto err = lines_of(ours.err());
  ASSERT_FALSE(err.empty());
  std::size_t failure_lines = 0;
  for (const auto& line : err) {
    const bool progress = contains(line, "connection lost") || contains(line, "reconnect");
    if (!progress) ++failure_lines;
  }
  EXPECT_EQ(failure_lines, 1u) << ours.err();
  EXPECT_TRUE(contains(err.front(), "connection lost")) << ours.err();
  EXPECT_TRUE(contains(err.back(), "timed out")) << ours.err();
  EXPECT_TRUE(contains(err.back(), "1 message(s) of 2")) << ours.err();
}

// ---------------------------------------------------------------------------------------------
// 3. -F time conversions against mosquitto_sub 2.0.11 on the same (retained) message, in
// several time zones (TZ in both processes' environment, and LC_ALL=C: mosquitto_sub never
// calls setlocale, so its strftime names are C's).

enum class field_kind {
  exact,             // seconds or coarser: equal (the two runs may straddle a second: retried once)
  epoch,             // seconds.nanoseconds: same shape, within 2 s of each other
  shape,             // same shape only (@N: the nanoseconds of two different instants)
  exact_but_micros,  // %j: equal once the microseconds of "tst" are masked
};

struct time_field {
  std::string spec;
  field_kind kind = field_kind::exact;
  std::string pattern;  // both outputs must match it (empty: no check)
};

const std::vector<time_field>& time_fields() {
  static const std::string iso = R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4})";
  static const std::vector<time_field> all = {
      {"%I", field_kind::exact, iso},
      {"%30I", field_kind::exact, " {6}" + iso},
      {"%-30I", field_kind::exact, iso + " {6}"},
      {"%.10I", field_kind::exact, R"(\d{4}-\d\d-\d\d)"},
      {"%20.5I", field_kind::exact, R"( {15}\d{4}-)"},
      {"%.0I", field_kind::exact, ""},
      {"%U", field_kind::epoch, R"(\d{10,}\.\d{9})"},
      {"@s.@N", field_kind::epoch, R"(\d{10,}\.\d{9})"},
      {"@N", field_kind::shape, R"(\d{9})"},
      {"@s", field_kind::exact, R"(\d{10,})"},
      {"@Y-@m-@dT@H:@M:@S", field_kind::exact, R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)"},
      {"@z", field_kind::exact, R"([+-]\d{4})"},
      {"@Z", field_kind::exact, R"([A-Za-z0-9+-]+)"},
      {"@@", field_kind::exact, "@"},
      {"@%", field_kind::exact, "%"},
      {"@a @b", field_kind::exact, R"([A-Z][a-z]{2} [A-Z][a-z]{2})"},
      {"@A @B", field_kind::exact, ""},
      {"@j", field_kind::exact, R"(\d{3})"},
      {"@c", field_kind::exact, ""},
      {"@x @X", field_kind::exact, ""},
      {"@D @T @F @R @r", field_kind::exact, ""},
      {"@e @k @l @I @p @P", field_kind::exact, ""},
      {"@u @w @U @V @W @G @g", field_kind::exact, ""},
      {"@C @y @h", field_kind::exact, ""},
      {"[@n@t]", field_kind::exact, "\\[\n\t\\]"},
      // Not conversions: glibc's strftime echoes them, and so must we.
      {"@E @O @q @+ @:", field_kind::exact, "%E %O %q %\\+ %:"},
      {"@Ey @Od", field_kind::exact, ""},
// 2.0.11's own shape (not its man page's): a "Z" before the offset, and "payloadlen".
      {"%j", field_kind::exact_but_micros,
       R"(\{"tst":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z[+-]\d{4}","topic":"time/fmt","qos":0,"retain":1,)"
       R"("payloadlen":5,"payload":"hello"\})"},
  };
  return all;
}

std::string time_format() {
  std::string f;
  for (const auto& field : time_fields()) f += (f.empty() ? "" : "|") + field.spec;
  return f;
}

std::vector<std::string> split_fields(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto bar = s.find('|', start);
    out.push_back(s.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

class sub_time_format : public ::testing::TestWithParam<std::string> {
 public:
  static void SetUpTestSuite() {
    broker_ = std::make_unique<broker>();
    const auto r = test::run(concat(concat({"mosquitto_pub"}, at(*broker_)), {"-t", topic, "-r", "-m", "hello"}), 20s);
    if (!r.status.success()) publish_failure_ = r.describe();
  }
  static void TearDownTestSuite() { broker_.reset(); }

 protected:
  struct outputs {
    test::run_result ours;
    test::run_result theirs;
  };

  // Both subscribers at once, on the retained message, in the first half of a second so that a
  // second boundary between their two receive times is unlikely (and then retried).
  static outputs run_both(const std::string& tz) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto into_second = now - std::chrono::duration_cast<std::chrono::seconds>(now);
    if (into_second > 500ms) std::this_thread::sleep_for(1s - into_second + 10ms);
    const std::vector<std::pair<std::string, std::string>> env = {{"TZ", tz}, {"LC_ALL", "C"}};
    const std::vector<std::string> args = {"-t", topic, "-C", "1", "-W", "20", "-F", time_format()};
    process theirs(process_options{.args = concat(concat({"mosquitto_sub"}, at(*broker_)), args), .env = env});
    process ours(process_options{.args = concat(concat({sub_tool()}, at(*broker_)), args), .env = env});
    outputs o;
    o.theirs.status = theirs.wait_or_kill(30s);
    o.theirs.out = theirs.out();
    o.theirs.err = theirs.err();
    o.ours.status = ours.wait_or_kill(30s);
    o.ours.out = ours.out();
    o.ours.err = ours.err();
    return o;
  }

  static inline std::unique_ptr<broker> broker_;
  static inline std::string publish_failure_;
  static constexpr const char* topic = "time/fmt";
};

TEST_P(sub_time_format, same_times_as_mosquitto_sub) {
  const std::string tz = GetParam();
  ASSERT_EQ(publish_failure_, "");
  if (tz != "UTC" && !fs::exists("/usr/share/zoneinfo/" + tz)) GTEST_SKIP() << "no tzdata for " << tz;
  const auto& fields = time_fields();
  const auto masked = [](const std::string& s) {
    static const std::regex micros(R"((\d\d:\d\d:\d\d)\.\d{6})");
    return std::regex_replace(s, micros, "$1.xxxxxx");
  };

  for (int attempt = 1; attempt <= 2; ++attempt) {
    const outputs o = run_both(tz);
    ASSERT_TRUE(o.theirs.status.success()) << o.theirs.describe();
    ASSERT_TRUE(o.ours.status.success()) << o.ours.describe();
    EXPECT_EQ(o.ours.err, "");
    const auto theirs = split_fields(o.theirs.out);
    const auto ours = split_fields(o.ours.out);
    ASSERT_EQ(theirs.size(), fields.size()) << o.theirs.out;
    ASSERT_EQ(ours.size(), fields.size()) << "-F " << time_format() << "\nmqtk-sub: " << o.ours.out
                                          << "\nmosquitto_sub: " << o.theirs.out;

    bool straddled = false;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto& f = fields[i];
      if (f.kind == field_kind::exact && ours[i] != theirs[i]) straddled = true;
      if (f.kind == field_kind::exact_but_micros && masked(ours[i]) != masked(theirs[i])) straddled = true;
    }
    if (straddled && attempt == 1) continue;  // a second (or minute, ...) ticked between the two

    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto& f = fields[i];
      const std::string what = "TZ=" + tz + " -F '" + f.spec + "'";
      if (!f.pattern.empty()) {
        const std::regex pattern(f.pattern);
        EXPECT_TRUE(std::regex_match(theirs[i], pattern)) << what << ": mosquitto_sub printed '" << theirs[i] << "'";
        EXPECT_TRUE(std::regex_match(ours[i], pattern)) << what << ": mqtk-sub printed '" << ours[i]
                                                        << "', mosquitto_sub '" << theirs[i] << "'";
      }
      switch (f.kind) {
        case field_kind::exact: EXPECT_EQ(ours[i], theirs[i]) << what; break;
        case field_kind::exact_but_micros: EXPECT_EQ(masked(ours[i]), masked(theirs[i])) << what; break;
        case field_kind::shape: break;
        case field_kind::epoch: {
          const double a = std::stod(ours[i]);
          const double b = std::stod(theirs[i]);
          EXPECT_LT(std::abs(a - b), 2.0) << what << ": " << ours[i] << " vs " << theirs[i];
          break;
        }
      }
    }
    break;
  }
}

INSTANTIATE_TEST_SUITE_P(zones, sub_time_format,
                         ::testing::Values("UTC", "America/Sao_Paulo", "Asia/Kolkata", "Australia/Sydney"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param;
                           for (auto& ch : name)
                             if (ch == '/') ch = '_';
                           return name;
                         });

// A format that ends inside a conversion is refused before connecting. mosquitto_sub exits 1
// ("Error: Incomplete format specifier."); mqtk-sub exits 64, the usage code of ARCHITECTURE.md.
TEST(sub_time_format_errors, incomplete_conversion_is_a_usage_error) {
  for (const std::string format : {"x@", "x%", "x\\"}) {
    const auto r = test::run({sub_tool(), "-h", "127.0.0.1", "-p", str(test::free_port()), "-t", "x", "-F", format}, 20s);
    EXPECT_EQ(r.exit_code(), 64) << format << r.describe();
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, "-F")) << r.err;
    EXPECT_TRUE(contains(r.err, "Incomplete")) << r.err;
  }
}

// ---------------------------------------------------------------------------------------------
// 4. ACL denials from a real mosquitto 2.0.11.
//
// Measured against 2.0.11 with an acl_file: a denied PUBLISH gets PUBACK/PUBREC reason code
// 0x87 (not authorized) in 5.0 and a normal acknowledgement in 3.1.1 (3.1.1 acks have no code);
// mosquitto_pub exits 0 in every case. The acl_file never denies a SUBSCRIBE: 2.0.11 grants
// every filter and only filters what it delivers. A SUBACK failure comes from the dynamic
// security plugin's subscribe ACLs (0x87 in 5.0, 0x80 in 3.1.1).

// The broker logged that it denied a PUBLISH to `topic`.
bool denied(const broker& b, const std::string& topic) {
  const std::regex line("Denied PUBLISH from [^\n]*'" + topic + "'");
  return std::regex_search(b.log(), line);
}

class pubsub_acl : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = std::make_unique<broker>(broker_options{
        .acl = "topic readwrite acl/allowed/#\n", .verbose_log = true});
  }
  static void TearDownTestSuite() { broker_.reset(); }
  static std::vector<std::string> pub(const std::string& tool, const std::string& version, const std::string& qos,
                                      const std::string& topic) {
    return concat(concat({tool}, at(*broker_)), {"-V", version, "-q", qos, "-t", topic, "-m", "x"});
  }
  static inline std::unique_ptr<broker> broker_;
};

TEST_F(pubsub_acl, v5_denied_publish_exits_with_the_ack_reason_code) {
  for (const std::string qos : {"1", "2"}) {
    const auto r = test::run(pub(pub_tool(), "5", qos, "acl/denied/q" + qos), 20s);
    EXPECT_EQ(r.exit_code(), 0x87) << "-q " << qos << " (" << (qos == "1" ? "PUBACK" : "PUBREC") << ")\n"
                                   << r.describe();
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, "not authorized (5.0 reason code 0x87)")) << "the reason is not named: " << r.err;
    EXPECT_TRUE(contains(r.err, "0x87")) << r.err;
    EXPECT_TRUE(contains(r.err, "acl/denied/q" + qos)) << "the topic is not named: " << r.err;
    // mosquitto_pub ignores the reason code.
    const auto ref = test::run(pub("mosquitto_pub", "5", qos, "acl/denied/q" + qos), 20s);
    EXPECT_EQ(ref.exit_code(), 0) << ref.describe();
  }
  EXPECT_TRUE(denied(*broker_, "acl/denied/q1")) << broker_->log();
  EXPECT_TRUE(denied(*broker_, "acl/denied/q2")) << broker_->log();
}

TEST_F(pubsub_acl, v5_denied_publish_at_qos0_exits_0_as_mosquitto_pub) {
  // No acknowledgement exists at QoS 0: nothing tells the publisher.
  const auto r = test::run(pub(pub_tool(), "5", "0", "acl/denied/q0"), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  const auto ref = test::run(pub("mosquitto_pub", "5", "0", "acl/denied/q0"), 20s);
  EXPECT_EQ(ref.exit_code(), 0) << ref.describe();
}

TEST_F(pubsub_acl, v311_denied_publish_is_acknowledged_normally_exit_0) {
  for (const std::string qos : {"0", "1", "2"}) {
    const std::string topic = "acl/denied/v311/q" + qos;
    const auto r = test::run(pub(pub_tool(), "311", qos, topic), 20s);
    EXPECT_EQ(r.exit_code(), 0) << "-q " << qos << r.describe();
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
    const auto ref = test::run(pub("mosquitto_pub", "311", qos, topic), 20s);
    EXPECT_EQ(ref.exit_code(), 0) << ref.describe();
  }
  // It was denied all the same.
  EXPECT_TRUE(denied(*broker_, "acl/denied/v311/q1")) << broker_->log();
  EXPECT_TRUE(denied(*broker_, "acl/denied/v311/q2")) << broker_->log();
}

TEST_F(pubsub_acl, allowed_publish_succeeds) {
  for (const std::string version : {"311", "5"}) {
    for (const std::string qos : {"1", "2"}) {
      const auto r = test::run(pub(pub_tool(), version, qos, "acl/allowed/x"), 20s);
      EXPECT_EQ(r.exit_code(), 0) << "-V " << version << " -q " << qos << r.describe();
      EXPECT_EQ(r.err, "");
    }
  }
}

TEST_F(pubsub_acl, acl_file_grants_a_denied_filter_in_suback) {
  // What mosquitto 2.0.11 does with an acl_file: SUBACK 0x00 for a filter the ACL denies.
  // Both tools treat it as a subscription (-E: exit once subscribed).
  for (const std::string version : {"311", "5"}) {
    const auto args = std::vector<std::string>{"-V", version, "-t", "acl/denied/sub", "-E"};
    const auto r = test::run(concat(concat({sub_tool()}, at(*broker_)), args), 20s);
    EXPECT_EQ(r.exit_code(), 0) << "-V " << version << r.describe();
    EXPECT_EQ(r.err, "");
    const auto ref = test::run(concat(concat({"mosquitto_sub"}, at(*broker_)), args), 20s);
    EXPECT_EQ(ref.exit_code(), 0) << ref.describe();
  }
}

// A SUBACK failure needs the dynamic security plugin (anonymous clients in a group whose role
// may subscribe to acl/allowed/# only).
class sub_acl_denied : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(plugin)) return;
    dir_ = std::make_unique<test::temp_dir>("mqtk-dynsec");
    test::write_file(*dir_ / "dynsec.json", R"({
  "defaultACLAccess": {"publishClientSend": false, "publishClientReceive": true, "subscribe": false,
                       "unsubscribe": true},
  "clients": [],
  "groups": [{"groupname": "anonymous", "roles": [{"rolename": "allowed-only"}]}],
  "roles": [{"rolename": "allowed-only", "acls": [
    {"acltype": "publishClientSend", "topic": "acl/allowed/#", "allow": true},
    {"acltype": "subscribePattern", "topic": "acl/allowed/#", "allow": true}]}],
  "anonymousGroup": "anonymous"
}
)");
    broker_ = std::make_unique<broker>(broker_options{
        .extra_config = std::string("plugin ") + plugin + "\nplugin_opt_config_file " +
                        (*dir_ / "dynsec.json").string() + "\n"});
  }
  static void TearDownTestSuite() {
    broker_.reset();
    dir_.reset();
  }
  void SetUp() override {
    if (!broker_) GTEST_SKIP() << "no " << plugin;
  }
  static constexpr const char* plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
  static inline std::unique_ptr<test::temp_dir> dir_;
  static inline std::unique_ptr<broker> broker_;
};

// ARCHITECTURE.md: a SUBACK failure that makes the job fail exits with its reason code, and every
// non-zero exit prints one line on stderr. mosquitto_sub prints "All subscription requests
// were denied." and exits 0.
TEST_F(sub_acl_denied, every_filter_denied_exits_with_the_suback_code) {
  for (const auto& [version, code, name] :
       std::vector<std::tuple<std::string, int, std::string>>{{"5", 0x87, "Not authorized"}, {"311", 0x80, "Failure"}}) {
    const auto args = std::vector<std::string>{"-V", version, "-t", "acl/denied/sub", "-W", "10"};
    const auto r = test::run(concat(concat({sub_tool()}, at(*broker_)), args), 20s);
    EXPECT_EQ(r.exit_code(), code) << "-V " << version << r.describe();
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(contains(r.err, "acl/denied/sub")) << "the filter is not named: " << r.err;
    EXPECT_TRUE(contains(r.err, name)) << r.err;
    EXPECT_TRUE(contains(r.err, "0x" + std::string(version == "5" ? "87" : "80"))) << "no reason code: " << r.err;
    EXPECT_EQ(count_lines(r.err), 1u) << "-V " << version << ": ARCHITECTURE.md wants one line on stderr:\n" << r.err;

    const auto ref = test::run(concat(concat({"mosquitto_sub"}, at(*broker_)), args), 20s);
    EXPECT_EQ(ref.exit_code(), 0) << ref.describe();
    EXPECT_TRUE(contains(ref.err, "All subscription requests were denied.")) << ref.describe();
  }
}

// Some filters granted, some denied: the job goes on with the granted ones (as mosquitto_sub),
// with a warning naming the denied filter.
TEST_F(sub_acl_denied, some_filters_denied_goes_on_with_the_others) {
  const auto r0 = test::run(
      concat(concat({"mosquitto_pub"}, at(*broker_)), {"-V", "5", "-t", "acl/allowed/ret", "-r", "-q", "1", "-m", "kept"}),
      20s);
  ASSERT_TRUE(r0.status.success()) << r0.describe();
  const auto args =
      std::vector<std::string>{"-V", "5", "-t", "acl/denied/sub", "-t", "acl/allowed/ret", "-C", "1", "-W", "10"};
  const auto r = test::run(concat(concat({sub_tool()}, at(*broker_)), args), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(r.out, "kept\n");
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "acl/denied/sub")) << r.err;
  EXPECT_TRUE(contains(r.err, "Not authorized")) << r.err;
  const auto ref = test::run(concat(concat({"mosquitto_sub"}, at(*broker_)), args), 20s);
  EXPECT_EQ(ref.exit_code(), 0) << ref.describe();
  EXPECT_EQ(ref.out, "kept\n");
}

}  // namespace
}  // namespace mqtk
