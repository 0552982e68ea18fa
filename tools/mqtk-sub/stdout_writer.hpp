#pragma once
// Buffered writing of mqtk-sub's output to file descriptor 1: flushed per message on a
// terminal, in batches when piped or redirected (the subscriber flushes when the receive queue
// is drained, at most once per few milliseconds), so that `| jq` sees messages promptly and a
// stream costs few system calls. A closed pipe (`| head -1`) is noticed,
// not fatal.
#include <string>

namespace mqtk::tools {

class stdout_writer {
 public:
  stdout_writer();

  std::string& buffer() noexcept { return buffer_; }
  // After a message was appended: writes at once on a terminal or when the buffer is large.
  void message_done();
  // Writes everything buffered. False once the reader has gone away (EPIPE).
  bool flush();
  bool closed() const noexcept { return closed_; }
  bool terminal() const noexcept { return terminal_; }
  bool empty() const noexcept { return buffer_.empty(); }

 private:
  std::string buffer_;
  bool terminal_;
  bool closed_ = false;
};

}  // namespace mqtk::tools
