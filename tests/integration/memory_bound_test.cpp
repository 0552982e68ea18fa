// Memory stays bounded when the input outgrows the reader (issue 15), measured as the child's
// peak resident set (process_status::peak_rss_kb, the kernel's VmHWM):
//
//  1. `mqtk-sub | slow consumer`: mqtk-sub stops reading the broker while its stdout pipe is
//     full, so 20 MB of QoS 1 messages wait at the broker, not in mqtk-sub, and none is lost.
//  2. mqtk-decode on stdin: a pcapng block or a pcap record that claims 256 MB with 8 KB
//     present is not allocated up front, nor is a hex packet that claims 256 MB and is
//     followed by 64 MB of other bytes.
//  3. A large message is held once: a 64 MB PUBLISH from mosquitto costs mqtk-sub about
//     64 MB, not the four copies it once took (read buffer grown by doubling, the message
//     copied for delivery, the output buffer grown again for the newline); a --json line
//     about twice (the message and its escaped line). A broker that announces 256 MB and
//     stalls costs what it sent.
//
// The bounds are several times what the tools need and far below what holding the input
// would take; nothing asserts on how long something took.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <bit>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "support/broker.hpp"
#include "support/fake_broker.hpp"
#include "support/cli_runner.hpp"
#include "support/pcap_writer.hpp"
#include "support/process.hpp"

namespace mqtk {
namespace {

using namespace std::chrono_literals;
using test::at;
using test::broker;
using test::concat;
using test::process;
using test::process_options;

// ---------------------------------------------------------------------------------------------
// 1. The slow reader.

constexpr int message_count = 20'000;
constexpr std::size_t payload_size = 1000;  // 20 MB in all: far more than mqtk-sub needs
constexpr long sub_rss_bound_kb = 16 * 1024;

// "00042:xxxx...": the number first, so each line can be told from the others.
std::string payload(int i) {
  std::string p = std::to_string(100000 + i).substr(1) + ":";
  p.resize(payload_size, 'x');
  return p;
}

// The read end of a FIFO the child writes as its stdout: opened (non-blocking, so before any
// writer exists) ahead of the child, whose own open then finds a reader.
class fifo_reader {
 public:
  explicit fifo_reader(const std::filesystem::path& path) {
    if (::mkfifo(path.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("cannot open the FIFO");
  }
  ~fifo_reader() { ::close(fd_); }
  fifo_reader(const fifo_reader&) = delete;
  fifo_reader& operator=(const fifo_reader&) = delete;

  // Up to `max` bytes, waiting at most `timeout` for some; "" on timeout or end.
  std::string read_some(std::size_t max, std::chrono::milliseconds timeout) {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
    std::string buf(max, '\0');
    const ssize_t n = ::read(fd_, buf.data(), buf.size());
    buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buf;
  }

 private:
  int fd_ = -1;
};

TEST(slow_reader, mqtk_sub_behind_a_stalled_pipe_stays_small_and_loses_no_qos1_message) {
  // No limit on the broker's queue: with mosquitto's default (1000) the broker would drop
  // QoS 1 messages for a slow client, and the test would measure mosquitto.
  broker b({.extra_config = "max_queued_messages 0"});
  test::temp_dir dir("mqtk-slow-reader");
  fifo_reader pipe(dir / "stdout");
  const auto ready = dir / "ready";
  process sub(process_options{
      .args = concat({test::sub_tool()}, concat(at(b), {"-q", "1", "-t", "slow", "--ready-file", ready.string()})),
      .stdout_file = dir / "stdout"});
  ASSERT_TRUE(test::wait_for_file(ready, 15s)) << sub.err();

  std::string lines;
  lines.reserve(message_count * (payload_size + 1));
  for (int i = 0; i < message_count; ++i) lines += payload(i) + "\n";
  process pub(process_options{
      .args = concat({test::pub_tool()}, concat(at(b), {"-q", "1", "-t", "slow", "-l"})),
      .input = test::stdin_mode::data,
      .stdin_data = std::move(lines)});
  // The consumer stalls until every message has been acknowledged to the publisher: 20 MB wait
  // for it, about 64 KB of them in the pipe.
  const auto published = pub.wait_or_kill(120s);
  ASSERT_TRUE(published.success()) << published.to_string() << "\n" << pub.err();

  // Then it reads slowly: 16 KB at a time with a pause between.
  std::set<int> seen;
  std::string pending;
  const auto deadline = std::chrono::steady_clock::now() + 180s;
  while (seen.size() < static_cast<std::size_t>(message_count) && std::chrono::steady_clock::now() < deadline) {
    pending += pipe.read_some(16 * 1024, 1s);
    std::size_t start = 0;
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
      seen.insert(std::stoi(pending.substr(start, 5)));
      start = end + 1;
    }
    pending.erase(0, start);
    std::this_thread::sleep_for(2ms);
  }
  sub.terminate();
  const auto ended = sub.wait_or_kill(10s);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(message_count)) << "QoS 1 messages lost\n" << sub.err();
  RecordProperty("peak_rss_kb", std::to_string(ended.peak_rss_kb));
  EXPECT_GT(ended.peak_rss_kb, 0);
  EXPECT_LT(ended.peak_rss_kb, sub_rss_bound_kb) << "mqtk-sub held the backlog instead of the broker";
}

// ---------------------------------------------------------------------------------------------
// 2. mqtk-decode and a length that lies.

constexpr std::uint32_t claimed_size = 256u << 20;
// mqtk-decode needs about 7 MB; holding what the input claims or carries would take 64 MB or more.
constexpr long decode_rss_bound_kb = 32 * 1024;

test::run_result decode_stdin(std::vector<std::string> args, std::string input) {
  args.insert(args.begin(), test::tool_path("mqtk-decode").string());
  return test::run(process_options{.args = std::move(args), .input = test::stdin_mode::data,
                                   .stdin_data = std::move(input)},
                   60s);
}

void expect_bounded(const test::run_result& r) {
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_TRUE(r.status.exited) << r.describe();
  ::testing::Test::RecordProperty("peak_rss_kb", std::to_string(r.status.peak_rss_kb));
  EXPECT_GT(r.status.peak_rss_kb, 0);
  EXPECT_LT(r.status.peak_rss_kb, decode_rss_bound_kb) << r.describe();
}

// One 8 KB frame, then its length field rewritten to `claimed` and everything after the
// frame's first 8 KB cut: a capture that ends in the middle of a huge record.
std::string capture_claiming(test::pcap_writer::format f, std::uint32_t claimed) {
  test::pcap_writer w(f, std::endian::little, test::linktype_of(test::link::ethernet));
  const std::size_t record = w.data().size();
  w.add(test::frame(test::link::ethernet, test::ip_tcp({.payload = test::byte_vector(8192, 0x30)})), 0);
  test::byte_vector bytes = w.data();
  // pcapng: the enhanced packet block's total length (offset 4); pcap: the record's captured
  // and original lengths (offsets 8 and 12).
  for (const std::size_t at : f == test::pcap_writer::format::pcapng ? std::vector<std::size_t>{4}
                                                                      : std::vector<std::size_t>{8, 12}) {
    for (int k = 0; k < 4; ++k) bytes[record + at + k] = static_cast<std::uint8_t>(claimed >> (8 * k));
  }
  bytes.resize(record + 8192);
  return {bytes.begin(), bytes.end()};
}

TEST(decode_memory, a_pcapng_block_claiming_256_mb_on_stdin_is_not_allocated) {
  const auto r = decode_stdin({"-"}, capture_claiming(test::pcap_writer::format::pcapng, claimed_size));
  expect_bounded(r);
}

TEST(decode_memory, a_pcap_record_claiming_256_mb_on_stdin_is_not_allocated) {
  const auto r = decode_stdin({"-"}, capture_claiming(test::pcap_writer::format::pcap_us, claimed_size));
  expect_bounded(r);
}

// A PUBLISH whose remaining length is the largest MQTT allows (256 MB), then 192 MB of hex
// text (64 MB of zero bytes) from a pipe: the stream decoder neither waits for the 256 MB nor
// keeps what it has read. The shell's peak is its pipeline's: wait4 reports the largest of a
// child and the children it reaped.
TEST(decode_memory, a_hex_packet_claiming_256_mb_then_64_mb_of_bytes_on_a_pipe_stays_bounded) {
  const std::string zeros = "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
  const auto r = test::run(process_options{.args = {"/bin/sh", "-c",
                                                    "{ printf '30 ff ff ff 7f\\n'; yes '" + zeros +
                                                        "' | head -n 4000000; } | " +
                                                        test::tool_path("mqtk-decode").string() +
                                                        " --hex --type PUBLISH -"}},
                           120s);
  expect_bounded(r);
  EXPECT_EQ(r.out, "");  // the one PUBLISH is malformed, the zeros are not packets
}

// ---------------------------------------------------------------------------------------------
// 3. A large message, held once.

constexpr std::size_t large_payload_size = std::size_t{64} << 20;
constexpr long large_payload_kb = static_cast<long>(large_payload_size / 1024);
// What mqtk-sub needs beside the message: its code, the broker connection, the output buffer.
constexpr long base_rss_allowance_kb = 16 * 1024;

struct large_delivery {
  test::process_status status;
  std::string expected;  // the payload
  std::string out;       // what mqtk-sub printed
  std::string err;
};

// mosquitto_pub -f sends a 64 MB payload of letters to `mqtk-sub -C 1 <output args>`, whose
// stdout is a file.
large_delivery deliver_large_message(const std::vector<std::string>& output_args) {
  broker b({.extra_config = "message_size_limit 0"});
  test::temp_dir dir("mqtk-large-message");
  large_delivery d;
  d.expected.resize(large_payload_size);
  for (std::size_t i = 0; i < d.expected.size(); ++i) d.expected[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  {
    std::ofstream f(dir / "payload", std::ios::binary);
    f.write(d.expected.data(), static_cast<std::streamsize>(d.expected.size()));
  }
  const auto ready = dir / "ready";
  process sub(process_options{
      .args = concat(concat({test::sub_tool()}, concat(at(b), {"-t", "large", "-C", "1", "-W", "120",
                                                               "--ready-file", ready.string()})),
                     output_args),
      .stdout_file = dir / "out"});
  if (!test::wait_for_file(ready, 15s)) {
    d.err = "mqtk-sub did not subscribe: " + sub.err();
    return d;
  }
  const auto pub = test::run({"mosquitto_pub", "-h", b.host(), "-p", std::to_string(b.port()), "-t", "large", "-f",
                              (dir / "payload").string()},
                             120s);
  d.status = sub.wait_or_kill(120s);
  d.out = test::read_file(dir / "out");
  d.err = sub.err() + pub.describe();
  return d;
}

TEST(large_message, mqtk_sub_prints_a_64_mb_publish_from_mosquitto_holding_it_about_once) {
  const auto d = deliver_large_message({});
  ASSERT_TRUE(d.status.success()) << d.status.to_string() << "\n" << d.err;
  EXPECT_TRUE(d.out.size() == d.expected.size() + 1 && d.out.compare(0, d.expected.size(), d.expected) == 0 &&
              d.out.back() == '\n')
      << "the payload was not printed as sent (" << d.out.size() << " bytes)";
  RecordProperty("peak_rss_kb", std::to_string(d.status.peak_rss_kb));
  // Four copies before (270 MB); one now, plus what the tool needs anyway.
  EXPECT_LT(d.status.peak_rss_kb, large_payload_kb * 5 / 4 + base_rss_allowance_kb) << d.err;
}

TEST(large_message, mqtk_sub_json_line_of_a_64_mb_publish_holds_it_about_twice) {
  const auto d = deliver_large_message({"--json"});
  ASSERT_TRUE(d.status.success()) << d.status.to_string() << "\n" << d.err;
  EXPECT_NE(d.out.find("\"payload\":\"" + d.expected + "\",\"payload_encoding\":\"utf8\",\"payload_len\":67108864"),
            std::string::npos)
      << "the payload is not in the line (" << d.out.size() << " bytes)";
  RecordProperty("peak_rss_kb", std::to_string(d.status.peak_rss_kb));
  // The message and its line, which is the payload escaped: nothing more (300 MB before).
  EXPECT_LT(d.status.peak_rss_kb, large_payload_kb * 9 / 4 + base_rss_allowance_kb) << d.err;
}

// A broker that announces a 256 MB PUBLISH, sends 64 KiB of it and stalls with the connection
// open: mqtk-sub's memory follows what arrived, not what was announced, until -W ends the run.
TEST(large_message, mqtk_sub_holds_what_a_stalled_256_mb_publish_sent_not_what_it_announced) {
  std::vector<std::uint8_t> script = test::v311_connack(0);
  const std::uint8_t huge_header[] = {0x30, 0xFF, 0xFF, 0xFF, 0x7F};
  script.insert(script.end(), std::begin(huge_header), std::end(huge_header));
  script.resize(script.size() + 64 * 1024, 'x');
  test::fake_broker fb(test::peer_script{.reply = script, .pings_to_answer = 0});
  const auto r = test::run(process_options{.args = {test::sub_tool(), "-h", "127.0.0.1", "-p",
                                                    std::to_string(fb.port()), "-t", "t", "-W", "3"}},
                           60s);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code(), 27) << r.describe();
  RecordProperty("peak_rss_kb", std::to_string(r.status.peak_rss_kb));
  EXPECT_GT(r.status.peak_rss_kb, 0);
  EXPECT_LT(r.status.peak_rss_kb, base_rss_allowance_kb * 2) << r.describe();
}

}  // namespace
}  // namespace mqtk
