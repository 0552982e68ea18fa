#pragma once
// Why a capture could not be read. The tool maps the kind to an exit code (ARCHITECTURE.md: 65 bad
// input, 66 cannot open); the message names the input and what was wrong with it.
#include <stdexcept>
#include <string>

namespace mqtk::capture {

enum class capture_errc {
  cannot_open,  // the file or interface cannot be opened (missing, permissions, no such device)
  bad_input,    // the bytes are not a pcap/pcapng capture, or a block is corrupt
  live_failed,  // libpcap failed while capturing (filter does not compile, interface went away)
};

class capture_error : public std::runtime_error {
 public:
  capture_error(capture_errc code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  capture_errc code() const noexcept { return code_; }

 private:
  capture_errc code_;
};

}  // namespace mqtk::capture
