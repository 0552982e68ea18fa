#include "mqtk-bench/worker.hpp"

#include <chrono>
#include <optional>
#include <random>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mqtk/bench/payload_header.hpp"
#include "mqtk/bench/send_schedule.hpp"
#include "mqtk/bench/sequence_tracker.hpp"
#include "mqtk/bench/topic_template.hpp"
#include "mqtk/client/client.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session_error.hpp"

namespace asio = boost::asio;

namespace mqtk::tools {

namespace {

using steady = std::chrono::steady_clock;

const std::int64_t epoch_offset_ns = [] {
  const auto wall = std::chrono::system_clock::now().time_since_epoch();
  const auto mono = steady::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(wall - mono).count();
}();

steady::time_point to_steady(std::int64_t ns) {
  return steady::time_point(std::chrono::duration_cast<steady::duration>(std::chrono::nanoseconds(ns - epoch_offset_ns)));
}
std::int64_t ns_of(steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() + epoch_offset_ns;
}
std::uint64_t us_between(std::int64_t from_ns, std::int64_t to_ns) {
  return to_ns > from_ns ? static_cast<std::uint64_t>((to_ns - from_ns) / 1000) : 0;
}

// Concurrent connects per worker when -R does not pace them: enough to fill a broker's accept
// queue, few enough not to overflow a default SYN backlog.
constexpr std::uint64_t max_concurrent_connects = 128;

}  // namespace

std::int64_t bench_now_ns() { return ns_of(steady::now()); }

struct bench_connection {
  bench_slot slot;
  std::uint32_t global = 0;
  std::string id;
  std::unique_ptr<client::client> c;
  std::int64_t connect_start_ns = 0;
  std::int64_t tcp_ns = 0;
  bool connected = false;
  // publisher
  std::string topic;
  std::vector<std::uint8_t> payload;
  bench::send_schedule schedule;
  std::uint64_t sent = 0;
  std::uint64_t outstanding = 0;
  std::unique_ptr<asio::steady_timer> wake;
  bool waiting_for_acks = false;
  std::uint64_t wake_at_outstanding = 0;
  // subscriber
  std::string filter;
  std::optional<bench::sequence_tracker> tracker;
  std::uint64_t received = 0;
  bool subscriber_done = false;
};

struct bench_worker::impl {
  const bench_options& o;
  client::client_options base;
  bench_live& live;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::vector<std::unique_ptr<bench_connection>> conns;
  bench::run_report report;
  std::unordered_map<std::uint32_t, std::uint64_t> sent_by_publisher;
  std::optional<bench::topic_template> pub_topic;
  std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t connecting = 0;
  std::uint64_t connects_done = 0;
  std::unique_ptr<asio::steady_timer> connect_room;
  std::int64_t start_ns_ = 0;
  std::int64_t warmup_end_ns = 0;
  std::int64_t measure_end_ns = 0;  // 0: no end (count mode)
  bool stopping_publishing = false;
  std::uint64_t publishers_done = 0;
  std::uint64_t subscribers_done = 0;
  std::string first_failure_line;
  int first_failure_exit = 0;
  std::string topic_buffer;
  std::thread thread;

  impl(const bench_options& opts, const client::client_options& b, bench_live& l) : o(opts), base(b), live(l) {
    connect_room = std::make_unique<asio::steady_timer>(io);
  }

  bool in_window(std::int64_t t) const { return t >= warmup_end_ns && (measure_end_ns == 0 || t < measure_end_ns); }

  std::string id_of(const bench_slot& s, std::uint64_t global) const {
    const char* role = "";
    if (o.scenario == bench_scenario::pubsub) role = s.role == bench_role::publisher ? "p" : "s";
    return o.prefix + "_" + role + std::to_string(global);
  }

  void add(const bench_slot& s) {
    auto c = std::make_unique<bench_connection>();
    c->slot = s;
    c->global = static_cast<std::uint32_t>(o.global_index(s.local));
    c->id = id_of(s, c->global);
    client::client_options opts = base;
    opts.connect.edit([&](proto::connect& p) { p.client_id = c->id; });
    if (o.hosts.size() > 1) opts.target.host = o.hosts[s.order % o.hosts.size()];
    if (!o.ifaddrs.empty()) opts.net.bind_address = o.ifaddrs[s.order % o.ifaddrs.size()];
    bench_connection* raw = c.get();
    opts.net.observer.on_tcp_connected = [this, raw](const net::tcp_connected_event& e) {
      raw->tcp_ns = ns_of(e.at);
      if (in_connect_window()) report.latency.connect_tcp.record(us_between(raw->connect_start_ns, raw->tcp_ns));
    };
    opts.net.observer.on_tls_done = [this, raw](const net::tls_done_event& e) {
      if (in_connect_window()) report.latency.connect_tls.record(us_between(raw->tcp_ns, ns_of(e.at)));
    };
    opts.observer.on_connection_lost = [this, raw](const client::connection_lost_event& e) {
      raw->connected = false;
      ++report.connections.lost;
      std::string why = e.reason_code != 0
                            ? "server DISCONNECT: " +
                                  std::string(proto::reason_code_name(e.reason_code, proto::packet_type::disconnect, o.connection.version)) +
                                  " (" + proto::reason_code_hex(e.reason_code) + ")"
                            : std::string(e.message);
      ++report.connections.lost_by_reason[why];
      live.lost.store(report.connections.lost, std::memory_order_relaxed);
      if (raw->wake) raw->wake->cancel();
    };
    c->c = std::make_unique<client::client>(io.get_executor(), std::move(opts));
    mqtk::bench::topic_template filter(o.scenario == bench_scenario::pubsub ? o.sub_topic.value_or(o.topic) : o.topic);
    if (s.role == bench_role::subscriber) {
      c->tracker.emplace();
      c->filter = filter.expand(c->global, c->id, 0, rng);
      if (!o.shared_group.empty()) c->filter = "$share/" + o.shared_group + "/" + c->filter;
      // Subscriber i of the default pubsub layout is on publisher i's topic: its messages are
      // expected here, so losing all of them still counts.
      if (o.scenario == bench_scenario::pubsub && !o.sub_topic && o.shared_group.empty() && s.local < o.publishers() &&
          filter.uses_index()) {
        c->tracker->expect(c->global);
      }
      c->c->on_message([this, raw](const proto::publish& m) { on_message(*raw, m); });
    }
    if (s.role == bench_role::publisher) {
      if (!pub_topic->per_message()) c->topic = pub_topic->expand(c->global, c->id, 0, rng);
      if (o.message) {
        c->payload.assign(o.message->begin(), o.message->end());
      } else {
        c->payload.assign(o.size, 'x');
      }
      c->wake = std::make_unique<asio::steady_timer>(io);
    }
    conns.push_back(std::move(c));
  }

  bool connect_phase_over = false;
  bool in_connect_window() const { return !connect_phase_over || o.scenario == bench_scenario::conn; }

  std::string failure_key(const client::client& c) const {
    const auto& f = c.last_failure();
    if (f.broker_refused()) {
      return "refused: " + std::string(proto::reason_code_name(f.reason_code, f.where, f.version)) + " (" +
             proto::reason_code_hex(f.reason_code) + ")";
    }
    return f.error ? f.error.message() : std::string("unknown");
  }

  asio::awaitable<void> connect_all(std::int64_t t0_ns) {
    asio::steady_timer pace(io);
    for (auto& c : conns) {
      if (o.connect_rate > 0) {
        pace.expires_at(to_steady(t0_ns + static_cast<std::int64_t>(static_cast<double>(c->slot.order) * 1e9 / o.connect_rate)));
        co_await pace.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      while (connecting >= max_concurrent_connects) {
        connect_room->expires_at(steady::time_point::max());
        co_await connect_room->async_wait(asio::as_tuple(asio::use_awaitable));
      }
      ++connecting;
      asio::co_spawn(io, connect_one(*c), asio::detached);
    }
  }

  asio::awaitable<void> connect_one(bench_connection& c) {
    c.connect_start_ns = bench_now_ns();
    if (report.connections.attempted == 0) live.first_connect_ns.store(c.connect_start_ns, std::memory_order_relaxed);
    ++report.connections.attempted;
    live.attempted.store(report.connections.attempted, std::memory_order_relaxed);
    auto [ec, r] = co_await c.c->async_connect(asio::as_tuple(asio::use_awaitable));
    const std::int64_t done = bench_now_ns();
    if (ec) {
      ++report.connections.failed;
      ++report.connections.failed_by_reason[failure_key(*c.c)];
      if (first_failure_line.empty()) {
        first_failure_line = c.c->last_failure().line();
        first_failure_exit = c.c->last_failure().exit_code();
      }
      live.failed.store(report.connections.failed, std::memory_order_relaxed);
    } else {
      c.connected = true;
      ++report.connections.succeeded;
      ++report.window.connected;
      report.latency.connect_connack.record(us_between(c.connect_start_ns, done));
      live.connected.store(report.connections.succeeded, std::memory_order_relaxed);
      live.last_connect_ns.store(done, std::memory_order_relaxed);
      if (c.slot.role == bench_role::subscriber) co_await subscribe(c);
    }
    --connecting;
    connect_room->cancel();
    ++connects_done;
    live.connects_done.store(connects_done, std::memory_order_relaxed);
  }

  asio::awaitable<void> subscribe(bench_connection& c) {
    const std::vector<proto::subscription> subs{{.filter = c.filter, .max_qos = o.sub_qos.value_or(o.qos)}};
    const proto::subscribe request{.subscriptions = proto::list_view<proto::subscription>(subs)};
    auto [ec, r] = co_await c.c->async_subscribe(request, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      // A refused subscription makes this client useless for the run: count it as a failed
      // connection, with the SUBACK's reason.
      ++report.connections.failed;
      --report.connections.succeeded;
      const std::uint8_t code = r.reason_codes.empty() ? 0 : r.reason_codes[0];
      ++report.connections.failed_by_reason[code >= 0x80 ? "subscribe refused: " +
                                                               std::string(proto::reason_code_name(code, proto::packet_type::suback,
                                                                                                   o.connection.version)) +
                                                               " (" + proto::reason_code_hex(code) + ")"
                                                         : "subscribe failed: " + ec.message()];
      if (first_failure_line.empty()) {
        first_failure_line = "subscription to '" + c.filter + "' failed: " +
                             (code >= 0x80 ? std::string(proto::reason_code_name(code, proto::packet_type::suback, o.connection.version))
                                           : ec.message()) +
                             " — check the broker's ACL for this client and filter";
        first_failure_exit = code >= 0x80 ? code : 70;
      }
      live.failed.store(report.connections.failed, std::memory_order_relaxed);
      live.connected.store(report.connections.succeeded, std::memory_order_relaxed);
    }
  }

  void on_message(bench_connection& c, const proto::publish& m) {
    const std::int64_t now = bench_now_ns();
    const bool counted = in_window(now);
    const auto* p = reinterpret_cast<const std::uint8_t*>(m.payload.data());
    const auto h = bench::payload_header::read({p, m.payload.size()});
    if (!h) {
      ++report.messages.received_without_header;
    } else {
      c.tracker->on_message(h->publisher, h->sequence);
      if (counted) {
        report.latency.end_to_end.record(us_between(h->intended_ns, now));
        report.latency.end_to_end_uncorrected.record(us_between(h->sent_ns, now));
      }
    }
    if (counted) ++report.window.received;
    ++c.received;
    live.received.fetch_add(1, std::memory_order_relaxed);  // one writer: an uncontended add
    live.last_event_ns.store(now, std::memory_order_relaxed);
    if (o.scenario == bench_scenario::sub && o.count != 0 && !c.subscriber_done && c.received >= o.count) {
      c.subscriber_done = true;
      live.subscribers_done.store(++subscribers_done, std::memory_order_relaxed);
    }
  }

  void on_ack(bench_connection& c, std::int64_t intended, std::int64_t sent, boost::system::error_code ec,
              const client::publish_result& r) {
    const std::int64_t now = bench_now_ns();
    --c.outstanding;
    if (ec) {
      ++report.messages.publish_failed;
      std::string why = ec == proto::session_error::rejected
                            ? "refused: " +
                                  std::string(proto::reason_code_name(
                                      r.reason_code,
                                      o.qos == proto::qos::exactly_once ? proto::packet_type::pubrec : proto::packet_type::puback,
                                      o.connection.version)) +
                                  " (" + proto::reason_code_hex(r.reason_code) + ")"
                            : ec.message();
      ++report.messages.publish_failed_by_reason[why];
    } else {
      ++report.messages.acked;
      live.acked.store(report.messages.acked, std::memory_order_relaxed);
      if (in_window(now)) ++report.window.acked;
      if (in_window(intended)) {
        if (o.qos != proto::qos::at_most_once) {
          const auto s = bench::latency_sample::of(intended, sent, now);
          report.latency.publish_ack.record(s.corrected_us);
          report.latency.publish_ack_uncorrected.record(s.uncorrected_us);
        }
      }
    }
    live.last_event_ns.store(now, std::memory_order_relaxed);
    if (c.waiting_for_acks && (ec || c.outstanding <= c.wake_at_outstanding)) c.wake->cancel();
  }

  // Waits until at most `outstanding` messages are unacknowledged (or the connection is lost,
  // or a publish failed, or stop).
  asio::awaitable<void> wait_wake(bench_connection& c, std::uint64_t outstanding) {
    c.wake_at_outstanding = outstanding;
    c.waiting_for_acks = true;
    c.wake->expires_at(steady::time_point::max());
    co_await c.wake->async_wait(asio::as_tuple(asio::use_awaitable));
    c.waiting_for_acks = false;
  }

  asio::awaitable<void> publish_loop(bench_connection& c) {
    const std::int64_t interval = c.schedule.interval_ns;
    std::string topic_storage;
    // Every publisher begins at the common start (the schedule's own start when unscheduled).
    if (const std::int64_t begin = start_ns_; begin > bench_now_ns()) {
      c.wake->expires_at(to_steady(begin));
      co_await c.wake->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    for (std::uint64_t seq = 0; !stopping_publishing && c.connected; ++seq) {
      if (o.count != 0 && seq >= o.count) break;
      std::int64_t now = bench_now_ns();
      const std::int64_t intended = c.schedule.intended(seq, now);
      if (measure_end_ns != 0 && intended >= measure_end_ns) break;
      if (intended > now) {
        c.wake->expires_at(to_steady(intended));
        co_await c.wake->async_wait(asio::as_tuple(asio::use_awaitable));
        if (stopping_publishing || !c.connected) break;
      }
      // Refill as soon as one acknowledgement frees a slot: waiting for half the window to
      // free (one write for several messages) lets mosquitto's Nagle hold its PUBACKs back
      // (measured: 40k -> 9k msg/s on loopback).
      const std::uint64_t refill_at = o.inflight - 1;
      while (c.outstanding >= o.inflight && c.connected && !stopping_publishing) co_await wait_wake(c, refill_at);
      if (stopping_publishing || !c.connected) break;
      now = bench_now_ns();
      if (!o.message) {
        bench::payload_header{.publisher = c.global, .sequence = seq, .intended_ns = intended, .sent_ns = now}.write(c.payload);
      }
      std::string_view topic = c.topic;
      if (pub_topic->per_message()) {
        pub_topic->expand(topic_storage, c.global, c.id, seq, rng);
        topic = topic_storage;
      }
      const proto::publish m{.topic = topic,
                             .payload = {reinterpret_cast<const char*>(c.payload.data()), c.payload.size()},
                             .qos = o.qos,
                             .retain = o.retain};
      ++c.outstanding;
      ++c.sent;
      ++report.messages.sent;
      if (interval > 0 && now - intended > interval) ++report.messages.late;
      // Latency samples belong to the window by intended time (every message scheduled in it is
      // measured, however late it went out); rates count what actually happened in it, so a
      // publisher that cannot keep up shows a lower rate than asked for.
      if (in_window(intended) && interval > 0) report.latency.send_lag.record(us_between(intended, now));
      if (in_window(now)) ++report.window.sent;
      live.sent.store(report.messages.sent, std::memory_order_relaxed);
      bench_connection* raw = &c;
      c.c->async_publish(m, [this, raw, intended, now](boost::system::error_code ec, client::publish_result r) {
        on_ack(*raw, intended, now, ec, r);
      });
    }
    // The acknowledgements still due, up to --drain after the end (a stalled broker must not
    // hang the run; what never came is reported as unacknowledged).
    if (c.outstanding > 0 && c.connected) {
      asio::steady_timer limit(io);
      limit.expires_after(std::chrono::milliseconds(static_cast<long long>(o.drain_s * 1000)));
      bench_connection* raw = &c;
      limit.async_wait([raw](boost::system::error_code e) {
        if (!e && raw->waiting_for_acks) raw->wake->cancel();
      });
      const auto deadline = steady::now() + std::chrono::milliseconds(static_cast<long long>(o.drain_s * 1000));
      while (c.outstanding > 0 && c.connected && steady::now() < deadline) co_await wait_wake(c, 0);
      limit.cancel();
    }
    sent_by_publisher[c.global] = c.sent;
    live.publishers_done.store(++publishers_done, std::memory_order_relaxed);
  }

  void start(std::int64_t start_ns, std::int64_t warmup_end, std::int64_t measure_end) {
    connect_phase_over = true;
    start_ns_ = start_ns;
    warmup_end_ns = warmup_end;
    measure_end_ns = measure_end;
    const std::int64_t interval = o.interval_ns();
    for (auto& c : conns) {
      if (c->slot.role != bench_role::publisher) continue;
      c->schedule = bench::send_schedule::spread(start_ns, interval, c->slot.local, o.publishers());
      if (!c->connected) {
        sent_by_publisher[c->global] = 0;
        live.publishers_done.store(++publishers_done, std::memory_order_relaxed);
        continue;
      }
      asio::co_spawn(io, publish_loop(*c), asio::detached);
    }
  }

  void stop_publishing() {
    stopping_publishing = true;
    for (auto& c : conns) {
      if (c->wake) c->wake->cancel();
    }
  }

  void shutdown() {
    stop_publishing();
    auto pending = std::make_shared<std::size_t>(0);
    auto finish = [this] {
      guard.reset();
      io.stop();
    };
    for (auto& c : conns) {
      if (!c->c->connected()) continue;
      ++*pending;
      c->c->async_disconnect([pending, finish](boost::system::error_code) {
        if (--*pending == 0) finish();
      });
    }
    if (*pending == 0) {
      finish();
      return;
    }
    auto limit = std::make_shared<asio::steady_timer>(io, std::chrono::seconds(3));
    limit->async_wait([limit, finish](boost::system::error_code e) {
      if (!e) finish();
    });
  }
};

bench_worker::bench_worker(const bench_options& o, const client::client_options& base, std::vector<bench_slot> slots)
    : impl_(std::make_unique<impl>(o, base, live_)) {
  if (o.publishers() > 0) impl_->pub_topic.emplace(o.topic);
  for (const auto& s : slots) impl_->add(s);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

bench_worker::~bench_worker() {
  if (impl_->thread.joinable()) {
    asio::post(impl_->io, [this] { impl_->shutdown(); });
    impl_->thread.join();
  }
}

std::size_t bench_worker::size() const noexcept { return impl_->conns.size(); }
std::size_t bench_worker::publishers() const noexcept {
  std::size_t n = 0;
  for (const auto& c : impl_->conns) n += c->slot.role == bench_role::publisher;
  return n;
}
std::size_t bench_worker::subscribers() const noexcept {
  std::size_t n = 0;
  for (const auto& c : impl_->conns) n += c->slot.role == bench_role::subscriber;
  return n;
}

void bench_worker::connect(std::int64_t t0_ns) {
  asio::co_spawn(impl_->io, impl_->connect_all(t0_ns), asio::detached);
}
void bench_worker::start(std::int64_t start_ns, std::int64_t warmup_end_ns, std::int64_t measure_end_ns) {
  asio::post(impl_->io, [this, start_ns, warmup_end_ns, measure_end_ns] { impl_->start(start_ns, warmup_end_ns, measure_end_ns); });
}
void bench_worker::stop_publishing() {
  asio::post(impl_->io, [this] { impl_->stop_publishing(); });
}
void bench_worker::shutdown() {
  asio::post(impl_->io, [this] { impl_->shutdown(); });
}
void bench_worker::join() {
  if (impl_->thread.joinable()) impl_->thread.join();
}

bench::run_report& bench_worker::report() noexcept { return impl_->report; }
const std::unordered_map<std::uint32_t, std::uint64_t>& bench_worker::sent_by_publisher() const noexcept {
  return impl_->sent_by_publisher;
}

bench::delivery_counts bench_worker::finish_deliveries(const std::unordered_map<std::uint32_t, std::uint64_t>& sent) const {
  bench::delivery_counts total;
  const auto lookup = [&sent](std::uint32_t id) -> std::optional<std::uint64_t> {
    if (auto it = sent.find(id); it != sent.end()) return it->second;
    return std::nullopt;
  };
  for (const auto& c : impl_->conns) {
    if (c->tracker) total += c->tracker->finish(lookup);
  }
  return total;
}

std::string bench_worker::first_failure_line() const { return impl_->first_failure_line; }
int bench_worker::first_failure_exit_code() const { return impl_->first_failure_exit; }

}  // namespace mqtk::tools
