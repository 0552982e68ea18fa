#include "mqtk-pub/publisher.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <unistd.h>

#include "common/client_config.hpp"
#include "common/line_block_reader.hpp"
#include "common/run_until_done.hpp"
#include "common/stop_signals.hpp"
#include "mqtk/client/client.hpp"
#include "mqtk/diag/exit_code.hpp"
#include "mqtk/diag/operation_failure.hpp"
#include "mqtk/diag/refusal.hpp"
#include "mqtk/diag/session_close.hpp"
#include "mqtk/net/net_error.hpp"
#include "mqtk/net/url.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session_error.hpp"

namespace asio = boost::asio;

namespace mqtk::tools {
namespace {

constexpr std::string_view tool = "mqtk-pub";

// Stdin for -l, read on its own thread so that a slow producer never stalls the connection
// (keepalive, acknowledgements), in blocks of whole lines (line_block_reader) so that a fast
// producer costs one hand-over per block, not per line. Bounded: the reader waits while
// `capacity` blocks are queued.
class line_feed {
 public:
  line_feed(asio::io_context& io, std::function<void()> wake, std::size_t capacity)
      : io_(io), wake_(std::move(wake)), capacity_(capacity) {
    reader_ = std::thread([this] { read(); });
  }
  ~line_feed() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    space_.notify_all();
    // A reader blocked on stdin cannot be interrupted; it ends with the process.
    if (reader_.joinable()) reader_.detach();
  }

  // The next block of lines into `block` (its old buffer goes back to the reader), if one is
  // queued.
  bool take(std::string& block) {
    std::lock_guard lock(mutex_);
    if (blocks_.empty()) return false;
    if (block.capacity() > 0) spare_.push_back(std::move(block));
    block = std::move(blocks_.front());
    blocks_.pop_front();
    space_.notify_all();
    return true;
  }
  // True once the input has ended and every block was taken.
  bool finished() {
    std::lock_guard lock(mutex_);
    return done_ && blocks_.empty();
  }
  // Why reading stopped early, empty at a normal end of input.
  std::string error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  void read() {
    line_block_reader input(STDIN_FILENO);
    std::string block;
    try {
      while (input.next(block)) {
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return blocks_.size() < capacity_ || stopping_; });
        if (stopping_) return;
        const bool was_empty = blocks_.empty();
        blocks_.push_back(std::move(block));
        block.clear();
        if (!spare_.empty()) {
          block.swap(spare_.back());
          spare_.pop_back();
        }
        lock.unlock();
        // The publisher only waits for input when the queue is empty: one wake-up per refill.
        if (was_empty) asio::post(io_, wake_);
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      error_ = e.what();
    }
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    asio::post(io_, wake_);
  }

  asio::io_context& io_;
  std::function<void()> wake_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable space_;
  std::deque<std::string> blocks_;
  std::vector<std::string> spare_;  // taken blocks' buffers, reused by the reader
  std::string error_;
  bool done_ = false;
  bool stopping_ = false;
  std::thread reader_;
};

class publisher {
 public:
  publisher(const pub_options& o, asio::io_context& io)
      : o_(o), io_(io), wake_(io), delay_(io), client_(io.get_executor(), make_options()),
        signals_(io, [this](int signal) { interrupted(signal); }) {
    publish_properties_ = properties_for(o.connection.properties, property_command::publish);
    wake_.expires_at(asio::steady_timer::time_point::max());
  }

  asio::awaitable<int> run(payload_source& source) {
    auto [ec, connack] = co_await client_.async_connect(asio::as_tuple(asio::use_awaitable));
    if (interrupted_ != 0) {
      const std::string broker = broker_name();
      std::cerr << tool << ": "
                << diag::operation_failure_line(diag::publish_connect_interrupted{
                       stop_signals::name(interrupted_), broker, interrupted_awaiting_connack_})
                << '\n';
      co_return diag::to_int(diag::exit_code::timeout);
    }
    if (ec) {
      std::cerr << tool << ": " << client_.last_failure().line() << '\n';
      co_return client_.last_failure().exit_code();
    }
    int input_failed = 0;
    if (source.kind() == payload_kind::stdin_lines) {
      input_failed = co_await publish_lines();
    } else {
      co_await publish_repeated(source);
    }
    while (outstanding_ > 0 && interrupted_ == 0) co_await wait(waiting_for::all_acknowledged);
    if (interrupted_ != 0 && outstanding_ > 0) {
      // Ended before the broker acknowledged everything: an acknowledgement never came in the
      // time the user gave it (27, as for -W elsewhere).
      if (exit_code_ == 0) {
        std::cerr << tool << ": "
                  << diag::operation_failure_line(diag::publish_interrupted{stop_signals::name(interrupted_), outstanding_})
                  << '\n';
        exit_code_ = diag::to_int(diag::exit_code::timeout);
      }
      client_.close();
      co_return exit_code_;
    }
    signals_.cancel();
    if (reconnecting_ && exit_code_ == 0) {
      // -l: the input ended while the connection was down, every line acknowledged before the
      // loss. Nothing is owed, but the clean end never happened: say so, as for a loss (75).
      const std::string why = client_.last_failure() ? client_.last_failure().message : std::string();
      std::cerr << tool << ": "
                << diag::operation_failure_line(diag::publish_connection_not_reestablished{broker_name(), why})
                << '\n';
      client_.close();
      co_return diag::to_int(diag::exit_code::connection_lost);
    }
    if (client_.connected()) {
      auto [dec] = co_await client_.async_disconnect(asio::as_tuple(asio::use_awaitable));
      if (dec && dec != net::net_error::not_connected && exit_code_ == 0) {
        // The PINGREQ after the QoS 0 messages was not answered: the connection ended first.
        report_unconfirmed(dec);
      }
    } else if (exit_code_ == 0 && client_.last_failure() && o_.qos == proto::qos::at_most_once) {
      report_unconfirmed(client_.last_failure().error);
    } else if (exit_code_ == 0 && client_.last_failure()) {
      // Lost while idle (every message was acknowledged): still not the clean end a script
      // expects, so say so and exit as a lost connection does.
      note_failure(client_.last_failure().error, {});
    }
    if (exit_code_ == 0 && lost_qos0_ > 0) {
      std::cerr << tool << ": " << diag::operation_failure_line(diag::qos0_lost_with_connection{lost_qos0_}) << '\n';
      exit_code_ = diag::to_int(diag::exit_code::connection_lost);
    }
    co_return exit_code_ != 0 ? exit_code_ : input_failed;
  }

 private:
  client::client_options make_options() {
    // -l is a stream (`tail -f log | mqtk-pub -l`): it outlives a broker restart, as mqtk-sub
    // does. Unacknowledged messages are resent: with DUP in a resumed session (-c), as new
    // messages when the broker has no session for us. A single message (-m, -f, -s, -n) keeps
    // mosquitto_pub's behaviour: a lost connection is the end (exit 75).
    const bool stream = o_.source == payload_kind::stdin_lines;
    auto policy = client::reconnect_policy::publisher();
    if (stream) {
      policy.enabled = true;
      policy.resubscribe = false;
      policy.initial_delay = std::chrono::milliseconds(500);
      policy.max_delay = std::chrono::milliseconds(10'000);
      // A restart takes seconds; a broker still unreachable after ~15 s (0.5 + 1 + 2 + 4 + 8)
      // is gone, and a pipeline must not hang on it: give up (75).
      policy.max_attempts = 5;
    }
    auto options = make_client_options(o_.connection, policy);
    if (stream) options.session.on_lost_session = proto::lost_session_policy::resend_as_new;
    // A QoS 0 PUBLISH the broker refuses is only seen as a closed connection: confirm before
    // DISCONNECT, so that such a refusal is not reported as success.
    options.confirm_qos0_before_disconnect = true;
    if (o_.connection.debug) add_debug_trace(options, tool);
    if (stream) {
      options.observer.on_connection_lost = [this](const client::connection_lost_event& e) {
        reconnecting_ = e.will_reconnect;
        // A broker that drops us again and again with nothing acknowledged in between is
        // refusing what we resend (a property, a size, an ACL that closes): retrying forever
        // would hang the pipeline, so give up after a few rounds.
        if (e.will_reconnect && ++losses_without_progress_ >= max_losses_without_progress) {
          std::cerr << tool << ": "
                    << diag::operation_failure_line(diag::publish_lost_repeatedly{losses_without_progress_, e.message})
                    << '\n';
          const proto::reason_code code = e.reason_code;
          exit_code_ = code.is_failure(proto::packet_type::disconnect, proto::protocol_version::v5)
                           ? code.value()
                           : diag::to_int(diag::exit_code::connection_lost);
          asio::post(io_, [this] { client_.close(); });
          return;
        }
        std::cerr << tool << ": " << diag::connection_lost_line(broker_name(), e.message, e.will_reconnect) << '\n';
      };
      options.observer.on_gave_up = [this](const client::gave_up_event& e) {
        reconnecting_ = false;
        if (exit_code_ != 0) return;
        const std::string broker = broker_name();
        const std::string last_error = e.last_error.message();
        std::cerr << tool << ": "
                  << diag::operation_failure_line(
                         diag::publish_reconnect_gave_up{broker, e.attempts, last_error, outstanding_})
                  << '\n';
        exit_code_ = diag::to_int(diag::exit_code::connection_lost);
      };
      options.observer.on_reconnected = [this](const client::reconnected_event& e) {
        reconnecting_ = false;
        std::cerr << tool << ": reconnected after " << e.attempts << " attempt(s)"
                  << (e.session_present ? ", session resumed: resending what was not acknowledged"
                                        : ", new session: resending what was not acknowledged as new messages")
                  << '\n';
      };
    }
    // -l at QoS 1/2 is a stream of acknowledgements: take them in small batches so that each
    // wake-up frees several in-flight slots and their replacements go out in one write. The
    // pause must stay well below what the broker needs for a window of 20 (mosquitto: ~14 µs
    // a message), or the broker runs dry and waits for us: 50 µs beat 100 µs in the -l -q 1
    // benchmark (median 47k vs 41k msg/s over 6 runs each; BENCHMARKS.md), 0 µs was worse still.
    if (o_.source == payload_kind::stdin_lines && o_.qos != proto::qos::at_most_once)
      options.read_coalescing = std::chrono::microseconds(50);
    return options;
  }

  // What the publishing loop is waiting for, so that a completion wakes it only when that
  // changed: at 100k messages/s a wake-up per acknowledgement is a visible share of the CPU.
  enum class waiting_for : std::uint8_t { nothing, input, room, all_acknowledged };

  asio::awaitable<void> wait(waiting_for what) {
    waiting_ = what;
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    waiting_ = waiting_for::nothing;
    wake_.expires_at(asio::steady_timer::time_point::max());
  }
  void wake() { wake_.cancel(); }

  void on_completed(boost::system::error_code ec, const client::publish_result& r) {
    --outstanding_;
    if (ec && reconnecting_ && o_.qos == proto::qos::at_most_once && !local_refusal(ec)) {
      ++lost_qos0_;  // written (or not) on the connection that went away; the stream goes on
      ec = {};
    }
    if (ec) note_failure(ec, r);
    if (!ec) losses_without_progress_ = 0;  // acknowledged (QoS 1/2) or written (QoS 0)
    // Room: refill once half the pipeline is free, so that the next batch goes out in one write.
    const bool wanted = ec || (waiting_ == waiting_for::room && outstanding_ <= pipeline_limit() / 2) ||
                        (waiting_ == waiting_for::all_acknowledged && outstanding_ == 0);
    if (wanted) wake();
  }

  // How many publishes may be handed to the client before their acknowledgements: enough to
  // keep the in-flight window full, bounded so that a huge input does not all sit in memory.
  std::size_t pipeline_limit() const {
    return std::max<std::size_t>(std::size_t{4} * o_.connection.max_inflight, 1024);
  }

  // The client encodes the message before async_publish returns (client.hpp), so the payload
  // only has to live for this call: no copy is kept per message.
  void publish_one(std::string_view payload) {
    const proto::publish message{.topic = o_.topic,
                                 .payload = payload,
                                 .qos = o_.qos,
                                 .retain = o_.retain,
                                 .properties = proto::property_list(publish_properties_)};
    ++outstanding_;
    client_.async_publish(message,
                          [this](boost::system::error_code ec, client::publish_result r) { on_completed(ec, r); });
  }

  // The connection ended after QoS 0 messages and before the broker confirmed them (PINGRESP).
  void report_unconfirmed(boost::system::error_code ec) {
    const auto& f = client_.last_failure();
    if (f && f.broker_refused()) {
      // A broker that said why (5.0 DISCONNECT reason code) is explained as any refusal is.
      std::cerr << tool << ": " << f.line() << '\n';
    } else {
      const std::string why = f ? f.message : ec.message();
      std::cerr << tool << ": " << diag::operation_failure_line(diag::qos0_unconfirmed{why}) << '\n';
    }
    exit_code_ = f ? f.exit_code() : diag::to_int(diag::exit_code::connection_lost);
  }

  static bool local_refusal(boost::system::error_code ec) {
    return ec == proto::session_error::qos_not_supported || ec == proto::session_error::retain_not_supported ||
           ec == proto::session_error::packet_too_large || ec == proto::session_error::invalid_request;
  }

  // SIGINT/SIGTERM: stop taking input and end promptly (run() decides the exit code).
  void interrupted(int signal) {
    if (interrupted_ != 0) return;
    interrupted_ = signal;
    if (!client_.connected() && outstanding_ == 0 && !started_) {
      interrupted_awaiting_connack_ = client_.session().state() == proto::session_state::connecting;
      client_.close();  // the connect completes with operation_aborted
    }
    delay_.cancel();
    wake();
  }

  std::string broker_name() const {
    const auto& o = client_.options();
    return o.net.unix_socket.empty() ? net::host_port(o.target.host, o.target.port) : "unix:" + o.net.unix_socket;
  }

  // The broker's CONNACK limits refuse the message before it is sent (5.0): the exit code is
  // the reason code the broker would have answered with (ARCHITECTURE.md, 128-162).
  bool note_local_refusal(boost::system::error_code ec) {
    const proto::server_limits& limits = client_.session().server();
    using limit = diag::publish_over_limit::limit;
    diag::publish_over_limit e{.asked_qos = o_.qos};
    if (ec == proto::session_error::qos_not_supported) {
      e.which = limit::maximum_qos;
      e.broker_value = static_cast<std::uint32_t>(limits.maximum_qos);
    } else if (ec == proto::session_error::retain_not_supported) {
      e.which = limit::retain_available;
    } else if (ec == proto::session_error::packet_too_large) {
      e.which = limit::maximum_packet_size;
      e.broker_value = limits.maximum_packet_size;
    } else {
      return false;
    }
    std::cerr << tool << ": " << diag::operation_failure_line(e) << '\n';
    exit_code_ = diag::exit_code_for_reason(diag::reason_for(e.which));
    return true;
  }

  void note_failure(boost::system::error_code ec, const client::publish_result& r) {
    if (exit_code_ != 0) return;  // the first failure decides the exit code and the message
    if (note_local_refusal(ec)) return;
    if (ec == proto::session_error::rejected) {
      const diag::publish_refused e{.topic = o_.topic,
                                    .code = r.reason_code,
                                    .where = o_.qos == proto::qos::exactly_once ? proto::packet_type::pubrec
                                                                                : proto::packet_type::puback,
                                    .version = o_.connection.version};
      std::cerr << tool << ": " << diag::operation_failure_line(e) << '\n';
      exit_code_ = r.reason_code.value();
      return;
    }
    const auto& f = client_.last_failure();
    std::cerr << tool << ": " << (f ? f.line() : "publish failed: " + ec.message()) << '\n';
    exit_code_ = f ? f.exit_code() : diag::to_int(diag::exit_code::connection_lost);
  }

  asio::awaitable<void> publish_repeated(payload_source& source) {
    std::string payload;
    source.next(payload);
    started_ = true;
    for (unsigned i = 0; i < o_.repeat && exit_code_ == 0 && interrupted_ == 0; ++i) {
      if (i > 0 && o_.repeat_delay_s > 0) {
        delay_.expires_after(std::chrono::microseconds(static_cast<long long>(o_.repeat_delay_s * 1e6)));
        co_await delay_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (interrupted_ != 0) break;
      }
      while (outstanding_ >= pipeline_limit() && interrupted_ == 0) co_await wait(waiting_for::room);
      if (interrupted_ != 0) break;
      publish_one(payload);
    }
  }

  // Returns the exit code for a failure to read the input, 0 when it was read to its end.
  asio::awaitable<int> publish_lines() {
    started_ = true;
    line_feed feed(io_, [this] { wake(); }, 4);
    std::string block;
    std::string_view rest;
    while (exit_code_ == 0 && interrupted_ == 0) {
      // Check for a block right before deciding to wait for input: the reader's wake-up for it
      // may have been spent on an earlier wait.
      while (outstanding_ < pipeline_limit()) {
        if (rest.empty()) {
          if (!feed.take(block)) break;
          rest = block;
        }
        publish_one(next_line(rest));
      }
      if (rest.empty() && feed.finished()) break;
      if (interrupted_ != 0) break;
      co_await wait(outstanding_ >= pipeline_limit() ? waiting_for::room : waiting_for::input);
    }
    if (const std::string error = feed.error(); !error.empty()) {
      std::cerr << tool << ": " << diag::operation_failure_line(diag::input_read_failed{error}) << '\n';
      co_return diag::to_int(diag::exit_code::cannot_open_input);
    }
    co_return 0;
  }

  const pub_options& o_;
  asio::io_context& io_;
  asio::steady_timer wake_;
  asio::steady_timer delay_;  // --repeat-delay
  client::client client_;
  stop_signals signals_;
  int interrupted_ = 0;         // the signal that ended the run, 0 if none
  bool started_ = false;        // connected and publishing
  // A signal during the connect came with the transport up and CONNECT sent.
  bool interrupted_awaiting_connack_ = false;
  bool reconnecting_ = false;   // -l: the connection is down and will be re-established
  std::size_t lost_qos0_ = 0;   // -l -q 0: messages that went down with a connection
  static constexpr unsigned max_losses_without_progress = 3;
  unsigned losses_without_progress_ = 0;  // -l: losses since the last acknowledgement
  std::vector<proto::property> publish_properties_;
  std::size_t outstanding_ = 0;
  waiting_for waiting_ = waiting_for::nothing;
  int exit_code_ = 0;
};

}  // namespace

int run_publisher(const pub_options& o, const standard_streams& streams) {
  const bool reads_stdin = o.source == payload_kind::stdin_whole || o.source == payload_kind::stdin_lines;
  if (reads_stdin && streams.stdin_closed) {
    // mosquitto_pub 2.0.11 crashes (-s) or hangs (-l) here; publishing an empty message instead
    // could clear a retained one, so refuse.
    std::cerr << tool << ": "
              << diag::operation_failure_line(diag::input_closed_at_start{o.source == payload_kind::stdin_lines})
              << '\n';
    return diag::to_int(diag::exit_code::cannot_open_input);
  }
  std::optional<payload_source> source;
  try {
    source.emplace(o.source, o.source == payload_kind::file ? o.file : o.message, STDIN_FILENO);
  } catch (const std::exception& e) {
    std::cerr << tool << ": " << e.what() << '\n';
    return diag::to_int(diag::exit_code::cannot_open_input);
  }
  asio::io_context io(1);
  publisher p(o, io);
  return run_until_done(io, p.run(*source), tool);
}

}  // namespace mqtk::tools
