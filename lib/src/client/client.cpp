// The Asio interpreter of a proto::session: every input to the session returns a list of
// actions, and this file carries them out (write, arm a timer, deliver, complete, close). All
// Asio-heavy client code lives in this one translation unit to keep builds short.
#include "mqtk/client/client.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mqtk/diag/session_close.hpp"
#include "mqtk/net/net_error.hpp"
#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session_action_list.hpp"
#include "mqtk/proto/session_error.hpp"
#include "held_disconnect.hpp"
#include "pending_operations.hpp"
#include "post_completion.hpp"
#include "subscription_memory.hpp"
#include "unwritten_qos0.hpp"

namespace mqtk::client {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

std::string loss_message(const error_code& ec) {
  if (ec == asio::error::eof) return "the broker closed the connection";
  if (ec == asio::error::connection_reset) return "connection reset by the broker";
  if (ec == net::net_error::websocket_closed) return "the broker closed the WebSocket";
  return "connection lost: " + ec.message();
}

}  // namespace

namespace detail {

// What a client is: the transport, the session, the timers and the operations waiting for the
// session's answers. A client is a handle on one; the timers' and reads' handlers keep it alive.
class client_impl : public std::enable_shared_from_this<client_impl> {
  using executor_type = client::executor_type;
  using connect_handler = client::connect_handler;
  using publish_handler = client::publish_handler;
  using subscribe_handler = client::subscribe_handler;
  using done_handler = client::done_handler;

  // The client's side of the connection. Whether CONNACK came is the session's to say
  // (session.state()), except after a loss: see handshaking().
  enum class phase : std::uint8_t {
    idle,            // never connected, or given up / disconnected
    connecting,      // transport connect under way
    online,          // transport up: CONNECT sent, or CONNACK accepted
    disconnecting,   // DISCONNECT queued, waiting to flush and shut down
    reconnect_wait,  // waiting for the backoff timer
    closed,          // close(): terminal
  };

  friend class mqtk::client::client;  // its accessors and handler setters read the members

 public:
  client_impl(executor_type ex, client_options o)
      : executor(ex),
        options(with_url_credentials(std::move(o))),
        transport(ex),
        session(session_options_for(options)),
        timers{asio::steady_timer(ex), asio::steady_timer(ex), asio::steady_timer(ex), asio::steady_timer(ex)},
        reconnect_timer(ex),
        shutdown_timer(ex),
        write_space(ex),
        read_buffer(std::max<std::size_t>(options.read_buffer_size, 512)),
        rng(std::random_device{}()) {
    // Over a Unix socket the host and port mean nothing: messages name the socket.
    subject = options.net.unix_socket.empty() ? net::host_port(options.target.host, options.target.port)
                                              : "unix:" + options.net.unix_socket;
    proto::action_list scratch;
    session.connect(options.connect, clock::now(), scratch);  // down: only stored
  }

  void ping() {
    if (!connected()) return;
    process([&](proto::action_list& out) { session.ping(clock::now(), out); });
  }

  void acknowledge(proto::qos q, std::uint16_t packet_id) {
    if (current == phase::closed) return;
    process([&](proto::action_list& out) { session.acknowledge(q, packet_id, clock::now(), out); });
  }

  bool connected() const noexcept {
    return current == phase::online && session.state() == proto::session_state::connected;
  }

 private:
  // Transport up and no CONNACK accepted yet: the first connect (its caller waits) or a
  // reconnect attempt is under way. The session says as much while the connection lasts, but
  // has forgotten it by the time a loss is reported to us.
  bool handshaking() const noexcept { return current == phase::online && (connect_waiter || attempts > 0); }

  static proto::session_options session_options_for(const client_options& o) {
    proto::session_options s = o.session;
    if (!s.connack_timeout) s.connack_timeout = o.net.connect_timeout;
    return s;
  }

  // -L mqtt://user:pass@host: the URL's credentials, unless CONNECT has its own.
  static client_options with_url_credentials(client_options o) {
    const proto::connect& c = o.connect.packet();
    if ((!c.username && o.target.username) || (!c.password && o.target.password)) {
      o.connect.edit([&](proto::connect& e) {
        if (!e.username) e.username = o.target.username;
        if (!e.password) e.password = o.target.password;
      });
    }
    return o;
  }

  // ---------------------------------------------------------------------------------------
  // Interpreting actions

  template <class Fn>
  void process(Fn&& fn) {
    if (depth == lists.size()) lists.push_back(std::make_unique<proto::action_list>());
    proto::action_list& out = *lists[depth];
    out.clear();
    ++depth;
    struct leave {
      std::size_t& d;
      ~leave() { --d; }
    } guard{depth};
    fn(out);
    interpret(out);
  }

  void interpret(const proto::action_list& out) {
    std::optional<proto::close_action> close;
    std::string close_message;
    const std::uint64_t gen = generation;
    for (const proto::action& a : out) {
      std::visit(
          [&](const auto& act) {
            using T = std::decay_t<decltype(act)>;
            if constexpr (std::is_same_v<T, proto::send_action>) {
              if (gen != generation) return;  // the connection ended while interpreting
              pending_writes.insert(pending_writes.end(), act.bytes.begin(), act.bytes.end());
              qos0.queued(act.bytes.size());
              if (options.observer.on_packet) observe(direction::sent, act.bytes);
            } else if constexpr (std::is_same_v<T, proto::arm_timer_action>) {
              arm(act.kind, act.deadline);
            } else if constexpr (std::is_same_v<T, proto::cancel_timer_action>) {
              timers[static_cast<std::size_t>(act.kind)].cancel();
            } else if constexpr (std::is_same_v<T, proto::deliver_action>) {
              if (on_message) on_message(act.message);
            } else if constexpr (std::is_same_v<T, proto::complete_action>) {
              complete(act);
            } else if constexpr (std::is_same_v<T, proto::close_action>) {
              close = act;
              close_message = diag::close_message(act.cause, session.version());
            } else if constexpr (std::is_same_v<T, proto::connack_action>) {
              on_connack(act.packet);
            }
            // server_disconnect_action: the close_action that follows carries its reason code.
            // auth_action: enhanced authentication is not offered by the client (yet), and
            // packet_received_action is not asked for: the client decodes for its observer.
          },
          a);
    }
    flush_writes();
    if (close) on_close(*close, std::move(close_message));
  }

  void arm(proto::timer_kind kind, proto::session_time deadline) {
    auto& t = timers[static_cast<std::size_t>(kind)];
    t.expires_at(deadline);
    t.async_wait([self = shared_from_this(), kind](error_code ec) {
      if (ec || self->current == phase::closed) return;
      self->process([&](proto::action_list& out) { self->session.timer_expired(kind, clock::now(), out); });
    });
  }

  void cancel_timers() {
    for (auto& t : timers) t.cancel();
  }

  void observe(direction dir, std::span<const std::uint8_t> bytes) {
    proto::stream_decoder& d = dir == direction::sent ? observe_out : observe_in;
    if (!d.version()) d.set_version(options.connect.packet().version);
    while (!bytes.empty()) {
      auto r = d.put(bytes);
      bytes = bytes.subspan(r.consumed);
      if (r.state == proto::stream_decoder::status::need_more) break;
      packet_event e{.at = clock::now(), .direction = dir, .raw = r.raw, .decoded = nullptr,
                     .version = session.version()};
      if (r.state == proto::stream_decoder::status::ready) {
        e.decoded = r.value;
      } else {
        // Still report the bytes that did not decode, once, and start over.
        e.raw = bytes;
        bytes = {};
        d.reset();
        d.set_version(session.version());
      }
      options.observer.on_packet(e);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Writing: one write outstanding; sends made meanwhile collect in pending_writes.

  void flush_writes() {
    if (write_outstanding || pending_writes.empty() || !transport_up) return;
    std::swap(pending_writes, writing);
    pending_writes.clear();
    write_outstanding = true;
    transport.async_write(asio::buffer(writing), [self = shared_from_this(), gen = generation,
                                                  size = writing.size()](error_code ec, std::size_t) {
      self->write_outstanding = false;
      self->writing.clear();
      if (gen != self->generation) {
        self->flush_writes();  // bytes of a newer connection may be waiting
        return;
      }
      if (ec) {
        self->connection_failed(ec);
        return;
      }
      self->qos0.written(size, self->pending);
      self->flush_writes();
      if (self->write_backlog() <= max_write_backlog) self->write_space.cancel();
      self->maybe_shutdown();
    });
  }

  // ---------------------------------------------------------------------------------------
  // Connecting

 public:
  void start_connect(executor_type ex, connect_handler h) {
    if (current == phase::closed) {
      post_completion(ex, std::move(h), error_code(asio::error::operation_aborted), connect_result{});
      return;
    }
    if (current != phase::idle || connect_waiter) {
      post_completion(ex, std::move(h), error_code(asio::error::already_started), connect_result{});
      return;
    }
    connect_waiter.emplace(std::move(ex), std::move(h));
    attempts = 0;
    stop_requested = false;
    // Again after a disconnect, which makes the session stop wanting to connect.
    proto::action_list scratch;
    session.connect(options.connect, clock::now(), scratch);
    connect_transport();
  }

 private:
  void connect_transport() {
    current = phase::connecting;
    const std::uint64_t gen = ++generation;
    last_result = connect_result{};
    transport.async_connect(options.target, options.net, [self = shared_from_this(), gen](error_code ec) {
      if (gen != self->generation) return;
      self->on_transport_connected(ec);
    });
  }

  void on_transport_connected(error_code ec) {
    if (ec) {
      set_failure(ec, proto::reason_code{}, proto::packet_type::connack, connect_failure_words(transport.last_failure()));
      failure.connect = transport.last_failure();
      connect_attempt_failed(ec);
      return;
    }
    transport_up = true;
    qos0_unconfirmed = false;
    current = phase::online;
    early_bytes.clear();
    observe_in.reset();
    observe_out.reset();
    observe_in.set_version(options.connect.packet().version);
    pending_writes.clear();
    process([&](proto::action_list& out) { session.transport_up(clock::now(), out); });
    asio::co_spawn(executor, read_loop(shared_from_this(), generation), asio::detached);
  }

  // The first connect reports its failure; a reconnect tries again later.
  void connect_attempt_failed(error_code ec) {
    transport_up = false;
    if (attempts > 0 && !stop_requested && current != phase::closed) {
      schedule_reconnect(ec);
      return;
    }
    current = phase::idle;
    if (connect_waiter) {
      auto [ex, h] = std::move(*connect_waiter);
      connect_waiter.reset();
      post_completion(ex, std::move(h), ec, last_result);
    }
    process([&](proto::action_list& out) { session.cancel_all(ec, out); });
  }

  void on_connack(const proto::connack& c) {
    last_result.session_present = c.session_present;
    last_result.reason_code = c.reason_code;
    last_result.version = session.version();
    last_result.limits = session.server();
    last_result.keep_alive = session.keep_alive();
    last_result.client_id = std::string(session.client_id());
    last_result.reason_string = std::string(c.properties.string(proto::property_id::reason_string).value_or(""));
    if (options.observer.on_connack) {
      options.observer.on_connack(connack_event{.at = clock::now(), .packet = c, .version = session.version(),
                                                .limits = session.server()});
    }
    if (c.reason_code.is_failure(proto::packet_type::connack, session.version())) return;  // close follows
    if (connect_waiter) {
      auto [ex, h] = std::move(*connect_waiter);
      connect_waiter.reset();
      post_completion(ex, std::move(h), error_code{}, last_result);
    }
    if (attempts > 0) {
      std::size_t resubscribed = 0;
      if (!c.session_present && options.reconnect.resubscribe && !subscriptions.empty()) resubscribed = resubscribe();
      const std::uint32_t n = attempts;
      attempts = 0;
      if (options.observer.on_reconnected) {
        options.observer.on_reconnected(reconnected_event{.at = clock::now(), .attempts = n,
                                                          .session_present = c.session_present,
                                                          .resubscribed = resubscribed});
      }
    }
  }

  std::size_t resubscribe() {
    const std::vector<proto::subscription> subs = subscriptions.to_resubscribe();
    process([&](proto::action_list& out) {
      auto id = session.subscribe(proto::subscribe{.subscriptions = proto::list_view<proto::subscription>(subs)},
                                  clock::now(), out);
      pending.add(id, executor, std::monostate{});
    });
    return subs.size();
  }

  // ---------------------------------------------------------------------------------------
  // Reading

  static asio::awaitable<void> read_loop(std::shared_ptr<client_impl> self, std::uint64_t gen) {
    const auto coalescing = self->options.read_coalescing;
    std::optional<asio::steady_timer> pause;
    if (coalescing.count() > 0) pause.emplace(self->transport.get_executor());
    for (;;) {
      auto [ec, n] = co_await self->transport.async_read_some(asio::buffer(self->read_buffer),
                                                             asio::as_tuple(asio::use_awaitable));
      if (gen != self->generation) co_return;
      if (ec) {
        self->connection_failed(ec);
        co_return;
      }
      std::span<const std::uint8_t> bytes(self->read_buffer.data(), n);
      if (self->handshaking()) self->keep_early_bytes(bytes);
      if (self->options.observer.on_packet) self->observe(direction::received, bytes);
      self->process([&](proto::action_list& out) { self->session.received(bytes, clock::now(), out); });
      if (gen != self->generation) co_return;
      if (self->confirming != confirm_stage::none) self->check_confirmation();
      if (gen != self->generation) co_return;
      if (self->on_drained) self->on_drained();
      // A broker that sends without reading what we answer (a flood of QoS 1 PUBLISH, its
      // PUBACKs unread) would grow our queue without limit: stop reading until it drains. The
      // session's timers still run, so a broker that never reads again ends in their deadline.
      while (self->write_backlog() > max_write_backlog) {
        self->write_space.expires_at(asio::steady_timer::time_point::max());
        co_await self->write_space.async_wait(asio::as_tuple(asio::use_awaitable));
        if (gen != self->generation) co_return;
      }
      // A read that did not fill the buffer took all there was: let more arrive before the next
      // one, so that a stream of small messages costs one wake-up per batch, not per message.
      if (pause && n < self->read_buffer.size()) {
        pause->expires_after(coalescing);
        co_await pause->async_wait(asio::as_tuple(asio::use_awaitable));
        if (gen != self->generation) co_return;
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Losing and closing the connection

  // A read or write failed: the transport is gone without the session asking.
  void connection_failed(error_code ec) {
    if (current == phase::closed) return;
    if (current == phase::disconnecting) {
      finish_disconnect(error_code{});  // the broker closed first: that is what we wanted
      return;
    }
    set_failure(ec, proto::reason_code{}, proto::packet_type::disconnect, loss_message(ec));
    failure.cut_short = session.receiving();  // forgotten by transport_down()
    end_transport();
    qos0.fail_all(ec, pending);
    process([&](proto::action_list& out) { session.transport_down(clock::now(), out); });
    connection_ended(ec);
  }

  void on_close(const proto::close_action& c, std::string message) {
    if (!c.error) {
      // Our DISCONNECT: flush it, then shut the transport down politely.
      current = phase::disconnecting;
      maybe_shutdown();
      return;
    }
    const bool refused = c.error == proto::session_error::connection_refused;
    set_failure(c.error, c.reason_code,
                refused ? proto::packet_type::connack : proto::packet_type::disconnect, std::move(message));
    failure.receiving = proto::receiving_at_deadline(c.cause);
    end_transport();
    qos0.fail_all(c.error, pending);
    connection_ended(c.error);
  }

  void end_transport() {
    ++generation;
    transport_up = false;
    pending_writes.clear();
    qos0.discard_queued();  // what was not written never will be
    cancel_timers();
    transport.close();
    write_space.cancel();
  }

  // After the transport is closed and the session knows: report, reconnect or give up.
  void connection_ended(error_code ec) {
    if (confirming != confirm_stage::none) unconfirmed_disconnect(ec);
    if (handshaking() || current == phase::connecting) {
      connect_attempt_failed(ec);
      return;
    }
    if (current != phase::online) return;
    // A broker that broke the protocol would do it again: reconnecting would loop for ever.
    const bool again = options.reconnect.enabled && !stop_requested && !failure.broker_broke_protocol();
    if (options.observer.on_connection_lost) {
      options.observer.on_connection_lost(connection_lost_event{.at = clock::now(), .error = ec,
                                                                .reason_code = failure.reason_code,
                                                                .message = failure.message,
                                                                .will_reconnect = again});
    }
    if (again) {
      attempts = 0;
      schedule_reconnect(ec);
      return;
    }
    current = phase::idle;
    process([&](proto::action_list& out) { session.cancel_all(ec, out); });
  }

  void schedule_reconnect(error_code last) {
    ++attempts;
    if (options.reconnect.max_attempts != 0 && attempts > options.reconnect.max_attempts) {
      if (options.observer.on_gave_up) {
        options.observer.on_gave_up(gave_up_event{.at = clock::now(), .attempts = attempts - 1, .last_error = last});
      }
      attempts = 0;
      current = phase::idle;
      process([&](proto::action_list& out) { session.cancel_all(last, out); });
      return;
    }
    const auto delay = options.reconnect.delay(attempts, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
    if (options.observer.on_reconnecting) {
      options.observer.on_reconnecting(
          reconnecting_event{.at = clock::now(), .attempt = attempts, .delay = delay, .last_error = last});
    }
    current = phase::reconnect_wait;
    reconnect_timer.expires_after(delay);
    reconnect_timer.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->current != phase::reconnect_wait) return;
      self->connect_transport();
    });
  }

  // After DISCONNECT is written, the broker closes the connection: waiting for that (the read
  // loop sees EOF) rather than closing first avoids a reset that could make the broker drop
  // the tail of what we sent (a large QoS 0 message just before the DISCONNECT). If the broker
  // does not close within shutdown_timeout, we close politely ourselves.
  void maybe_shutdown() {
    if (current != phase::disconnecting || shutting_down) return;
    if (write_outstanding || !pending_writes.empty()) {
      // A broker that stopped reading would hold our DISCONNECT, and the run, for ever: the
      // flush gets shutdown_timeout from its last progress, then the connection is closed.
      shutdown_timer.expires_after(options.shutdown_timeout);
      shutdown_timer.async_wait([self = shared_from_this(), gen = generation](error_code ec) {
        if (ec || gen != self->generation || self->current != phase::disconnecting) return;
        self->finish_disconnect(error_code{});
      });
      return;
    }
    shutting_down = true;
    shutdown_timer.expires_after(options.shutdown_timeout);
    shutdown_timer.async_wait([self = shared_from_this(), gen = generation](error_code ec) {
      if (ec || gen != self->generation || self->current != phase::disconnecting) return;
      self->transport.async_shutdown(std::chrono::milliseconds{500}, [self, gen](error_code) {
        if (gen == self->generation) self->finish_disconnect(error_code{});
      });
    });
  }

  void finish_disconnect(error_code ec) {
    shutting_down = false;
    shutdown_timer.cancel();
    end_transport();
    qos0.fail_all(proto::session_error::client_disconnected, pending);
    current = phase::idle;
    process([&](proto::action_list& out) { session.cancel_all(proto::session_error::client_disconnected, out); });
    if (disconnect_waiter) {
      auto [ex, h] = std::move(*disconnect_waiter);
      disconnect_waiter.reset();
      post_completion(ex, std::move(h), ec);
    }
  }

 public:
  void start_disconnect(const proto::disconnect& d, executor_type ex, done_handler h) {
    stop_requested = true;
    if (current == phase::reconnect_wait) {
      reconnect_timer.cancel();
      current = phase::idle;
      process([&](proto::action_list& out) { session.cancel_all(proto::session_error::client_disconnected, out); });
    }
    if (current != phase::online) {
      post_completion(ex, std::move(h), error_code(net::net_error::not_connected));
      return;
    }
    if (disconnect_waiter) {
      post_completion(ex, std::move(h), error_code(asio::error::already_started));
      return;
    }
    disconnect_waiter.emplace(std::move(ex), std::move(h));
    if (options.confirm_qos0_before_disconnect && qos0_unconfirmed && connected()) {
      start_confirmation(d);
      return;
    }
    process([&](proto::action_list& out) { session.disconnect(d, clock::now(), out); });
  }

 private:
  // ---------------------------------------------------------------------------------------
  // Confirming QoS 0 publishes before DISCONNECT (client_options::confirm_qos0_before_disconnect)

  void start_confirmation(const proto::disconnect& d) {
    held.hold(d);
    // A keep-alive PINGREQ already out was sent before some of the publishes: its PINGRESP
    // proves nothing about them, so wait for it and then ask again.
    confirming = session.ping_outstanding() ? confirm_stage::earlier_ping : confirm_stage::our_ping;
    if (confirming == confirm_stage::our_ping) process([&](proto::action_list& out) { session.ping(clock::now(), out); });
    shutdown_timer.expires_after(options.shutdown_timeout);
    shutdown_timer.async_wait([self = shared_from_this(), gen = generation](error_code ec) {
      // No PINGRESP in time: nothing observed says the broker refused anything; go on.
      if (ec || gen != self->generation || self->confirming == confirm_stage::none) return;
      self->confirmed();
    });
  }

  void check_confirmation() {
    if (session.ping_outstanding()) return;
    if (confirming == confirm_stage::earlier_ping) {
      confirming = confirm_stage::our_ping;
      process([&](proto::action_list& out) { session.ping(clock::now(), out); });
      return;
    }
    confirmed();
  }

  void confirmed() {
    confirming = confirm_stage::none;
    qos0_unconfirmed = false;
    shutdown_timer.cancel();
    process([&](proto::action_list& out) { session.disconnect(held.packet(), clock::now(), out); });
  }

  // The connection ended while a PINGRESP was awaited: the broker did not accept everything.
  void unconfirmed_disconnect(error_code ec) {
    confirming = confirm_stage::none;
    shutdown_timer.cancel();
    if (disconnect_waiter) {
      auto [ex, h] = std::move(*disconnect_waiter);
      disconnect_waiter.reset();
      post_completion(ex, std::move(h), ec);
    }
  }

 public:
  void close() noexcept {
    if (current == phase::closed) return;
    current = phase::closed;
    stop_requested = true;
    reconnect_timer.cancel();
    shutdown_timer.cancel();
    end_transport();
    const error_code aborted = asio::error::operation_aborted;
    if (connect_waiter) {
      post_completion(connect_waiter->first, std::move(connect_waiter->second), aborted, connect_result{});
      connect_waiter.reset();
    }
    if (disconnect_waiter) {
      post_completion(disconnect_waiter->first, std::move(disconnect_waiter->second), aborted);
      disconnect_waiter.reset();
    }
    pending.abort_all(aborted);
    qos0.clear();
  }

 private:
  // What the peer sent before CONNACK, for the diagnosis of a port that speaks something else.
  void keep_early_bytes(std::span<const std::uint8_t> bytes) {
    const std::size_t room = early_bytes_limit - std::min(early_bytes.size(), early_bytes_limit);
    early_bytes.insert(early_bytes.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(std::min(room, bytes.size())));
  }

  void set_failure(error_code ec, proto::reason_code reason, proto::packet_type where, std::string message) {
    failure.before_connack = handshaking();
    failure.peer_bytes = failure.before_connack ? early_bytes : std::vector<std::uint8_t>{};
    failure.scheme = options.target.scheme;
    failure.error = ec;
    failure.reason_code = reason;
    failure.where = where;
    failure.version = session.version();
    failure.message = std::move(message);
    if (write_backlog() > max_write_backlog) {
      failure.message += " (the broker had stopped reading: " + std::to_string(write_backlog()) +
                         " bytes of ours were waiting to be written)";
    }
    failure.subject = subject;
    failure.connect.reset();
    failure.cut_short.reset();
    failure.receiving.reset();
  }

  std::size_t write_backlog() const noexcept { return pending_writes.size() + writing.size(); }

  // ---------------------------------------------------------------------------------------
  // Operations

  void complete(const proto::complete_action& c) {
    pending_operations::operation* p = pending.find(c.id);
    if (p == nullptr) return;
    if (c.error == proto::session_error::rejected) {
      const auto where = c.kind == proto::operation_kind::publish ? proto::packet_type::puback
                         : c.kind == proto::operation_kind::subscribe ? proto::packet_type::suback
                                                                       : proto::packet_type::unsuback;
      set_failure(c.error, c.reason_code, where,
                  std::string(proto::operation_kind_name(c.kind)) + " rejected by the broker");
    }
    const bool answered = !c.error || c.error == proto::session_error::rejected;
    if (c.kind == proto::operation_kind::subscribe && answered && !p->subscriptions.empty()) {
      subscriptions.remember(p->subscriptions, c.reason_codes, session.version());
    }
    // A QoS 0 publish is reported once its bytes are written (unwritten_qos0).
    const bool is_qos0 = c.kind == proto::operation_kind::publish && !c.error && c.packet_id == 0;
    if (is_qos0) qos0_unconfirmed = true;
    if (is_qos0 && transport_up && !qos0.all_written()) {
      qos0.wait(c.id);
      return;
    }
    pending.finish(*p, c.error, c.reason_code, c.packet_id, c.reason_codes);
    pending.compact();
  }

  // Requests before async_connect, or after giving up, cannot be sent: the session would queue
  // them forever.
  bool accepting_requests() const noexcept {
    return current != phase::idle && current != phase::closed && current != phase::disconnecting;
  }

 public:
  void start_publish(const proto::publish& m, executor_type ex, publish_handler h) {
    if (!accepting_requests()) {
      post_completion(ex, std::move(h), error_code(net::net_error::not_connected), publish_result{});
      return;
    }
    process([&](proto::action_list& out) {
      auto id = session.publish(m, clock::now(), out);
      pending.add(id, std::move(ex), std::move(h));
    });
  }

  void start_subscribe(const proto::subscribe& r, executor_type ex, subscribe_handler h) {
    if (!accepting_requests()) {
      post_completion(ex, std::move(h), error_code(net::net_error::not_connected), subscribe_result{});
      return;
    }
    process([&](proto::action_list& out) {
      auto id = session.subscribe(r, clock::now(), out);
      pending.add(id, std::move(ex), std::move(h)).subscriptions = subscription_memory::copy_of(r);
    });
  }

  void start_unsubscribe(const proto::unsubscribe& r, executor_type ex, subscribe_handler h) {
    if (!accepting_requests()) {
      post_completion(ex, std::move(h), error_code(net::net_error::not_connected), subscribe_result{});
      return;
    }
    for (std::string_view f : r.filters) subscriptions.forget(f);
    process([&](proto::action_list& out) {
      auto id = session.unsubscribe(r, clock::now(), out);
      pending.add(id, std::move(ex), std::move(h));
    });
  }

  // ---------------------------------------------------------------------------------------

 private:
  executor_type executor;
  client_options options;  // options.connect is what the session views: declared before it
  std::string subject;

  net::transport transport;
  proto::session session;
  std::array<asio::steady_timer, proto::timer_kind_count> timers;
  asio::steady_timer reconnect_timer;
  asio::steady_timer shutdown_timer;
  // Reading waits on it while more than max_write_backlog bytes wait to be written.
  asio::steady_timer write_space;
  static constexpr std::size_t max_write_backlog = std::size_t{1} << 20;

  std::vector<std::uint8_t> read_buffer;
  std::vector<std::uint8_t> pending_writes;
  std::vector<std::uint8_t> writing;
  bool write_outstanding = false;
  bool transport_up = false;
  bool shutting_down = false;

  // One action list per nesting level: a handler called while a list is interpreted may make
  // a request, which gets the next list; lists are reused and keep their memory.
  std::vector<std::unique_ptr<proto::action_list>> lists;
  std::size_t depth = 0;

  proto::stream_decoder observe_in;
  proto::stream_decoder observe_out;

  message_handler on_message;
  drained_handler on_drained;

  phase current = phase::idle;
  std::uint64_t generation = 0;  // bumped whenever a connection ends: stale callbacks see it
  std::uint32_t attempts = 0;    // reconnect attempts since the loss; 0 when not reconnecting
  bool stop_requested = false;
  std::optional<std::pair<executor_type, connect_handler>> connect_waiter;
  std::optional<std::pair<executor_type, done_handler>> disconnect_waiter;
  // confirm_qos0_before_disconnect: the DISCONNECT held back until a PINGRESP confirms.
  enum class confirm_stage : std::uint8_t { none, earlier_ping, our_ping };
  confirm_stage confirming = confirm_stage::none;
  bool qos0_unconfirmed = false;  // a QoS 0 PUBLISH went out on this connection since
  held_disconnect held;
  connect_result last_result;
  failure_details failure;
  static constexpr std::size_t early_bytes_limit = 64;
  std::vector<std::uint8_t> early_bytes;  // received before CONNACK, for failure.peer_bytes

  pending_operations pending;
  unwritten_qos0 qos0;
  subscription_memory subscriptions;

  std::minstd_rand rng;
};

}  // namespace detail

client::client(executor_type executor, client_options options)
    : impl_(std::make_shared<detail::client_impl>(std::move(executor), std::move(options))) {}

client::~client() { close(); }

client::client(client&&) noexcept = default;

client& client::operator=(client&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

client::executor_type client::get_executor() const noexcept { return impl_->executor; }

void client::on_message(message_handler handler) { impl_->on_message = std::move(handler); }
void client::on_drained(drained_handler handler) { impl_->on_drained = std::move(handler); }

void client::close() noexcept {
  if (impl_) impl_->close();
}

void client::ping() { impl_->ping(); }
void client::acknowledge(proto::qos q, std::uint16_t packet_id) { impl_->acknowledge(q, packet_id); }
bool client::connected() const noexcept { return impl_->connected(); }
const failure_details& client::last_failure() const noexcept { return impl_->failure; }
const proto::session& client::session() const noexcept { return impl_->session; }
const net::transport& client::transport() const noexcept { return impl_->transport; }
const client_options& client::options() const noexcept { return impl_->options; }

void client::start_connect(executor_type ex, connect_handler handler) {
  impl_->start_connect(std::move(ex), std::move(handler));
}
void client::start_publish(const proto::publish& m, executor_type ex, publish_handler handler) {
  impl_->start_publish(m, std::move(ex), std::move(handler));
}
void client::start_subscribe(const proto::subscribe& r, executor_type ex, subscribe_handler handler) {
  impl_->start_subscribe(r, std::move(ex), std::move(handler));
}
void client::start_unsubscribe(const proto::unsubscribe& r, executor_type ex, subscribe_handler handler) {
  impl_->start_unsubscribe(r, std::move(ex), std::move(handler));
}
void client::start_disconnect(const proto::disconnect& d, executor_type ex, done_handler handler) {
  impl_->start_disconnect(d, std::move(ex), std::move(handler));
}

}  // namespace mqtk::client
