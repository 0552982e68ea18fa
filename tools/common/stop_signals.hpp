#pragma once
// SIGINT and SIGTERM for a tool's event loop: the handler runs on the loop (never inside a
// signal handler), in every phase of a run, so that Ctrl-C or `timeout` ends a tool promptly
// even while it waits for a CONNACK, a SUBACK or its input.
#include <functional>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace mqtk::tools {

class stop_signals {
 public:
  // `on_signal` is called once, with the signal number, for the first SIGINT or SIGTERM.
  stop_signals(boost::asio::io_context& io, std::function<void(int)> on_signal);
  ~stop_signals();
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;

  // Stops listening (the default dispositions do not come back while the object lives).
  void cancel();

  // "SIGINT", "SIGTERM".
  static std::string_view name(int signal) noexcept;

 private:
  boost::asio::signal_set set_;
};

}  // namespace mqtk::tools
