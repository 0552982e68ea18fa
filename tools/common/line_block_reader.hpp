#pragma once
// Reads mqtk-pub -l's input in large blocks that end at a line boundary, so that the publisher
// splits lines in place (next_line) instead of reading them one at a time through iostreams:
// at 100k lines/s, getline on a stdio-synced std::cin cost more CPU than the MQTT work.
#include <cstddef>
#include <string>
#include <string_view>

namespace mqtk::tools {

class line_block_reader {
 public:
  // Reads `fd` (not owned). `block_size` is how much one read asks for. A descriptor in
  // non-blocking mode (a pipe inherited that way) is waited on, not taken as ended.
  explicit line_block_reader(int fd, std::size_t block_size = 64 * 1024);

  // Replaces `block` (keeping its capacity) with the next run of whole lines: every line in it
  // ends with '\n', except the input's last line when it has none. Blocks until at least one
  // whole line is there, and returns what one read brought as soon as it ends a line, so a
  // slow pipe is published line by line. False at the end of the input. Throws
  // std::system_error when reading fails.
  bool next(std::string& block);

 private:
  int fd_;
  std::size_t block_size_;
  std::string started_line_;  // bytes after the last '\n' read so far: a line not yet ended
  bool end_of_input_ = false;
};

// Blocks until `fd` is readable (or at its end, or in error): what a read that failed with
// EAGAIN on a non-blocking descriptor needs before it is tried again.
void wait_readable(int fd);

// Everything `fd` yields until its end, waiting for a non-blocking one as wait_readable does.
// Throws std::system_error when reading fails.
std::string read_to_end(int fd);

// Takes the first line off `rest` and returns it without its '\n' (an empty line is an empty
// message, as mosquitto_pub -l sends it). Only call while `rest` is not empty.
inline std::string_view next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const std::string_view line = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  return line;
}

}  // namespace mqtk::tools
