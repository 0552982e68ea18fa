#include "common/stop_signals.hpp"

#include <csignal>

namespace mqtk::tools {

stop_signals::stop_signals(boost::asio::io_context& io, std::function<void(int)> on_signal)
    : set_(io, SIGINT, SIGTERM) {
  set_.async_wait([on_signal = std::move(on_signal)](boost::system::error_code ec, int signal) {
    if (!ec) on_signal(signal);
  });
}

stop_signals::~stop_signals() { cancel(); }

void stop_signals::cancel() {
  boost::system::error_code ignored;
  set_.cancel(ignored);
}

std::string_view stop_signals::name(int signal) noexcept {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "a signal";
  }
}

}  // namespace mqtk::tools
