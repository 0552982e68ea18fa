// mqtk-bench's options: scenario words, the load-test letters, derived defaults, and usage errors.
#include "mqtk-bench/bench_options.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace mqtk::tools {
namespace {

option_env quiet_env() { return option_env{.pid = 4321, .read_config_file = false}; }

bench_options bench(std::vector<std::string> args) {
  return parse_bench_options(args, quiet_env());
}

std::string bench_error(std::vector<std::string> args) {
  try {
    (void)bench(std::move(args));
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a usage error";
  return {};
}

unsigned cores() { return std::max(1u, std::thread::hardware_concurrency()); }

TEST(bench_options, load_test_letters_mean_clients_interval_duration_and_count) {
  const auto o = bench({"pub", "-c", "10", "-I", "5", "-d", "3", "-n", "100", "-q", "1", "-s", "100"});
  EXPECT_EQ(o.scenario, bench_scenario::pub);
  EXPECT_EQ(o.clients, 10U);
  EXPECT_DOUBLE_EQ(o.interval_ms, 5.0);
  EXPECT_DOUBLE_EQ(o.duration_s, 3.0);
  EXPECT_EQ(o.count, 100U);
  EXPECT_EQ(o.qos, proto::qos::at_least_once);
  EXPECT_EQ(o.size, 100U);
  EXPECT_EQ(o.publishers(), 10U);
  EXPECT_EQ(o.subscriber_count(), 0U);
}

TEST(bench_options, pubsub_has_as_many_subscribers_as_publishers_unless_told) {
  EXPECT_EQ(bench({"pubsub", "-c", "4", "-n", "1"}).subscriber_count(), 4U);
  EXPECT_EQ(bench({"pubsub", "-c", "4", "-n", "1", "--subscribers", "1"}).subscriber_count(), 1U);
}

TEST(bench_options, one_thread_serves_up_to_a_thousand_connections) {
  EXPECT_EQ(bench({"pub", "-c", "10", "-n", "1"}).threads, 1U);
  EXPECT_EQ(bench({"pubsub", "-c", "500", "-n", "1"}).threads, std::min(1U, cores()));  // 1,000 connections
  EXPECT_EQ(bench({"conn", "-c", "1001"}).threads, std::min(2U, cores()));
  EXPECT_EQ(bench({"conn", "-c", "100000"}).threads, cores());
  EXPECT_EQ(bench({"pub", "-c", "10", "-n", "1", "--threads", "3"}).threads, 3U);
}

TEST(bench_options, several_hosts_and_source_addresses_are_split_on_commas) {
  const auto o = bench({"conn", "-h", "a,b", "--ifaddr", "127.0.0.2,127.0.0.3"});
  EXPECT_EQ(o.hosts, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.ifaddrs, (std::vector<std::string>{"127.0.0.2", "127.0.0.3"}));
}

TEST(bench_options, client_indices_of_shards_do_not_overlap) {
  const auto first = bench({"pub", "-c", "10", "-n", "1", "--shard", "0/2"});
  const auto second = bench({"pub", "-c", "10", "-n", "1", "--shard", "1/2"});
  EXPECT_EQ(first.global_index(9) + 1, second.global_index(0));
}

TEST(bench_options, usage_errors_name_the_option) {
  EXPECT_NE(bench_error({"pub", "-c", "2"}).find("-n"), std::string::npos);  // nothing says how much
  EXPECT_NE(bench_error({"conn", "--ifaddr", "127.0.0.2", "-A", "127.0.0.1"}).find("--ifaddr"), std::string::npos);
  EXPECT_NE(bench_error({"conn", "-h", "a,,b"}).find("-h"), std::string::npos);
  EXPECT_NE(bench_error({"pub", "--threads", "0"}).find("--threads"), std::string::npos);
}

}  // namespace
}  // namespace mqtk::tools
