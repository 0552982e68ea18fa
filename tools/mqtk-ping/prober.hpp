#pragma once
// The default mqtk-ping run: connect layer by layer through the client's observer hooks, timing
// and describing each stage (DNS, TCP, TLS, WebSocket, CONNACK), then PINGREQ round trips as
// ping(8) sends echo requests. On failure it stops at the first failing layer, and when the
// port seems to speak another protocol it checks that protocol on the same port before saying
// so. The checks (ping_checks.hpp) reuse its connect.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/client_config.hpp"
#include "mqtk-ping/ping_options.hpp"
#include "mqtk-ping/ping_report.hpp"
#include "mqtk/client/client.hpp"

namespace mqtk::tools {

// Text output of a run: nothing with --json (the report is printed at the end instead).
class ping_output {
 public:
  explicit ping_output(bool json) : json_(json) {}
  void line(const std::string& text) const;
  bool json() const noexcept { return json_; }

 private:
  bool json_;
};

// SIGINT/SIGTERM: what is running registers how to stop it.
struct interruption {
  bool requested = false;
  std::function<void()> stop;  // closes the current client or wakes the current wait
};

class prober {
 public:
  prober(const ping_options& o, boost::asio::io_context& io, ping_report& report, const ping_output& out,
         interruption& interrupt);

  // The staged connect; true once a CONNACK accepted the connection (the client stays
  // connected). On failure the report holds the verdict and the one stderr line was printed.
  boost::asio::awaitable<bool> connect(bool quiet_failure = false);
  // -c PINGREQs, -i apart, each waited for -W; then DISCONNECT. Fills report.pings.
  boost::asio::awaitable<void> ping_loop();
  boost::asio::awaitable<void> disconnect();

  // Waits `d`, or until a PINGRESP, a loss or an interruption ends the wait early.
  boost::asio::awaitable<void> wait(std::chrono::steady_clock::duration d);

  client::client& client() { return *client_; }
  // A fresh client options set for the same broker and CONNECT (no observers), for checks; its
  // views stay valid until the next call.
  client::client_options base_options() const;

 private:
  void observe(client::client_options& c);
  void add_stage(const std::string& name, bool ok, client::clock::time_point at, nlohmann::json details,
                 const std::string& text);
  void record_failure();
  boost::asio::awaitable<void> check_other_protocols();
  boost::asio::awaitable<void> ask_in_v5();
  std::string peer_name() const;

  const ping_options& o_;
  boost::asio::io_context& io_;
  ping_report& report_;
  const ping_output& out_;
  interruption& interrupt_;
  std::unique_ptr<client::client> client_;
  boost::asio::steady_timer wake_;
  client::clock::time_point start_{};
  client::clock::time_point mark_{};
  std::vector<std::string> tcp_attempts_;
  // Ping bookkeeping, set by the observer hooks.
  std::optional<client::clock::time_point> ping_sent_;
  std::optional<client::clock::time_point> pong_at_;
  bool lost_ = false;
  std::string disconnect_reference_;  // 5.0 DISCONNECT Server Reference / Reason String
  std::string remote_address_;
};

}  // namespace mqtk::tools
