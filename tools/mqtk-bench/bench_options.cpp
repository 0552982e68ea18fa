#include "mqtk-bench/bench_options.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "common/option_loader.hpp"
#include "common/security_warnings.hpp"
#include "common/option_values.hpp"
#include "common/tool_info.hpp"
#include "mqtk/bench/payload_header.hpp"
#include "mqtk/bench/topic_template.hpp"

namespace mqtk::tools {

std::string_view to_string(bench_scenario s) {
  switch (s) {
    case bench_scenario::conn: return "conn";
    case bench_scenario::pub: return "pub";
    case bench_scenario::sub: return "sub";
    case bench_scenario::pubsub: return "pubsub";
    case bench_scenario::merge: return "merge";
  }
  return "?";
}

std::uint64_t bench_options::publishers() const {
  return scenario == bench_scenario::pub || scenario == bench_scenario::pubsub ? clients : 0;
}

std::uint64_t bench_options::subscriber_count() const {
  if (scenario == bench_scenario::sub) return clients;
  if (scenario == bench_scenario::pubsub) return subscribers.value_or(clients);
  return 0;
}

std::int64_t bench_options::interval_ns() const {
  if (interval_ms > 0) return static_cast<std::int64_t>(interval_ms * 1e6);
  if (rate > 0) return static_cast<std::int64_t>(static_cast<double>(publishers()) * 1e9 / rate);
  return 0;
}

nlohmann::json bench_options::to_json() const {
  const auto& c = connection;
  return {{"hosts", hosts},
          {"port", c.effective_port()},
          {"tls", c.uses_tls()},
          {"websocket", c.transport == transport_kind::websocket},
          {"version", std::string(proto::version_name(c.version))},
          {"clients", clients},
          {"publishers", publishers()},
          {"subscribers", subscriber_count()},
          {"shard", shard},
          {"shards", shards},
          {"threads", threads},
          {"count", count},
          {"duration_s", duration_s},
          {"warmup_s", warmup_s},
          {"interval_ms", static_cast<double>(interval_ns()) / 1e6},
          {"rate", rate},
          {"size", message ? message->size() : size},
          {"qos", static_cast<int>(qos)},
          {"inflight", inflight},
          {"topic", topic},
          {"ifaddrs", ifaddrs}};
}

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// The connection groups of mqtk-pub/sub, minus the options whose letters bench gives
// emqtt-bench's meanings (see bench_options.hpp).
void add_bench_connection_options(CLI::App& app, bench_options& o) {
  // A URL's topic means nothing to bench: its topics come from -t and the scenario.
  add_connection_options(app, o.connection, {});
  if (auto* g = app.get_option_group("Connection")) {
    for (const char* name : {"-c", "-I", "-d", "-i", "-M"}) {
      if (auto* opt = g->get_option_no_throw(name)) g->remove_option(opt);
    }
    if (auto* host = g->get_option_no_throw("-h")) {
      host->description("Broker host (default localhost); several, comma-separated, take the clients round-robin");
    }
  }
}

double seconds(std::string_view option, const std::string& v) { return parse_decimal(option, v, 0, 1e9); }

void add_common(CLI::App& app, bench_options& o) {
  add_bench_connection_options(app, o);
  auto* g = app.add_option_group("Load", "How many clients, how fast, for how long");
  add_value_option(*g, "-c,--clients", "Number of clients (default 1)", "N", [&o](const std::string& v) {
    o.clients = static_cast<std::uint64_t>(parse_integer("-c", v, 1, 10'000'000));
  });
  add_value_option(*g, "-R,--connect-rate", "Connections started per second, all threads together (default: no pacing)",
                   "N", [&o](const std::string& v) { o.connect_rate = parse_decimal("-R", v, 0.001, 1e7); });
  add_value_option(*g, "--connect-interval", "Milliseconds between connection starts (the same as -R 1000/MS)", "MS",
                   [&o](const std::string& v) { o.connect_rate = 1000.0 / parse_decimal("--connect-interval", v, 0.001, 1e9); });
  add_value_option(*g, "--connect-timeout", "Seconds for each connect, CONNACK included (default 10)", "S",
                   [&o](const std::string& v) { o.connect_timeout_s = static_cast<unsigned>(parse_integer("--connect-timeout", v, 1, 3600)); });
  add_value_option(*g, "--prefix", "Client id prefix: ids are PREFIX_<index> (default mqtk-bench)", "PREFIX",
                   [&o](const std::string& v) { o.prefix = v; });
  add_value_option(*g, "--start-index", "Global index of the first client (default 0): %i and the client ids count from it",
                   "N", [&o](const std::string& v) { o.start_index = static_cast<std::uint64_t>(parse_integer("--start-index", v, 0, 0xFFFFFFFFll)); });
  add_value_option(*g, "--ifaddr", "Source addresses to bind, comma-separated, used round-robin (beats the ephemeral port limit)",
                   "ADDR[,ADDR...]", [&o](const std::string& v) {
                     o.ifaddrs = split(v, ',');
                     for (const auto& a : o.ifaddrs) {
                       if (a.empty()) usage_error("--ifaddr", "empty address in '" + v + "'");
                     }
                   });
  add_value_option(*g, "--threads", "Worker threads, each with its own event loop (default: one per 1,000 connections, at most the number of cores)", "N",
                   [&o](const std::string& v) { o.threads = static_cast<unsigned>(parse_integer("--threads", v, 1, 1024)); });
  add_value_option(*g, "-d,--duration", "Measure for this many seconds after the warm-up", "S",
                   [&o](const std::string& v) { o.duration_s = parse_decimal("-d", v, 0.001, 1e9); });
  add_value_option(*g, "--warmup", "Seconds run before measuring: counted, but not in the latency figures or rates", "S",
                   [&o](const std::string& v) { o.warmup_s = seconds("--warmup", v); });
  add_value_option(*g, "--drain", "Seconds to wait at the end for outstanding acknowledgements and deliveries (default 5)",
                   "S", [&o](const std::string& v) { o.drain_s = seconds("--drain", v); });
  add_value_option(*g, "--shard", "This process is shard I of N (0-based): disjoint client ids and topics (default: "
                   "JOB_COMPLETION_INDEX/JOB_COMPLETIONS when set)", "I/N", [&o](const std::string& v) {
                     const auto parts = split(v, '/');
                     if (parts.size() != 2) usage_error("--shard", "expected I/N, e.g. 0/4, got '" + v + "'");
                     o.shards = static_cast<std::uint64_t>(parse_integer("--shard", parts[1], 1, 100'000));
                     o.shard = static_cast<std::uint64_t>(parse_integer("--shard", parts[0], 0, static_cast<std::int64_t>(o.shards) - 1));
                   });
  add_value_option(*g, "--start-at", "Start the measurement at this Unix time (seconds, e.g. $(($(date +%s)+10))): shards "
                   "begin together", "TIME", [&o](const std::string& v) { o.start_at = parse_decimal("--start-at", v, 0, 1e11); });
  g->add_flag("--no-preflight", o.no_preflight, "Skip the checks of ulimit -n, the ephemeral port range and --ifaddr");

  auto* r = app.add_option_group("Report");
  r->add_flag("--json", o.json, "Print the report as one JSON object (histograms included) on stdout");
  add_value_option(*r, "--progress", "Live figures each second on stderr: line (default), json or none", "MODE",
                   [&o](const std::string& v) {
                     if (v == "line") o.progress = progress_mode::line;
                     else if (v == "json") o.progress = progress_mode::json;
                     else if (v == "none") o.progress = progress_mode::none;
                     else usage_error("--progress", "expected line, json or none, got '" + v + "'");
                   });
  add_value_option(*r, "--csv", "Write one line per second to FILE: cumulative counts, rates, and p50/p90/p99/max latency of that second", "FILE",
                   [&o](const std::string& v) { o.csv_file = v; });
  add_value_option(*r, "--max-p99-ms", "Exit 90 when the p99 latency (end to end, else publish->ack) is above MS", "MS",
                   [&o](const std::string& v) { o.gates.max_p99_ms = parse_decimal("--max-p99-ms", v, 0, 1e9); });
  add_value_option(*r, "--max-loss", "Exit 90 when more than this fraction (0..1) of the messages was lost", "FRACTION",
                   [&o](const std::string& v) { o.gates.max_loss = parse_decimal("--max-loss", v, 0, 1); });
  add_value_option(*r, "--min-rate", "Exit 90 when fewer messages (conn: connections) per second were handled", "N",
                   [&o](const std::string& v) { o.gates.min_rate = parse_decimal("--min-rate", v, 0, 1e12); });
}

void add_publish(CLI::App& app, bench_options& o) {
  auto* g = app.add_option_group("Publish");
  add_value_option(*g, "-t,--topic", "Topic, with placeholders %i (client index) %c (client id) %s (sequence) %rand_N "
                   "(default mqtk-bench/%i)", "TOPIC", [&o](const std::string& v) { o.topic = v; });
  add_value_option(*g, "-n,--count", "Messages per publisher (default: until -d ends)", "N", [&o](const std::string& v) {
    o.count = static_cast<std::uint64_t>(parse_integer("-n", v, 1, 0xFFFFFFFFll));
  });
  add_value_option(*g, "-I,--interval", "Milliseconds between messages of each publisher (open loop)", "MS",
                   [&o](const std::string& v) { o.interval_ms = parse_decimal("-I", v, 0.001, 1e9); });
  add_value_option(*g, "--rate", "Messages per second over all publishers, spread evenly (open loop)", "N",
                   [&o](const std::string& v) { o.rate = parse_decimal("--rate", v, 0.001, 1e9); });
  add_value_option(*g, "-s,--size", "Payload size in bytes, >= 32 (a header with sequence and send time; default 64)",
                   "BYTES", [&o](const std::string& v) {
                     o.size = static_cast<std::size_t>(parse_integer("-s", v, bench::payload_header::size, 256 * 1024 * 1024));
                   });
  add_value_option(*g, "-m,--message", "A fixed payload sent as is (no header: no loss count, no end-to-end latency)",
                   "TEXT", [&o](const std::string& v) { o.message = v; });
  add_value_option(*g, "--payload-file", "A fixed payload from FILE, sent as is (like -m)", "FILE", [&o](const std::string& v) {
    std::ifstream in(v, std::ios::binary);
    if (!in) throw options_file_error("--payload-file: cannot open '" + v + "'");
    o.message = std::string(std::istreambuf_iterator<char>(in), {});
  });
  add_value_option(*g, "-q,--qos", "QoS of the messages (default 0)", "QOS", [&o](const std::string& v) { o.qos = parse_qos("-q", v); });
  g->add_flag("-r,--retain", o.retain, "Retain the messages");
  add_value_option(*g, "--inflight", "Unacknowledged messages per publisher (default 20; 5.0: at most the broker's Receive Maximum)", "N", [&o](const std::string& v) {
    o.inflight = static_cast<unsigned>(parse_integer("--inflight", v, 1, 65535));
  });
}

void add_subscribe(CLI::App& app, bench_options& o, bool pubsub) {
  auto* g = app.add_option_group("Subscribe");
  if (pubsub) {
    add_value_option(*g, "--subscribers", "Number of subscribers (default: as many as publishers, subscriber i on "
                     "publisher i's topic)", "N", [&o](const std::string& v) {
                       o.subscribers = static_cast<std::uint64_t>(parse_integer("--subscribers", v, 0, 10'000'000));
                     });
    add_value_option(*g, "--sub-topic", "The subscribers' filter, with %i %c (default: -t)", "FILTER",
                     [&o](const std::string& v) { o.sub_topic = v; });
    add_value_option(*g, "--sub-qos", "Subscription QoS (default: -q)", "QOS",
                     [&o](const std::string& v) { o.sub_qos = parse_qos("--sub-qos", v); });
  } else {
    add_value_option(*g, "-t,--topic", "Filter, with placeholders %i %c (default mqtk-bench/%i)", "FILTER",
                     [&o](const std::string& v) { o.topic = v; });
    add_value_option(*g, "-q,--qos", "Subscription QoS (default 0)", "QOS", [&o](const std::string& v) { o.qos = parse_qos("-q", v); });
    add_value_option(*g, "-n,--count", "Stop when each subscriber has received N messages", "N", [&o](const std::string& v) {
      o.count = static_cast<std::uint64_t>(parse_integer("-n", v, 1, 0xFFFFFFFFll));
    });
  }
  add_value_option(*g, "--shared", "Subscribe as members of shared subscription group GROUP ($share/GROUP/filter)", "GROUP",
                   [&o](const std::string& v) {
                     if (v.empty() || v.find_first_of("/+#") != std::string::npos) {
                       usage_error("--shared", "a group name without '/', '+' or '#'");
                     }
                     o.shared_group = v;
                   });
}

void check_template(std::string_view option, const std::string& text, bool filter) {
  try {
    bench::topic_template t(text);
    std::mt19937_64 rng(1);
    const std::string sample = t.expand(0, "id", 0, rng);
    if (filter) {
      check_topic_filter(option, sample);
    } else {
      check_topic_name(option, sample);
    }
  } catch (const std::invalid_argument& e) {
    usage_error(option, e.what());
  }
}

void finish(bench_options& o, const option_env& env, const std::vector<std::pair<std::string, std::string>>& job_env,
            bool shard_given) {
  if (o.scenario == bench_scenario::merge) {
    if (o.merge_files.empty()) usage_error("merge", "name at least one report file (from --json)");
    return;
  }
  finish_connection_options(o.connection, env, "mqtk-bench_");
  o.connection.max_inflight = o.inflight;
  o.connection.clean_session = true;
  o.hosts = split(o.connection.host, ',');
  for (const auto& h : o.hosts) {
    if (h.empty()) usage_error("-h", "empty host in '" + o.connection.host + "'");
  }
  if (o.hosts.size() > 1 && (o.connection.url || !o.connection.unix_socket.empty())) {
    usage_error("-h", "several hosts cannot be combined with -L or --unix");
  }
  if (!o.ifaddrs.empty() && !o.connection.bind_address.empty()) usage_error("--ifaddr", "cannot be combined with -A");
  if (!o.ifaddrs.empty() && o.connection.proxy) usage_error("--ifaddr", "cannot be combined with --proxy");
  if (o.threads == 0) {
    // One thread per 1,000 connections, at most one per core: a thread handles ~200,000
    // acknowledgements a second on loopback, and a thread with few sockets wakes once per
    // message instead of once per batch of ready sockets (10 publishers x 10,000 QoS 1: 4.2
    // us of CPU per message on one thread, 4.9 on two; 100 publishers: 5.0 and 7.2).
    const std::uint64_t connections =
        o.scenario == bench_scenario::conn ? o.clients : o.publishers() + o.subscriber_count();
    o.threads = static_cast<unsigned>(std::clamp<std::uint64_t>((connections + 999) / 1000, 1,
                                                                std::max(1u, std::thread::hardware_concurrency())));
  }

  if (!shard_given) {
    std::optional<std::string> index, completions;
    for (const auto& [k, v] : job_env) {
      if (k == "JOB_COMPLETION_INDEX") index = v;
      if (k == "JOB_COMPLETIONS") completions = v;
    }
    if (index) {
      o.shard = static_cast<std::uint64_t>(parse_integer("JOB_COMPLETION_INDEX", *index, 0, 100'000));
      o.shards = completions ? static_cast<std::uint64_t>(parse_integer("JOB_COMPLETIONS", *completions, 1, 100'000))
                             : o.shard + 1;
      if (o.shard >= o.shards) usage_error("JOB_COMPLETION_INDEX", "is not below JOB_COMPLETIONS");
    }
  }

  const bool publishes = o.scenario == bench_scenario::pub || o.scenario == bench_scenario::pubsub;
  if (publishes) {
    if (o.interval_ms > 0 && o.rate > 0) usage_error("--rate", "give either -I (per publisher) or --rate (total), not both");
    if (o.count == 0 && o.duration_s == 0) usage_error("-n", "say how much to publish: -n MESSAGES_PER_CLIENT or -d SECONDS");
    if (o.message && o.scenario == bench_scenario::pubsub) {
      usage_error("-m", "pubsub needs bench's own payload header to count loss and latency; use -s instead");
    }
    if (o.warmup_s > 0 && o.count != 0 && o.duration_s == 0 && o.interval_ns() == 0) {
      usage_error("--warmup", "needs a rate (-I/--rate) or -d with -n: otherwise the warm-up has no defined end");
    }
    check_template("-t", o.topic, false);
  }
  if (o.scenario == bench_scenario::sub) check_template("-t", o.topic, true);
  if (o.scenario == bench_scenario::pubsub) check_template("--sub-topic", o.sub_topic.value_or(o.topic), true);
  if (o.scenario == bench_scenario::conn && o.hold_s == 0 && o.duration_s > 0) o.hold_s = o.duration_s;
}

void add_scenario(CLI::App& app, bench_options& o, bench_scenario s, std::string description) {
  auto* sub = app.add_subcommand(std::string(to_string(s)), std::move(description));
  sub->callback([&o, s] { o.scenario = s; });
  sub->parse_complete_callback([&o, s] { o.scenario = s; });
  if (s == bench_scenario::merge) {
    sub->add_option("reports", o.merge_files, "Report files written with --json (one per shard)")->required();
    sub->add_flag("--json", o.json, "Print the merged report as one JSON object");
    add_value_option(*sub, "--max-p99-ms", "Exit 90 when the merged p99 latency is above MS", "MS",
                     [&o](const std::string& v) { o.gates.max_p99_ms = parse_decimal("--max-p99-ms", v, 0, 1e9); });
    add_value_option(*sub, "--max-loss", "Exit 90 when more than this fraction was lost", "FRACTION",
                     [&o](const std::string& v) { o.gates.max_loss = parse_decimal("--max-loss", v, 0, 1); });
    add_value_option(*sub, "--min-rate", "Exit 90 when the merged rate is lower", "N",
                     [&o](const std::string& v) { o.gates.min_rate = parse_decimal("--min-rate", v, 0, 1e12); });
    return;
  }
  add_common(*sub, o);
  if (s == bench_scenario::conn) {
    add_value_option(*sub, "--hold", "Seconds to hold the connections open, keepalive running (default 0)", "S",
                     [&o](const std::string& v) { o.hold_s = seconds("--hold", v); });
  }
  if (s == bench_scenario::pub || s == bench_scenario::pubsub) add_publish(*sub, o);
  if (s == bench_scenario::sub || s == bench_scenario::pubsub) add_subscribe(*sub, o, s == bench_scenario::pubsub);
}

void build_app(CLI::App& app, bench_options& o) {
  configure_app(app, "mqtk-bench");
  app.set_help_all_flag("--help-all", "Print the help of every scenario");
  app.require_subcommand(1);
  add_scenario(app, o, bench_scenario::conn, "Open -c connections (paced by -R) and hold them (--hold)");
  add_scenario(app, o, bench_scenario::pub, "Publish from -c clients: -n messages each or for -d seconds, open loop with -I/--rate");
  add_scenario(app, o, bench_scenario::sub, "Subscribe -c clients and count what arrives (loss per publisher from bench's header)");
  add_scenario(app, o, bench_scenario::pubsub, "Publishers and subscribers in one process: publish->ack and end-to-end latency, exact loss");
  add_scenario(app, o, bench_scenario::merge, "Merge --json reports of several shards (histograms and counts, never averages)");
}

bool shard_given(const CLI::App& app) {
  for (const auto* sub : app.get_subcommands()) {
    if (const auto* opt = sub->get_option_no_throw("--shard"); opt && opt->count() > 0) return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> job_env_of_process() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* k : {"JOB_COMPLETION_INDEX", "JOB_COMPLETIONS"}) {
    if (const char* v = std::getenv(k)) out.emplace_back(k, v);
  }
  return out;
}

}  // namespace

bench_options parse_bench_options(const std::vector<std::string>& args, const option_env& env,
                                  const std::vector<std::pair<std::string, std::string>>& job_env) {
  CLI::App app{"Load generator: conn, pub, sub and pubsub scenarios with latency histograms"};
  bench_options o;
  build_app(app, o);
  parse_words(app, args);
  finish(o, env, job_env, shard_given(app));
  return o;
}

int load_bench_options(int argc, char** argv, bench_options& out) {
  CLI::App app{"Load generator: conn, pub, sub and pubsub scenarios with latency histograms"};
  bench_options o;
  build_app(app, o);
  const option_env env = option_env::from_process();
  const int rc = run_option_loader(app, [&] {
    parse_words(app, args_of(argc, argv));
    finish(o, env, job_env_of_process(), shard_given(app));
  });
  if (rc < 0) print_security_warnings("mqtk-bench", o.connection);
  if (rc < 0) out = std::move(o);
  return rc;
}

}  // namespace mqtk::tools
