// Every recording in tests/data/captures: the pipeline finds the same TCP streams as tshark
// and reassembles, per direction, exactly the bytes the naive libpcap helper extracts.
#include <gtest/gtest.h>

#include <map>

#include "recording_sink.hpp"
#include "support/capture_streams.hpp"

namespace mqtk::test {
namespace {

// tshark -r NAME.pcapng -T fields -e tcp.stream | sort -u | wc -l
const std::map<std::string, std::size_t> tshark_stream_counts = {
    {"burst_qos0", 2}, {"keepalive_timeout", 2}, {"keepalive_timeout_v5", 1}, {"large_payload", 2},
    {"malformed", 3}, {"paho_unsubscribe_v5", 1}, {"persistent_session", 5}, {"refused_auth_v311", 3},
    {"refused_auth_v5", 2}, {"refused_protocol", 2}, {"session_takeover_v5", 2}, {"shared_subscription_v5", 8},
    {"v311_basic", 5}, {"v31_legacy", 2}, {"v5_properties", 3}, {"will_message", 2},
    {"ipv6_v311", 2}, {"websocket_v5", 1},
};

class real_capture : public ::testing::TestWithParam<std::string> {};

TEST_P(real_capture, streams_and_bytes_match_the_reference) {
  const auto path = capture_path(GetParam());
  recording_sink sink;
  const auto summary = capture::read_capture(path.string(), sink);
  EXPECT_FALSE(summary.truncated);
  EXPECT_TRUE(sink.gaps.empty());
  EXPECT_TRUE(sink.carriages.empty()) << "the captures are plain MQTT over TCP";
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front().what;
  const auto it = tshark_stream_counts.find(GetParam());
  ASSERT_NE(it, tshark_stream_counts.end()) << "a new recording: add its tshark stream count above";
  EXPECT_EQ(sink.streams.size(), it->second);
  // Every stream closes each direction exactly once.
  EXPECT_EQ(sink.closes.size(), 2 * sink.streams.size());

  const auto reference = read_tcp_directions(path);
  std::size_t compared = 0;
  for (const auto& info : sink.streams) {
    // The reference helper writes IPv6 addresses in brackets: "[::1]:18883".
    auto endpoint = [](const auto& e) {
      const bool v6 = e.address.find(':') != std::string::npos;
      return (v6 ? "[" + e.address + "]" : e.address) + ":" + std::to_string(e.port);
    };
    const std::string client = endpoint(info.client);
    const std::string server = endpoint(info.server);
    for (const auto& dir : reference) {
      const bool c2s = dir.src == client && dir.dst == server;
      const bool s2c = dir.src == server && dir.dst == client;
      if (!c2s && !s2c) continue;
      ++compared;
      const std::string expected(dir.bytes.begin(), dir.bytes.end());
      const std::string& got = sink.data[info.stream][c2s ? 0 : 1];
      EXPECT_EQ(got.size(), expected.size()) << GetParam() << " " << dir.src << " -> " << dir.dst;
      EXPECT_TRUE(got == expected) << GetParam() << " " << dir.src << " -> " << dir.dst;
    }
  }
  EXPECT_EQ(compared, reference.size()) << "every direction with payload belongs to a stream";
  // MQTT brokers listen on the server side: the port in these captures is 18883.
  for (const auto& info : sink.streams) EXPECT_EQ(info.server.port, 18883);
}

INSTANTIATE_TEST_SUITE_P(recorded, real_capture, ::testing::ValuesIn(plain_tcp_capture_names()),
                         [](const auto& param_info) { return param_info.param; });

TEST(real_capture_files, all_known_captures_are_present) {
  const auto names = capture_names();
  ASSERT_FALSE(names.empty()) << "no recordings under " << data_dir() / "captures";
  for (const auto& [name, count] : tshark_stream_counts) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

}  // namespace
}  // namespace mqtk::test
