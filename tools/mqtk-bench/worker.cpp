#include "mqtk-bench/worker.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <utility>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mqtk-bench/bench_link.hpp"
#include "mqtk/bench/inflight_log.hpp"
#include "mqtk/bench/latency_series.hpp"
#include "mqtk/bench/payload_header.hpp"
#include "mqtk/bench/publish_step.hpp"
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
  // One of the two: the lean link for plain TCP (bench_link.hpp), the general client otherwise.
  std::unique_ptr<bench_link> link;
  std::unique_ptr<client::client> c;
  std::int64_t connect_start_ns = 0;
  std::int64_t tcp_ns = 0;
  bool connected = false;
  // publisher
  std::string topic;
  std::vector<std::uint8_t> payload;
  bench::send_schedule schedule;
  std::uint64_t next_seq = 0;
  std::uint64_t sent = 0;
  std::uint64_t outstanding = 0;
  bench::inflight_log inflight;  // lean link: the times of what is unacknowledged
  std::optional<bench::inflight_log::entry> publishing;  // lean link: the message being handed over
  // Due time of the next message (rate mode), the start, or the --drain limit.
  std::unique_ptr<asio::steady_timer> wake;
  bool wake_armed = false;
  bool started = false;
  bool sending_over = false;  // no more messages: waiting for the acknowledgements due
  bool publisher_done = false;
  // subscriber
  std::string filter;
  std::optional<bench::sequence_tracker> tracker;
  std::uint64_t received = 0;
  bool subscriber_done = false;
};

struct bench_worker::impl final : bench_link_events {
  const bench_options& o;
  client::client_options base;
  const std::vector<bench_link::target>& lean_targets;  // empty: the general client for every connection
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
  // The lean links' timers: one tick for all of them (keep alive, CONNACK and connect limits).
  asio::steady_timer link_tick{io};
  std::int64_t start_ns_ = 0;
  std::int64_t warmup_end_ns = 0;
  std::int64_t measure_end_ns = 0;  // 0: no end (count mode)
  bool stopping_publishing = false;
  std::uint64_t publishers_done = 0;
  std::uint64_t subscribers_done = 0;
  std::size_t disconnects_pending = 0;
  std::string first_failure_line;
  int first_failure_exit = 0;
  bench_losses losses;
  std::string topic_storage;
  // The --csv series: the scenario's main latency (conn: to CONNACK; pub: publish->ack; sub and
  // pubsub: end to end, each corrected), per second. Seconds closed by close_second() wait in
  // `closed` for the main thread: the mutex is taken once a second, not per sample.
  bench::latency_series series;
  std::mutex closed_mutex;
  std::vector<std::pair<std::uint64_t, bench::histogram>> closed;
  std::thread thread;

  impl(const bench_options& opts, const client::client_options& b, const std::vector<bench_link::target>& lean, bench_live& l)
      : o(opts), base(b), lean_targets(lean), live(l) {
    connect_room = std::make_unique<asio::steady_timer>(io);
    if (!lean_targets.empty()) tick_links();
  }

  bool in_window(std::int64_t t) const { return t >= warmup_end_ns && (measure_end_ns == 0 || t < measure_end_ns); }

  std::string id_of(const bench_slot& s, std::uint64_t global) const {
    const char* role = "";
    if (o.scenario == bench_scenario::pubsub) role = s.role == bench_role::publisher ? "p" : "s";
    return o.prefix + "_" + role + std::to_string(global);
  }

  bench_connection& of(const bench_link& l) { return *conns[l.tag()]; }

  void add(const bench_slot& s) {
    auto c = std::make_unique<bench_connection>();
    c->slot = s;
    c->global = static_cast<std::uint32_t>(o.global_index(s.local));
    c->id = id_of(s, c->global);
    bench_connection* raw = c.get();
    if (!lean_targets.empty()) {
      proto::session_options so = base.session;
      if (!so.connack_timeout) so.connack_timeout = base.net.connect_timeout;
      c->link = std::make_unique<bench_link>(io.get_executor(), *this, conns.size(), so);
    } else {
      client::client_options opts = base;
      opts.connect.edit([&](proto::connect& p) { p.client_id = c->id; });
      if (o.hosts.size() > 1) opts.target.host = o.hosts[s.order % o.hosts.size()];
      if (!o.ifaddrs.empty()) opts.net.bind_address = o.ifaddrs[s.order % o.ifaddrs.size()];
      opts.net.observer.on_tcp_connected = [this, raw](const net::tcp_connected_event& e) { tcp_connected(*raw, ns_of(e.at)); };
      opts.net.observer.on_tls_done = [this, raw](const net::tls_done_event& e) {
        if (in_connect_window()) report.latency.connect_tls.record(us_between(raw->tcp_ns, ns_of(e.at)));
      };
      opts.observer.on_connection_lost = [this, raw](const client::connection_lost_event&) {
        lost(*raw, raw->c->last_failure());
      };
      c->c = std::make_unique<client::client>(io.get_executor(), std::move(opts));
      if (s.role == bench_role::subscriber) c->c->on_message([this, raw](const proto::publish& m) { on_message(*raw, m); });
    }
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

  void tick_links() {
    link_tick.expires_after(std::chrono::milliseconds(100));
    link_tick.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      const auto now = steady::now();
      for (auto& c : conns) {
        if (c->link) c->link->check_timers(now);
      }
      tick_links();
    });
  }

  bool connect_phase_over = false;
  bool in_connect_window() const { return !connect_phase_over || o.scenario == bench_scenario::conn; }

  void tcp_connected(bench_connection& c, std::int64_t at_ns) {
    c.tcp_ns = at_ns;
    if (in_connect_window()) report.latency.connect_tcp.record(us_between(c.connect_start_ns, c.tcp_ns));
  }

  void lost(bench_connection& c, const client::failure_details& why) {
    c.connected = false;
    ++report.connections.lost;
    ++report.connections.lost_by_reason[loss_key(why)];
    live.lost.store(report.connections.lost, std::memory_order_relaxed);
    if (why.broker_broke_protocol()) {
      if (losses.protocol_breaks++ == 0) losses.first_protocol_line = why.line();
    } else if (losses.first_lost_line.empty()) {
      losses.first_lost_line = why.line();
    }
    if (c.slot.role == bench_role::publisher) pump(c);
  }

  // The report's count of losses by cause. A reason code is the broker's only in its
  // DISCONNECT; on a protocol error it is the one of the DISCONNECT we sent before closing
  // (5.0 only: a 3.1.1 DISCONNECT carries none).
  std::string loss_key(const client::failure_details& why) const {
    const auto code = [&] {
      return std::string(why.reason_code.name(proto::packet_type::disconnect, o.connection.version)) + " (" +
             why.reason_code.hex() + ")";
    };
    if (why.error == proto::session_error::server_disconnected) return "server DISCONNECT: " + code();
    std::string words = why.message.empty() ? ending_words(why.error) : why.message;
    if (why.reason_code != proto::reason_code{} && o.connection.version == proto::protocol_version::v5) words += "; we sent DISCONNECT: " + code();
    return words;
  }

  // An error's words, the client's for a close and a reset (the lean link keeps the EOF).
  static std::string ending_words(boost::system::error_code ec) {
    if (ec == asio::error::eof) return "the broker closed the connection";
    if (ec == asio::error::connection_reset) return "connection reset by the broker";
    return ec.message();
  }

  std::string failure_key(const client::failure_details& f) const {
    if (f.broker_refused()) {
      return "refused: " + std::string(f.reason_code.name(f.where, f.version)) + " (" + f.reason_code.hex() + ")";
    }
    return f.error ? ending_words(f.error) : std::string("unknown");
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
      begin_connect(*c);
      if (c->link) {
        proto::connect request = base.connect.packet();
        request.client_id = c->id;
        const std::size_t per_host = std::max<std::size_t>(1, o.ifaddrs.size());
        const std::size_t host = o.hosts.size() > 1 ? c->slot.order % o.hosts.size() : 0;
        const std::size_t source = o.ifaddrs.empty() ? 0 : c->slot.order % o.ifaddrs.size();
        c->link->connect(lean_targets[host * per_host + source], request, base.net.connect_timeout);
      } else {
        asio::co_spawn(io, connect_one(*c), asio::detached);
      }
    }
  }

  void begin_connect(bench_connection& c) {
    c.connect_start_ns = bench_now_ns();
    if (report.connections.attempted == 0) live.first_connect_ns.store(c.connect_start_ns, std::memory_order_relaxed);
    ++report.connections.attempted;
    live.attempted.store(report.connections.attempted, std::memory_order_relaxed);
  }

  asio::awaitable<void> connect_one(bench_connection& c) {
    auto [ec, r] = co_await c.c->async_connect(asio::as_tuple(asio::use_awaitable));
    if (!connected(c, ec ? &c.c->last_failure() : nullptr)) co_return;
    const std::vector<proto::subscription> subs{{.filter = c.filter, .max_qos = o.sub_qos.value_or(o.qos)}};
    const proto::subscribe request{.subscriptions = proto::list_view<proto::subscription>(subs)};
    auto [sec, sr] = co_await c.c->async_subscribe(request, asio::as_tuple(asio::use_awaitable));
    subscribed(c, sec, sr.reason_codes.empty() ? proto::reason_code{} : sr.reason_codes[0]);
  }

  // The CONNACK came (failure == nullptr) or the connect failed. True when a subscription follows.
  bool connected(bench_connection& c, const client::failure_details* failure) {
    const std::int64_t done = bench_now_ns();
    if (failure != nullptr) {
      ++report.connections.failed;
      ++report.connections.failed_by_reason[failure_key(*failure)];
      if (first_failure_line.empty()) {
        first_failure_line = failure->line();
        first_failure_exit = failure->exit_code();
      }
      live.failed.store(report.connections.failed, std::memory_order_relaxed);
      connect_finished();
      return false;
    }
    c.connected = true;
    ++report.connections.succeeded;
    ++report.window.connected;
    report.latency.connect_connack.record(us_between(c.connect_start_ns, done));
    if (o.scenario == bench_scenario::conn) series.record(us_between(c.connect_start_ns, done));
    live.connected.store(report.connections.succeeded, std::memory_order_relaxed);
    live.last_connect_ns.store(done, std::memory_order_relaxed);
    if (c.slot.role == bench_role::subscriber) return true;
    connect_finished();
    return false;
  }

  void connect_finished() {
    --connecting;
    connect_room->cancel();
    ++connects_done;
    live.connects_done.store(connects_done, std::memory_order_relaxed);
  }

  void subscribed(bench_connection& c, boost::system::error_code ec, proto::reason_code code) {
    if (ec) {
      // A refused subscription makes this client useless for the run: count it as a failed
      // connection, with the SUBACK's reason. A refusal is 0x80 and above in 3.1.1 and 5.0 alike.
      const bool refused = code.is_failure(proto::packet_type::suback, proto::protocol_version::v5);
      ++report.connections.failed;
      --report.connections.succeeded;
      ++report.connections.failed_by_reason[refused ? "subscribe refused: " +
                                                          std::string(code.name(proto::packet_type::suback, o.connection.version)) +
                                                          " (" + code.hex() + ")"
                                                    : "subscribe failed: " + ec.message()];
      if (first_failure_line.empty()) {
        first_failure_line = "subscription to '" + c.filter + "' failed: " +
                             (refused ? std::string(code.name(proto::packet_type::suback, o.connection.version))
                                      : ec.message()) +
                             " — check the broker's ACL for this client and filter";
        first_failure_exit = refused ? code.value() : 70;
      }
      live.failed.store(report.connections.failed, std::memory_order_relaxed);
      live.connected.store(report.connections.succeeded, std::memory_order_relaxed);
    }
    connect_finished();
  }

  // bench_link_events: the lean links report here.
  void on_tcp_connected(bench_link& l) override { tcp_connected(of(l), bench_now_ns()); }
  void on_connect_done(bench_link& l, const client::failure_details* failure) override {
    bench_connection& c = of(l);
    if (!connected(c, failure)) return;
    const std::vector<proto::subscription> subs{{.filter = c.filter, .max_qos = o.sub_qos.value_or(o.qos)}};
    l.subscribe({.subscriptions = proto::list_view<proto::subscription>(subs)});
  }
  void on_complete(bench_link& l, const proto::complete_action& done) override {
    bench_connection& c = of(l);
    if (done.kind == proto::operation_kind::subscribe) {
      subscribed(c, done.error, done.reason_codes.empty() ? done.reason_code : done.reason_codes[0]);
      return;
    }
    if (done.kind != proto::operation_kind::publish) return;
    auto times = c.inflight.take(done.id);
    if (!times) times = std::exchange(c.publishing, std::nullopt);
    if (!times) return;
    on_ack(c, times->intended_ns, times->sent_ns, done.error, done.reason_code);
  }
  void on_message(bench_link& l, const proto::publish& m) override { on_message(of(l), m); }
  void on_lost(bench_link& l, const client::failure_details& why) override {
    lost(of(l), why);
  }
  void on_closed(bench_link&) override { disconnected(); }

  void on_message(bench_connection& c, const proto::publish& m) {
    const std::int64_t now = bench_now_ns();
    const bool counted = in_window(now);
    const auto* p = reinterpret_cast<const std::uint8_t*>(m.payload.data());
    const auto h = bench::payload_header::read({p, m.payload.size()});
    if (!h) {
      ++report.messages.received_without_header;
    } else {
      c.tracker->on_message(h->publisher, h->sequence);
      series.record(us_between(h->intended_ns, now));
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

  void on_ack(bench_connection& c, std::int64_t intended, std::int64_t sent, boost::system::error_code ec, proto::reason_code reason_code) {
    const std::int64_t now = bench_now_ns();
    --c.outstanding;
    if (ec) {
      ++report.messages.publish_failed;
      std::string why = ec == proto::session_error::rejected
                            ? "refused: " +
                                  std::string(reason_code.name(
                                      o.qos == proto::qos::exactly_once ? proto::packet_type::pubrec : proto::packet_type::puback,
                                      o.connection.version)) +
                                  " (" + reason_code.hex() + ")"
                            : ec.message();
      ++report.messages.publish_failed_by_reason[why];
    } else {
      ++report.messages.acked;
      live.acked.store(report.messages.acked, std::memory_order_relaxed);
      if (in_window(now)) ++report.window.acked;
      if (o.scenario == bench_scenario::pub && o.qos != proto::qos::at_most_once) {
        series.record(us_between(intended, now));
      }
      if (in_window(intended)) {
        if (o.qos != proto::qos::at_most_once) {
          const auto s = bench::latency_sample::of(intended, sent, now);
          report.latency.publish_ack.record(s.corrected_us);
          report.latency.publish_ack_uncorrected.record(s.uncorrected_us);
        }
      }
    }
    live.last_event_ns.store(now, std::memory_order_relaxed);
    pump(c);
  }

  // Sends what publisher `c` may send now: every message due, up to --inflight unacknowledged.
  // Called at the start, on every acknowledgement (refilling as soon as one slot frees: waiting
  // for half the window lets mosquitto's Nagle hold its PUBACKs back, measured 40k -> 9k msg/s
  // on loopback), when the next message of a rate falls due, and when the connection ends.
  // Everything sent from one read of acknowledgements leaves in one write (lean link).
  void pump(bench_connection& c) {
    if (!c.started || c.publisher_done) return;
    using kind = bench::publish_step::kind;
    const bench::publisher_limits limits{.count = o.count, .inflight = o.inflight, .measure_end_ns = measure_end_ns};
    for (;;) {
      const std::int64_t now = bench_now_ns();
      const bench::publisher_state state{
          .next_sequence = c.next_seq, .outstanding = c.outstanding, .connected = c.connected, .stopping = stopping_publishing};
      const bench::publish_step step = bench::next_publish_step(c.schedule, limits, state, now);
      switch (step.what) {
        case kind::send:
          send_one(c, step.intended_ns, now);
          continue;
        case kind::wait_until:
          wake_at(c, to_steady(step.intended_ns));
          return;
        case kind::wait_for_ack:
          return;  // the acknowledgement calls again
        case kind::drain:
          // The acknowledgements still due, up to --drain after the end (a stalled broker must
          // not hang the run; what never came is reported as unacknowledged).
          if (!c.sending_over) {
            c.sending_over = true;
            wake_at(c, steady::now() + std::chrono::milliseconds(static_cast<long long>(o.drain_s * 1000)));
          }
          return;
        case kind::done:
          finish_publisher(c);
          return;
      }
    }
  }

  void wake_at(bench_connection& c, steady::time_point at) {
    if (c.wake_armed) c.wake->cancel();
    c.wake_armed = true;
    c.wake->expires_at(at);
    bench_connection* raw = &c;
    c.wake->async_wait([this, raw](boost::system::error_code ec) {
      if (ec) return;  // re-armed or cancelled: the new wait or the canceller decides
      raw->wake_armed = false;
      if (raw->sending_over) {
        finish_publisher(*raw);  // --drain is over
      } else {
        pump(*raw);
      }
    });
  }

  void finish_publisher(bench_connection& c) {
    if (c.publisher_done) return;
    c.publisher_done = true;
    if (c.wake_armed) c.wake->cancel();
    c.wake_armed = false;
    sent_by_publisher[c.global] = c.sent;
    live.publishers_done.store(++publishers_done, std::memory_order_relaxed);
  }

  void send_one(bench_connection& c, std::int64_t intended, std::int64_t now) {
    const std::uint64_t seq = c.next_seq++;
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
    const std::int64_t interval = c.schedule.interval_ns;
    if (interval > 0 && now - intended > interval) ++report.messages.late;
    // Latency samples belong to the window by intended time (every message scheduled in it is
    // measured, however late it went out); rates count what actually happened in it, so a
    // publisher that cannot keep up shows a lower rate than asked for.
    if (in_window(intended) && interval > 0) report.latency.send_lag.record(us_between(intended, now));
    if (in_window(now)) ++report.window.sent;
    live.sent.store(report.messages.sent, std::memory_order_relaxed);
    if (c.link) {
      // The completion may come from inside publish() (QoS 0, outside an event): on_complete
      // then finds the times in `publishing` rather than the log.
      c.publishing = bench::inflight_log::entry{0, intended, now};
      const proto::operation_id id = c.link->publish(m);
      if (c.publishing) c.inflight.push(id, intended, now);
      c.publishing.reset();
      return;
    }
    bench_connection* raw = &c;
    c.c->async_publish(m, [this, raw, intended, now](boost::system::error_code ec, client::publish_result r) {
      on_ack(*raw, intended, now, ec, r.reason_code);
    });
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
      c->started = true;
      if (!c->connected) {
        finish_publisher(*c);
        continue;
      }
      // Every publisher begins at the common start (the schedule's own start when unscheduled).
      if (start_ns > bench_now_ns()) {
        wake_at(*c, to_steady(start_ns));
      } else {
        pump(*c);
      }
    }
  }

  void stop_publishing() {
    stopping_publishing = true;
    for (auto& c : conns) {
      if (c->slot.role == bench_role::publisher && c->started && !c->sending_over) pump(*c);
    }
  }

  void disconnected() {
    if (disconnects_pending > 0 && --disconnects_pending == 0) finish();
  }
  void finish() {
    link_tick.cancel();
    guard.reset();
    io.stop();
  }

  void shutdown() {
    stop_publishing();
    disconnects_pending = 1;  // held until every disconnect has started
    for (auto& c : conns) {
      if (c->link) {
        if (!c->link->connected()) continue;
        ++disconnects_pending;
        c->link->disconnect();
        continue;
      }
      if (!c->c->connected()) continue;
      ++disconnects_pending;
      c->c->async_disconnect([this](boost::system::error_code) { disconnected(); });
    }
    if (--disconnects_pending == 0) {
      finish();
      return;
    }
    auto limit = std::make_shared<asio::steady_timer>(io, std::chrono::seconds(3));
    limit->async_wait([this, limit](boost::system::error_code e) {
      if (!e) finish();
    });
  }
};

bench_worker::bench_worker(const bench_options& o, const client::client_options& base,
                           const std::vector<bench_link::target>& lean_targets, std::vector<bench_slot> slots)
    : impl_(std::make_unique<impl>(o, base, lean_targets, live_)) {
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

void bench_worker::close_second(std::uint64_t index) {
  asio::post(impl_->io, [this, index] {
    bench::histogram h = impl_->series.close();
    const std::lock_guard lock(impl_->closed_mutex);
    impl_->closed.emplace_back(index, std::move(h));
  });
}

std::optional<bench::histogram> bench_worker::take_second(std::uint64_t index) {
  const std::lock_guard lock(impl_->closed_mutex);
  for (auto it = impl_->closed.begin(); it != impl_->closed.end(); ++it) {
    if (it->first != index) continue;
    bench::histogram h = std::move(it->second);
    impl_->closed.erase(it);
    return h;
  }
  return std::nullopt;
}

const bench::histogram& bench_worker::remaining_second() const noexcept { return impl_->series.current(); }

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
const bench_losses& bench_worker::losses() const noexcept { return impl_->losses; }

}  // namespace mqtk::tools
