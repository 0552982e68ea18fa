// capture_reader: pcap in both timestamp precisions and byte orders, pcapng sections and
// interfaces, and the errors a user sees for files that are not captures.
#include "mqtk/capture/capture_reader.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <limits>
#include <fstream>

#include "mqtk/capture/capture_error.hpp"
#include "support/pcap_writer.hpp"

namespace mqtk::test {
namespace {

using capture::capture_reader;
using capture::raw_frame;

constexpr std::int64_t t0 = 1'700'000'123'456'789'012;  // ns

std::vector<raw_frame> read_all(const byte_vector& bytes, std::vector<byte_vector>* copies = nullptr) {
  auto reader = capture_reader::from_memory(bytes);
  std::vector<raw_frame> out;
  raw_frame f;
  while (reader.next(f)) {
    if (copies) copies->emplace_back(f.bytes.begin(), f.bytes.end());
    out.push_back(f);
  }
  return out;
}

struct pcap_case {
  pcap_writer::format format;
  std::endian order;
  std::int64_t expected_ts;  // microsecond files lose the nanoseconds
};

class pcap_formats : public ::testing::TestWithParam<pcap_case> {};

TEST_P(pcap_formats, reads_frames_timestamps_and_link_type) {
  const auto& c = GetParam();
  pcap_writer w(c.format, c.order, 1);
  const byte_vector a = {1, 2, 3, 4, 5}, b(70, 0x42);
  w.add(a, t0);
  w.add(b, t0 + 1'000, 0, 1500);
  std::vector<byte_vector> copies;
  const auto frames = read_all(w.data(), &copies);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].number, 1u);
  EXPECT_EQ(frames[1].number, 2u);
  EXPECT_EQ(frames[0].link, 1u);
  EXPECT_EQ(frames[0].ts, c.expected_ts);
  EXPECT_EQ(copies[0], a);
  EXPECT_EQ(copies[1], b);
  EXPECT_EQ(frames[1].original_length, 1500u);
  auto reader = capture_reader::from_memory(w.data());
  EXPECT_EQ(reader.format(), c.format == pcap_writer::format::pcapng ? capture::capture_format::pcapng
                                                                     : capture::capture_format::pcap);
}

INSTANTIATE_TEST_SUITE_P(
    all, pcap_formats,
    ::testing::Values(pcap_case{pcap_writer::format::pcap_us, std::endian::little, t0 / 1000 * 1000},
                      pcap_case{pcap_writer::format::pcap_us, std::endian::big, t0 / 1000 * 1000},
                      pcap_case{pcap_writer::format::pcap_ns, std::endian::little, t0},
                      pcap_case{pcap_writer::format::pcap_ns, std::endian::big, t0},
                      pcap_case{pcap_writer::format::pcapng, std::endian::little, t0},
                      pcap_case{pcap_writer::format::pcapng, std::endian::big, t0}),
    [](const auto& param_info) {
      const auto& c = param_info.param;
      std::string name = c.format == pcap_writer::format::pcap_us   ? "pcap_us"
                         : c.format == pcap_writer::format::pcap_ns ? "pcap_ns"
                                                                    : "pcapng";
      return name + (c.order == std::endian::little ? "_le" : "_be");
    });

TEST(capture_reader, pcapng_interfaces_with_different_link_types_and_resolutions) {
  pcap_writer w(pcap_writer::format::pcapng, std::endian::little, -1);
  const auto eth = w.add_interface(1, 6);       // microseconds
  const auto raw = w.add_interface(101, 9);     // nanoseconds
  const auto bin = w.add_interface(113, 0x80 | 20);  // 2^-20 s
  w.add({0xAA}, t0, eth);
  w.add({0xBB}, t0, raw);
  w.add_statistics_block();  // not a packet: must not count as a frame
  w.add({0xCC}, 1'000'000'000, bin);
  const auto frames = read_all(w.data());
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].link, 1u);
  EXPECT_EQ(frames[0].ts, t0 / 1000 * 1000);
  EXPECT_EQ(frames[1].link, 101u);
  EXPECT_EQ(frames[1].ts, t0);
  EXPECT_EQ(frames[2].link, 113u);
  EXPECT_EQ(frames[2].ts, 1'000'000'000);
  EXPECT_EQ(frames[2].number, 3u);
}

TEST(capture_reader, pcapng_simple_packet_block_and_second_section) {
  pcap_writer w(pcap_writer::format::pcapng, std::endian::big, 1);
  w.add_simple({1, 2, 3});
  w.add_section();            // a new section forgets the interfaces of the last one
  w.add_interface(229, 9);
  w.add({9, 9}, t0);
  std::vector<byte_vector> copies;
  const auto frames = read_all(w.data(), &copies);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(copies[0], (byte_vector{1, 2, 3}));
  EXPECT_EQ(frames[0].link, 1u);
  EXPECT_EQ(frames[1].link, 229u);
  EXPECT_EQ(frames[1].number, 2u);
}

TEST(capture_reader, not_a_capture_is_bad_input) {
  const byte_vector text = to_bytes("hello, this is not a capture file at all");
  try {
    auto reader = capture_reader::from_memory(text, "notes.txt");
    FAIL() << "expected capture_error";
  } catch (const capture::capture_error& e) {
    EXPECT_EQ(e.code(), capture::capture_errc::bad_input);
    EXPECT_NE(std::string(e.what()).find("notes.txt"), std::string::npos);
  }
  const byte_vector empty;
  EXPECT_THROW(capture_reader::from_memory(empty), capture::capture_error);
}

TEST(capture_reader, missing_file_cannot_be_opened) {
  try {
    auto reader = capture_reader::open("/nonexistent/dir/file.pcap");
    FAIL() << "expected capture_error";
  } catch (const capture::capture_error& e) {
    EXPECT_EQ(e.code(), capture::capture_errc::cannot_open);
  }
}

TEST(capture_reader, record_cut_short_at_end_sets_truncated) {
  pcap_writer w(pcap_writer::format::pcap_us, std::endian::little, 1);
  w.add(byte_vector(40, 1), t0);
  w.add(byte_vector(40, 2), t0);
  byte_vector bytes = w.data();
  bytes.resize(bytes.size() - 10);
  auto reader = capture_reader::from_memory(bytes);
  raw_frame f;
  ASSERT_TRUE(reader.next(f));
  EXPECT_FALSE(reader.next(f));
  EXPECT_TRUE(reader.truncated());
}

TEST(capture_reader, corrupt_pcapng_block_length_is_bad_input) {
  pcap_writer w(pcap_writer::format::pcapng, std::endian::little, 1);
  w.add({1, 2, 3, 4}, t0);
  byte_vector bytes = w.data();
  // The EPB follows SHB (28 bytes) and IDB (32 bytes); break its trailing length copy.
  bytes[bytes.size() - 1] ^= 0x40;
  auto reader = capture_reader::from_memory(bytes);
  raw_frame f;
  EXPECT_THROW(reader.next(f), capture::capture_error);
}

TEST(capture_reader, packet_on_undeclared_interface_is_bad_input) {
  pcap_writer w(pcap_writer::format::pcapng, std::endian::little, -1);
  w.add_interface(1);
  byte_vector bytes = w.data();
  pcap_writer other(pcap_writer::format::pcapng, std::endian::little, -1);
  other.add_interface(1);
  other.add_interface(1);
  other.add({1}, t0, 1);
  // Take only the EPB (for interface 1) from the second writer.
  const std::size_t epb = other.data().size() - 36;
  bytes.insert(bytes.end(), other.data().begin() + static_cast<std::ptrdiff_t>(epb), other.data().end());
  auto reader = capture_reader::from_memory(bytes);
  raw_frame f;
  EXPECT_THROW(reader.next(f), capture::capture_error);
}

TEST(capture_reader, reads_a_file_from_disk) {
  pcap_writer w(pcap_writer::format::pcap_ns, std::endian::big, 101);
  for (int i = 0; i < 1000; ++i) w.add(byte_vector(static_cast<std::size_t>(i % 90 + 1), static_cast<std::uint8_t>(i)), t0 + i);
  const auto path = std::filesystem::temp_directory_path() / ("mqtk_reader_" + std::to_string(::getpid()) + ".pcap");
  w.write(path);
  auto reader = capture_reader::open(path.string());
  raw_frame f;
  std::uint64_t n = 0;
  bool contents_ok = true;
  while (reader.next(f)) {
    contents_ok = contents_ok && f.bytes.size() == n % 90 + 1 && f.bytes[0] == static_cast<std::uint8_t>(n) &&
                  f.ts == t0 + static_cast<std::int64_t>(n);
    ++n;
  }
  std::filesystem::remove(path);
  EXPECT_EQ(n, 1000u);
  EXPECT_TRUE(contents_ok);
  EXPECT_FALSE(reader.truncated());
}

TEST(capture_reader, reads_a_pipe_in_chunks) {
  // Standard input and pipes are read with buffered reads, not mapped: exercise that path
  // with a FIFO-like file descriptor by going through a pipe from popen.
  pcap_writer w(pcap_writer::format::pcapng, std::endian::little, 1);
  for (int i = 0; i < 300; ++i) w.add(byte_vector(1000, static_cast<std::uint8_t>(i)), t0 + i);
  const auto path = std::filesystem::temp_directory_path() / ("mqtk_pipe_" + std::to_string(::getpid()) + ".pcapng");
  w.write(path);
  const auto fifo = path.string() + ".fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  FILE* writer = ::popen(("cat " + path.string() + " > " + fifo).c_str(), "r");
  ASSERT_NE(writer, nullptr);
  std::uint64_t n = 0;
  {
    auto reader = capture_reader::open(fifo);
    raw_frame f;
    while (reader.next(f)) {
      EXPECT_EQ(f.bytes.size(), 1000u);
      EXPECT_EQ(f.bytes[999], static_cast<std::uint8_t>(n));
      ++n;
    }
  }
  ::pclose(writer);
  std::filesystem::remove(path);
  std::filesystem::remove(fifo);
  EXPECT_EQ(n, 300u);
}


TEST(capture_reader, pcapng_obsolete_packet_block_counts_as_a_frame) {
  pcap_writer w(pcap_writer::format::pcapng, std::endian::little, -1);
  w.add_interface(1, 6);
  w.add_obsolete({7, 7, 7}, t0);
  w.add({8}, t0);
  std::vector<byte_vector> copies;
  const auto frames = read_all(w.data(), &copies);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(copies[0], (byte_vector{7, 7, 7}));
  EXPECT_EQ(frames[0].ts, t0 / 1000 * 1000);
  EXPECT_EQ(frames[1].number, 2u);
}

TEST(capture_reader, modified_pcap_with_longer_record_headers) {
  // The "Kuznetzov" variant (magic a1b2cd34) adds 8 bytes (ifindex, protocol, type) per record.
  byte_vector bytes = {0x34, 0xcd, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0};
  const byte_vector record = {1, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 0xA, 0xB, 0xC};
  bytes.insert(bytes.end(), record.begin(), record.end());
  std::vector<byte_vector> copies;
  const auto frames = read_all(bytes, &copies);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(copies[0], (byte_vector{0xA, 0xB, 0xC}));
  EXPECT_EQ(frames[0].ts, 1'000'005'000);
}

// A capture truncated while it is read (a rotating tcpdump -C, a copy still being written):
// a reader that maps the file dies of SIGBUS touching the pages past the new end. The reader
// must see the shorter file and end with a cut-off record or an error, never a signal.
TEST(capture_reader, file_truncated_while_read_is_not_a_crash) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("mqtk_truncated_" + std::to_string(::getpid()) + ".pcap");
  pcap_writer w(pcap_writer::format::pcap_us, std::endian::little, 1);
  const byte_vector frame(1500, 0x42);
  for (int i = 0; i < 8000; ++i) w.add(frame, t0 + i * 1000);  // ~12 MB: several read chunks
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(w.data().data()), static_cast<std::streamsize>(w.data().size()));
  }
  const auto read_while_truncating = [&path] {
    std::size_t frames = 0;
    auto reader = capture_reader::open(path.string());
    raw_frame f;
    if (reader.next(f)) ++frames;
    ::truncate(path.c_str(), 100);
    try {
      while (reader.next(f)) ++frames;
    } catch (const capture::capture_error&) {
    }
    std::exit(frames < 8000 ? 0 : 1);
  };
  EXPECT_EXIT(read_while_truncating(), ::testing::ExitedWithCode(0), "");
  std::filesystem::remove(path);
}

// A pcapng block on standard input claiming 200 MB, followed by a few bytes: the reader reports the
// cut-off block and must not have allocated the claimed size first.
TEST(capture_reader, huge_claimed_block_length_is_not_allocated_up_front) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space: RLIMIT_AS cannot be used";
#endif
  const auto path = std::filesystem::temp_directory_path() /
                    ("mqtk_bigblock_" + std::to_string(::getpid()) + ".pcapng");
  pcap_writer w(pcap_writer::format::pcapng, std::endian::little, 1);
  byte_vector bytes = w.data();
  const std::uint32_t type = 6, total = 200u << 20;
  bytes.insert(bytes.end(), reinterpret_cast<const std::uint8_t*>(&type),
               reinterpret_cast<const std::uint8_t*>(&type) + 4);
  bytes.insert(bytes.end(), reinterpret_cast<const std::uint8_t*>(&total),
               reinterpret_cast<const std::uint8_t*>(&total) + 4);
  bytes.resize(bytes.size() + 8192, 0x55);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  // With the address space limited to far less than 200 MB more than now, an up-front
  // allocation of the claimed length throws std::bad_alloc.
  const auto read_with_little_memory = [&path] {
    rlimit lim{};
    ::getrlimit(RLIMIT_AS, &lim);
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0;
    statm >> pages;
    const rlimit tight{pages * 4096 + (64u << 20), lim.rlim_max};
    ::setrlimit(RLIMIT_AS, &tight);
    int rc = 2;
    try {
      // As standard input, the way `... | mqtk-decode -` reads it.
      const int fd = ::open(path.c_str(), O_RDONLY);
      ::dup2(fd, STDIN_FILENO);
      auto reader = capture_reader::open("-");
      raw_frame f;
      while (reader.next(f)) {
      }
      rc = reader.truncated() ? 0 : 3;
    } catch (const capture::capture_error&) {
      rc = 0;  // reported as a bad file: fine
    } catch (const std::bad_alloc&) {
      rc = 1;
    }
    std::exit(rc);
  };
  EXPECT_EXIT(read_with_little_memory(), ::testing::ExitedWithCode(0), "");
  std::filesystem::remove(path);
}

// A corrupt or hostile pcapng can claim any timestamp; they are kept within +-2^62 ns so that
// the analyzer's differences of timestamps cannot overflow (found by capture_decode_fuzz:
// signed overflow in the keepalive check).
TEST(capture_reader, absurd_timestamps_are_clamped) {
  pcap_writer w(pcap_writer::format::pcapng, std::endian::little, 1);
  const byte_vector a = {1, 2, 3};
  w.add(a, std::numeric_limits<std::int64_t>::max() - 5);
  w.add(a, t0);
  const auto frames = read_all(w.data());
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].ts, std::int64_t{1} << 62);
  EXPECT_EQ(frames[1].ts, t0);
}

}  // namespace
}  // namespace mqtk::test
