#include "common/line_block_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace mqtk::tools {

line_block_reader::line_block_reader(int fd, std::size_t block_size) : fd_(fd), block_size_(block_size) {}

bool line_block_reader::next(std::string& block) {
  block.assign(started_line_);
  started_line_.clear();
  for (;;) {
    if (end_of_input_) return !block.empty();  // a last line without its '\n', once
    const std::size_t before = block.size();
    block.resize(before + block_size_);
    const ssize_t n = ::read(fd_, block.data() + before, block_size_);
    if (n < 0) {
      const int error = errno;
      block.resize(before);
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        wait_readable(fd_);
        continue;
      }
      throw std::system_error(error, std::generic_category(), "reading standard input");
    }
    block.resize(before + static_cast<std::size_t>(n));
    if (n == 0) {
      end_of_input_ = true;
      continue;
    }
    // Hand over every line this read ended; keep the started one for the next call.
    const void* last_newline = ::memrchr(block.data() + before, '\n', static_cast<std::size_t>(n));
    if (last_newline == nullptr) continue;  // still inside one (long) line
    const auto whole = static_cast<std::size_t>(static_cast<const char*>(last_newline) - block.data()) + 1;
    started_line_.assign(block, whole);
    block.resize(whole);
    return true;
  }
}

void wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

std::string read_to_end(int fd) {
  std::string data;
  constexpr std::size_t chunk = 64 * 1024;
  for (;;) {
    const std::size_t before = data.size();
    data.resize(before + chunk);
    const ssize_t n = ::read(fd, data.data() + before, chunk);
    data.resize(before + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n > 0) continue;
    if (n == 0) return data;
    const int error = errno;
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK) {
      wait_readable(fd);
      continue;
    }
    throw std::system_error(error, std::generic_category(), "reading standard input");
  }
}

}  // namespace mqtk::tools
