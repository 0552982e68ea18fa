#pragma once
// What one bench run measured: counts, failures by cause, and latency histograms. One per
// worker thread while running (no shared counters on the hot path), merged after the join;
// serialised as the --json report and read back by `mqtk-bench merge`, which merges reports
// of several load machines the same way (counts add, histograms merge, percentiles are
// computed from the merged histograms, never averaged).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mqtk/bench/histogram.hpp"
#include "mqtk/bench/sequence_tracker.hpp"

namespace mqtk::bench {

// Counts by cause, e.g. {"not authorized (0x87)": 3, "timeout": 1}.
using cause_counts = std::map<std::string, std::uint64_t>;

struct run_report {
  std::string scenario;         // conn, pub, sub, pubsub
  nlohmann::json config;        // the options of the run (secrets left out), as given
  std::uint64_t shards = 1;     // how many reports were merged into this one

  struct connections_t {
    std::uint64_t attempted = 0;
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
    cause_counts failed_by_reason;      // refusals by reason code, timeouts, unreachable, TLS
    std::uint64_t lost = 0;             // established connections that dropped during the run
    cause_counts lost_by_reason;        // server DISCONNECT reason, EOF, reset, keepalive
  } connections;

  struct messages_t {
    std::uint64_t sent = 0;             // PUBLISH handed to the client
    std::uint64_t acked = 0;            // QoS 1 PUBACK / QoS 2 PUBCOMP (or written, QoS 0)
    std::uint64_t publish_failed = 0;   // refused by the broker or lost with the connection
    cause_counts publish_failed_by_reason;
    std::uint64_t late = 0;             // handed over more than one interval after due
    delivery_counts delivery;           // received, duplicated, out_of_order, lost
    std::uint64_t received_without_header = 0;  // payloads that were not bench's
  } messages;

  // The measurement phase (after warm-up): its length, and what happened within it, for rates.
  struct window_t {
    double duration_s = 0;
    std::uint64_t sent = 0;
    std::uint64_t acked = 0;
    std::uint64_t received = 0;
    std::uint64_t connected = 0;        // connections completed (conn scenario's rate)
  } window;

  struct latency_t {
    histogram connect_tcp;       // from the start of the connect to TCP established
    histogram connect_tls;       // TLS handshake alone
    histogram connect_connack;   // from the start of the connect to CONNACK (the whole connect)
    histogram publish_ack;       // publish -> PUBACK/PUBCOMP, from the intended send time
    histogram publish_ack_uncorrected;  // from the actual send time
    histogram send_lag;          // actual send time - intended send time
    histogram end_to_end;        // publish -> delivery at a subscriber, from the intended time
    histogram end_to_end_uncorrected;
  } latency;

  struct resources_t {
    double cpu_user_s = 0;
    double cpu_sys_s = 0;
    std::uint64_t max_rss_kib = 0;      // merged: the largest of the shards
  } resources;

  // Adds `other` (another worker's or another machine's report) into this one. The window is
  // the longest of the two (shards run side by side), its counts add.
  void merge(const run_report& other);

  nlohmann::json to_json() const;
  // Throws std::invalid_argument naming what is wrong.
  static run_report from_json(const nlohmann::json& j);

  // Rates over the measurement window (0 when it has no length).
  double rate(std::uint64_t count) const noexcept;
};

// The human report: summary lines and one latency row per non-empty histogram (count, min,
// p50, p90, p99, p99.9, p99.99, max, mean, in ms).
std::string to_text(const run_report& r);

// The CI gates: each one set is checked against the report; the result names every figure
// that failed ("p99 publish->ack latency 12.3 ms > --max-p99-ms 10"), empty when all passed.
struct gates {
  double max_p99_ms = -1;   // < 0: not set. Applies to end_to_end if it has samples, else publish_ack.
  double max_loss = -1;     // fraction 0..1 of expected deliveries (or of sent without subscribers)
  double min_rate = -1;     // messages/s over the window: received with subscribers, else acked
};
std::vector<std::string> check(const run_report& r, const gates& g);

}  // namespace mqtk::bench
