// The restart soak (issue 15): `mqtk-pub -l` with a persistent session streams 20,000 lines at
// a steady rate while mosquitto (persistence on) is stopped and started again mid-stream. A
// persistent `mqtk-sub -c` that runs throughout receives every line (at QoS 2 exactly once) and
// mqtk-pub exits 0. pubsub_delivery_test's delivery/pub_lines_restart is the short version:
// 200 lines in two bursts, the restart between them, and a reader that connects at the end.
//
// Every wait is bounded; nothing asserts on how long something took.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/broker.hpp"
#include "support/cli_runner.hpp"
#include "support/process.hpp"

namespace mqtk {
namespace {

using namespace std::chrono_literals;
using test::at;
using test::broker;
using test::concat;
using test::contains;
using test::lines_of;
using test::process;
using test::process_options;

constexpr int total_lines = 20'000;
// 100 lines every 50 ms: about 2,000 lines a second, so the stream lasts some 10 s and the
// restart falls in its middle.
constexpr int lines_per_batch = 100;
constexpr auto batch_interval = 50ms;

std::string line(int i) { return "soak-" + std::to_string(i); }

std::map<std::string, int> occurrences(const std::string& text) {
  std::map<std::string, int> seen;
  for (const auto& l : lines_of(text)) ++seen[l];
  return seen;
}

class soak_restart : public ::testing::TestWithParam<std::string> {};

TEST_P(soak_restart, every_one_of_20000_lines_arrives_across_a_broker_restart_mid_stream) {
  const std::string qos = GetParam();
  // max_inflight_messages 65534, not the default 20: mosquitto 2.0.11 restores at most that many
  // of a client's saved in-flight messages as in flight (none with 0 or 65535, its "no limit")
  // and puts the rest in its queue, which it sends afresh as PUBLISH on the next connection.
  // Its messages to mqtk-sub awaiting PUBCOMP do not count against the limit while it runs, so
  // on a loaded machine more than 20 were saved, and those beyond 20 came to mqtk-sub again after
  // the restart although it had completed them with PUBCOMP: a new message by MQTT's rules
  // (4.3.3), so delivered twice. The saved state is right; the restore loses it (ARCHITECTURE.md,
  // Reliability). With the highest finite limit every saved state comes back, as on a broker
  // whose operator wants exactly-once across restarts; our own resends stay under test.
  broker b({.persistence = true, .extra_config = "max_queued_messages 0\nmax_inflight_messages 65534"});
  test::temp_dir dir("mqtk-soak");
  const auto ready = dir / "ready";
  process sub(process_options{.args = concat({test::sub_tool()}, concat(at(b), {"-c", "-i", "soak-sub", "-q", qos,
                                                                              "-t", "soak", "--ready-file",
                                                                              ready.string()}))});
  ASSERT_TRUE(test::wait_for_file(ready, 15s)) << sub.err();

  process pub(process_options{
      .args = concat({test::pub_tool()}, concat(at(b), {"-c", "-i", "soak-pub", "-q", qos, "-t", "soak", "-l"})),
      .input = test::stdin_mode::pipe});
  std::atomic<int> written{0};
  std::string write_error;
  std::thread writer([&] {
    try {
      for (int i = 0; i < total_lines; i += lines_per_batch) {
        std::string batch;
        for (int k = i; k < i + lines_per_batch; ++k) batch += line(k) + "\n";
        pub.write_stdin(batch);
        written = i + lines_per_batch;
        std::this_thread::sleep_for(batch_interval);
      }
    } catch (const std::exception& e) {
      write_error = e.what();
    }
  });
  const bool halfway = test::wait_until([&] { return written >= total_lines / 2; }, 60s);
  // Read before the restart: on a loaded machine the restart itself can take longer than the
  // rest of the stream, and the broker went down here, mid-stream, whatever the writer did since.
  const int written_at_restart = written;
  if (halfway) b.restart();  // SIGTERM (persistence saved), then the same port again
  writer.join();
  ASSERT_TRUE(halfway) << "the first half was not taken in 60 s\n" << pub.err();
  ASSERT_EQ(write_error, "") << pub.err();
  pub.close_stdin();
  // The restart must have fallen inside the stream, not after it.
  EXPECT_LT(written_at_restart, total_lines);

  const auto status = pub.wait_or_kill(120s);
  EXPECT_TRUE(status.success()) << status.to_string() << "\n" << pub.err();
  EXPECT_TRUE(contains(pub.err(), "reconnected")) << pub.err();

  // QoS 1 may deliver a line twice (a PUBLISH in flight at the restart is sent again), so the
  // wait is for every distinct line; then a moment for late duplicates before counting.
  test::wait_until([&] { return occurrences(sub.out()).size() >= static_cast<std::size_t>(total_lines); }, 120s);
  std::this_thread::sleep_for(500ms);
  sub.terminate();
  sub.wait_or_kill(10s);
  const auto seen = occurrences(sub.out());
  int missing = 0;
  int duplicated = 0;
  std::string first_duplicates;
  for (int i = 0; i < total_lines; ++i) {
    const auto it = seen.find(line(i));
    if (it == seen.end()) {
      if (++missing <= 5) ADD_FAILURE() << line(i) << " never arrived";
    } else if (it->second > 1 && ++duplicated <= 5) {
      first_duplicates += " " + line(i);
    }
  }
  EXPECT_EQ(missing, 0) << "lines lost of " << total_lines << "\n" << sub.err();
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(total_lines - missing)) << "lines nobody published";
  // QoS 1 may deliver the lines in flight at the restart twice; QoS 2 delivers each exactly once.
  if (qos == "2") {
    EXPECT_EQ(duplicated, 0) << "lines delivered twice at QoS 2, first:" << first_duplicates;
  }
}

std::string qos_name(const ::testing::TestParamInfo<std::string>& p) { return "qos" + p.param; }

INSTANTIATE_TEST_SUITE_P(soak, soak_restart, ::testing::Values("1", "2"), qos_name);

}  // namespace
}  // namespace mqtk
