#pragma once
// Where mqtk-pub's message comes from for -m, -f, -s and -n (one message each). The lines of
// -l are read in blocks by line_block_reader instead, as they arrive, so that a pipe can feed
// a long-running publisher.
#include <cstdint>
#include <istream>
#include <memory>
#include <string>

namespace mqtk::tools {

enum class payload_kind : std::uint8_t {
  none,
  message,      // -m MESSAGE
  file,         // -f FILE: the whole file
  stdin_whole,  // -s: all of stdin
  stdin_lines,  // -l: one message per line, without its '\n'
  null_message, // -n: one empty message
};

class payload_source {
 public:
  // `in` is read for stdin_whole and must outlive the source. For a file,
  // the constructor opens it and throws options_file_error (exit 66) when it cannot.
  payload_source(payload_kind kind, std::string message_or_file, std::istream& in);
  // The same, reading -s's stdin from the descriptor `stdin_fd` at once, to its end (waiting
  // when it is non-blocking: see read_to_end); throws std::system_error when reading fails.
  payload_source(payload_kind kind, std::string message_or_file, int stdin_fd);

  // The next message into `out` (replacing its contents, keeping its capacity); false when
  // there are no more (at once for stdin_lines: see line_block_reader).
  bool next(std::string& out);

  payload_kind kind() const noexcept { return kind_; }

 private:
  payload_kind kind_;
  std::string text_;
  std::istream* in_ = nullptr;  // stdin_whole read through an istream; else text_ holds it
  bool done_ = false;
};

}  // namespace mqtk::tools
