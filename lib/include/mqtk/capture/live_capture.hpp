#pragma once
// Live capture through libpcap (-i IFACE [-f BPF]). Frames come out like a file's; the
// kernel's drop count is read with pcap_stats, because dropped packets mean gaps that the
// user must hear about.
#include <cstdint>
#include <string>

#include "mqtk/capture/raw_frame.hpp"

struct pcap;

namespace mqtk::capture {

struct live_options {
  std::string interface;   // "lo", "eth0", "any"
  std::string filter;      // BPF, e.g. "tcp port 1883"; empty captures everything
  int snaplen = 262144;
  bool promiscuous = false;
  int poll_ms = 200;       // how long next() waits before returning so stop() is noticed
};

struct live_stats {
  std::uint64_t received = 0;         // packets the filter accepted
  std::uint64_t dropped = 0;          // dropped by the kernel for lack of buffer space
  std::uint64_t interface_dropped = 0;
};

class live_capture {
 public:
  // Throws capture_error: cannot_open when the interface cannot be opened (no such device,
  // no permission), live_failed when the filter does not compile.
  explicit live_capture(const live_options& options);
  ~live_capture();
  live_capture(const live_capture&) = delete;
  live_capture& operator=(const live_capture&) = delete;

  // Waits for the next frame: true with a frame, false on timeout (poll again) or after stop().
  // The frame's bytes stay valid until the next call.
  bool next(raw_frame& out);
  // Ends the capture; safe from a signal handler or another thread.
  void stop() noexcept;
  bool stopped() const noexcept { return stopped_; }

  live_stats stats() const;

  static std::string list_interfaces();  // one name per line, for error messages

 private:
  pcap* handle_ = nullptr;
  std::uint32_t link_ = 0;
  std::uint64_t frame_number_ = 0;
  bool nanoseconds_ = false;
  int fd_ = -1;
  int poll_ms_ = 200;
  volatile bool stopped_ = false;
};

}  // namespace mqtk::capture
