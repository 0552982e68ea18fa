#pragma once
// One worker of mqtk-bench: a thread with its own io_context, its share of the connections
// (connection k of the run goes to worker k % threads) and its own run_report, so that nothing
// on the hot path is shared between threads (h2load's structure). The main thread drives the
// phases by posting commands (connect, start, stop) and reads a few single-writer atomics for
// the live line; the reports are merged after join().
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "mqtk-bench/bench_link.hpp"
#include "mqtk-bench/bench_options.hpp"
#include "mqtk/bench/histogram.hpp"
#include "mqtk/bench/run_report.hpp"
#include "mqtk/client/client_options.hpp"

namespace mqtk::tools {

// Nanoseconds on one clock for every thread: steady (never jumps) but shifted to the Unix
// epoch once per process, so that payload headers read in another process on the same machine
// (or a synchronised one) give meaningful end-to-end times.
std::int64_t bench_now_ns();

enum class bench_role : std::uint8_t { connection, publisher, subscriber };

struct bench_slot {
  std::uint64_t order = 0;   // position in the run's connect order (pacing: order / -R)
  std::uint64_t local = 0;   // index within its role, 0-based, in this shard
  bench_role role = bench_role::connection;
};

// Figures the main thread reads while workers run; each written by its worker only.
struct alignas(64) bench_live {
  std::atomic<std::uint64_t> attempted{0}, connected{0}, failed{0}, lost{0};
  std::atomic<std::uint64_t> sent{0}, acked{0}, received{0};
  std::atomic<std::uint64_t> connects_done{0};  // attempts finished (subscriptions included)
  std::atomic<std::uint64_t> publishers_done{0};
  std::atomic<std::uint64_t> subscribers_done{0};  // sub -n reached
  std::atomic<std::int64_t> last_event_ns{0};      // last ack or delivery
  std::atomic<std::int64_t> first_connect_ns{0}, last_connect_ns{0};
};

// The connections of a worker that ended during the run without our DISCONNECT, for the exit
// code (ARCHITECTURE.md, mqtk-bench): those the broker ended by breaking the protocol, and the
// first one's stderr line of each kind (client::failure_details::line()).
struct bench_losses {
  std::uint64_t protocol_breaks = 0;
  std::string first_protocol_line;
  std::string first_lost_line;
};

class bench_worker {
 public:
  // `lean_targets` (held by the caller for the worker's life): the resolved broker per host and
  // source address (host-major) for the lean plain-TCP links; empty: the general client.
  bench_worker(const bench_options& o, const client::client_options& base, const std::vector<bench_link::target>& lean_targets,
               std::vector<bench_slot> slots);
  ~bench_worker();
  bench_worker(const bench_worker&) = delete;
  bench_worker& operator=(const bench_worker&) = delete;

  std::size_t size() const noexcept;
  std::size_t publishers() const noexcept;
  std::size_t subscribers() const noexcept;
  const bench_live& live() const noexcept { return live_; }

  // Commands from the main thread; each runs on the worker's thread.
  void connect(std::int64_t t0_ns);
  void start(std::int64_t start_ns, std::int64_t warmup_end_ns, std::int64_t measure_end_ns);
  void stop_publishing();  // publishers stop sending (Ctrl-C, -d over): outstanding acks still count
  void shutdown();         // DISCONNECT everything, then the thread ends
  void join();

  // The --csv series (latency_series.hpp): ends second `index` on the worker's thread; its
  // histogram is then collected once with take_second(). After join(): remaining_second() holds
  // what was recorded since the last close.
  void close_second(std::uint64_t index);
  std::optional<bench::histogram> take_second(std::uint64_t index);
  const bench::histogram& remaining_second() const noexcept;

  // After join(): this worker's report (deliveries without losses yet) and what it sent.
  bench::run_report& report() noexcept;
  // Messages each publisher (by global index) handed to the client.
  const std::unordered_map<std::uint32_t, std::uint64_t>& sent_by_publisher() const noexcept;
  // Losses and delivery counts of every subscriber, given what each publisher sent.
  bench::delivery_counts finish_deliveries(const std::unordered_map<std::uint32_t, std::uint64_t>& sent) const;
  // The first connect failure's one-line explanation and exit code (for "every connect failed").
  std::string first_failure_line() const;
  int first_failure_exit_code() const;
  // After join(): the connections lost during the run, by cause.
  const bench_losses& losses() const noexcept;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
  bench_live live_;
};

}  // namespace mqtk::tools
