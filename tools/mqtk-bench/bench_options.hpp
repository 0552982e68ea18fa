#pragma once
// mqtk-bench's options: one struct for every scenario (conn, pub, sub, pubsub) and `merge`,
// built once and read by every worker (never changed after parsing). The connection options
// are mosquitto's (tools/common), except where emqtt-bench's words are what a load-test user
// types: -c is the number of clients (not "disable clean session": every bench client starts
// clean), -I the publish interval (the id prefix is --prefix), -d the duration (debug tracing
// makes no sense for thousands of clients), -n the messages per client (emqtt-bench's "start
// number" is --start-index).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/connection_options.hpp"
#include "common/option_env.hpp"
#include "mqtk/bench/run_report.hpp"

namespace mqtk::tools {

enum class bench_scenario : std::uint8_t { conn, pub, sub, pubsub, merge };
std::string_view to_string(bench_scenario s);

enum class progress_mode : std::uint8_t { line, json, none };

struct bench_options {
  bench_scenario scenario = bench_scenario::pub;
  connection_options connection;
  std::vector<std::string> hosts;     // -h a,b,c: clients spread round-robin
  std::vector<std::string> ifaddrs;   // --ifaddr: source addresses, round-robin

  std::uint64_t clients = 1;          // -c: publishers (pub, pubsub), subscribers (sub), connections (conn)
  std::optional<std::uint64_t> subscribers;  // pubsub --subscribers (default: as many as publishers)
  double connect_rate = 0;            // -R connections per second over all clients; 0: as fast as possible
  std::string prefix = "mqtk-bench";  // --prefix: client id = prefix + "_" + global index
  std::uint64_t start_index = 0;      // --start-index: the first client's global index
  unsigned threads = 0;               // --threads; 0: the number of cores
  double duration_s = 0;              // -d
  double warmup_s = 0;                // --warmup
  double hold_s = 0;                  // conn --hold
  double drain_s = 5;                 // --drain: how long to wait for outstanding acks/deliveries
  unsigned connect_timeout_s = 10;    // --connect-timeout

  std::uint64_t count = 0;            // -n messages per publisher (or per subscriber in sub)
  double interval_ms = 0;             // -I per publisher
  double rate = 0;                    // --rate messages per second over all publishers
  std::size_t size = 64;              // -s payload size (>= 32: the header)
  std::optional<std::string> message; // -m / --payload-file: a fixed payload, sent as is
  proto::qos qos = proto::qos::at_most_once;
  bool retain = false;
  // --inflight: unacknowledged messages per publisher. 20 as mosquitto_pub and mqtk-pub: a 3.1.1
  // client cannot learn the broker's limit, and mosquitto (max_inflight_messages 20) acknowledges
  // but drops incoming QoS 2 messages beyond it (observed with Debian's 2.0.11: --inflight 21 lost
  // 323 of 10,000 in pubsub -c 10 -n 1000 -q 2) - which bench then reports as loss.
  unsigned inflight = 20;
  std::string topic = "mqtk-bench/%i";    // -t: publish topic (pub, pubsub) or filter (sub)
  std::optional<std::string> sub_topic;   // pubsub --sub-topic: the subscribers' filter (default: -t)
  std::optional<proto::qos> sub_qos;      // pubsub --sub-qos (default -q)
  std::string shared_group;               // --shared GROUP: $share/GROUP/filter

  bool json = false;                  // --json: the report object on stdout
  progress_mode progress = progress_mode::line;
  std::string csv_file;               // --csv FILE: one line per second
  bench::gates gates;                 // --max-p99-ms --max-loss --min-rate
  std::uint64_t shard = 0;            // --shard I/N
  std::uint64_t shards = 1;
  std::optional<double> start_at;     // --start-at: Unix time (s) at which the measurement starts
  bool no_preflight = false;          // --no-preflight

  std::vector<std::string> merge_files;  // merge: the reports

  // The global index of this shard's client `local` (0-based): disjoint across shards.
  std::uint64_t global_index(std::uint64_t local) const { return start_index + shard * clients + local; }
  std::uint64_t publishers() const;
  std::uint64_t subscriber_count() const;
  // The per-publisher interval in ns (0: as fast as possible).
  std::int64_t interval_ns() const;
  // The options of the run for the report, secrets left out.
  nlohmann::json to_json() const;
};

// For main(): parses argv (and the config file ~/.config/mqtk/mqtk_bench, and
// JOB_COMPLETION_INDEX/JOB_COMPLETIONS for --shard). Returns -1 to go on, or the exit code
// after printing help, the version, or a one-line error.
int load_bench_options(int argc, char** argv, bench_options& out);
// The same for tests: throws CLI::ParseError.
bench_options parse_bench_options(const std::vector<std::string>& args, const option_env& env,
                                  const std::vector<std::pair<std::string, std::string>>& job_env = {});

}  // namespace mqtk::tools
