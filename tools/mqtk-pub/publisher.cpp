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
#include "mqtk/client/client.hpp"
#include "mqtk/diag/exit_code.hpp"
#include "mqtk/diag/refusal.hpp"
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
      : o_(o), io_(io), wake_(io), client_(io.get_executor(), make_options()) {
    publish_properties_ = properties_for(o.connection.properties, property_command::publish);
    wake_.expires_at(asio::steady_timer::time_point::max());
  }

  asio::awaitable<int> run(payload_source& source) {
    auto [ec, connack] = co_await client_.async_connect(asio::as_tuple(asio::use_awaitable));
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
    while (outstanding_ > 0) co_await wait(waiting_for::all_acknowledged);
    if (client_.connected()) {
      co_await client_.async_disconnect(asio::as_tuple(asio::use_awaitable));
    } else if (exit_code_ == 0 && client_.last_failure()) {
      // Lost while idle (every message was acknowledged): still not the clean end a script
      // expects, so say so and exit as a lost connection does.
      note_failure(client_.last_failure().error, {});
    }
    co_return exit_code_ != 0 ? exit_code_ : input_failed;
  }

 private:
  client::client_options make_options() {
    auto options = make_client_options(o_.connection, storage_, client::reconnect_policy::publisher());
    if (o_.connection.debug) add_debug_trace(options, tool);
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
    if (ec) note_failure(ec, r);
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

  void note_failure(boost::system::error_code ec, const client::publish_result& r) {
    if (exit_code_ != 0) return;  // the first failure decides the exit code and the message
    if (ec == proto::session_error::rejected) {
      std::cerr << tool << ": publish to '" << o_.topic << "' refused by the broker: "
                << diag::refusal_reason(r.reason_code, o_.connection.version,
                                        o_.qos == proto::qos::exactly_once ? proto::packet_type::pubrec
                                                                           : proto::packet_type::puback)
                << '\n';
      exit_code_ = r.reason_code;
      return;
    }
    const auto& f = client_.last_failure();
    std::cerr << tool << ": " << (f ? f.line() : "publish failed: " + ec.message()) << '\n';
    exit_code_ = f ? f.exit_code() : diag::to_int(diag::exit_code::connection_lost);
  }

  asio::awaitable<void> publish_repeated(payload_source& source) {
    std::string payload;
    source.next(payload);
    asio::steady_timer delay(io_);
    for (unsigned i = 0; i < o_.repeat && exit_code_ == 0; ++i) {
      if (i > 0 && o_.repeat_delay_s > 0) {
        delay.expires_after(std::chrono::microseconds(static_cast<long long>(o_.repeat_delay_s * 1e6)));
        co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      while (outstanding_ >= pipeline_limit()) co_await wait(waiting_for::room);
      publish_one(payload);
    }
  }

  // Returns the exit code for a failure to read the input, 0 when it was read to its end.
  asio::awaitable<int> publish_lines() {
    line_feed feed(io_, [this] { wake(); }, 4);
    std::string block;
    std::string_view rest;
    while (exit_code_ == 0) {
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
      co_await wait(outstanding_ >= pipeline_limit() ? waiting_for::room : waiting_for::input);
    }
    if (const std::string error = feed.error(); !error.empty()) {
      std::cerr << tool << ": " << error << "; lines read before it were published\n";
      co_return diag::to_int(diag::exit_code::cannot_open_input);
    }
    co_return 0;
  }

  const pub_options& o_;
  asio::io_context& io_;
  asio::steady_timer wake_;
  client_config_storage storage_;
  client::client client_;
  std::vector<proto::property> publish_properties_;
  std::size_t outstanding_ = 0;
  waiting_for waiting_ = waiting_for::nothing;
  int exit_code_ = 0;
};

}  // namespace

int run_publisher(const pub_options& o) {
  std::optional<payload_source> source;
  try {
    source.emplace(o.source, o.source == payload_kind::file ? o.file : o.message, std::cin);
  } catch (const std::exception& e) {
    std::cerr << tool << ": " << e.what() << '\n';
    return diag::to_int(diag::exit_code::cannot_open_input);
  }
  asio::io_context io(1);
  publisher p(o, io);
  return run_until_done(io, p.run(*source), tool);
}

}  // namespace mqtk::tools
