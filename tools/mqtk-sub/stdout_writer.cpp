#include "mqtk-sub/stdout_writer.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace mqtk::tools {
namespace {
constexpr std::size_t batch_limit = 64 * 1024;
// A payload this large is written from where it lies rather than copied into the buffer.
constexpr std::size_t write_through_from = 64 * 1024;
}

stdout_writer::stdout_writer() : terminal_(::isatty(STDOUT_FILENO) == 1) {
  // A closed pipe must end the process with 0, not kill it with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  buffer_.reserve(batch_limit * 2);
}

void stdout_writer::message_done() {
  if (terminal_ || buffer_.size() >= batch_limit) flush();
}

void stdout_writer::append_or_write(std::string_view bytes) {
  if (bytes.size() < write_through_from) {
    buffer_ += bytes;
    return;
  }
  flush();
  write_all(bytes);
}

bool stdout_writer::flush() {
  write_all(buffer_);
  buffer_.clear();
  // A large -F or --json line grew the buffer: its memory is not kept for the small ones.
  if (buffer_.capacity() > 4 * batch_limit) {
    buffer_.shrink_to_fit();
    buffer_.reserve(batch_limit * 2);
  }
  return !closed_;
}

void stdout_writer::write_all(std::string_view bytes) {
  std::size_t at = 0;
  while (at < bytes.size() && !closed_) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + at, bytes.size() - at);
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
}

}  // namespace mqtk::tools
