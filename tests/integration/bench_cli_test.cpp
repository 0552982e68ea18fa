// mqtk-bench against a real mosquitto, run as a user runs it: exact delivery counts, the CI
// gates, a stalled broker showing up in the coordinated-omission-corrected latency, shards
// merged into the same counts as one process, and failures explained with ARCHITECTURE.md's exit
// codes. Every wait is bounded; the only time-based assertion is about an effect of a second
// (the stall), far above scheduling noise.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "mqtk/bench/run_report.hpp"
#include "support/broker.hpp"
#include "support/cli_runner.hpp"
#include "support/process.hpp"

namespace mqtk {
namespace {

using namespace std::chrono_literals;
using test::broker;
using test::broker_options;
using test::concat;
using test::str;

std::string bench_tool() { return test::tool_path("mqtk-bench").string(); }

std::vector<std::string> bench(const std::string& scenario, const broker& b, std::vector<std::string> more) {
  return concat({bench_tool(), scenario, "-h", b.host(), "-p", str(b.port()), "--progress=none"}, more);
}

nlohmann::json report_of(const test::run_result& r) {
  EXPECT_FALSE(r.out.empty()) << r.describe();
  try {
    return nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\n" << r.describe();
    return nlohmann::json::object();
  }
}

using test::contains;
using test::lines_of;

TEST(bench_cli, pubsub_counts_are_exact_every_time) {
  broker b;
  for (const char* qos : {"1", "1", "1", "2", "0"}) {
    const auto r = test::run(bench("pubsub", b, {"-c", "10", "-n", "1000", "-q", qos, "--json"}), 120s);
    ASSERT_EQ(r.exit_code(), 0) << r.describe();
    auto j = report_of(r);
    const auto& m = j["messages"];
    EXPECT_EQ(m["sent"], 10000) << "QoS " << qos;
    EXPECT_EQ(m["acked"], 10000) << "QoS " << qos;
    EXPECT_EQ(m["received"], 10000) << "QoS " << qos;
    EXPECT_EQ(m["lost"], 0) << "QoS " << qos;
    EXPECT_EQ(m["duplicated"], 0) << "QoS " << qos;
    EXPECT_EQ(j["connections"]["succeeded"], 20);
    EXPECT_EQ(j["latency"]["end_to_end"]["count"], 10000);
    if (std::string(qos) != "0") {
      EXPECT_EQ(j["latency"]["publish_ack"]["count"], 10000);
    }
    // The serialised histograms read back and agree with the summary figures.
    const auto h = bench::histogram::from_json(j["latency"]["end_to_end"]["histogram"]);
    EXPECT_DOUBLE_EQ(j["latency"]["end_to_end"]["p99_ms"].get<double>(), static_cast<double>(h.percentile(99)) / 1000.0);
  }
}

TEST(bench_cli, human_report_has_the_percentile_table) {
  broker b;
  const auto r = test::run(bench("pubsub", b, {"-c", "2", "-n", "100", "-q", "1"}), 60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "200 sent, 200 acked, 0 publish failures, 200 received, 0 lost")) << r.out;
  EXPECT_TRUE(contains(r.out, "p99.99")) << r.out;
  EXPECT_TRUE(contains(r.out, "end to end")) << r.out;
  EXPECT_TRUE(contains(r.out, "connect: to CONNACK")) << r.out;
}

TEST(bench_cli, gates_exit_90_with_the_failing_figure) {
  broker b;
  auto r = test::run(bench("pubsub", b, {"-c", "2", "-n", "200", "-q", "1", "--max-p99-ms", "0.000001"}), 60s);
  EXPECT_EQ(r.exit_code(), 90) << r.describe();
  EXPECT_TRUE(contains(r.err, "p99 end-to-end latency")) << r.err;
  EXPECT_TRUE(contains(r.err, "> --max-p99-ms")) << r.err;
  r = test::run(bench("pub", b, {"-c", "2", "-n", "200", "-q", "1", "--min-rate", "1e11"}), 60s);
  EXPECT_EQ(r.exit_code(), 90) << r.describe();
  EXPECT_TRUE(contains(r.err, "< --min-rate 100000000000")) << r.err;
  r = test::run(bench("pubsub", b, {"-c", "2", "-n", "200", "-q", "1", "--max-p99-ms", "60000", "--max-loss", "0",
                                    "--min-rate", "1"}),
                60s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
}

TEST(bench_cli, loss_is_counted_exactly_and_gated) {
  // The broker's ACL lets nobody read mqtk-bench/1: subscriber 1 is subscribed (mosquitto
  // checks read access per message) but publisher 1's messages never reach it. A real loss of
  // exactly one publisher's messages.
  broker b({.acl = "topic readwrite mqtk-bench/0\ntopic readwrite mqtk-bench/2\ntopic write mqtk-bench/1\n"});
  auto r = test::run(bench("pubsub", b, {"-c", "3", "-n", "300", "-q", "1", "--json", "--max-loss", "0.5", "--drain", "1"}), 60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  auto j = report_of(r);
  EXPECT_EQ(j["messages"]["sent"], 900);
  EXPECT_EQ(j["messages"]["lost"], 300) << j["messages"].dump() << j["connections"].dump();
  EXPECT_EQ(j["messages"]["received"], 600);
  r = test::run(bench("pubsub", b, {"-c", "3", "-n", "300", "-q", "1", "--max-loss", "0.01", "--drain", "1"}), 60s);
  EXPECT_EQ(r.exit_code(), 90) << r.describe();
  EXPECT_TRUE(contains(r.err, "(300 of 900 messages) > --max-loss 0.01")) << r.err;
}

TEST(bench_cli, a_stalled_broker_shows_as_a_second_of_corrected_latency) {
  broker b;
  // 4 publishers at 100 msg/s each for 3 s, one message in flight each: while the broker is
  // stopped, the publishers cannot send, and only the corrected figures see the messages that
  // should have gone out.
  test::process bench_run({.args = bench("pubsub", b, {"-c", "4", "--rate", "400", "-d", "3", "-q", "1", "--inflight", "1",
                                                       "--json", "--drain", "10"})});
  std::this_thread::sleep_for(1s);
  ::kill(b.pid(), SIGSTOP);
  std::this_thread::sleep_for(1s);
  ::kill(b.pid(), SIGCONT);
  const auto status = bench_run.wait_or_kill(60s);
  ASSERT_TRUE(status.success()) << status.to_string() << bench_run.err();
  auto j = nlohmann::json::parse(bench_run.out());
  auto& l = j["latency"];
  EXPECT_GE(l["publish_ack"]["max_ms"].get<double>(), 800.0) << l.dump();
  EXPECT_GE(l["end_to_end"]["max_ms"].get<double>(), 800.0) << l.dump();
  // Coordinated omission: with one message in flight, most of the stalled second's messages
  // were never sent during it, so the uncorrected figures miss the stall at the 90th percentile.
  EXPECT_GT(l["publish_ack"]["p90_ms"].get<double>(), l["publish_ack_uncorrected"]["p90_ms"].get<double>()) << l.dump();
  EXPECT_GT(j["messages"]["late"].get<int>(), 0) << "the publishers could not keep up: reported";
  EXPECT_EQ(j["messages"]["lost"], 0);
  EXPECT_EQ(j["messages"]["received"], j["messages"]["sent"]);
}

TEST(bench_cli, shards_merged_equal_one_process_doing_the_same_work) {
  broker b;
  test::temp_dir dir("mqtk-bench");
  std::vector<std::unique_ptr<test::process>> shards;
  const auto start_at = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count() +
                                       3);
  for (int i = 0; i < 3; ++i) {
    shards.push_back(std::make_unique<test::process>(test::process_options{
        .args = bench("pubsub", b, {"-c", "4", "-n", "500", "-q", "1", "--json", "--shard", std::to_string(i) + "/3",
                                    "--start-at", start_at}),
        .stdout_file = dir / ("shard" + std::to_string(i) + ".json")}));
  }
  std::vector<bench::histogram> e2e;
  for (auto& s : shards) {
    const auto st = s->wait_or_kill(60s);
    ASSERT_TRUE(st.success()) << st.to_string() << s->err();
    e2e.push_back(bench::histogram::from_json(nlohmann::json::parse(s->out())["latency"]["end_to_end"]["histogram"]));
  }
  const auto merged = test::run({bench_tool(), "merge", (dir / "shard0.json").string(), (dir / "shard1.json").string(),
                                 (dir / "shard2.json").string(), "--json"});
  ASSERT_EQ(merged.exit_code(), 0) << merged.describe();
  auto m = report_of(merged);
  auto one = report_of(test::run(bench("pubsub", b, {"-c", "12", "-n", "500", "-q", "1", "--json"}), 60s));
  for (const char* k : {"sent", "acked", "received", "lost", "duplicated"}) {
    EXPECT_EQ(m["messages"][k], one["messages"][k]) << k;
  }
  EXPECT_EQ(m["messages"]["received"], 6000);
  EXPECT_EQ(m["connections"]["succeeded"], one["connections"]["succeeded"]);
  EXPECT_EQ(m["shards"], 3);
  // Percentiles of the merge are those of all the shards' samples together, not an average.
  bench::histogram all;
  for (const auto& h : e2e) all.merge(h);
  EXPECT_EQ(bench::histogram::from_json(m["latency"]["end_to_end"]["histogram"]), all);
  EXPECT_DOUBLE_EQ(m["latency"]["end_to_end"]["p99_ms"].get<double>(), static_cast<double>(all.percentile(99)) / 1000.0);
  // Human form of the merge.
  const auto text = test::run({bench_tool(), "merge", (dir / "shard0.json").string(), (dir / "shard1.json").string()});
  EXPECT_EQ(text.exit_code(), 0) << text.describe();
  EXPECT_TRUE(contains(text.out, "(2 shards merged)")) << text.out;
}

TEST(bench_cli, shard_from_kubernetes_indexed_job_environment) {
  broker b;
  const auto r = test::run(test::process_options{
      .args = bench("pub", b, {"-c", "2", "-n", "10", "--json"}),
      .env = {{"JOB_COMPLETION_INDEX", "2"}, {"JOB_COMPLETIONS", "4"}}});
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  auto j = report_of(r);
  EXPECT_EQ(j["config"]["shard"], 2);
  EXPECT_EQ(j["config"]["shards"], 4);
  EXPECT_TRUE(contains(b.log(), "mqtk-bench_4")) << "shard 2 of 4 with -c 2 has clients 4 and 5";
}

TEST(bench_cli, conn_holds_connections_and_counts_them) {
  broker b;
  const auto r = test::run(bench("conn", b, {"-c", "50", "-R", "500", "--hold", "1", "--json"}), 60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  auto j = report_of(r);
  EXPECT_EQ(j["connections"]["attempted"], 50);
  EXPECT_EQ(j["connections"]["succeeded"], 50);
  EXPECT_EQ(j["connections"]["lost"], 0);
  EXPECT_EQ(j["latency"]["connect_connack"]["count"], 50);
  EXPECT_GT(j["rates"]["connected_per_s"].get<double>(), 0.0);
}

TEST(bench_cli, refusals_are_counted_by_reason_and_explained) {
  broker b({.allow_anonymous = false});
  auto r = test::run(bench("conn", b, {"-c", "3"}), 60s);
  EXPECT_EQ(r.exit_code(), 5) << r.describe();
  EXPECT_EQ(test::count_lines(r.err), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "every connection failed (3)")) << r.err;
  EXPECT_TRUE(contains(r.err, "not authorized")) << r.err;
  r = test::run(bench("conn", b, {"-c", "3", "-V", "5", "--json"}), 60s);
  EXPECT_EQ(r.exit_code(), 135) << r.describe();
  EXPECT_EQ(test::count_lines(r.err), 1u) << r.err;
  // --json still reports, with the failures counted by reason.
  auto j = report_of(r);
  EXPECT_EQ(j["connections"]["failed"], 3);
  EXPECT_EQ(j["connections"]["by_reason"]["refused: Not authorized (0x87)"], 3) << j["connections"].dump();
}

TEST(bench_cli, publish_refusals_are_counted_by_reason) {
  // MQTT 5.0: mosquitto answers a publish its ACL denies with PUBACK 0x87.
  broker b({.acl = "topic readwrite mqtk-bench/0\ntopic read mqtk-bench/1\n"});
  const auto r = test::run(bench("pub", b, {"-V", "5", "-c", "2", "-n", "50", "-q", "1", "--json", "--max-loss", "0"}), 60s);
  EXPECT_EQ(r.exit_code(), 90) << r.describe();
  auto j = report_of(r);
  EXPECT_EQ(j["messages"]["sent"], 100);
  EXPECT_EQ(j["messages"]["acked"], 50);
  EXPECT_EQ(j["messages"]["publish_failed"], 50);
  EXPECT_EQ(j["messages"]["publish_failed_by_reason"]["refused: Not authorized (0x87)"], 50) << j["messages"].dump();
  EXPECT_TRUE(contains(r.err, "(50 of 100 messages) > --max-loss 0")) << r.err;
}

TEST(bench_cli, unreachable_broker_exits_69) {
  const auto port = test::free_port();
  const auto r = test::run({bench_tool(), "pub", "-p", str(port), "-n", "1", "--progress=none"}, 60s);
  EXPECT_EQ(r.exit_code(), 69) << r.describe();
  EXPECT_EQ(test::count_lines(r.err), 1u) << r.err;
}

TEST(bench_cli, tls_is_verified_and_timed_separately) {
  broker b({.tls = true, .ws = true});
  const std::string ca = broker::certs().ca.cert.string();
  auto r = test::run({bench_tool(), "pubsub", "-h", b.host(), "-p", str(b.port(test::listener::tls)), "--cafile", ca, "-c",
                      "2", "-n", "100", "-q", "1", "--json", "--progress=none"},
                     60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  auto j = report_of(r);
  EXPECT_EQ(j["messages"]["received"], 200);
  EXPECT_EQ(j["latency"]["connect_tls"]["count"], 4);
  EXPECT_EQ(j["latency"]["connect_tcp"]["count"], 4);
  // Verification is on: the test CA is not among the system's, so without --cafile it fails.
  r = test::run({bench_tool(), "conn", "-L", "mqtts://" + b.host() + ":" + str(b.port(test::listener::tls)), "-c", "2",
                 "--progress=none"},
                60s);
  EXPECT_EQ(r.exit_code(), 79) << r.describe();
  EXPECT_EQ(test::count_lines(r.err), 1u) << r.err;
  // WebSocket transport.
  r = test::run({bench_tool(), "pubsub", "-L", b.url(test::listener::ws), "-c", "2", "-n", "50", "-q", "1", "--json",
                 "--progress=none"},
                60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(report_of(r)["messages"]["received"], 100);
}

TEST(bench_cli, progress_lines_and_csv_each_second) {
  broker b;
  test::temp_dir dir("mqtk-bench");
  const auto csv = (dir / "series.csv").string();
  const auto r = test::run(concat({bench_tool(), "pub", "-h", b.host(), "-p", str(b.port())},
                                  {"-c", "2", "--rate", "200", "-d", "2.5", "-q", "1", "--csv", csv, "--progress=json"}),
                           60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  // stderr is not a terminal here: whole JSON lines, at least one per second of the run.
  const auto lines = test::count_lines(r.err);
  EXPECT_GE(lines, 2u) << r.err;
  const auto first = nlohmann::json::parse(r.err.substr(0, r.err.find('\n')), nullptr, false);
  EXPECT_FALSE(first.is_discarded()) << r.err;
  EXPECT_TRUE(first.contains("acked_per_s")) << r.err;
  const std::string series = test::read_file(csv);
  EXPECT_EQ(series.rfind("elapsed_s,phase,connected", 0), 0u) << series;
  EXPECT_GE(test::count_lines(series), 3u) << series;
  // Each second's publish->ack percentiles: p50 <= p90 <= p99 <= max, in every measured second.
  const auto rows = lines_of(series);
  EXPECT_TRUE(rows[0].ends_with(",p50_ms,p90_ms,p99_ms,max_ms")) << rows[0];
  int measured = 0;
  for (const auto& line : rows) {
    if (!contains(line, ",measure,")) continue;
    ++measured;
    std::vector<double> ms;
    std::string_view rest(line);
    for (int i = 0; i < 4; ++i) {
      const auto comma = rest.rfind(',');
      ms.insert(ms.begin(), std::stod(std::string(rest.substr(comma + 1))));
      rest = rest.substr(0, comma);
    }
    EXPECT_GT(ms[3], 0.0) << line;
    EXPECT_TRUE(ms[0] <= ms[1] && ms[1] <= ms[2] && ms[2] <= ms[3]) << line;
  }
  EXPECT_GE(measured, 2) << series;
}

TEST(bench_cli, sub_counts_another_process_publishers_and_foreign_messages) {
  broker b({.verbose_log = true});
  // Subscribers in one process, publishers in another (as on two load machines): the payload
  // header carries publisher id and sequence across.
  test::process sub({.args = bench("sub", b, {"-c", "2", "-t", "x/%i", "-q", "1", "-n", "101", "--json",
                                              "--prefix", "subs"})});
  ASSERT_TRUE(test::wait_for_subscribe(b, "subs_0"));
  ASSERT_TRUE(test::wait_for_subscribe(b, "subs_1"));
  const auto pub = test::run(bench("pub", b, {"-c", "2", "-t", "x/%i", "-q", "1", "-n", "100"}), 60s);
  ASSERT_EQ(pub.exit_code(), 0) << pub.describe();
  // One message that is not bench's: counted apart, not a loss.
  const auto foreign = test::run({"mosquitto_pub", "-h", b.host(), "-p", str(b.port()), "-t", "x/0", "-m", "hello", "-q", "1"});
  ASSERT_EQ(foreign.exit_code(), 0) << foreign.describe();
  const auto one_more = test::run({"mosquitto_pub", "-h", b.host(), "-p", str(b.port()), "-t", "x/1", "-m", "hello", "-q", "1"});
  ASSERT_EQ(one_more.exit_code(), 0) << one_more.describe();
  const auto st = sub.wait_or_kill(60s);
  ASSERT_TRUE(st.success()) << st.to_string() << sub.err();
  auto j = nlohmann::json::parse(sub.out());
  EXPECT_EQ(j["messages"]["received"], 200) << j["messages"].dump();
  EXPECT_EQ(j["messages"]["received_without_header"], 2);
  EXPECT_EQ(j["messages"]["lost"], 0);
  EXPECT_EQ(j["latency"]["end_to_end"]["count"], 200);
}

TEST(bench_cli, shared_subscription_splits_the_messages_without_loss) {
  broker b;
  const auto r = test::run(bench("pubsub", b, {"-c", "4", "-n", "250", "-q", "1", "--subscribers", "3", "--sub-topic",
                                               "mqtk-bench/+", "--shared", "g", "--json", "--drain", "2"}),
                           60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  auto j = report_of(r);
  EXPECT_EQ(j["messages"]["sent"], 1000);
  EXPECT_EQ(j["messages"]["received"], 1000);
  EXPECT_EQ(j["messages"]["duplicated"], 0);
}

TEST(bench_cli, conn_keeps_connections_alive_through_the_hold) {
  broker b;
  // Keepalive 5 s: mosquitto drops a client silent for 7.5 s; held for 9 s, none is lost.
  const auto r = test::run(bench("conn", b, {"-c", "20", "-k", "5", "--hold", "9", "--json"}), 60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  auto j = report_of(r);
  EXPECT_EQ(j["connections"]["succeeded"], 20);
  EXPECT_EQ(j["connections"]["lost"], 0) << j["connections"].dump();
}

TEST(bench_cli, conn_counts_every_connection_lost_when_the_broker_dies) {
  broker b;
  test::process bench_run({.args = bench("conn", b, {"-c", "10", "--hold", "4", "--json"})});
  std::this_thread::sleep_for(1500ms);  // connected long before: 10 loopback connects
  b.kill();
  const auto status = bench_run.wait_or_kill(60s);
  // The report first, then 75: a run whose connections were lost is no pass for CI.
  ASSERT_TRUE(status.exited && status.exit_code == 75) << status.to_string() << bench_run.err();
  EXPECT_TRUE(contains(bench_run.err(), "10 connections lost during the run; the first: ")) << bench_run.err();
  const auto j = nlohmann::json::parse(bench_run.out());
  EXPECT_EQ(j["connections"]["succeeded"], 10) << j["connections"].dump();
  EXPECT_EQ(j["connections"]["lost"], 10) << j["connections"].dump();
  EXPECT_FALSE(j["connections"]["lost_by_reason"].empty()) << j["connections"].dump();
}

TEST(bench_cli, ifaddr_spreads_source_addresses) {
  broker b({.verbose_log = true});
  const auto r = test::run(bench("conn", b, {"-c", "4", "--ifaddr", "127.0.0.2,127.0.0.3", "--json"}), 60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(report_of(r)["connections"]["succeeded"], 4);
  const std::string log = b.log();
  EXPECT_TRUE(contains(log, "from 127.0.0.2:")) << log;
  EXPECT_TRUE(contains(log, "from 127.0.0.3:")) << log;
}

TEST(bench_cli, preflight_refuses_more_connections_than_file_descriptors_naming_the_limits) {
  rlimit nofile{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &nofile), 0);
  if (nofile.rlim_max == RLIM_INFINITY || nofile.rlim_max >= 50'064) GTEST_SKIP() << "the hard ulimit -n allows 50,000 connections";
  broker b;
  const auto r = test::run(bench("conn", b, {"-c", "50000", "--ifaddr", "127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4"}), 60s);
  EXPECT_EQ(r.exit_code(), 64) << r.describe();
  const std::string expected = "-c 50000 needs about 50064 file descriptors but ulimit -n is " + std::to_string(nofile.rlim_cur) +
                               " (hard limit " + std::to_string(nofile.rlim_max) + ")";
  EXPECT_TRUE(contains(r.err, expected)) << r.err;
  EXPECT_EQ(test::count_lines(r.err), 1u) << r.err;
}

TEST(bench_cli, fan_out_counts_every_delivery) {
  broker b;
  // One topic for everyone: each of the 3 subscribers gets all 600 messages.
  auto r = test::run(bench("pubsub", b, {"-c", "3", "-n", "200", "-q", "1", "-t", "fan/out", "--json"}), 60s);
  ASSERT_EQ(r.exit_code(), 0) << r.describe();
  auto j = report_of(r);
  EXPECT_EQ(j["messages"]["sent"], 600);
  EXPECT_EQ(j["messages"]["received"], 1800);
  EXPECT_EQ(j["messages"]["lost"], 0);
}

TEST(bench_cli, usage_errors_exit_64_naming_the_option) {
  const std::vector<std::vector<std::string>> cases{
      {"pub", "-s", "10", "-n", "1"},           // no room for the header
      {"pub", "-I", "10", "--rate", "5", "-n", "1"},
      {"pub"},                                  // neither -n nor -d
      {"pub", "-n", "1", "-t", "a/%x"},
      {"pubsub", "-n", "1", "-m", "hello"},
      {"pub", "-n", "1", "--shard", "3/3"},
      {"pub", "-n", "1", "--ifaddr", "192.0.2.77", "-p", "1"},  // not an address of this machine
  };
  for (const auto& c : cases) {
    auto args = concat({bench_tool()}, c);
    const auto r = test::run(args, 30s);
    EXPECT_EQ(r.exit_code(), 64) << r.describe();
    EXPECT_EQ(test::count_lines(r.err), 1u) << r.err;
  }
}

TEST(bench_cli, merge_rejects_what_is_not_a_report) {
  test::temp_dir dir("mqtk-bench");
  test::write_file(dir / "x.json", "{\"ts\": 1}\n");
  auto r = test::run({bench_tool(), "merge", (dir / "x.json").string()});
  EXPECT_EQ(r.exit_code(), 65) << r.describe();
  r = test::run({bench_tool(), "merge", (dir / "missing.json").string()});
  EXPECT_EQ(r.exit_code(), 66) << r.describe();
}

}  // namespace
}  // namespace mqtk
