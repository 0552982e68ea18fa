#include "common/std_streams.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace mqtk::tools {
namespace {

// True when `fd` was closed and now is /dev/null.
bool reopen_if_closed(int fd, int flags) noexcept {
  if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) return false;
  // open() returns the lowest free descriptor: fd itself, since every lower one is open.
  const int opened = ::open("/dev/null", flags);
  if (opened >= 0 && opened != fd) {
    ::dup2(opened, fd);
    ::close(opened);
  }
  return true;
}

}  // namespace

standard_streams open_standard_streams() noexcept {
  standard_streams s;
  s.stdin_closed = reopen_if_closed(STDIN_FILENO, O_RDONLY);
  s.stdout_closed = reopen_if_closed(STDOUT_FILENO, O_WRONLY);
  s.stderr_closed = reopen_if_closed(STDERR_FILENO, O_WRONLY);
  return s;
}

}  // namespace mqtk::tools
