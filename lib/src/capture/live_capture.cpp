#include "mqtk/capture/live_capture.hpp"

#include <pcap/pcap.h>
#include <poll.h>

#include "mqtk/capture/capture_error.hpp"

namespace mqtk::capture {

live_capture::live_capture(const live_options& options) {
  char err[PCAP_ERRBUF_SIZE] = {};
  handle_ = pcap_create(options.interface.c_str(), err);
  if (!handle_) throw capture_error(capture_errc::cannot_open, "cannot capture on " + options.interface + ": " + err);
  pcap_set_snaplen(handle_, options.snaplen);
  pcap_set_promisc(handle_, options.promiscuous ? 1 : 0);
  pcap_set_timeout(handle_, options.poll_ms);
  // Deliver packets as they come rather than when a kernel buffer fills: decode is interactive.
  pcap_set_immediate_mode(handle_, 1);
  nanoseconds_ = pcap_set_tstamp_precision(handle_, PCAP_TSTAMP_PRECISION_NANO) == 0;
  const int status = pcap_activate(handle_);
  if (status < 0) {
    std::string why = status == PCAP_ERROR ? pcap_geterr(handle_) : pcap_statustostr(status);
    pcap_close(handle_);
    handle_ = nullptr;
    throw capture_error(capture_errc::cannot_open, "cannot capture on " + options.interface + ": " + why);
  }
  if (!options.filter.empty()) {
    bpf_program program{};
    if (pcap_compile(handle_, &program, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        pcap_setfilter(handle_, &program) != 0) {
      std::string why = pcap_geterr(handle_);
      pcap_freecode(&program);
      pcap_close(handle_);
      handle_ = nullptr;
      throw capture_error(capture_errc::live_failed, "bad capture filter '" + options.filter + "': " + why);
    }
    pcap_freecode(&program);
  }
  // Non-blocking reads and our own poll(): libpcap's read timeout is not honoured in
  // immediate mode on every platform, and next() must return so that stop() is noticed.
  if (pcap_setnonblock(handle_, 1, err) != 0) {
    pcap_close(handle_);
    handle_ = nullptr;
    throw capture_error(capture_errc::live_failed, "cannot capture on " + options.interface + ": " + err);
  }
  fd_ = pcap_get_selectable_fd(handle_);
  poll_ms_ = options.poll_ms;
  link_ = static_cast<std::uint32_t>(pcap_datalink(handle_));
  // libpcap reports DLT values; the few that differ from LINKTYPE values matter here.
  if (link_ == DLT_RAW) link_ = link_type::raw;
}

live_capture::~live_capture() {
  if (handle_) pcap_close(handle_);
}

bool live_capture::next(raw_frame& out) {
  if (stopped_) return false;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(handle_, &header, &data);
  if (rc == 0 && !stopped_) {
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, fd_ >= 0 ? poll_ms_ : 0);  // EINTR (a signal) simply ends the wait
    rc = pcap_next_ex(handle_, &header, &data);
  }
  if (rc == 1) {
    out.number = ++frame_number_;
    out.ts = static_cast<capture_time>(header->ts.tv_sec) * 1'000'000'000 +
             static_cast<capture_time>(header->ts.tv_usec) * (nanoseconds_ ? 1 : 1000);
    out.link = link_;
    out.bytes = {data, header->caplen};
    out.original_length = header->len;
    return true;
  }
  if (rc == PCAP_ERROR_BREAK) {
    stopped_ = true;
    return false;
  }
  if (rc < 0) throw capture_error(capture_errc::live_failed, std::string("capture failed: ") + pcap_geterr(handle_));
  return false;
}

void live_capture::stop() noexcept {
  stopped_ = true;
  if (handle_) pcap_breakloop(handle_);
}

live_stats live_capture::stats() const {
  live_stats s;
  pcap_stat ps{};
  if (handle_ && pcap_stats(handle_, &ps) == 0) {
    s.received = ps.ps_recv;
    s.dropped = ps.ps_drop;
    s.interface_dropped = ps.ps_ifdrop;
  }
  return s;
}

std::string live_capture::list_interfaces() {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* all = nullptr;
  std::string out;
  if (pcap_findalldevs(&all, err) != 0) return out;
  for (pcap_if_t* d = all; d; d = d->next) {
    out += d->name;
    out += '\n';
  }
  pcap_freealldevs(all);
  return out;
}

}  // namespace mqtk::capture
