#include "mqtk-sub/stdout_writer.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace mqtk::tools {
namespace {
constexpr std::size_t batch_limit = 64 * 1024;
}

stdout_writer::stdout_writer() : terminal_(::isatty(STDOUT_FILENO) == 1) {
  // A closed pipe must end the process with 0, not kill it with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  buffer_.reserve(batch_limit * 2);
}

void stdout_writer::message_done() {
  if (terminal_ || buffer_.size() >= batch_limit) flush();
}

bool stdout_writer::flush() {
  std::size_t at = 0;
  while (at < buffer_.size() && !closed_) {
    const ssize_t n = ::write(STDOUT_FILENO, buffer_.data() + at, buffer_.size() - at);
    if (n >= 0) {
      at += static_cast<std::size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p{STDOUT_FILENO, POLLOUT, 0};
      (void)::poll(&p, 1, -1);
    } else if (errno != EINTR) {
      // EPIPE: nobody reads any more (`| head -1`), a normal end. Anything else is a failure.
      if (errno != EPIPE) error_ = errno;
      closed_ = true;
    }
  }
  buffer_.clear();
  return !closed_;
}

}  // namespace mqtk::tools
