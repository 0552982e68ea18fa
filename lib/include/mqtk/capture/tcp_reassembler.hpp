#pragma once
// Per-connection TCP reassembly: turns segments in capture order into in-order bytes per
// direction, pushed to a stream_sink. Handles out-of-order segments, retransmissions (first
// copy wins; different bytes are reported), overlaps, keep-alive and zero-window probes,
// FIN/RST, sequence wrap, 4-tuple reuse after a new SYN, and streams that start
// mid-conversation. Memory is bounded by the number of open connections, not by input size.
#include <cstdint>
#include <memory>
#include <deque>
#include <unordered_map>
#include <vector>

#include "mqtk/capture/stream_sink.hpp"
#include "mqtk/capture/tcp_segment.hpp"

namespace mqtk::capture {

struct reassembler_limits {
  // Out-of-order bytes held per direction before the hole in front of them is given up on
  // and reported as a gap.
  std::size_t max_buffered = 4u << 20;
  // Delivered bytes remembered per direction, to tell a faithful retransmission from one
  // that carries different bytes.
  std::size_t retransmit_history = 16u << 10;
  // A closed connection is remembered for this many frames, so late ACKs and retransmitted
  // FINs still belong to it, then forgotten, so memory follows open connections only.
  std::uint64_t closed_linger_frames = 100'000;
};

struct reassembler_stats {
  std::uint64_t segments = 0;
  std::uint64_t streams = 0;
  std::uint64_t retransmissions = 0;  // segments whose bytes had all been delivered already
  std::uint64_t out_of_order = 0;     // segments buffered ahead of a hole
  std::uint64_t gaps = 0;
  std::uint64_t gap_bytes = 0;
  std::uint64_t conflicts = 0;        // retransmissions or overlaps with different bytes
  std::uint64_t keepalives = 0;
};

class tcp_reassembler {
 public:
  explicit tcp_reassembler(stream_sink& sink, reassembler_limits limits = {});
  ~tcp_reassembler();
  tcp_reassembler(const tcp_reassembler&) = delete;
  tcp_reassembler& operator=(const tcp_reassembler&) = delete;

  void add(const tcp_segment& segment, std::uint64_t frame, capture_time ts);
  // The capture ended: report the holes that never filled, deliver what was buffered behind
  // them, and close every direction still open (close_kind::capture_end), in stream order.
  void finish();

  const reassembler_stats& stats() const noexcept { return stats_; }

 private:
  struct connection;
  struct direction;
  struct key {
    ip_address a;
    ip_address b;
    std::uint16_t a_port = 0;
    std::uint16_t b_port = 0;
    friend bool operator==(const key&, const key&) = default;
  };
  struct key_hash {
    std::size_t operator()(const key& k) const noexcept;
  };

  connection& open(const key& k, const tcp_segment& seg, std::uint64_t frame, capture_time ts);
  void end_connection(connection& c, std::uint64_t frame, capture_time ts);
  void insert(connection& c, int d, std::int64_t rel, std::span<const std::uint8_t> bytes,
              std::uint32_t uncaptured, std::uint64_t frame, capture_time ts);
  void deliver(connection& c, int d, std::span<const std::uint8_t> bytes, std::uint64_t frame,
               capture_time ts);
  void drain(connection& c, int d, std::uint64_t frame, capture_time ts, bool use_stored);
  // Gives up on the first hole of a direction: reports it and delivers what follows.
  bool skip_hole(connection& c, int d, std::uint64_t frame, capture_time ts, bool use_stored);
  void flush(connection& c, int d, bool use_stored, std::uint64_t frame, capture_time ts);
  bool check_retransmission(connection& c, int d, std::int64_t rel, std::span<const std::uint8_t> bytes,
                            std::uint64_t frame, capture_time ts);
  void check_fin(connection& c, int d, std::uint64_t frame, capture_time ts);
  void close(connection& c, int d, close_kind how, std::uint64_t frame, capture_time ts);
  void retire_closed(std::uint64_t frame);

  struct closed_entry {
    key k;
    std::uint64_t stream;
    std::uint64_t frame;
  };

  stream_sink& sink_;
  reassembler_limits limits_;
  reassembler_stats stats_;
  std::unordered_map<key, std::unique_ptr<connection>, key_hash> connections_;
  std::deque<closed_entry> closed_;  // in order of closing
};

}  // namespace mqtk::capture
