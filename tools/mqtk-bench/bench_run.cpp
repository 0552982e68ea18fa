#include "mqtk-bench/bench_run.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>

#include "common/client_config.hpp"
#include "mqtk-bench/preflight.hpp"
#include "mqtk-bench/worker.hpp"
#include "mqtk/diag/exit_code.hpp"
#include "mqtk/diag/operation_failure.hpp"
#include "mqtk/bench/latency_series.hpp"
#include "mqtk/bench/topic_template.hpp"
#include "mqtk/net/tls_context.hpp"

namespace mqtk::tools {
namespace {

constexpr std::string_view tool = "mqtk-bench";

std::atomic<bool> interrupted{false};
extern "C" void on_interrupt(int) { interrupted.store(true); }

struct totals {
  std::uint64_t attempted = 0, connected = 0, failed = 0, lost = 0, sent = 0, acked = 0, received = 0;
  std::uint64_t connects_done = 0, publishers_done = 0, subscribers_done = 0;
  std::int64_t last_event_ns = 0, first_connect_ns = 0, last_connect_ns = 0;
};

totals sum(const std::vector<std::unique_ptr<bench_worker>>& workers) {
  totals t;
  for (const auto& w : workers) {
    const auto& l = w->live();
    auto get = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    t.attempted += get(l.attempted);
    t.connected += get(l.connected);
    t.failed += get(l.failed);
    t.lost += get(l.lost);
    t.sent += get(l.sent);
    t.acked += get(l.acked);
    t.received += get(l.received);
    t.connects_done += get(l.connects_done);
    t.publishers_done += get(l.publishers_done);
    t.subscribers_done += get(l.subscribers_done);
    t.last_event_ns = std::max(t.last_event_ns, l.last_event_ns.load(std::memory_order_relaxed));
    const auto first = l.first_connect_ns.load(std::memory_order_relaxed);
    if (first != 0 && (t.first_connect_ns == 0 || first < t.first_connect_ns)) t.first_connect_ns = first;
    t.last_connect_ns = std::max(t.last_connect_ns, l.last_connect_ns.load(std::memory_order_relaxed));
  }
  return t;
}

// The live figures, once a second: one rewritten line on a terminal, plain lines in a pipe,
// JSON lines with --progress=json; the same figures to --csv.
class progress_printer {
 public:
  progress_printer(const bench_options& o, const std::vector<std::unique_ptr<bench_worker>>& workers)
      : o_(o), workers_(workers), tty_(isatty(STDERR_FILENO) == 1), start_ns_(bench_now_ns()) {
    if (!o.csv_file.empty()) {
      csv_.open(o.csv_file);
      if (csv_) {
        csv_ << "elapsed_s,phase,connected,failed,lost,sent,acked,received,sent_per_s,acked_per_s,received_per_s,"
             << bench::latency_csv_header << '\n';
      }
    }
  }
  bool csv_failed() const { return !o_.csv_file.empty() && !csv_; }
  ~progress_printer() { end_line(); }

  void tick(const totals& t, std::string_view phase) {
    write_ready_rows(false);
    const std::int64_t now = bench_now_ns();
    if (now - last_ns_ < 1'000'000'000) return;
    const double dt = last_ns_ == 0 ? 1.0 : static_cast<double>(now - last_ns_) / 1e9;
    const double elapsed = static_cast<double>(now - start_ns_) / 1e9;
    const double sent_rate = static_cast<double>(t.sent - prev_.sent) / dt;
    const double acked_rate = static_cast<double>(t.acked - prev_.acked) / dt;
    const double recv_rate = static_cast<double>(t.received - prev_.received) / dt;
    last_ns_ = now;
    prev_ = t;
    if (csv_) {
      // The counts now; the latency of this second once every worker has closed it.
      rows_.push_back({.second = next_second_,
                       .counts = fmt::format("{:.3f},{},{},{},{},{},{},{},{:.1f},{:.1f},{:.1f}", elapsed, phase, t.connected,
                                             t.failed, t.lost, t.sent, t.acked, t.received, sent_rate, acked_rate, recv_rate),
                       .parts = std::vector<bool>(workers_.size(), false)});
      for (const auto& w : workers_) w->close_second(next_second_);
      ++next_second_;
      write_ready_rows(false);
    }
    if (o_.progress == progress_mode::none) return;
    if (o_.progress == progress_mode::json) {
      const nlohmann::json j{{"elapsed_s", elapsed}, {"phase", phase},      {"connected", t.connected},
                             {"failed", t.failed},   {"lost", t.lost},      {"sent", t.sent},
                             {"acked", t.acked},     {"received", t.received}, {"sent_per_s", sent_rate},
                             {"acked_per_s", acked_rate}, {"received_per_s", recv_rate}};
      std::cerr << j.dump() << '\n';
      return;
    }
    const std::string line = fmt::format(
        "{:7.1f}s {:<8} conn {} ok {} failed {} lost | sent {} ({:.0f}/s) acked {} ({:.0f}/s) received {} ({:.0f}/s)", elapsed,
        phase, t.connected, t.failed, t.lost, t.sent, sent_rate, t.acked, acked_rate, t.received, recv_rate);
    if (tty_) {
      std::cerr << '\r' << line << "\x1b[K" << std::flush;
      open_line_ = true;
    } else {
      std::cerr << tool << ": " << line << '\n';
    }
  }
  void end_line() {
    if (open_line_) std::cerr << '\n';
    open_line_ = false;
  }
  // After the workers' join: the rows still waiting for a worker's second get what it holds.
  void finish() { write_ready_rows(true); }

 private:
  struct row {
    std::uint64_t second = 0;
    std::string counts;
    std::vector<bool> parts;  // by worker: its histogram of this second is in `latency`
    bench::histogram latency;
  };

  // Writes the rows, in order, whose latency every worker has delivered. `joined`: the workers
  // have ended; a second a worker never closed is in its remaining_second() (the last row).
  void write_ready_rows(bool joined) {
    while (!rows_.empty()) {
      row& r = rows_.front();
      bool complete = true;
      for (std::size_t i = 0; i < workers_.size(); ++i) {
        if (r.parts[i]) continue;
        if (auto h = workers_[i]->take_second(r.second)) {
          r.latency.merge(*h);
          r.parts[i] = true;
        } else if (joined) {
          if (rows_.size() == 1) r.latency.merge(workers_[i]->remaining_second());
          r.parts[i] = true;
        } else {
          complete = false;
        }
      }
      if (!complete) return;
      csv_ << r.counts << ',' << bench::latency_csv_fields(r.latency) << '\n';
      csv_.flush();
      rows_.pop_front();
    }
  }

  const bench_options& o_;
  const std::vector<std::unique_ptr<bench_worker>>& workers_;
  std::deque<row> rows_;
  std::uint64_t next_second_ = 0;
  bool tty_;
  std::int64_t start_ns_;
  std::int64_t last_ns_ = 0;
  totals prev_;
  bool open_line_ = false;
  std::ofstream csv_;
};

// The lean links' targets (bench_link.hpp), host-major by source address; empty when every
// connection goes through the general client: TLS, WebSocket, a proxy or a Unix socket, or a
// host or source address where a probe connection fails (the general client then explains the
// failure in its words, with the exit code of ARCHITECTURE.md).
std::vector<bench_link::target> lean_targets(const bench_options& o, const client::client_options& base) {
  namespace asio = boost::asio;
  using asio::ip::tcp;
  if (base.target.scheme != net::scheme::mqtt || base.net.proxy || !base.net.unix_socket.empty()) return {};
  const std::vector<std::string> hosts = o.hosts.size() > 1 ? o.hosts : std::vector<std::string>{base.target.host};
  std::vector<std::optional<asio::ip::address>> sources;
  for (const auto& a : o.ifaddrs.empty() && !base.net.bind_address.empty() ? std::vector<std::string>{base.net.bind_address} : o.ifaddrs) {
    boost::system::error_code ec;
    sources.emplace_back(asio::ip::make_address(a, ec));
    if (ec) return {};
  }
  if (sources.empty()) sources.emplace_back();
  asio::io_context io;
  tcp::resolver resolver(io);
  std::vector<bench_link::target> out;
  for (const auto& host : hosts) {
    boost::system::error_code ec;
    const auto found = resolver.resolve(host, std::to_string(base.target.port), ec);
    if (ec) return {};
    for (const auto& source : sources) {
      std::optional<bench_link::target> chosen;
      for (const auto& entry : found) {
        const tcp::endpoint ep = entry.endpoint();
        if (source && source->is_v4() != ep.address().is_v4()) continue;
        if ((base.net.family == net::ip_family::v4 && !ep.address().is_v4()) ||
            (base.net.family == net::ip_family::v6 && !ep.address().is_v6())) {
          continue;
        }
        tcp::socket probe(io);
        probe.open(ep.protocol(), ec);
        if (!ec && source) probe.bind(tcp::endpoint(*source, 0), ec);
        if (ec) continue;
        bool ok = false;
        probe.async_connect(ep, [&ok](boost::system::error_code e) { ok = !e; });
        io.restart();
        io.run_for(base.net.connect_timeout);
        probe.close(ec);
        io.run();  // the aborted wait, if it timed out: nothing may outlive `ok`
        if (!ok) continue;
        chosen = bench_link::target{.broker = ep, .source = source, .subject = net::host_port(host, base.target.port), .host = host};
        break;
      }
      if (!chosen) return {};
      out.push_back(std::move(*chosen));
    }
  }
  return out;
}

void sleep_tick() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

double seconds_of(const rusage& r, bool user) {
  const timeval& t = user ? r.ru_utime : r.ru_stime;
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

int print_report(const bench::run_report& r, const bench_options& o) {
  if (o.json) {
    std::cout << r.to_json().dump() << '\n';
  } else {
    std::cout << bench::to_text(r);
  }
  std::cout.flush();
  const auto failed = bench::check(r, o.gates);
  if (!failed.empty()) {
    std::string line;
    for (const auto& f : failed) line += (line.empty() ? "" : "; ") + f;
    std::cerr << tool << ": check failed: " << line << '\n';
    return diag::to_int(diag::exit_code::check_failed);
  }
  return 0;
}

// After the report: 76 with the first line when the broker broke the protocol on a
// connection, else 75 with the first line when connections were lost during the run; 0 when
// none ended without our DISCONNECT.
int losses_exit(const std::vector<std::unique_ptr<bench_worker>>& workers, std::uint64_t lost) {
  std::uint64_t breaks = 0;
  std::string protocol_line, lost_line;
  for (const auto& w : workers) {
    const bench_losses& l = w->losses();
    breaks += l.protocol_breaks;
    if (protocol_line.empty()) protocol_line = l.first_protocol_line;
    if (lost_line.empty()) lost_line = l.first_lost_line;
  }
  if (breaks != 0) {
    std::cerr << tool << ": " << diag::operation_failure_line(diag::bench_protocol_broken{breaks, protocol_line}) << '\n';
    return diag::to_int(diag::exit_code::protocol_error);
  }
  if (lost != 0) {
    std::cerr << tool << ": " << diag::operation_failure_line(diag::bench_connections_lost{lost, lost_line}) << '\n';
    return diag::to_int(diag::exit_code::connection_lost);
  }
  return 0;
}

}  // namespace

int run_bench(const bench_options& o) {
  const std::uint64_t subs = o.subscriber_count();
  const std::uint64_t pubs = o.publishers();
  const std::uint64_t total = o.scenario == bench_scenario::conn ? o.clients : subs + pubs;

  if (!o.no_preflight) {
    const auto limits = read_system_limits(total);
    auto errors = bench::preflight_errors(limits, total, o.hosts.size(), o.ifaddrs.size());
    const auto bad = unusable_source_addresses(o.ifaddrs);
    errors.insert(errors.end(), bad.begin(), bad.end());
    if (!errors.empty()) {
      std::cerr << tool << ": " << errors.front() << " (--no-preflight skips this check)\n";
      return diag::to_int(diag::exit_code::usage);
    }
  }

  client::client_options base = make_client_options(o.connection, client::reconnect_policy::publisher());
  base.net.connect_timeout = std::chrono::seconds(o.connect_timeout_s);
  // Bench clients exchange small packets: a smaller read buffer keeps thousands of idle
  // connections cheap; larger messages are still assembled by the decoder.
  // conn holds idle connections: the smallest buffer the client takes (PINGRESP and CONNACK
  // are a few bytes).
  base.read_buffer_size = o.scenario == bench_scenario::conn
                              ? 512
                              : std::max<std::size_t>(4096, std::min<std::size_t>(16 * 1024, o.size + 64));
  if (o.connection.uses_tls()) {
    net::connect_failure failure;
    base.net.shared_tls = net::make_tls_context(base.net.tls, &failure);
    if (!base.net.shared_tls) {
      const std::string why = failure.detail ? failure.detail.message() : failure.error.message();
      std::cerr << tool << ": " << diag::operation_failure_line(diag::bench_tls_setup_failed{why}) << '\n';
      return diag::to_int(diag::exit_code::tls_failed);
    }
  }

  // Connect order: subscribers first, so that they are subscribed before anything is published.
  const unsigned threads = static_cast<unsigned>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(o.threads, total)));
  std::vector<std::vector<bench_slot>> slots(threads);
  std::uint64_t order = 0;
  auto place = [&](bench_role role, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i, ++order) slots[order % threads].push_back({.order = order, .local = i, .role = role});
  };
  if (o.scenario == bench_scenario::conn) {
    place(bench_role::connection, o.clients);
  } else {
    place(bench_role::subscriber, subs);
    place(bench_role::publisher, pubs);
  }

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::signal(SIGPIPE, SIG_IGN);

  std::vector<std::unique_ptr<bench_worker>> workers;
  progress_printer progress(o, workers);
  if (progress.csv_failed()) {
    std::cerr << tool << ": --csv: cannot write '" << o.csv_file << "'\n";
    return diag::to_int(diag::exit_code::cannot_open_input);
  }
  // The lean links take CONNECT as given: the URL's user and password as the client would.
  base.connect.edit([&](proto::connect& p) {
    if (!p.username && base.target.username) p.username = *base.target.username;
    if (!p.password && base.target.password) p.password = *base.target.password;
  });
  const std::vector<bench_link::target> lean = lean_targets(o, base);
  for (auto& s : slots) workers.push_back(std::make_unique<bench_worker>(o, base, lean, std::move(s)));

  // Phase 1: connect (and subscribe).
  const std::int64_t t0 = bench_now_ns();
  for (auto& w : workers) w->connect(t0);
  totals t = sum(workers);
  while (t.connects_done < total && !interrupted) {
    sleep_tick();
    t = sum(workers);
    progress.tick(t, "connect");
  }
  const std::int64_t connected_at = bench_now_ns();

  bench::run_report report;
  report.scenario = std::string(to_string(o.scenario));
  report.config = o.to_json();
  std::int64_t window_start = t.first_connect_ns;
  std::int64_t window_end = t.last_connect_ns != 0 ? t.last_connect_ns : connected_at;

  // Nothing to measure when no connection worked: report what failed and end with its code.
  const bool all_failed = t.connected == 0 && total > 0 && !interrupted;

  if (all_failed) {
    // straight to the report
  } else if (o.scenario == bench_scenario::conn) {
    const std::int64_t hold_end = bench_now_ns() + static_cast<std::int64_t>(o.hold_s * 1e9);
    while (bench_now_ns() < hold_end && !interrupted) {
      sleep_tick();
      progress.tick(sum(workers), "hold");
    }
  } else if (!interrupted) {
    // Phase 2: warm-up and measurement, from one start time for every worker (and, with
    // --start-at, every shard).
    std::int64_t start = bench_now_ns() + 20'000'000;
    if (o.start_at) {
      const std::int64_t wanted = static_cast<std::int64_t>(*o.start_at * 1e9);
      if (wanted < start) {
        std::cerr << tool << ": warning: --start-at is " << fmt::format("{:.3f}", static_cast<double>(start - wanted) / 1e9)
                  << " s in the past after connecting; starting now\n";
      } else {
        start = wanted;
      }
    }
    const std::int64_t warmup_end = start + static_cast<std::int64_t>(o.warmup_s * 1e9);
    const std::int64_t measure_end = o.duration_s > 0 ? warmup_end + static_cast<std::int64_t>(o.duration_s * 1e9) : 0;
    for (auto& w : workers) w->start(start, warmup_end, measure_end);
    window_start = warmup_end;

    auto phase = [&] { return bench_now_ns() < warmup_end ? "warmup" : "measure"; };
    if (pubs > 0) {
      while (!interrupted) {
        t = sum(workers);
        if (t.publishers_done >= pubs) break;
        progress.tick(t, phase());
        sleep_tick();
      }
      // Phase 3: drain: deliveries still on their way to the subscribers.
      if (subs > 0 && !interrupted) {
        // Known only for the default one-to-one layout (subscriber i on publisher i's %i topic);
        // otherwise (fan-out, wildcards, shared groups) the drain ends when deliveries stop.
        const bench::topic_template layout(o.topic);
        const bool one_to_one = !o.sub_topic && o.shared_group.empty() && subs == pubs && layout.uses_index() &&
                                !layout.per_message();
        const std::uint64_t expected = one_to_one ? t.sent : 0;
        std::uint64_t seen = t.received;
        std::int64_t quiet_since = bench_now_ns();
        while (!interrupted) {
          t = sum(workers);
          if (expected != 0 && t.received >= expected) break;
          if (t.received != seen) {
            seen = t.received;
            quiet_since = bench_now_ns();
          }
          if (bench_now_ns() - quiet_since > static_cast<std::int64_t>(o.drain_s * 1e9)) break;
          if (expected == 0 && bench_now_ns() - quiet_since > 500'000'000) break;
          progress.tick(t, "drain");
          sleep_tick();
        }
      }
      // -d: the window is exactly the configured measurement; -n: until the last ack or delivery.
      window_end = measure_end != 0 ? measure_end : std::max(t.last_event_ns, warmup_end);
    } else {
      // sub: until -d passes, every subscriber has -n messages, or Ctrl-C.
      while (!interrupted) {
        t = sum(workers);
        if (measure_end != 0 && bench_now_ns() >= measure_end) break;
        if (o.count != 0 && t.subscribers_done >= subs) break;
        progress.tick(t, phase());
        sleep_tick();
      }
      window_end = measure_end != 0 ? std::min(bench_now_ns(), measure_end) : bench_now_ns();
    }
  }
  if (interrupted) {
    progress.end_line();
    std::cerr << tool << ": interrupted: reporting what was measured so far\n";
    window_end = bench_now_ns();
  }
  progress.end_line();

  // Phase 4: done. Disconnect, join, merge.
  for (auto& w : workers) w->shutdown();
  for (auto& w : workers) w->join();
  progress.finish();
  std::unordered_map<std::uint32_t, std::uint64_t> sent;
  for (auto& w : workers) {
    for (const auto& [id, n] : w->sent_by_publisher()) sent[id] = n;
  }
  bench::run_report merged;
  merged.shards = 0;  // each worker's report counts as one: reset below
  for (auto& w : workers) {
    w->report().messages.delivery = w->finish_deliveries(sent);
    merged.merge(w->report());
  }
  merged.shards = 1;
  merged.scenario = report.scenario;
  merged.config = report.config;
  merged.window.duration_s = window_end > window_start ? static_cast<double>(window_end - window_start) / 1e9 : 0.0;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  merged.resources = {.cpu_user_s = seconds_of(usage, true),
                      .cpu_sys_s = seconds_of(usage, false),
                      .max_rss_kib = static_cast<std::uint64_t>(usage.ru_maxrss)};
  if (merged.connections.failed != 0 && !all_failed) {
    std::cerr << tool << ": warning: " << merged.connections.failed << " of " << merged.connections.attempted
              << " connections failed (see connections.by_reason)\n";
  }
  if (all_failed) {
    if (o.json) std::cout << merged.to_json().dump() << std::endl;
    for (auto& w : workers) {
      if (const auto line = w->first_failure_line(); !line.empty()) {
        std::cerr << tool << ": " << diag::operation_failure_line(diag::bench_every_connection_failed{total, line}) << '\n';
        return w->first_failure_exit_code() != 0 ? w->first_failure_exit_code() : diag::to_int(diag::exit_code::internal);
      }
    }
    return diag::to_int(diag::exit_code::internal);
  }
  const int checked = print_report(merged, o);
  // A run whose connections the broker broke or dropped measured something else than the run
  // asked for: CI must not read it as a pass, whatever the figures (ARCHITECTURE.md, exit codes).
  if (const int rc = losses_exit(workers, merged.connections.lost); rc != 0) return rc;
  if (interrupted && checked == 0) return 130;
  return checked;
}

int run_merge(const bench_options& o) {
  bench::run_report merged;
  bool first = true;
  for (const auto& file : o.merge_files) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << tool << ": merge: cannot open '" << file << "'\n";
      return diag::to_int(diag::exit_code::cannot_open_input);
    }
    try {
      // The report is the last JSON object in the file (a file may also hold progress lines).
      std::string line, last;
      while (std::getline(in, line)) {
        if (!line.empty() && line.front() == '{') last = line;
      }
      const auto r = bench::run_report::from_json(nlohmann::json::parse(last));
      if (first) {
        merged = r;
        first = false;
      } else {
        if (r.scenario != merged.scenario) {
          std::cerr << tool << ": merge: '" << file << "' is a " << r.scenario << " report, the first was " << merged.scenario
                    << ": merge reports of one scenario\n";
          return diag::to_int(diag::exit_code::bad_input);
        }
        merged.merge(r);
      }
    } catch (const std::exception& e) {
      std::cerr << tool << ": merge: '" << file << "' is not an mqtk-bench --json report: " << e.what() << '\n';
      return diag::to_int(diag::exit_code::bad_input);
    }
  }
  return print_report(merged, o);
}

}  // namespace mqtk::tools
