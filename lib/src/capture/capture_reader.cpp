#include "mqtk/capture/capture_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "mqtk/capture/capture_error.hpp"

namespace mqtk::capture {
namespace {

constexpr std::uint32_t pcapng_shb = 0x0A0D0D0A;
constexpr std::uint32_t pcapng_bom = 0x1A2B3C4D;
constexpr std::uint32_t pcapng_idb = 1;
constexpr std::uint32_t pcapng_opb = 2;
constexpr std::uint32_t pcapng_spb = 3;
constexpr std::uint32_t pcapng_epb = 6;
// A sanity bound on one record, so a corrupt length is reported instead of allocated.
constexpr std::size_t max_record = 256u << 20;
constexpr std::size_t read_chunk = 4u << 20;

std::uint32_t load32(const std::uint8_t* p, bool big) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return big == (std::endian::native == std::endian::big) ? v : __builtin_bswap32(v);
}
std::uint16_t load16(const std::uint8_t* p, bool big) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return big == (std::endian::native == std::endian::big) ? v
                                                          : static_cast<std::uint16_t>(__builtin_bswap16(v));
}

// Bytes from memory or a file descriptor read in large chunks. peek() gives
// a contiguous view of the next n bytes (fewer only at the end of the input).
class byte_source {
 public:
  byte_source() = default;
  byte_source(const byte_source&) = delete;
  byte_source& operator=(const byte_source&) = delete;
  ~byte_source() {
    if (fd_ > 0) ::close(fd_);
  }

  void set_memory(std::span<const std::uint8_t> bytes) {
    data_ = bytes.data();
    size_ = bytes.size();
  }
  void set_fd(int fd) { fd_ = fd, streaming_ = true; }

  std::span<const std::uint8_t> peek(std::size_t n) {
    if (size_ - pos_ < n && streaming_) refill(n);
    return {data_ + pos_, std::min(n, size_ - pos_)};
  }
  void consume(std::size_t n) { pos_ += n; }
  std::uint64_t offset() const { return consumed_before_ + pos_; }

 private:
  // Reads until n bytes are buffered or the input ends. The buffer grows with the bytes that
  // arrive, never to a size a length field claims: a record header saying 256 MB on an 8 KB
  // input costs 8 KB, not 256 MB zero-filled up front.
  void refill(std::size_t n) {
    const std::size_t left = size_ - pos_;
    if (buffer_.empty()) {
      std::vector<std::uint8_t> fresh(std::max(left, std::min(n, read_chunk)));
      if (left) std::memcpy(fresh.data(), data_ + pos_, left);
      buffer_.swap(fresh);
    } else if (left && pos_) {
      std::memmove(buffer_.data(), data_ + pos_, left);
    }
    consumed_before_ += pos_;
    pos_ = 0;
    size_ = left;
    data_ = buffer_.data();
    while (size_ < n && !eof_) {
      if (size_ == buffer_.size()) {
        buffer_.resize(std::min(n, size_ + std::max(size_, read_chunk)));
        data_ = buffer_.data();
      }
      const ssize_t got = ::read(fd_, buffer_.data() + size_, buffer_.size() - size_);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        eof_ = true;
        break;
      }
      size_ += static_cast<std::size_t>(got);
    }
  }

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
  std::uint64_t consumed_before_ = 0;
  std::vector<std::uint8_t> buffer_;
  int fd_ = -1;
  bool streaming_ = false;
  bool eof_ = false;
};

// Timestamps of a hostile or corrupt file can be anything. They are kept within +-2^62 ns
// (+-146 years around 1970), so that the analyzer's differences of two timestamps, and sums
// with its windows and will delays, can never overflow.
__extension__ typedef __int128 wide_time;
constexpr capture_time clamp_time(wide_time ns) noexcept {
  constexpr wide_time limit = wide_time{1} << 62;
  return static_cast<capture_time>(ns > limit ? limit : ns < -limit ? -limit : ns);
}

// 128-bit intermediates keep 2^-n and 10^-n resolutions exact; __extension__ keeps -Wpedantic quiet.
__extension__ typedef __int128 wide;

struct interface_info {
  std::uint32_t link = 0;
  bool binary_resolution = false;  // if_tsresol with the top bit set: 2^-n seconds
  std::uint8_t exponent = 6;       // default: microseconds
  std::int64_t offset_seconds = 0;

  capture_time to_ns(std::uint64_t units) const {
    wide ns;
    if (binary_resolution) {
      const unsigned e = exponent > 63 ? 63 : exponent;
      ns = (static_cast<wide>(units) * 1'000'000'000) >> e;
    } else if (exponent <= 9) {
      wide scale = 1;
      for (int i = exponent; i < 9; ++i) scale *= 10;
      ns = static_cast<wide>(units) * scale;
    } else {
      wide scale = 1;
      for (int i = 9; i < exponent && i < 40; ++i) scale *= 10;
      ns = static_cast<wide>(units) / scale;
    }
    return clamp_time(ns + static_cast<wide>(offset_seconds) * 1'000'000'000);
  }
};

}  // namespace

struct capture_reader::impl {
  std::string name;
  byte_source src;
  capture_format format = capture_format::pcap;
  bool truncated = false;
  bool done = false;
  std::uint64_t frame_number = 0;

  // pcap
  bool big = false;
  bool nanoseconds = false;
  std::size_t record_header = 16;  // 24 for the "modified" (Kuznetzov) pcap variant
  std::uint32_t pcap_link = 0;

  // pcapng, reset at every section header
  std::vector<interface_info> interfaces;

  [[noreturn]] void fail(const std::string& what) const {
    throw capture_error(capture_errc::bad_input,
                        name + ": " + what + " at offset " + std::to_string(src.offset()));
  }

  void read_header() {
    const auto head = src.peek(24);
    if (head.size() < 4) {
      throw capture_error(capture_errc::bad_input,
                          name + ": not a pcap or pcapng capture (" +
                              (head.empty() ? std::string("empty input") : "too short") + ")");
    }
    const std::uint32_t magic = load32(head.data(), false);
    if (magic == pcapng_shb) {
      format = capture_format::pcapng;
      return;  // the section header is read as the first block
    }
    switch (magic) {
      case 0xa1b2c3d4: break;
      case 0xd4c3b2a1: big = true; break;
      case 0xa1b23c4d: nanoseconds = true; break;
      case 0x4d3cb2a1: big = true, nanoseconds = true; break;
      case 0xa1b2cd34: record_header = 24; break;
      case 0x34cdb2a1: big = true, record_header = 24; break;
      default:
        throw capture_error(capture_errc::bad_input,
                            name + ": not a pcap or pcapng capture (unknown magic number)");
    }
    if (head.size() < 24) {
      throw capture_error(capture_errc::bad_input, name + ": pcap file header is cut short");
    }
    pcap_link = load32(head.data() + 20, big) & 0xFFFF;
    src.consume(24);
  }

  bool next_pcap(raw_frame& out) {
    const auto h = src.peek(record_header);
    if (h.size() < record_header) {
      truncated = !h.empty();
      return false;
    }
    const std::uint32_t sec = load32(h.data(), big);
    const std::uint32_t frac = load32(h.data() + 4, big);
    const std::uint32_t caplen = load32(h.data() + 8, big);
    const std::uint32_t origlen = load32(h.data() + 12, big);
    if (caplen > max_record) fail("pcap record length " + std::to_string(caplen) + " is not plausible");
    const auto rec = src.peek(record_header + caplen);
    if (rec.size() < record_header + caplen) {
      truncated = true;
      return false;
    }
    out.number = ++frame_number;
    out.ts = static_cast<capture_time>(sec) * 1'000'000'000 +
             static_cast<capture_time>(frac) * (nanoseconds ? 1 : 1000);
    out.link = pcap_link;
    out.bytes = rec.subspan(record_header, caplen);
    out.original_length = origlen;
    src.consume(record_header + caplen);
    return true;
  }

  void read_section_header(std::span<const std::uint8_t> head) {
    // The byte-order magic decides how to read everything in the section, its own length too.
    const std::uint32_t bom = load32(head.data() + 8, false);
    if (bom == pcapng_bom) {
      big = false;
    } else if (bom == __builtin_bswap32(pcapng_bom)) {
      big = true;
    } else {
      fail("pcapng section header has a bad byte-order magic");
    }
    interfaces.clear();
  }

  void read_interface(std::span<const std::uint8_t> body) {
    if (body.size() < 8) fail("pcapng interface description block is too short");
    interface_info info;
    info.link = load16(body.data(), big);
    std::size_t at = 8;
    while (at + 4 <= body.size()) {
      const std::uint16_t code = load16(body.data() + at, big);
      const std::uint16_t len = load16(body.data() + at + 2, big);
      at += 4;
      if (code == 0) break;
      if (at + len > body.size()) break;  // a broken option list: keep what we have
      if (code == 9 && len >= 1) {        // if_tsresol
        info.binary_resolution = body[at] & 0x80;
        info.exponent = body[at] & 0x7f;
      } else if (code == 14 && len >= 8) {  // if_tsoffset
        const std::uint64_t hi = load32(body.data() + at + (big ? 0 : 4), big);
        const std::uint64_t lo = load32(body.data() + at + (big ? 4 : 0), big);
        info.offset_seconds = static_cast<std::int64_t>(hi << 32 | lo);
      }
      at += (len + 3u) & ~3u;
    }
    interfaces.push_back(info);
  }

  const interface_info& interface_at(std::uint32_t id) {
    if (id >= interfaces.size()) {
      fail("pcapng packet refers to interface " + std::to_string(id) + ", which was never described");
    }
    return interfaces[id];
  }

  bool next_pcapng(raw_frame& out) {
    for (;;) {
      const auto h = src.peek(12);
      if (h.size() < 12) {
        truncated = !h.empty();
        return false;
      }
      const std::uint32_t type = load32(h.data(), big);
      if (type == pcapng_shb) read_section_header(h);
      const std::uint32_t total = load32(h.data() + 4, big);
      if (total < 12 || total % 4 != 0 || total > max_record) {
        fail("pcapng block length " + std::to_string(total) + " is invalid");
      }
      const auto block = src.peek(total);
      if (block.size() < total) {
        truncated = true;
        return false;
      }
      if (load32(block.data() + total - 4, big) != total) {
        fail("pcapng block lengths at both ends of the block disagree");
      }
      const auto body = block.subspan(8, total - 12);
      bool yielded = false;
      switch (type) {
        case pcapng_idb:
          read_interface(body);
          break;
        case pcapng_epb:
        case pcapng_opb: {
          // Enhanced and (obsolete) packet blocks differ only in the interface id's width.
          if (body.size() < 20) fail("pcapng packet block is too short");
          const auto& itf = interface_at(type == pcapng_epb ? load32(body.data(), big) : load16(body.data(), big));
          const std::uint64_t units = static_cast<std::uint64_t>(load32(body.data() + 4, big)) << 32 |
                                      load32(body.data() + 8, big);
          const std::uint32_t caplen = load32(body.data() + 12, big);
          if (caplen > body.size() - 20) fail("pcapng packet is longer than its block");
          out.ts = itf.to_ns(units);
          out.link = itf.link;
          out.bytes = body.subspan(20, caplen);
          out.original_length = load32(body.data() + 16, big);
          yielded = true;
          break;
        }
        case pcapng_spb: {
          if (body.size() < 4) fail("pcapng simple packet block is too short");
          const auto& itf = interface_at(0);
          const std::uint32_t origlen = load32(body.data(), big);
          out.ts = 0;  // simple packet blocks carry no timestamp
          out.link = itf.link;
          out.bytes = body.subspan(4, std::min<std::size_t>(origlen, body.size() - 4));
          out.original_length = origlen;
          yielded = true;
          break;
        }
        default:
          break;  // statistics, name resolution, custom blocks: nothing to dissect
      }
      src.consume(total);
      if (yielded) {
        out.number = ++frame_number;
        return true;
      }
    }
  }
};

capture_reader::capture_reader(std::unique_ptr<impl> p) : impl_(std::move(p)) {
  impl_->read_header();
}
capture_reader::capture_reader(capture_reader&&) noexcept = default;
capture_reader& capture_reader::operator=(capture_reader&&) noexcept = default;
capture_reader::~capture_reader() = default;

capture_reader capture_reader::open(const std::string& path) {
  auto p = std::make_unique<impl>();
  if (path == "-") {
    p->name = "<stdin>";
    p->src.set_fd(::dup(STDIN_FILENO));
    return capture_reader(std::move(p));
  }
  p->name = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw capture_error(capture_errc::cannot_open, "cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw capture_error(capture_errc::cannot_open, "cannot open " + path + ": is a directory");
  }
  // Files are read, not mapped: a capture truncated while mqtk-decode maps it (a rotating
  // tcpdump -C, a copy still being written) kills a mapping reader with SIGBUS; read() just
  // sees the shorter file and the reader reports the cut-off record.
  p->src.set_fd(fd);
  return capture_reader(std::move(p));
}

capture_reader capture_reader::from_memory(std::span<const std::uint8_t> bytes, std::string name) {
  auto p = std::make_unique<impl>();
  p->name = std::move(name);
  p->src.set_memory(bytes);
  return capture_reader(std::move(p));
}

bool capture_reader::next(raw_frame& out) {
  if (impl_->done) return false;
  const bool got = impl_->format == capture_format::pcap ? impl_->next_pcap(out) : impl_->next_pcapng(out);
  if (!got) impl_->done = true;
  return got;
}

capture_format capture_reader::format() const noexcept { return impl_->format; }
bool capture_reader::truncated() const noexcept { return impl_->truncated; }
const std::string& capture_reader::name() const noexcept { return impl_->name; }

}  // namespace mqtk::capture
