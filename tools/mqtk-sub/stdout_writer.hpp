#pragma once
// Buffered writing of mqtk-sub's output to file descriptor 1: flushed per message on a
// terminal, in batches when piped or redirected (the subscriber flushes when the receive queue
// is drained, at most once per few milliseconds), so that `| jq` sees messages promptly and a
// stream costs few system calls. A closed pipe (`| head -1`) is noticed, not fatal; any other
// write error (EBADF, ENOSPC, EIO) is kept for the subscriber to report.
#include <string>
#include <string_view>

namespace mqtk::tools {

class stdout_writer {
 public:
  stdout_writer();

  std::string& buffer() noexcept { return buffer_; }
  // After a message was appended: writes at once on a terminal or when the buffer is large.
  void message_done();
  // Appends `bytes`, or, when they are large, writes what is buffered and then `bytes` from
  // where they lie: a 256 MB payload goes out without a copy.
  void append_or_write(std::string_view bytes);
  // Writes everything buffered (waiting when stdout is a non-blocking descriptor that is
  // full). False once nothing more can be written: the reader has gone away (EPIPE) or a
  // write failed (error()).
  bool flush();
  bool closed() const noexcept { return closed_; }
  // The errno of a failed write other than EPIPE; 0 when none failed.
  int error() const noexcept { return error_; }
  bool terminal() const noexcept { return terminal_; }
  bool empty() const noexcept { return buffer_.empty(); }

 private:
  void write_all(std::string_view bytes);

  std::string buffer_;
  bool terminal_;
  bool closed_ = false;
  int error_ = 0;
};

}  // namespace mqtk::tools
