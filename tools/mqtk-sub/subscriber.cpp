#include "mqtk-sub/subscriber.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <random>

#include "common/client_config.hpp"
#include "common/run_until_done.hpp"
#include "common/std_streams.hpp"
#include "common/stop_signals.hpp"
#include "mqtk-sub/stdout_writer.hpp"
#include "mqtk/client/client.hpp"
#include "mqtk/diag/operation_failure.hpp"
#include "mqtk/diag/refusal.hpp"
#include "mqtk/diag/session_close.hpp"
#include "mqtk/diag/exit_code.hpp"
#include "mqtk/net/url.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session_error.hpp"
#include "mqtk/proto/topic.hpp"
#include "mqtk/report/message_printer.hpp"

namespace asio = boost::asio;

namespace mqtk::tools {
namespace {

constexpr std::string_view tool = "mqtk-sub";

class subscriber {
 public:
  subscriber(const sub_options& o, asio::io_context& io, report::message_printer& printer)
      : o_(o), io_(io), printer_(printer), stop_(io), timeout_(io), flush_timer_(io),
        client_(io.get_executor(), make_options()),
        signals_(io, [this](int signal) { interrupted(signal); }) {
    stop_.expires_at(asio::steady_timer::time_point::max());
    subscribe_properties_ = properties_for(o.connection.properties, property_command::subscribe);
    if (o.subscription_id)
      subscribe_properties_.push_back({.id = proto::property_id::subscription_identifier, .number = *o.subscription_id});
    unsubscribe_properties_ = properties_for(o.connection.properties, property_command::unsubscribe);
    client_.on_message([this](const proto::publish& m) { on_message(m); });
    client_.on_drained([this] { drained(); });
    flush_timer_.expires_at(asio::steady_timer::time_point::max());
  }

  asio::awaitable<int> run() {
    // -W bounds the whole run, from the first connection attempt (as mosquitto_sub's does).
    if (o_.timeout_s) start_timeout(*o_.timeout_s);
    auto [ec, connack] = co_await client_.async_connect(asio::as_tuple(asio::use_awaitable));
    if (finished_) co_return co_await end(exit_code_);  // -W or a signal ended the wait
    if (ec) {
      std::cerr << tool << ": " << client_.last_failure().line() << '\n';
      co_return client_.last_failure().exit_code();
    }
    stage_ = stage::subscribing;
    const int rc = co_await subscribe();
    if (finished_) co_return co_await end(exit_code_);
    if (rc >= 0) co_return co_await end(rc);
    stage_ = stage::receiving;
    signal_ready();
    if (o_.exit_after_subscribe) co_return co_await end(0);
    if (!finished_) co_await stop_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return co_await end(exit_code_);
  }

 private:
  client::client_options make_options() {
    auto options = make_client_options(o_.connection, client::reconnect_policy::subscriber());
    // Into a pipe or file, a millisecond of latency is invisible and halves the wake-ups of a
    // busy stream; on a terminal every message shows at once.
    if (::isatty(STDOUT_FILENO) != 1) options.read_coalescing = std::chrono::milliseconds(1);
    // A QoS 1/2 message is acknowledged once it is written to stdout, not when it arrives: what
    // was never printed (after -C, -W, a signal, a failed write) stays with the broker, which
    // sends it again to the next run of a persistent session (-c), as it does for mosquitto_sub.
    options.session.manual_acknowledgement = true;
    if (o_.connection.debug) add_debug_trace(options, tool);
    // A subscriber that reconnects says so, -d or not: a silent gap in the output misleads.
    options.observer.on_connection_lost = [this](const client::connection_lost_event& e) {
      if (!e.will_reconnect && client_.last_failure().broker_broke_protocol()) {
        // Not retried (the broker would do it again): the run ends here, with its one line.
        std::cerr << tool << ": " << client_.last_failure().line() << '\n';
        finish(client_.last_failure().exit_code());
        return;
      }
      // What the broker did, in the words the one-shot tools use ("the broker closed the
      // connection 100 bytes into a 1000-byte PUBLISH"); a broker's DISCONNECT in its own.
      const client::failure_details& f = client_.last_failure();
      const std::string why = f.broker_refused() ? std::string(e.message) : f.to_failure().reason;
      std::cerr << tool << ": " << diag::connection_lost_line("", why, e.will_reconnect) << '\n';
    };
    options.observer.on_reconnected = [](const client::reconnected_event& e) {
      std::cerr << tool << ": reconnected after " << e.attempts << " attempt(s)"
                << (e.session_present ? ", session resumed"
                                      : ", resubscribed to " + std::to_string(e.resubscribed) + " request(s)")
                << '\n';
    };
    options.observer.on_gave_up = [this](const client::gave_up_event& e) {
      const std::string last_error = e.last_error.message();
      std::cerr << tool << ": "
                << diag::operation_failure_line(diag::subscribe_reconnect_gave_up{e.attempts, last_error}) << '\n';
      finish(client_.last_failure() ? client_.last_failure().exit_code()
                                    : diag::to_int(diag::exit_code::connection_lost));
    };
    return options;
  }

  // Subscribes to every -t filter (and unsubscribes -U); returns -1 to go on, else an exit code.
  asio::awaitable<int> subscribe() {
    std::vector<proto::subscription> subs;
    for (const auto& t : o_.topics) {
      subs.push_back({.filter = t,
                      .max_qos = o_.qos,
                      .no_local = o_.no_local,
                      .retain_as_published = o_.retain_as_published,
                      .retain_handling = o_.retain_handling.value_or(0)});
    }
    if (!subs.empty()) {
      const proto::subscribe request{.subscriptions = proto::list_view<proto::subscription>(subs),
                                     .properties = proto::property_list(subscribe_properties_)};
      auto [ec, result] = co_await client_.async_subscribe(request, asio::as_tuple(asio::use_awaitable));
      if (finished_) co_return -1;  // -W or a signal abandoned the wait: run() ends the run
      if (ec && ec != proto::session_error::rejected) {
        std::cerr << tool << ": " << client_.last_failure().line() << '\n';
        co_return client_.last_failure().exit_code();
      }
      // Some filters denied: one warning line each, and go on receiving on the others. All of
      // them denied: nothing can arrive, so one line names them all and the first code is the
      // exit code (mosquitto_sub says so and exits 0).
      const auto denied = diag::denied_filters(o_.topics, result.reason_codes, o_.connection.version);
      if (!denied.empty() && denied.size() == result.reason_codes.size()) {
        std::cerr << tool << ": "
                  << diag::operation_failure_line(diag::every_subscription_denied{denied, o_.connection.version})
                  << '\n';
        co_return denied.front().code.value();
      }
      for (const auto& d : denied) {
        std::cerr << tool << ": " << diag::operation_failure_line(diag::subscription_denied{d, o_.connection.version})
                  << '\n';
      }
    }
    if (!o_.unsubscribe.empty()) {
      std::vector<std::string_view> filters(o_.unsubscribe.begin(), o_.unsubscribe.end());
      const proto::unsubscribe request{.filters = proto::list_view<std::string_view>(filters),
                                       .properties = proto::property_list(unsubscribe_properties_)};
      auto [ec, result] = co_await client_.async_unsubscribe(request, asio::as_tuple(asio::use_awaitable));
      if (finished_) co_return -1;
      if (ec && ec != proto::session_error::rejected) {
        std::cerr << tool << ": " << client_.last_failure().line() << '\n';
        co_return client_.last_failure().exit_code();
      }
    }
    co_return -1;
  }

  // "Subscribed": a CI script can start publishing now, without sleeping and hoping.
  void signal_ready() {
    if (o_.ready_fd) {
      static constexpr char ready[] = "ready\n";
      if (::write(*o_.ready_fd, ready, sizeof ready - 1) < 0)
        std::cerr << tool << ": --ready-fd " << *o_.ready_fd << ": " << std::strerror(errno) << '\n';
      ::close(*o_.ready_fd);
    }
    if (!o_.ready_file.empty()) {
      const int fd = ::open(o_.ready_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) {
        std::cerr << tool << ": --ready-file " << o_.ready_file << ": " << std::strerror(errno) << '\n';
      } else {
        (void)::write(fd, "ready\n", 6);
        ::close(fd);
      }
    }
  }

  void start_timeout(double seconds) {
    const auto waited = std::chrono::round<std::chrono::milliseconds>(std::chrono::duration<double>(seconds));
    timeout_.expires_after(waited);
    timeout_.async_wait([this, waited](boost::system::error_code ec) {
      if (ec || finished_) return;
      if (stage_ != stage::receiving) {
        // A broker still sending its CONNACK or SUBACK when -W ran out trickles or stalled.
        const auto receiving = client_.session().receiving(std::chrono::steady_clock::now(), waited);
        std::cerr << tool << ": "
                  << diag::operation_failure_line(diag::subscribe_timed_out{waited, where_stalled(), broker(), receiving})
                  << '\n';
        abandon(diag::to_int(diag::exit_code::timeout));
        return;
      }
      // -W: with -C, fewer than N arrived; without -C, nothing arrived. Either is a failure.
      const bool failed = o_.count ? printed_ < *o_.count : printed_ == 0;
      if (failed) {
        std::cerr << tool << ": "
                  << diag::operation_failure_line(diag::receive_timed_out{
                         waited, printed_, o_.count ? std::optional<std::size_t>(*o_.count) : std::nullopt})
                  << '\n';
      }
      finish(failed ? diag::to_int(diag::exit_code::timeout) : 0);
    });
  }

  // SIGINT/SIGTERM. While receiving, the end a user asked for: exit 0, as mosquitto_sub. Before
  // the subscription was acknowledged nothing could be received: an acknowledgement never came
  // in the time the user gave it, so 27 as for -W (mosquitto_sub exits 255 there).
  void interrupted(int signal) {
    if (finished_) return;
    if (stage_ == stage::receiving) {
      finish(0);
      return;
    }
    std::cerr << tool << ": "
              << diag::operation_failure_line(diag::subscribe_interrupted{stop_signals::name(signal), where_stalled(), broker()})
              << '\n';
    abandon(diag::to_int(diag::exit_code::timeout));
  }

  // What a run that has not started receiving is waiting for, for the line that ends it.
  diag::stalled_at where_stalled() const {
    if (stage_ == stage::subscribing) return diag::stalled_at::awaiting_suback;
    if (client_.session().state() == proto::session_state::connecting) return diag::stalled_at::awaiting_connack;
    return diag::stalled_at::connecting;
  }

  std::string broker() const {
    return client_.last_failure().subject.empty()
               ? net::host_port(client_.options().target.host, client_.options().target.port)
               : client_.last_failure().subject;
  }

  // The receive queue is drained: write what was printed. Into a pipe or file, at most once per
  // flush_interval: a steady stream of small messages (each wake-up bringing one or two) then
  // costs one write per few milliseconds instead of one per message; nothing waits longer.
  void drained() {
    if (out_.empty() || finished_) return;
    const auto now = std::chrono::steady_clock::now();
    // QoS 1/2 messages waiting to be written are also waiting for their acknowledgement, and
    // the broker's in-flight window (mosquitto: 20) with them: write them at once.
    if (out_.terminal() || !unwritten_.empty() || now - last_flush_ >= flush_interval) {
      out_.flush();
      last_flush_ = now;
      after_output();
      return;
    }
    if (flush_pending_) return;
    flush_pending_ = true;
    flush_timer_.expires_at(last_flush_ + flush_interval);
    flush_timer_.async_wait([this](boost::system::error_code ec) {
      flush_pending_ = false;
      if (ec || finished_) return;
      out_.flush();
      last_flush_ = std::chrono::steady_clock::now();
      after_output();
    });
  }

  void on_message(const proto::publish& m) {
    if (finished_) return;
    if (o_.retained_only && !m.retain) {
      finish(0);
      return;
    }
    // A message handled without printing it (filtered out) is done with at once.
    if (m.retain && o_.no_retained) return acknowledge_now(m);
    for (const auto& f : o_.filter_out)
      if (proto::topic_matches(f, m.topic)) return acknowledge_now(m);
    if (o_.remove_retained && m.retain && !m.payload.empty()) {
      // An empty retained message on the same topic clears it (mosquitto_sub --remove-retained).
      // The client encodes it before async_publish returns, so the topic view may go.
      client_.async_publish(proto::publish{.topic = m.topic, .payload = "", .retain = true},
                            [](boost::system::error_code, client::publish_result) {});
    }
    if (o_.random_filter_percent < 100.0 && std::uniform_real_distribution<double>(0, 100)(rng_) >= o_.random_filter_percent)
      return acknowledge_now(m);
    std::string error;
    const auto view = report::make_message_view(m, std::chrono::system_clock::now());
    if (!printer_.append(out_.buffer(), view, &error, write_payload_)) {
      if (!error.empty()) std::cerr << error;  // a whole line already, as mosquitto_sub prints it
    }
    if (m.qos != proto::qos::at_most_once) unwritten_.push_back({m.qos, m.packet_id});
    out_.message_done();
    if (!after_output()) return;
    ++printed_;
    if (o_.count && printed_ >= *o_.count) finish(0);
  }

  void acknowledge_now(const proto::publish& m) {
    if (m.qos != proto::qos::at_most_once) client_.acknowledge(m.qos, m.packet_id);
  }

  // After stdout may have been written: acknowledges what now is written, or ends the run when
  // stdout is gone (false). The reader going away (`| head -1`) is a successful end; a failed
  // write is not.
  bool after_output() {
    if (out_.closed()) {
      unwritten_.clear();  // never acknowledged: the broker keeps them for a persistent session
      if (out_.error() != 0 && !write_failed_) {
        write_failed_ = true;
        std::cerr << tool << ": " << diag::operation_failure_line(diag::output_write_failed{std::strerror(out_.error())})
                  << '\n';
        finish(exit_io_error);  // after -C or a signal too: end() sees write_failed_
      } else {
        finish(0);
      }
      return false;
    }
    if (out_.empty()) {
      for (const auto& [qos, id] : unwritten_) client_.acknowledge(qos, id);
      unwritten_.clear();
    }
    return true;
  }

  void finish(int code) {
    if (finished_) return;
    finished_ = true;
    exit_code_ = code;
    stop_.cancel();
  }

  // Ends a run that is still connecting or subscribing: the awaited operation completes with
  // operation_aborted, and run() sees finished_.
  void abandon(int code) {
    finish(code);
    client_.close();
  }

  asio::awaitable<int> end(int code) {
    finished_ = true;
    out_.flush();
    after_output();  // what this last write put out is acknowledged before the DISCONNECT
    if (write_failed_) code = exit_io_error;
    timeout_.cancel();
    flush_timer_.cancel();
    signals_.cancel();
    if (client_.connected()) co_await client_.async_disconnect(asio::as_tuple(asio::use_awaitable));
    client_.close();
    co_return code;
  }

  const sub_options& o_;
  asio::io_context& io_;
  report::message_printer& printer_;
  asio::steady_timer stop_;
  asio::steady_timer timeout_;
  asio::steady_timer flush_timer_;
  client::client client_;
  stop_signals signals_;
  enum class stage : std::uint8_t { connecting, subscribing, receiving };
  stage stage_ = stage::connecting;
  // Printed QoS 1/2 messages (qos, packet id) not yet written out: acknowledged once they are.
  std::vector<std::pair<proto::qos, std::uint16_t>> unwritten_;
  bool write_failed_ = false;
  std::vector<proto::property> subscribe_properties_;
  std::vector<proto::property> unsubscribe_properties_;
  stdout_writer out_;
  // A payload printed as it is goes out from the message, not through a copy in out_'s buffer.
  const report::message_printer::verbatim_writer write_payload_{[this](std::string_view p) { out_.append_or_write(p); }};
  std::mt19937 rng_{std::random_device{}()};
  static constexpr std::chrono::milliseconds flush_interval{5};
  std::chrono::steady_clock::time_point last_flush_{};
  bool flush_pending_ = false;
  unsigned printed_ = 0;
  bool finished_ = false;
  int exit_code_ = 0;
};

}  // namespace

int run_subscriber(const sub_options& o, const standard_streams& streams) {
  if (streams.stdout_closed) {
    std::cerr << tool << ": " << diag::operation_failure_line(diag::output_closed_at_start{}) << '\n';
    return exit_io_error;
  }
  std::optional<report::message_printer> printer;
  try {
    printer.emplace(o.printer());
  } catch (const std::exception& e) {
    std::cerr << tool << ": -F: " << e.what() << '\n';
    return diag::to_int(diag::exit_code::usage);
  }
  asio::io_context io(1);
  subscriber s(o, io, *printer);
  return run_until_done(io, s.run(), tool);
}

}  // namespace mqtk::tools
