// mqtk-pub and mqtk-sub never lose a message, never exit 0 on a failure, never block
// (issue 10, delivery half). Against a real mosquitto wherever it can produce the case; the
// scripted broker (support/fake_broker.hpp) only for a broker that refuses a QoS 0 PUBLISH
// with a chosen DISCONNECT code or never answers CONNECT/SUBSCRIBE.
//
//  1. -C N with a persistent session acknowledges only what it printed: "one job per run".
//  2. Closed standard streams: -s/-l with stdin closed, mqtk-sub with stdout closed or full.
//  3. A stdin pipe in O_NONBLOCK mode is waited on, not taken as ended.
//  4. mqtk-pub -l survives a broker restart: every line arrives.
//  5. A QoS 0 PUBLISH the broker refuses by closing the connection is not success.
//  6. -W bounds the whole run: no TCP, no CONNACK, no SUBACK.
//  7. SIGINT/SIGTERM end mqtk-pub and mqtk-sub in every phase.
//  8. The broker's announced limits refuse a message before it is sent.
//
// Every wait is bounded; nothing asserts on how long something took (a deadline of several
// seconds only tells "ended" from "hangs").
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>
#include <ostream>
#include <sstream>
#include <string>
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
using test::process;
using test::process_options;
using test::pub_tool;
using test::str;
using test::sub_tool;


// Single-quotes `s` for sh -c.
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string shell_line(const std::vector<std::string>& args) {
  std::string line;
  for (const auto& a : args) line += (line.empty() ? "" : " ") + quoted(a);
  return line;
}

// A loopback listener that never accepts: the kernel completes the TCP handshake for the
// first client (CONNECT is then never answered). With `fill`, that first slot is taken by
// the test itself, so a client's SYN is dropped and its TCP connect hangs.
class silent_listener {
 public:
  explicit silent_listener(bool fill) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 0) != 0)
      throw std::runtime_error("silent_listener: cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (fill) {
      filler_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (::connect(filler_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error("silent_listener: cannot fill the accept queue");
    }
  }
  ~silent_listener() {
    if (filler_ >= 0) ::close(filler_);
    ::close(fd_);
  }
  silent_listener(const silent_listener&) = delete;
  silent_listener& operator=(const silent_listener&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  int filler_ = -1;
  std::uint16_t port_ = 0;
};

// ---------------------------------------------------------------------------------------------
// 1. -C N acknowledges only what it printed.

struct job_case {
  std::string qos;
  std::string version;
};
void PrintTo(const job_case& c, std::ostream* os) { *os << "-q " << c.qos << " -V " << c.version; }

class sub_one_job_per_run : public ::testing::TestWithParam<job_case> {};

TEST_P(sub_one_job_per_run, gets_the_queued_jobs_in_order) {
  const job_case& c = GetParam();
  broker b;
  const std::vector<std::string> session = concat(
      {sub_tool()}, concat(at(b), {"-V", c.version, "-c", "-i", "worker", "-q", c.qos, "-t", "jobs"}));
  // The persistent session exists and holds the subscription before the jobs are queued.
  const auto made = test::run(concat(session, {"-E"}));
  ASSERT_TRUE(made.status.success()) << made.describe();
  for (int i = 1; i <= 3; ++i) {
    const auto pub = test::run({"mosquitto_pub", "-h", b.host(), "-p", str(b.port()), "-q", c.qos, "-t", "jobs",
                                "-m", "job" + std::to_string(i)});
    ASSERT_TRUE(pub.status.success()) << pub.describe();
  }
  for (int i = 1; i <= 3; ++i) {
    const auto run = test::run(concat(session, {"-C", "1", "-W", "10"}), 20s);
    EXPECT_TRUE(run.status.success()) << "run " << i << ": " << run.describe();
    EXPECT_EQ(run.out, "job" + std::to_string(i) + "\n") << "run " << i << ": " << run.describe();
  }
  // Nothing is left, and nothing was acknowledged twice or lost.
  const auto last = test::run(concat(session, {"-C", "1", "-W", "1"}), 20s);
  EXPECT_EQ(last.exit_code(), 27) << last.describe();
  EXPECT_EQ(last.out, "");
}

INSTANTIATE_TEST_SUITE_P(delivery, sub_one_job_per_run,
                         ::testing::Values(job_case{"1", "311"}, job_case{"2", "311"}, job_case{"1", "5"},
                                           job_case{"2", "5"}));

// A message that could not be written is not acknowledged either: the next run gets it.
TEST(sub_output, write_error_exits_74_and_leaves_the_message_with_the_broker) {
  broker b;
  const std::vector<std::string> session =
      concat({sub_tool()}, concat(at(b), {"-c", "-i", "full", "-q", "1", "-t", "jobs"}));
  ASSERT_TRUE(test::run(concat(session, {"-E"})).status.success());
  ASSERT_TRUE(test::run({"mosquitto_pub", "-h", b.host(), "-p", str(b.port()), "-q", "1", "-t", "jobs", "-m", "job1"})
                  .status.success());
  const auto full = test::run({"sh", "-c", shell_line(concat(session, {"-C", "1", "-W", "10"})) + " > /dev/full"}, 20s);
  EXPECT_EQ(full.exit_code(), 74) << full.describe();
  EXPECT_EQ(lines_of(full.err).size(), 1U) << full.err;
  EXPECT_TRUE(contains(full.err, "No space left on device")) << full.err;
  const auto next = test::run(concat(session, {"-C", "1", "-W", "10"}), 20s);
  EXPECT_TRUE(next.status.success()) << next.describe();
  EXPECT_EQ(next.out, "job1\n");
}

// ---------------------------------------------------------------------------------------------
// 2. Closed standard streams.

TEST(closed_streams, pub_with_stdin_closed_publishes_nothing_and_exits_66) {
  broker b;
  process watcher(process_options{.args = {"mosquitto_sub", "-h", b.host(), "-p", str(b.port()), "-t", "closed", "-v"}});
  for (const std::string flag : {"-s", "-l"}) {
    const auto r = test::run(
        {"sh", "-c", shell_line(concat({pub_tool()}, concat(at(b), {"-t", "closed", flag}))) + " <&-"}, 20s);
    EXPECT_EQ(r.exit_code(), 66) << flag << ": " << r.describe();
    EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
    EXPECT_TRUE(contains(r.err, "standard input is closed")) << r.err;
  }
  // A marker published afterwards is the first thing the watcher printed: nothing came before.
  ASSERT_TRUE(test::run(concat({pub_tool()}, concat(at(b), {"-t", "closed", "-m", "marker"}))).status.success());
  ASSERT_TRUE(watcher.wait_for_output("marker", 10s)) << watcher.out();
  EXPECT_EQ(watcher.out(), "closed marker\n");
}

TEST(closed_streams, sub_with_stdout_closed_exits_74) {
  broker b;
  const auto r =
      test::run({"sh", "-c", shell_line(concat({sub_tool()}, concat(at(b), {"-t", "x", "-W", "5"}))) + " >&-"}, 20s);
  EXPECT_EQ(r.exit_code(), 74) << r.describe();
  EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
  EXPECT_TRUE(contains(r.err, "standard output is closed")) << r.err;
}

// ---------------------------------------------------------------------------------------------
// 3. Non-blocking stdin: a Python harness hands the tool a pipe in O_NONBLOCK mode and writes
// it slowly.

constexpr const char* slow_nonblocking_writer = R"(
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(sys.argv[1:], stdin=r)
os.close(r)
for chunk in (b"one\ntw", b"o\n", b"three\n"):
    time.sleep(0.3)
    os.write(w, chunk)
os.close(w)
sys.exit(p.wait())
)";

TEST(nonblocking_stdin, s_and_l_wait_for_a_slow_writer) {
  broker b({.verbose_log = true});
  for (const std::string flag : {"-s", "-l"}) {
    process watcher(process_options{.args = {"mosquitto_sub", "-h", b.host(), "-p", str(b.port()), "-t", "nb", "-i",
                                             "watch", "-C", flag == "-s" ? "1" : "3"}});
    ASSERT_TRUE(test::wait_for_subscribe(b, "watch")) << b.log();
    const auto r = test::run(concat({"python3", "-c", slow_nonblocking_writer, pub_tool()},
                                    concat(at(b), {"-t", "nb", "-q", "1", flag})),
                             30s);
    EXPECT_TRUE(r.status.success()) << flag << ": " << r.describe();
    const auto status = watcher.wait_or_kill(10s);
    EXPECT_TRUE(status.success()) << flag << ": " << watcher.out();
    EXPECT_EQ(watcher.out(), flag == "-s" ? "one\ntwo\nthree\n\n" : "one\ntwo\nthree\n") << flag;
  }
}

// ---------------------------------------------------------------------------------------------
// 4. mqtk-pub -l across a broker restart.

struct restart_case {
  std::string qos;
  bool persistent;  // -c -i ID: the session is resumed; else unacknowledged lines go as new
};
void PrintTo(const restart_case& c, std::ostream* os) { *os << "-q " << c.qos << (c.persistent ? " -c" : ""); }

class pub_lines_restart : public ::testing::TestWithParam<restart_case> {};

TEST_P(pub_lines_restart, every_line_arrives) {
  const restart_case& c = GetParam();
  constexpr int half = 100;
  broker b({.persistence = true, .verbose_log = true, .extra_config = "max_queued_messages 0"});
  // The counter: a persistent session that queues every line while nobody reads it.
  const std::vector<std::string> counter = {"mosquitto_sub", "-h", b.host(), "-p", str(b.port()), "-c", "-i",
                                            "counter", "-q", c.qos, "-t", "lines"};
  ASSERT_TRUE(test::run(concat(counter, {"-E"})).status.success());

  std::vector<std::string> args = concat({pub_tool()}, concat(at(b), {"-t", "lines", "-q", c.qos, "-l"}));
  if (c.persistent) args = concat(args, {"-c", "-i", "streamer"});
  process pub(process_options{.args = args, .input = test::stdin_mode::pipe});
  // A non-persistent watcher shows when the first half has reached the broker.
  process watcher(process_options{
      .args = {"mosquitto_sub", "-h", b.host(), "-p", str(b.port()), "-i", "watch", "-t", "lines", "-C", str(half)}});
  ASSERT_TRUE(test::wait_for_subscribe(b, "watch")) << b.log();
  std::string first;
  for (int i = 0; i < half; ++i) first += "line-" + std::to_string(i) + "\n";
  pub.write_stdin(first);
  ASSERT_TRUE(watcher.wait_or_kill(15s).success()) << watcher.out() << pub.err();

  b.restart();  // SIGTERM (persistence saved), then the same port again
  std::string second;
  for (int i = half; i < 2 * half; ++i) second += "line-" + std::to_string(i) + "\n";
  pub.write_stdin(second);
  pub.close_stdin();
  const auto status = pub.wait_or_kill(30s);
  EXPECT_TRUE(status.success()) << status.to_string() << "\n" << pub.err();
  EXPECT_TRUE(contains(pub.err(), "connection lost")) << pub.err();
  EXPECT_TRUE(contains(pub.err(), "reconnected")) << pub.err();

  const auto drained = test::run(concat(counter, {"-W", "3"}), 20s);
  std::map<std::string, int> seen;
  for (const auto& line : lines_of(drained.out)) ++seen[line];
  for (int i = 0; i < 2 * half; ++i) {
    const std::string line = "line-" + std::to_string(i);
    EXPECT_GE(seen[line], 1) << line << " never arrived";
    if (c.qos == "2") {
      EXPECT_LE(seen[line], 1) << line << " arrived more than once at QoS 2";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(delivery, pub_lines_restart,
                         ::testing::Values(restart_case{"1", true}, restart_case{"2", true}, restart_case{"1", false}));

// Reconnecting must not become a loop: a broker that drops the connection on every resend of
// the same message makes mqtk-pub -l give up with one line instead of retrying forever.
TEST(pub_lines_refused, gives_up_instead_of_resending_forever) {
  test::fake_broker fb;
  fb.refuse_publishes();
  const auto r = test::run({pub_tool(), "-h", fb.host(), "-p", str(fb.port()), "-t", "t", "-q", "1", "-l"}, 60s,
                           "refused\n");
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code(), 75) << r.describe();
  EXPECT_TRUE(contains(r.err, "giving up")) << r.err;
  EXPECT_GE(fb.publish_count(), 2U) << "resent at least once after reconnecting";
}

// ---------------------------------------------------------------------------------------------
// 5. A QoS 0 PUBLISH refused by closing the connection is not success.

struct refusal_case {
  std::string version;
  std::optional<std::uint8_t> disconnect_code;
  int exit_code;
};
void PrintTo(const refusal_case& c, std::ostream* os) {
  *os << "-V " << c.version << " disconnect " << (c.disconnect_code ? std::to_string(*c.disconnect_code) : "none");
}

class pub_qos0_refused : public ::testing::TestWithParam<refusal_case> {};

TEST_P(pub_qos0_refused, is_reported_with_the_exit_code) {
  const refusal_case& c = GetParam();
  test::fake_broker fb;
  // The verdict comes after the client's next packet: the DISCONNECT of a client that does not
  // wait for it, the PINGREQ of one that does.
  fb.refuse_publishes(c.disconnect_code, test::fake_broker::refusal_timing::on_next_packet);
  const auto r = test::run({pub_tool(), "-h", fb.host(), "-p", str(fb.port()), "-V", c.version, "-t", "t", "-m", "x"},
                           20s);
  EXPECT_EQ(r.exit_code(), c.exit_code) << r.describe();
  EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
  EXPECT_EQ(fb.publish_count(), 1U);
}

INSTANTIATE_TEST_SUITE_P(delivery, pub_qos0_refused,
                         ::testing::Values(refusal_case{"311", std::nullopt, 75}, refusal_case{"5", std::nullopt, 75},
                                           refusal_case{"5", 0x82, 0x82}, refusal_case{"5", 0x90, 0x90}));

// The real thing: mosquitto drops a client whose topic has a control character. Whether mqtk
// refuses it locally (64) or the broker does (75, or its 5.0 reason code), it is not success.
// Without the confirmation the outcome was a race (the DISCONNECT behind the PUBLISH usually
// won: exit 0), hence several runs.
TEST(pub_qos0_refused_by_mosquitto, topic_with_a_carriage_return_is_not_success) {
  broker b;
  for (const std::string version : {"311", "5"}) {
    for (int run = 0; run < 5; ++run) {
      const auto r = test::run(concat({pub_tool()}, concat(at(b), {"-V", version, "-t", "bad\r", "-m", "x"})), 20s);
      EXPECT_NE(r.exit_code(), 0) << "-V " << version << " run " << run << ": " << r.describe();
      EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 6. -W bounds the whole run.

TEST(sub_timeout, bounds_the_tcp_connect) {
  silent_listener hang(true);
  const auto r = test::run({sub_tool(), "-h", "127.0.0.1", "-p", str(hang.port()), "-t", "x", "-W", "1"}, 20s);
  EXPECT_EQ(r.exit_code(), 27) << r.describe();
  EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
  EXPECT_TRUE(contains(r.err, "connecting to")) << r.err;
}

TEST(sub_timeout, bounds_the_connack_wait) {
  silent_listener hang(false);
  const auto r = test::run({sub_tool(), "-h", "127.0.0.1", "-p", str(hang.port()), "-t", "x", "-W", "1"}, 20s);
  EXPECT_EQ(r.exit_code(), 27) << r.describe();
  EXPECT_TRUE(contains(r.err, "CONNACK")) << r.err;
}

TEST(sub_timeout, bounds_the_suback_wait) {
  test::fake_broker fb;
  fb.stop_answering(false, true);
  const auto r = test::run({sub_tool(), "-h", fb.host(), "-p", str(fb.port()), "-t", "x", "-W", "1"}, 20s);
  EXPECT_EQ(r.exit_code(), 27) << r.describe();
  EXPECT_TRUE(contains(r.err, "SUBACK")) << r.err;
  EXPECT_EQ(fb.subscribe_count(), 1U);
}

// ---------------------------------------------------------------------------------------------
// 7. SIGINT and SIGTERM in every phase.

// Signals `p` once it had time to reach the phase under test, and returns how it ended.
test::process_status interrupt(process& p, int sig) {
  p.signal(sig);
  auto status = p.wait_for(5s);
  if (!status) return p.wait_or_kill(0ms);
  return *status;
}

TEST(signals, sub_in_tcp_connect_connack_and_suback_waits) {
  silent_listener tcp_hang(true);
  silent_listener connack_hang(false);
  test::fake_broker fb;
  fb.stop_answering(false, true);
  for (const int sig : {SIGINT, SIGTERM}) {
    for (const std::uint16_t port : {tcp_hang.port(), connack_hang.port(), fb.port()}) {
      const std::size_t subscribes = fb.subscribe_count();
      process sub(process_options{.args = {sub_tool(), "-h", "127.0.0.1", "-p", str(port), "-t", "x"}});
      if (port == fb.port()) {
        ASSERT_TRUE(test::wait_until([&] { return fb.subscribe_count() > subscribes; }, 10s));
      } else {
        std::this_thread::sleep_for(300ms);  // nothing observable: let it start connecting
      }
      const auto status = interrupt(sub, sig);
      EXPECT_TRUE(status.exited) << "port " << port << " signal " << sig << ": " << status.to_string();
      EXPECT_EQ(status.exit_code, 27) << sub.err();
      EXPECT_EQ(lines_of(sub.err()).size(), 1U) << sub.err();
      EXPECT_TRUE(contains(sub.err(), "interrupted by")) << sub.err();
    }
  }
}

TEST(signals, sub_while_receiving_exits_0) {
  broker b({.verbose_log = true});
  process sub(process_options{.args = concat({sub_tool()}, concat(at(b), {"-t", "x", "-i", "rx"}))});
  ASSERT_TRUE(test::wait_for_subscribe(b, "rx")) << b.log();
  ASSERT_TRUE(test::run(concat({pub_tool()}, concat(at(b), {"-t", "x", "-m", "hello"}))).status.success());
  ASSERT_TRUE(sub.wait_for_output("hello", 10s));
  const auto status = interrupt(sub, SIGINT);
  EXPECT_TRUE(status.success()) << status.to_string() << sub.err();
}

TEST(signals, pub_in_connack_wait_exits_27) {
  silent_listener connack_hang(false);
  process pub(process_options{.args = {pub_tool(), "-h", "127.0.0.1", "-p", str(connack_hang.port()), "-t", "x",
                                       "-m", "m"}});
  std::this_thread::sleep_for(300ms);  // nothing observable: let it send CONNECT
  const auto status = interrupt(pub, SIGTERM);
  EXPECT_TRUE(status.exited) << status.to_string();
  EXPECT_EQ(status.exit_code, 27) << pub.err();
  EXPECT_EQ(lines_of(pub.err()).size(), 1U) << pub.err();
}

TEST(signals, pub_lines_waiting_for_input_exits_0_when_all_was_acknowledged) {
  broker b({.verbose_log = true});
  process watcher(process_options{.args = {"mosquitto_sub", "-h", b.host(), "-p", str(b.port()), "-i", "watch", "-t",
                                           "in", "-C", "1"}});
  ASSERT_TRUE(test::wait_for_subscribe(b, "watch")) << b.log();
  process pub(process_options{.args = concat({pub_tool()}, concat(at(b), {"-t", "in", "-q", "1", "-l"})),
                              .input = test::stdin_mode::pipe});
  pub.write_stdin("first\n");
  ASSERT_TRUE(watcher.wait_or_kill(10s).success());  // connected, published, now waiting for input
  const auto status = interrupt(pub, SIGINT);
  EXPECT_TRUE(status.success()) << status.to_string() << pub.err();
  EXPECT_EQ(pub.err(), "");
}

// ---------------------------------------------------------------------------------------------
// 8. The broker's announced limits (5.0 CONNACK) refuse a message before it is sent.

TEST(pub_limits, maximum_qos_retain_available_and_maximum_packet_size) {
  // max_qos is a listener setting in mosquitto 2.0: a listener of our own, last in the file.
  const std::uint16_t port = test::free_port();
  broker b({.extra_config = "retain_available false\nmax_packet_size 200\nlistener " + str(port) +
                            " 127.0.0.1\nmax_qos 1"});
  ASSERT_TRUE(test::wait_for_port("127.0.0.1", port, 10s));
  struct limit_case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::vector<limit_case> cases = {
      {{"-q", "2", "-m", "x"}, 0x9B, "Maximum QoS"},
      {{"-r", "-m", "x"}, 0x9A, "Retain Available"},
      {{"-m", std::string(300, 'a')}, 0x95, "Maximum Packet Size of 200"},
  };
  for (const auto& c : cases) {
    const auto r =
        test::run(concat({pub_tool(), "-h", "127.0.0.1", "-p", str(port), "-V", "5", "-t", "lim"}, c.args), 20s);
    EXPECT_EQ(r.exit_code(), c.exit_code) << r.describe();
    EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
    EXPECT_TRUE(contains(r.err, c.says)) << r.err;
  }
}

}  // namespace
}  // namespace mqtk
