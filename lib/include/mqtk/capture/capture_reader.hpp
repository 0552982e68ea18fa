#pragma once
// Reads pcap (µs or ns timestamps, either byte order) and pcapng (any number of sections and
// interfaces, each with its own link type and timestamp resolution) from a file, stdin or
// memory. The reader parses the blocks itself rather than through libpcap, because libpcap
// refuses pcapng files whose interfaces have different link types.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "mqtk/capture/raw_frame.hpp"

namespace mqtk::capture {

enum class capture_format { pcap, pcapng };

class capture_reader {
 public:
  // Opens a file, or standard input for "-", and reads its header to tell pcap from pcapng.
  // Throws capture_error: cannot_open when the file cannot be opened, bad_input when it is
  // not a capture.
  static capture_reader open(const std::string& path);
  // Reads from memory the caller keeps alive for the reader's lifetime (tests, fuzzing).
  static capture_reader from_memory(std::span<const std::uint8_t> bytes,
                                    std::string name = "<memory>");

  capture_reader(capture_reader&&) noexcept;
  capture_reader& operator=(capture_reader&&) noexcept;
  ~capture_reader();

  // The next packet record, or false at the end of the input. The frame's bytes stay valid
  // until the next call. Throws capture_error(bad_input) on a corrupt block; a record cut
  // short at the end of the file ends the input and sets truncated() instead, as tshark does.
  bool next(raw_frame& out);

  capture_format format() const noexcept;
  bool truncated() const noexcept;
  const std::string& name() const noexcept;

 private:
  struct impl;
  explicit capture_reader(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace mqtk::capture
