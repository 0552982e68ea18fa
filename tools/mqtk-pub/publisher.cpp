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

#include "common/client_config.hpp"
#include "common/run_until_done.hpp"
#include "mqtk/client/client.hpp"
#include "mqtk/diag/exit_code.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session_error.hpp"

namespace asio = boost::asio;

namespace mqtk::tools {
namespace {

constexpr std::string_view tool = "mqtk-pub";

// Lines of stdin for -l, read on their own thread so that a slow producer never stalls the
// connection (keepalive, acknowledgements). Bounded: the reader waits while `capacity` lines
// are queued.
class line_feed {
 public:
  line_feed(payload_source& source, asio::io_context& io, std::function<void()> wake, std::size_t capacity)
      : source_(source), io_(io), wake_(std::move(wake)), capacity_(capacity) {
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

  // Moves the queued lines into `out`; true once the source is exhausted and all were taken.
  bool take(std::deque<std::string>& out) {
    std::lock_guard lock(mutex_);
    while (!lines_.empty()) {
      out.push_back(std::move(lines_.front()));
      lines_.pop_front();
    }
    space_.notify_all();
    return done_;
  }

 private:
  void read() {
    std::string line;
    while (source_.next(line)) {
      std::unique_lock lock(mutex_);
      space_.wait(lock, [&] { return lines_.size() < capacity_ || stopping_; });
      if (stopping_) return;
      lines_.push_back(line);
      lock.unlock();
      asio::post(io_, wake_);
    }
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    asio::post(io_, wake_);
  }

  payload_source& source_;
  asio::io_context& io_;
  std::function<void()> wake_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable space_;
  std::deque<std::string> lines_;
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
    if (source.kind() == payload_kind::stdin_lines) {
      co_await publish_lines(source);
    } else {
      co_await publish_repeated(source);
    }
    while (outstanding_ > 0) co_await wait();
    if (client_.connected()) co_await client_.async_disconnect(asio::as_tuple(asio::use_awaitable));
    co_return exit_code_;
  }

 private:
  client::client_options make_options() {
    auto options = make_client_options(o_.connection, storage_, client::reconnect_policy::publisher());
    if (o_.connection.debug) add_debug_trace(options, tool);
    // -l at QoS 1/2 is a stream of acknowledgements: take them in small batches so that each
    // wake-up frees several in-flight slots and their replacements go out in one write.
    // 100 µs keeps a 20-message window far above what a broker acknowledges per second.
    if (o_.source == payload_kind::stdin_lines && o_.qos != proto::qos::at_most_once)
      options.read_coalescing = std::chrono::microseconds(100);
    return options;
  }

  // Wakes when a publish completes or the line reader has news.
  asio::awaitable<void> wait() {
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    wake_.expires_at(asio::steady_timer::time_point::max());
  }
  void wake() { wake_.cancel(); }

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
    client_.async_publish(message, [this](boost::system::error_code ec, client::publish_result r) {
      --outstanding_;
      if (ec) note_failure(ec, r);
      wake();
    });
  }

  void note_failure(boost::system::error_code ec, const client::publish_result& r) {
    if (exit_code_ != 0) return;  // the first failure decides the exit code and the message
    if (ec == proto::session_error::rejected) {
      std::cerr << tool << ": publish to '" << o_.topic << "' refused by the broker: "
                << proto::reason_code_name(r.reason_code, o_.qos == proto::qos::exactly_once ? proto::packet_type::pubrec
                                                                                             : proto::packet_type::puback,
                                           o_.connection.version)
                << " (reason code 0x" << std::hex << int{r.reason_code} << std::dec
                << ") — check the broker's ACL and limits for this client and topic\n";
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
      while (outstanding_ >= pipeline_limit()) co_await wait();
      publish_one(payload);
    }
  }

  asio::awaitable<void> publish_lines(payload_source& source) {
    line_feed feed(source, io_, [this] { wake(); }, pipeline_limit());
    std::deque<std::string> lines;
    bool done = false;
    while (exit_code_ == 0) {
      done = feed.take(lines);
      while (!lines.empty() && outstanding_ < pipeline_limit()) {
        publish_one(lines.front());
        lines.pop_front();
      }
      if (done && lines.empty()) break;
      co_await wait();
    }
  }

  const pub_options& o_;
  asio::io_context& io_;
  asio::steady_timer wake_;
  client_config_storage storage_;
  client::client client_;
  std::vector<proto::property> publish_properties_;
  std::size_t outstanding_ = 0;
  int exit_code_ = 0;
};

}  // namespace

int run_publisher(const pub_options& o) {
  if (auto option = unsupported_option(o.connection); !option.empty()) {
    std::cerr << tool << ": " << option << " is not supported yet; connect over TCP, TLS or WebSocket instead\n";
    return diag::to_int(diag::exit_code::usage);
  }
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
