#include "mqtk/capture/tcp_reassembler.hpp"

#include <algorithm>
#include <cstring>
#include <map>

namespace mqtk::capture {
namespace {

// Ports that say "this side is the broker" when no SYN showed who connected to whom.
bool is_broker_port(std::uint16_t port) {
  switch (port) {
    case 1883: case 8883: case 8083: case 8084: case 80: case 443: return true;
    default: return false;
  }
}

flow as_flow(int d) { return d == 0 ? flow::client_to_server : flow::server_to_client; }

bool endpoint_less(const ip_address& a, std::uint16_t ap, const ip_address& b, std::uint16_t bp) {
  if (a.family != b.family) return a.family < b.family;
  const int c = std::memcmp(a.bytes.data(), b.bytes.data(), 16);
  return c != 0 ? c < 0 : ap < bp;
}

}  // namespace

struct tcp_reassembler::direction {
  struct piece {
    std::vector<std::uint8_t> bytes;
    std::uint64_t frame = 0;
    capture_time ts = 0;
  };

  bool started = false;
  std::uint32_t base = 0;  // the sequence number of relative offset 0
  std::uint64_t next = 0;  // relative offset of the next byte to deliver: 64 bits never wrap
  std::map<std::uint64_t, piece> pending;  // non-overlapping pieces ahead of `next`
  std::size_t pending_bytes = 0;
  // The last delivered bytes, a ring once full (oldest at history_head).
  std::vector<std::uint8_t> history;
  std::size_t history_head = 0;
  bool syn = false;
  std::uint32_t isn = 0;
  bool fin = false;
  std::uint64_t fin_at = 0;
  bool closed = false;
  bool window_known = false;
  std::uint16_t window = 0;

  std::int64_t relative(std::uint32_t seq) const {
    return static_cast<std::int64_t>(next) +
           static_cast<std::int32_t>(seq - (base + static_cast<std::uint32_t>(next)));
  }

  void remember(std::span<const std::uint8_t> b, std::size_t cap) {
    if (cap == 0 || b.empty()) return;
    if (b.size() >= cap) {
      history.assign(b.end() - static_cast<std::ptrdiff_t>(cap), b.end());
      history_head = 0;
      return;
    }
    if (history.size() < cap) {
      const std::size_t k = std::min(cap - history.size(), b.size());
      history.insert(history.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(k));
      b = b.subspan(k);
      history_head = 0;
    }
    while (!b.empty()) {
      const std::size_t k = std::min(b.size(), cap - history_head);
      std::memcpy(history.data() + history_head, b.data(), k);
      history_head = (history_head + k) % cap;
      b = b.subspan(k);
    }
  }

  // The delivered byte at relative offset `at` (which must lie in the remembered window).
  std::uint8_t delivered(std::uint64_t at) const {
    const std::uint64_t oldest = next - history.size();
    return history[(history_head + (at - oldest)) % history.size()];
  }

  // The history must be the bytes right before `next`: after a gap it no longer is.
  void forget_history() {
    history.clear();
    history_head = 0;
  }

  void release() {
    std::map<std::uint64_t, piece>().swap(pending);
    pending_bytes = 0;
    std::vector<std::uint8_t>().swap(history);
    history_head = 0;
  }
};

struct tcp_reassembler::connection {
  std::uint64_t stream = 0;
  ip_address client;
  std::uint16_t client_port = 0;
  ip_address server;
  std::uint16_t server_port = 0;
  direction dirs[2];
  bool reset = false;
  std::uint64_t last_frame = 0;
  capture_time last_ts = 0;
};

std::size_t tcp_reassembler::key_hash::operator()(const key& k) const noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull ^ (std::uint64_t{k.a_port} << 16 | k.b_port);
  const auto mix = [&h](const ip_address& a) {
    std::uint64_t w[2];
    std::memcpy(w, a.bytes.data(), 16);
    for (std::uint64_t v : w) {
      h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
      h *= 0xff51afd7ed558ccdull;
    }
  };
  mix(k.a);
  mix(k.b);
  return static_cast<std::size_t>(h ^ (h >> 33));
}

tcp_reassembler::tcp_reassembler(stream_sink& sink, reassembler_limits limits) : sink_(sink), limits_(limits) {}
tcp_reassembler::~tcp_reassembler() = default;

void tcp_reassembler::add(const tcp_segment& seg, std::uint64_t frame, capture_time ts) {
  ++stats_.segments;
  if (!closed_.empty()) retire_closed(frame);
  key k;
  if (endpoint_less(seg.src, seg.src_port, seg.dst, seg.dst_port)) {
    k = {seg.src, seg.dst, seg.src_port, seg.dst_port};
  } else {
    k = {seg.dst, seg.src, seg.dst_port, seg.src_port};
  }
  auto it = connections_.find(k);
  const bool syn = seg.has(tcp_flag::syn);
  if (it != connections_.end() && syn && !seg.has(tcp_flag::ack)) {
    connection& old = *it->second;
    const bool from_client = seg.src == old.client && seg.src_port == old.client_port;
    const direction& cd = old.dirs[0];
    // The same SYN again is a retransmission; any other SYN starts a new connection.
    if (!(from_client && cd.syn && cd.isn == seg.seq)) {
      end_connection(old, old.last_frame, old.last_ts);
      connections_.erase(it);  // a closed_ entry for it, if any, no longer matches a stream
      it = connections_.end();
    }
  }
  connection& c = it == connections_.end() ? open(k, seg, frame, ts) : *it->second;
  c.last_frame = frame;
  c.last_ts = ts;
  if (c.reset) return;
  const int d = seg.src == c.client && seg.src_port == c.client_port ? 0 : 1;
  direction& D = c.dirs[d];
  direction& peer = c.dirs[1 - d];
  D.window = seg.window;
  D.window_known = true;

  if (syn) {
    if (!D.syn) D.syn = true, D.isn = seg.seq;
    if (!D.started) D.started = true, D.base = seg.seq + 1, D.next = 0;
  } else if (!D.started) {
    // No SYN: the stream starts at the first sequence number seen.
    D.started = true, D.base = seg.seq, D.next = 0;
  }

  // The peer acknowledged bytes the capture never showed: the hole in front of its buffered
  // data will not fill, so report it now instead of holding the data until the end.
  if (seg.has(tcp_flag::ack) && peer.started && !peer.closed) {
    const std::int64_t acked = peer.relative(seg.ack);
    while (!peer.pending.empty() && acked > static_cast<std::int64_t>(peer.next)) {
      if (!skip_hole(c, 1 - d, frame, ts, true)) break;
    }
  }

  const std::int64_t rel = D.relative(seg.seq + (syn ? 1u : 0u));
  const std::size_t len = seg.payload.size();
  const bool control = seg.flags & (tcp_flag::syn | tcp_flag::fin | tcp_flag::rst);
  if (!control && len + seg.uncaptured <= 1 && rel == static_cast<std::int64_t>(D.next) - 1) {
    ++stats_.keepalives;  // a keep-alive probe repeats the last byte (or none): not data
  } else if (!D.closed && (len > 0 || seg.uncaptured > 0)) {
    if (len == 1 && rel == static_cast<std::int64_t>(D.next) && peer.window_known && peer.window == 0) {
      sink_.on_anomaly(c.stream, as_flow(d), "TCP zero-window probe", frame, ts);
    }
    insert(c, d, rel, seg.payload, seg.uncaptured, frame, ts);
  }

  if (seg.has(tcp_flag::fin) && !D.fin) {
    D.fin = true;
    D.fin_at = static_cast<std::uint64_t>(std::max<std::int64_t>(0, rel + static_cast<std::int64_t>(len + seg.uncaptured)));
    check_fin(c, d, frame, ts);
  }
  if (seg.has(tcp_flag::rst)) {
    flush(c, d, false, frame, ts);
    flush(c, 1 - d, false, frame, ts);
    close(c, d, close_kind::rst, frame, ts);
    close(c, 1 - d, close_kind::rst, frame, ts);
    c.reset = true;
  }
}

tcp_reassembler::connection& tcp_reassembler::open(const key& k, const tcp_segment& seg, std::uint64_t frame,
                                                   capture_time ts) {
  auto c = std::make_unique<connection>();
  bool src_is_client;
  if (seg.has(tcp_flag::syn)) {
    src_is_client = !seg.has(tcp_flag::ack);
  } else if (is_broker_port(seg.dst_port) != is_broker_port(seg.src_port)) {
    src_is_client = is_broker_port(seg.dst_port);
  } else {
    src_is_client = seg.src_port >= seg.dst_port;  // ephemeral ports are the high ones
  }
  c->client = src_is_client ? seg.src : seg.dst;
  c->client_port = src_is_client ? seg.src_port : seg.dst_port;
  c->server = src_is_client ? seg.dst : seg.src;
  c->server_port = src_is_client ? seg.dst_port : seg.src_port;
  c->stream = stats_.streams++;
  stream_info info;
  info.stream = c->stream;
  info.client = {c->client.to_string(), c->client_port};
  info.server = src_is_client ? endpoint{seg.dst.to_string(), seg.dst_port} : endpoint{seg.src.to_string(), seg.src_port};
  info.saw_syn = seg.has(tcp_flag::syn);
  info.first_frame = frame;
  info.first_time = ts;
  sink_.on_stream_open(info);
  auto& slot = connections_[k];
  slot = std::move(c);
  return *slot;
}

void tcp_reassembler::end_connection(connection& c, std::uint64_t frame, capture_time ts) {
  if (c.reset) return;
  for (int d = 0; d < 2; ++d) {
    flush(c, d, true, frame, ts);
    close(c, d, c.dirs[d].fin ? close_kind::fin : close_kind::capture_end, frame, ts);
  }
}

void tcp_reassembler::insert(connection& c, int d, std::int64_t rel, std::span<const std::uint8_t> bytes,
                             std::uint32_t uncaptured, std::uint64_t frame, capture_time ts) {
  direction& D = c.dirs[d];
  const std::int64_t next = static_cast<std::int64_t>(D.next);
  std::int64_t end = rel + static_cast<std::int64_t>(bytes.size());
  if (rel < next) {
    const std::size_t old = static_cast<std::size_t>(std::min(end, next) - rel);
    if (!check_retransmission(c, d, rel, bytes.first(old), frame, ts) && end <= next) ++stats_.retransmissions;
    if (end <= next) return;
    bytes = bytes.subspan(old);
    rel = next;
  }
  if (rel == next && (D.pending.empty() || static_cast<std::int64_t>(D.pending.begin()->first) >= end)) {
    deliver(c, d, bytes, frame, ts);
    D.next += bytes.size();
    if (uncaptured > 0) {
      ++stats_.gaps;
      stats_.gap_bytes += uncaptured;
      sink_.on_gap(c.stream, as_flow(d), uncaptured, frame, ts);
      D.next += uncaptured;
      D.forget_history();
    }
    drain(c, d, frame, ts, false);
    return;
  }
  if (rel > next) ++stats_.out_of_order;

  // Keep only what no earlier copy covers; compare what both cover (first copy wins).
  std::int64_t at = rel;
  bool conflict = false;
  auto it = D.pending.upper_bound(static_cast<std::uint64_t>(rel));
  if (it != D.pending.begin()) --it;
  struct span_piece {
    std::int64_t begin;
    std::int64_t end;
  };
  std::vector<span_piece> fresh;  // the out-of-order path allocates anyway
  for (; it != D.pending.end() && static_cast<std::int64_t>(it->first) < end; ++it) {
    const std::int64_t pb = static_cast<std::int64_t>(it->first);
    const std::int64_t pe = pb + static_cast<std::int64_t>(it->second.bytes.size());
    if (pe <= at) continue;
    if (pb > at) fresh.push_back({at, pb});
    const std::int64_t ob = std::max(at, pb), oe = std::min(end, pe);
    if (oe > ob && std::memcmp(bytes.data() + (ob - rel), it->second.bytes.data() + (ob - pb),
                               static_cast<std::size_t>(oe - ob)) != 0) {
      conflict = true;
    }
    at = std::max(at, pe);
  }
  if (at < end) fresh.push_back({at, end});
  if (conflict) {
    ++stats_.conflicts;
    sink_.on_anomaly(c.stream, as_flow(d), "overlapping TCP segment with different bytes (first copy kept)", frame, ts);
  }
  for (const auto& f : fresh) {
    direction::piece p;
    p.bytes.assign(bytes.begin() + (f.begin - rel), bytes.begin() + (f.end - rel));
    p.frame = frame;
    p.ts = ts;
    D.pending_bytes += p.bytes.size();
    D.pending.emplace(static_cast<std::uint64_t>(f.begin), std::move(p));
  }
  if (rel == next) drain(c, d, frame, ts, false);
  while (D.pending_bytes > limits_.max_buffered) {
    if (!skip_hole(c, d, frame, ts, true)) break;
  }
}

void tcp_reassembler::deliver(connection& c, int d, std::span<const std::uint8_t> bytes, std::uint64_t frame,
                              capture_time ts) {
  if (bytes.empty()) return;
  c.dirs[d].remember(bytes, limits_.retransmit_history);
  sink_.on_data(c.stream, as_flow(d), bytes, frame, ts);
}

void tcp_reassembler::drain(connection& c, int d, std::uint64_t frame, capture_time ts, bool use_stored) {
  direction& D = c.dirs[d];
  while (!D.pending.empty()) {
    auto it = D.pending.begin();
    if (it->first > D.next) break;
    auto& p = it->second;
    const std::uint64_t end = it->first + p.bytes.size();
    if (end > D.next) {
      const auto rest = std::span<const std::uint8_t>(p.bytes).subspan(D.next - it->first);
      deliver(c, d, rest, use_stored ? p.frame : frame, use_stored ? p.ts : ts);
      D.next = end;
    }
    D.pending_bytes -= p.bytes.size();
    D.pending.erase(it);
  }
  check_fin(c, d, frame, ts);
}

bool tcp_reassembler::skip_hole(connection& c, int d, std::uint64_t frame, capture_time ts, bool use_stored) {
  direction& D = c.dirs[d];
  if (D.pending.empty()) return false;
  const auto& first = *D.pending.begin();
  const std::uint64_t frame_at = use_stored ? first.second.frame : frame;
  const capture_time ts_at = use_stored ? first.second.ts : ts;
  if (first.first > D.next) {
    const std::uint64_t missing = first.first - D.next;
    ++stats_.gaps;
    stats_.gap_bytes += missing;
    sink_.on_gap(c.stream, as_flow(d), missing, frame_at, ts_at);
    D.next = first.first;
    D.forget_history();
  }
  drain(c, d, frame_at, ts_at, use_stored);
  return true;
}

void tcp_reassembler::flush(connection& c, int d, bool use_stored, std::uint64_t frame, capture_time ts) {
  while (skip_hole(c, d, frame, ts, use_stored)) {
  }
}

bool tcp_reassembler::check_retransmission(connection& c, int d, std::int64_t rel,
                                           std::span<const std::uint8_t> bytes, std::uint64_t frame,
                                           capture_time ts) {
  const direction& D = c.dirs[d];
  const std::int64_t oldest = static_cast<std::int64_t>(D.next - D.history.size());
  const std::int64_t from = std::max(rel, oldest);
  const std::int64_t to = rel + static_cast<std::int64_t>(bytes.size());
  for (std::int64_t at = from; at < to; ++at) {
    if (D.delivered(static_cast<std::uint64_t>(at)) != bytes[static_cast<std::size_t>(at - rel)]) {
      ++stats_.conflicts;
      sink_.on_anomaly(c.stream, as_flow(d),
                       "TCP retransmission with different bytes (first copy kept)", frame, ts);
      return true;
    }
  }
  return false;
}

void tcp_reassembler::check_fin(connection& c, int d, std::uint64_t frame, capture_time ts) {
  const direction& D = c.dirs[d];
  if (D.fin && !D.closed && D.next >= D.fin_at) close(c, d, close_kind::fin, frame, ts);
}

void tcp_reassembler::close(connection& c, int d, close_kind how, std::uint64_t frame, capture_time ts) {
  direction& D = c.dirs[d];
  if (D.closed) return;
  D.closed = true;
  D.release();
  sink_.on_close(c.stream, as_flow(d), how, frame, ts);
  if (c.dirs[1 - d].closed) {
    key k;
    const ip_address& server = c.server;
    if (endpoint_less(c.client, c.client_port, server, c.server_port)) {
      k = {c.client, server, c.client_port, c.server_port};
    } else {
      k = {server, c.client, c.server_port, c.client_port};
    }
    closed_.push_back({k, c.stream, frame});
  }
}

void tcp_reassembler::retire_closed(std::uint64_t frame) {
  while (!closed_.empty() && closed_.front().frame + limits_.closed_linger_frames < frame) {
    const closed_entry& e = closed_.front();
    auto it = connections_.find(e.k);
    // The tuple may have been reused by a newer connection since: only forget the old one.
    if (it != connections_.end() && it->second->stream == e.stream) connections_.erase(it);
    closed_.pop_front();
  }
}

void tcp_reassembler::finish() {
  std::vector<connection*> open;
  open.reserve(connections_.size());
  for (auto& [k, c] : connections_) open.push_back(c.get());
  std::sort(open.begin(), open.end(), [](const connection* a, const connection* b) { return a->stream < b->stream; });
  for (connection* c : open) end_connection(*c, c->last_frame, c->last_ts);
  connections_.clear();
  closed_.clear();
}

}  // namespace mqtk::capture
