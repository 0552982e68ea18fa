// The analyzer driven directly through stream_sink events: fragmentation, gaps, malformed
// bytes and the per-connection findings, without any capture file.
#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "decode_test_support.hpp"
#include "mqtk/capture/mqtt_analyzer.hpp"
#include "mqtk/diag/refusal.hpp"
#include "support/capture_streams.hpp"

namespace mqtk::test {
namespace {

using capture::close_kind;
using capture::finding_kind;
using capture::flow;
using proto::protocol_version;
constexpr auto c2s = flow::client_to_server;
constexpr auto s2c = flow::server_to_client;
constexpr capture::capture_time ms = 1'000'000;
constexpr capture::capture_time sec = 1'000'000'000;

// A conversation built packet by packet, with frame numbers and times chosen by the test.
class conversation {
 public:
  explicit conversation(std::uint64_t stream = 0, capture::mqtt_analyzer_options o = {})
      : analyzer_(sink, o), stream_(stream) {
    open(stream);
  }
  void open(std::uint64_t stream, std::uint16_t client_port = 50000) {
    capture::stream_info info;
    info.stream = stream;
    info.client = {"10.0.0.2", static_cast<std::uint16_t>(client_port + stream)};
    info.server = {"10.0.0.1", 1883};
    info.saw_syn = true;
    info.first_frame = frame_;
    info.first_time = ts_;
    analyzer_.on_stream_open(info);
  }
  void send(flow dir, const std::vector<std::uint8_t>& bytes, std::uint64_t stream = ~0ull) {
    next();
    analyzer_.on_data(stream == ~0ull ? stream_ : stream, dir, bytes, frame_, ts_);
  }
  void send(flow dir, const proto::packet& p, protocol_version v = protocol_version::v311,
            std::uint64_t stream = ~0ull) {
    send(dir, bytes_of(p, v), stream);
  }
  void gap(flow dir, std::uint64_t missing) {
    next();
    analyzer_.on_gap(stream_, dir, missing, frame_, ts_);
  }
  void close(flow dir, close_kind how = close_kind::fin, std::uint64_t stream = ~0ull) {
    next();
    analyzer_.on_close(stream == ~0ull ? stream_ : stream, dir, how, frame_, ts_);
  }
  void wait(capture::capture_time d) { ts_ += d; }
  void finish() { analyzer_.finish(frame_, ts_); }
  capture::mqtt_analyzer& analyzer() { return analyzer_; }
  std::uint64_t frame() const { return frame_; }
  std::uint64_t& stream() { return stream_; }

  keeping_sink sink;

 private:
  void next() {
    ++frame_;
    ts_ += ms;
  }
  capture::mqtt_analyzer analyzer_;
  std::uint64_t stream_;
  std::uint64_t frame_ = 0;
  capture::capture_time ts_ = 1'700'000'000 * sec;
};

proto::connect connect_packet(protocol_version v = protocol_version::v311, std::string_view id = "dev-1",
                              std::uint16_t keepalive = 60) {
  return proto::connect{.version = v, .client_id = id, .keep_alive = keepalive};
}

std::vector<std::string> types(const keeping_sink& s) {
  std::vector<std::string> t;
  for (const auto& r : s.records) t.push_back(r.type);
  return t;
}

TEST(mqtt_analyzer, fixed_header_varint_split_across_segments) {
  conversation c;
  c.send(c2s, connect_packet());
  const std::string payload(300, 'x');  // remaining length needs two bytes
  auto bytes = bytes_of(proto::publish{.topic = "a/b", .payload = payload}, protocol_version::v311);
  ASSERT_GE(bytes[1], 0x80);
  c.send(c2s, std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 2));  // type + first length byte
  c.send(c2s, std::vector<std::uint8_t>(bytes.begin() + 2, bytes.begin() + 10));
  c.send(c2s, std::vector<std::uint8_t>(bytes.begin() + 10, bytes.end()));
  ASSERT_EQ(types(c.sink), (std::vector<std::string>{"CONNECT", "PUBLISH"}));
  const auto& pub = c.sink.records[1];
  EXPECT_EQ(pub.frames, (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(pub.frame, 4u);
  EXPECT_EQ(pub.len, bytes.size());
  EXPECT_EQ(pub.topic, "a/b");
}

TEST(mqtt_analyzer, byte_by_byte_gives_the_same_packets_as_whole) {
  std::vector<std::uint8_t> all;
  for (const auto& p : std::vector<proto::packet>{
           connect_packet(), proto::publish{.topic = "t", .payload = "hello", .qos = proto::qos::at_least_once, .packet_id = 7},
           proto::pingreq{}, proto::disconnect{}}) {
    auto b = bytes_of(p, protocol_version::v311);
    all.insert(all.end(), b.begin(), b.end());
  }
  conversation whole;
  whole.send(c2s, all);
  conversation bytewise;
  for (auto b : all) bytewise.send(c2s, std::vector<std::uint8_t>{b});
  ASSERT_EQ(types(whole.sink), types(bytewise.sink));
  ASSERT_EQ(whole.sink.records.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(whole.sink.records[i].text, bytewise.sink.records[i].text);
  EXPECT_EQ(whole.sink.records[1].frame, 1u);  // all four packets in one frame
}

TEST(mqtt_analyzer, server_direction_learns_version_5_from_connect) {
  conversation c;
  c.send(c2s, connect_packet(protocol_version::v5));
  // A 5.0 CONNACK with properties would be malformed if read as 3.1.1.
  proto::property props[] = {{.id = proto::property_id::topic_alias_maximum, .number = 10}};
  c.send(s2c, proto::connack{.properties = proto::property_list(std::span<const proto::property>(props))},
         protocol_version::v5);
  ASSERT_EQ(types(c.sink), (std::vector<std::string>{"CONNECT", "CONNACK"}));
}

TEST(mqtt_analyzer, mqtt_3_1_mqisdp_connect_sets_version) {
  conversation c;
  c.send(c2s, connect_packet(protocol_version::v31));
  c.send(s2c, proto::connack{}, protocol_version::v31);
  c.close(c2s);
  c.close(s2c);
  ASSERT_EQ(c.sink.reports.size(), 1u);
  EXPECT_EQ(c.sink.report(0).version, protocol_version::v31);
}

TEST(mqtt_analyzer, gap_then_resync_at_next_packet) {
  conversation c;
  c.send(c2s, connect_packet());
  auto pub = bytes_of(proto::publish{.topic = "a", .payload = std::string(100, 'p')}, protocol_version::v311);
  c.send(c2s, std::vector<std::uint8_t>(pub.begin(), pub.begin() + 40));
  c.gap(c2s, 30);
  // The rest of the lost packet's payload, then a whole PINGREQ.
  std::vector<std::uint8_t> tail(pub.begin() + 70, pub.end());
  auto ping = bytes_of(proto::pingreq{}, protocol_version::v311);
  tail.insert(tail.end(), ping.begin(), ping.end());
  c.send(c2s, tail);
  c.send(c2s, proto::disconnect{});
  EXPECT_EQ(types(c.sink), (std::vector<std::string>{"CONNECT", "PINGREQ", "DISCONNECT"}));
  c.finish();
  EXPECT_TRUE(c.sink.has_finding(finding_kind::capture_gap));
}

TEST(mqtt_analyzer, malformed_body_is_reported_and_the_next_packet_decodes) {
  conversation c;
  c.send(c2s, connect_packet());
  // SUBSCRIBE id 1, filter "a/b" with QoS 3: the header is fine, the body is not.
  std::vector<std::uint8_t> bad{0x82, 0x08, 0x00, 0x01, 0x00, 0x03, 'a', '/', 'b', 0x03};
  auto ping = bytes_of(proto::pingreq{}, protocol_version::v311);
  bad.insert(bad.end(), ping.begin(), ping.end());
  c.send(c2s, bad);
  ASSERT_EQ(types(c.sink), (std::vector<std::string>{"CONNECT", "MALFORMED", "PINGREQ"}));
  EXPECT_EQ(c.sink.records[1].error, "invalid_qos");
  const auto connect_len = bytes_of(connect_packet(), protocol_version::v311).size();
  EXPECT_EQ(c.sink.records[1].offset, connect_len + 9);  // counted from the direction's start
  EXPECT_EQ(c.sink.records[1].len, 10u);
}

TEST(mqtt_analyzer, malformed_header_resyncs_at_plausible_packet) {
  conversation c;
  c.send(c2s, connect_packet());
  std::vector<std::uint8_t> bad{0x30, 0xff, 0xff, 0xff, 0xff, 0x7f};  // five-byte remaining length
  auto pub = bytes_of(proto::publish{.topic = "x/y", .payload = "ok"}, protocol_version::v311);
  bad.insert(bad.end(), pub.begin(), pub.end());
  c.send(c2s, bad);
  ASSERT_EQ(types(c.sink), (std::vector<std::string>{"CONNECT", "MALFORMED", "PUBLISH"}));
  EXPECT_EQ(c.sink.records[1].error, "remaining_length_too_long");
  EXPECT_EQ(c.sink.records[2].topic, "x/y");
}

TEST(mqtt_analyzer, packet_id_reused_while_in_flight_keyed_by_direction) {
  conversation c;
  c.send(c2s, connect_packet());
  c.send(s2c, proto::connack{});
  c.send(c2s, proto::publish{.topic = "t", .payload = "1", .qos = proto::qos::at_least_once, .packet_id = 5});
  // Same id the other way is a different flow: no finding.
  c.send(s2c, proto::publish{.topic = "t", .payload = "2", .qos = proto::qos::at_least_once, .packet_id = 5});
  // Same id, same direction, not a DUP, before the PUBACK: reused.
  c.send(c2s, proto::publish{.topic = "t", .payload = "3", .qos = proto::qos::at_least_once, .packet_id = 5});
  c.finish();
  ASSERT_EQ(c.sink.count_findings(finding_kind::packet_id_reused), 1u);
  const auto& r = c.sink.report(0);
  auto it = std::find_if(r.findings.begin(), r.findings.end(),
                         [](const auto& f) { return f.kind == finding_kind::packet_id_reused; });
  EXPECT_EQ(it->frame, 5u);
  EXPECT_NE(it->message.find("frame 3"), std::string::npos) << it->message;
}

TEST(mqtt_analyzer, dup_retransmission_is_not_reuse) {
  conversation c;
  c.send(c2s, connect_packet());
  c.send(c2s, proto::publish{.topic = "t", .payload = "1", .qos = proto::qos::at_least_once, .packet_id = 9});
  c.send(c2s, proto::publish{.topic = "t", .payload = "1", .qos = proto::qos::at_least_once, .dup = true, .packet_id = 9});
  c.send(s2c, proto::puback{.packet_id = 9});
  c.finish();
  EXPECT_EQ(c.sink.count_findings(finding_kind::packet_id_reused), 0u);
  EXPECT_EQ(c.sink.count_findings(finding_kind::incomplete_flow), 0u);
  EXPECT_EQ(c.sink.report(0).qos1_rtt.count, 1u);
}

TEST(mqtt_analyzer, qos2_incomplete_at_pubrel) {
  conversation c;
  c.send(c2s, connect_packet());
  c.send(s2c, proto::connack{});
  c.send(c2s, proto::publish{.topic = "t", .payload = "x", .qos = proto::qos::exactly_once, .packet_id = 3});
  c.send(s2c, proto::pubrec{.packet_id = 3});
  c.close(c2s, close_kind::rst);
  ASSERT_EQ(c.sink.reports.size(), 1u);
  const auto& r = c.sink.report(0);
  auto it = std::find_if(r.findings.begin(), r.findings.end(),
                         [](const auto& f) { return f.kind == finding_kind::incomplete_flow; });
  ASSERT_NE(it, r.findings.end());
  EXPECT_NE(it->message.find("no PUBREL"), std::string::npos) << it->message;
  EXPECT_EQ(it->frame, 3u);
  EXPECT_EQ(r.close.how, capture::close_how::rst);
  EXPECT_EQ(r.close.by, capture::closer::client);
}

TEST(mqtt_analyzer, qos2_complete_measures_round_trip) {
  conversation c;
  c.send(c2s, connect_packet());
  c.send(c2s, proto::publish{.topic = "t", .payload = "x", .qos = proto::qos::exactly_once, .packet_id = 3});
  c.send(s2c, proto::pubrec{.packet_id = 3});
  c.send(c2s, proto::pubrel{.packet_id = 3});
  c.send(s2c, proto::pubcomp{.packet_id = 3});
  c.finish();
  const auto& r = c.sink.report(0);
  EXPECT_EQ(r.qos2_rtt.count, 1u);
  EXPECT_DOUBLE_EQ(r.qos2_rtt.max_ms, 3.0);  // frames 2 -> 5, 1 ms apart
  EXPECT_EQ(c.sink.count_findings(finding_kind::incomplete_flow), 0u);
}

TEST(mqtt_analyzer, ping_without_response) {
  conversation c;
  c.send(c2s, connect_packet());
  c.send(s2c, proto::connack{});
  c.send(c2s, proto::pingreq{});
  c.send(s2c, proto::pingresp{});
  c.send(c2s, proto::pingreq{});
  c.wait(5 * sec);
  c.close(s2c);
  c.close(c2s);
  const auto& r = c.sink.report(0);
  EXPECT_EQ(r.ping_rtt.count, 1u);
  auto it = std::find_if(r.findings.begin(), r.findings.end(),
                         [](const auto& f) { return f.kind == finding_kind::no_ping_response; });
  ASSERT_NE(it, r.findings.end());
  EXPECT_NE(it->message.find("No PING_RESP"), std::string::npos);
  EXPECT_EQ(it->frame, 5u);
}

TEST(mqtt_analyzer, broker_closes_silent_client_keepalive_timeout) {
  conversation c;
  c.send(c2s, connect_packet(protocol_version::v311, "quiet", 10));
  c.send(s2c, proto::connack{});
  c.wait(15 * sec);
  c.close(s2c);
  c.close(c2s);
  const auto& r = c.sink.report(0);
  auto it = std::find_if(r.findings.begin(), r.findings.end(),
                         [](const auto& f) { return f.kind == finding_kind::keepalive_violated; });
  ASSERT_NE(it, r.findings.end());
  EXPECT_NE(it->message.find("15.00"), std::string::npos) << it->message;
  EXPECT_NE(it->message.find("15.000 s"), std::string::npos) << it->message;  // 1.5 x 10 s
  EXPECT_EQ(r.close.by, capture::closer::broker);
}

TEST(mqtt_analyzer, pinging_client_has_no_keepalive_finding) {
  conversation c;
  c.send(c2s, connect_packet(protocol_version::v311, "ok", 2));
  c.send(s2c, proto::connack{});
  for (int i = 0; i < 5; ++i) {
    c.wait(sec);
    c.send(c2s, proto::pingreq{});
    c.send(s2c, proto::pingresp{});
  }
  c.send(c2s, proto::disconnect{});
  c.close(c2s);
  c.close(s2c);
  EXPECT_FALSE(c.sink.has_finding(finding_kind::keepalive_violated));
  EXPECT_EQ(c.sink.report(0).ping_rtt.count, 5u);
}

TEST(mqtt_analyzer, refused_connack_explained_by_the_shared_refusal_table) {
  conversation c;
  c.send(c2s, connect_packet());
  c.send(s2c, proto::connack{.reason_code = proto::reason_code{5}});
  c.close(s2c);
  c.close(c2s);
  const auto& r = c.sink.report(0);
  ASSERT_TRUE(r.connack);
  EXPECT_TRUE(r.connack->refused);
  const auto explained = diag::explain_refusal(proto::reason_code{5}, protocol_version::v311, proto::packet_type::connack);
  EXPECT_EQ(r.connack->explanation, diag::refusal_line(proto::reason_code{5}, protocol_version::v311, proto::packet_type::connack));
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].message, r.connack->explanation);
  EXPECT_EQ(r.findings[0].cause, explained.cause);
  EXPECT_EQ(r.findings[0].fix, explained.fix);
}

TEST(mqtt_analyzer, v311_takeover_when_broker_closes_right_after_same_client_id_connects) {
  conversation c(0);
  c.send(c2s, connect_packet(protocol_version::v311, "twin"));
  c.send(s2c, proto::connack{});
  c.open(1);
  c.send(c2s, connect_packet(protocol_version::v311, "twin"), protocol_version::v311, 1);
  c.close(s2c, close_kind::fin, 0);
  c.close(c2s, close_kind::fin, 0);
  ASSERT_EQ(c.sink.reports.size(), 1u);
  EXPECT_EQ(c.sink.count_findings(finding_kind::session_taken_over), 1u);
}

TEST(mqtt_analyzer, v5_disconnect_0x8e_is_takeover) {
  conversation c;
  c.send(c2s, connect_packet(protocol_version::v5, "twin"));
  c.send(s2c, proto::connack{}, protocol_version::v5);
  c.send(s2c, proto::disconnect{.reason_code = proto::reason_code{0x8E}}, protocol_version::v5);
  c.close(s2c);
  c.close(c2s);
  const auto& r = c.sink.report(0);
  EXPECT_EQ(r.close.by, capture::closer::broker);
  EXPECT_EQ(r.close.reason_code, proto::reason_code{0x8E});
  EXPECT_EQ(c.sink.count_findings(finding_kind::session_taken_over), 1u);
}

TEST(mqtt_analyzer, will_published_after_client_vanishes) {
  conversation c(0);
  c.send(c2s, connect_packet(protocol_version::v311, "watcher"));
  c.send(s2c, proto::connack{});
  c.open(1);
  auto with_will = connect_packet(protocol_version::v311, "dev");
  with_will.will = proto::will_message{.topic = "dev/status", .payload = "offline"};
  c.send(c2s, with_will, protocol_version::v311, 1);
  c.send(s2c, proto::connack{}, protocol_version::v311, 1);
  c.close(c2s, close_kind::rst, 1);
  EXPECT_TRUE(c.sink.reports.empty());  // held back until the will shows up
  c.send(s2c, proto::publish{.topic = "dev/status", .payload = "offline"}, protocol_version::v311, 0);
  ASSERT_EQ(c.sink.reports.size(), 1u);
  EXPECT_EQ(c.sink.count_findings(finding_kind::will_published), 1u);
  c.finish();
  EXPECT_EQ(c.sink.reports.size(), 2u);
}

TEST(mqtt_analyzer, graceful_disconnect_no_will_finding) {
  conversation c;
  auto with_will = connect_packet(protocol_version::v311, "dev");
  with_will.will = proto::will_message{.topic = "dev/status", .payload = "offline"};
  c.send(c2s, with_will);
  c.send(s2c, proto::connack{});
  c.send(c2s, proto::disconnect{});
  c.close(c2s);
  c.close(s2c);
  ASSERT_EQ(c.sink.reports.size(), 1u);  // not held back
  EXPECT_FALSE(c.sink.has_finding(finding_kind::will_published));
  EXPECT_FALSE(c.sink.has_finding(finding_kind::closed_without_disconnect));
}

TEST(mqtt_analyzer, topic_alias_resolved_and_errors_found) {
  conversation c;
  c.send(c2s, connect_packet(protocol_version::v5));
  proto::property max_alias[] = {{.id = proto::property_id::topic_alias_maximum, .number = 2}};
  c.send(s2c, proto::connack{.properties = proto::property_list(std::span<const proto::property>(max_alias))},
         protocol_version::v5);
  proto::property alias1[] = {{.id = proto::property_id::topic_alias, .number = 1}};
  proto::property alias2[] = {{.id = proto::property_id::topic_alias, .number = 2}};
  proto::property alias5[] = {{.id = proto::property_id::topic_alias, .number = 5}};
  c.send(c2s, proto::publish{.topic = "long/topic", .payload = "a",
                             .properties = proto::property_list(std::span<const proto::property>(alias1))},
         protocol_version::v5);
  c.send(c2s, proto::publish{.topic = "", .payload = "b",
                             .properties = proto::property_list(std::span<const proto::property>(alias1))},
         protocol_version::v5);
  c.send(c2s, proto::publish{.topic = "", .payload = "c",
                             .properties = proto::property_list(std::span<const proto::property>(alias2))},
         protocol_version::v5);
  c.send(c2s, proto::publish{.topic = "x", .payload = "d",
                             .properties = proto::property_list(std::span<const proto::property>(alias5))},
         protocol_version::v5);
  c.finish();
  ASSERT_EQ(c.sink.records.size(), 6u);
  EXPECT_EQ(c.sink.records[3].topic, "long/topic");  // resolved from alias 1
  EXPECT_EQ(c.sink.count_findings(finding_kind::topic_alias_error), 2u);  // alias 2 undefined, 5 > max
}

TEST(mqtt_analyzer, packet_over_declared_maximum_size) {
  conversation c;
  proto::property max_size[] = {{.id = proto::property_id::maximum_packet_size, .number = 64}};
  auto conn = connect_packet(protocol_version::v5);
  conn.properties = proto::property_list(std::span<const proto::property>(max_size));
  c.send(c2s, conn, protocol_version::v5);
  c.send(s2c, proto::connack{}, protocol_version::v5);
  c.send(s2c, proto::publish{.topic = "t", .payload = std::string(100, 'z')}, protocol_version::v5);
  c.finish();
  EXPECT_EQ(c.sink.count_findings(finding_kind::packet_too_large), 1u);
}

TEST(mqtt_analyzer, tls_stream_is_not_decoded) {
  conversation c;
  c.analyzer().on_carriage(0, capture::carriage::tls, "ClientHello", 1, 0);
  c.send(c2s, std::vector<std::uint8_t>{0x16, 0x03, 0x01, 0x00, 0x10, 0x01});
  c.finish();
  EXPECT_TRUE(c.sink.records.empty());
  EXPECT_TRUE(c.sink.has_finding(finding_kind::tls_not_decodable));
}

TEST(mqtt_analyzer, memory_released_when_connection_closes) {
  conversation c;
  c.send(c2s, connect_packet());
  EXPECT_EQ(c.analyzer().open_streams(), 1u);
  c.close(c2s);
  c.close(s2c);
  EXPECT_EQ(c.analyzer().open_streams(), 0u);
  EXPECT_EQ(c.sink.reports.size(), 1u);
}

TEST(mqtt_analyzer, suback_failure_reported) {
  conversation c;
  c.send(c2s, connect_packet());
  proto::subscription subs[] = {{.filter = "a/#"}};
  c.send(c2s, proto::subscribe{.packet_id = 1, .subscriptions = std::span<const proto::subscription>(subs)});
  proto::reason_code codes[] = {proto::reason_code{0x80}};
  c.send(s2c, proto::suback{.packet_id = 1, .reason_codes = std::span<const proto::reason_code>(codes)});
  c.finish();
  EXPECT_EQ(c.sink.count_findings(finding_kind::subscription_refused), 1u);
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

// Feeds every connection of a real capture (client bytes first, so the version is known)
// either whole or cut at random points, and returns what was decoded.
std::vector<std::string> decode_directions(const std::vector<tcp_direction>& dirs, std::mt19937* rng) {
  keeping_sink sink;
  capture::mqtt_analyzer analyzer(sink);
  std::uint64_t frame = 0;
  std::uint64_t stream = 0;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    const auto& client = dirs[i];
    if (client.dst.ends_with(":18883") == false) continue;  // a broker→client direction
    capture::stream_info info;
    info.stream = stream;
    analyzer.on_stream_open(info);
    auto feed = [&](const tcp_direction& d, flow dir) {
      std::span<const std::uint8_t> rest(d.bytes);
      while (!rest.empty()) {
        std::size_t n = rest.size();
        if (rng) n = std::min<std::size_t>(rest.size(), 1 + (*rng)() % 97);
        analyzer.on_data(stream, dir, rest.first(n), ++frame, 0);
        rest = rest.subspan(n);
      }
    };
    feed(client, c2s);
    for (const auto& other : dirs)
      if (other.src == client.dst && other.dst == client.src) feed(other, s2c);
    ++stream;
  }
  analyzer.finish(frame, 0);
  std::vector<std::string> out;
  for (const auto& r : sink.records) out.push_back(r.type + " " + r.text + r.error);
  return out;
}

TEST(mqtt_analyzer, random_split_points_give_identical_packets_on_every_capture) {
  std::mt19937 rng(20261122);
  const auto names = plain_tcp_capture_names();  // raw TCP bytes: WebSocket frames would not parse
  ASSERT_GE(names.size(), 16u) << "no recordings under " << data_dir() / "captures";
  for (const auto& name : names) {
    const auto dirs = read_tcp_directions(capture_path(name));
    const auto whole = decode_directions(dirs, nullptr);
    ASSERT_FALSE(whole.empty()) << name;
    EXPECT_EQ(decode_directions(dirs, &rng), whole) << name;
  }
}

TEST(mqtt_analyzer, random_bytes_never_stall_or_crash) {
  std::mt19937 rng(7);
  std::vector<std::uint8_t> junk(1 << 16);
  for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
  keeping_sink sink;
  capture::mqtt_analyzer analyzer(sink);
  std::span<const std::uint8_t> rest(junk);
  std::uint64_t frame = 0;
  while (!rest.empty()) {
    const std::size_t n = std::min<std::size_t>(rest.size(), 1 + rng() % 1500);
    ++frame;
    analyzer.on_data(0, frame % 2 ? c2s : s2c, rest.first(n), frame, 0);
    rest = rest.subspan(n);
  }
  analyzer.finish(frame, 0);
  ASSERT_FALSE(sink.records.empty());
  EXPECT_EQ(sink.records.front().type, "MALFORMED");
  ASSERT_EQ(sink.reports.size(), 1u);
  EXPECT_GT(sink.count_findings(finding_kind::malformed_packet), 0u);
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

TEST(mqtt_analyzer, bytes_after_reset_do_not_start_a_second_report) {
  conversation c;
  c.send(c2s, connect_packet());
  c.send(s2c, proto::connack{});
  c.close(c2s, close_kind::rst);
  c.send(c2s, proto::pingreq{});  // a late retransmission
  c.finish();
  EXPECT_EQ(c.sink.reports.size(), 1u);
  EXPECT_EQ(c.sink.records.size(), 2u);
}

// A packet that breaks a rule but can be read is shown with all its fields and the rule it
// broke (as tshark shows it), never dropped as MALFORMED.
TEST(mqtt_analyzer, readable_rule_break_is_a_packet_with_a_violation_and_a_finding) {
  conversation c;
  c.sink.keep_json = true;
  c.send(c2s, connect_packet(protocol_version::v5), protocol_version::v5);
  c.send(s2c, proto::connack{}, protocol_version::v5);
  // PUBLISH "a" with Payload Format Indicator 144 (only 0 and 1 are defined).
  c.send(c2s, std::vector<std::uint8_t>{0x30, 0x07, 0x00, 0x01, 'a', 0x02, 0x01, 0x90, 'x'});
  c.send(c2s, proto::pingreq{}, protocol_version::v5);
  c.close(c2s);
  c.close(s2c);
  c.finish();
  ASSERT_EQ(c.sink.records.size(), 4u);
  const auto& pub = c.sink.records[2];
  EXPECT_EQ(pub.type, "PUBLISH");
  EXPECT_EQ(pub.topic, "a");
  EXPECT_NE(pub.json.find("\"violations\":[{\"rule\":\"invalid_property_value\",\"offset\":6"), std::string::npos)
      << pub.json;
  EXPECT_EQ(c.sink.records[3].type, "PINGREQ");
  EXPECT_EQ(c.sink.count_findings(finding_kind::protocol_violation), 1u);
  EXPECT_FALSE(c.sink.has_finding(finding_kind::malformed_packet));
}

TEST(mqtt_analyzer, strict_option_still_drops_the_rule_break_as_malformed) {
  capture::mqtt_analyzer_options o;
  o.lenient = false;
  conversation c(0, o);
  c.send(c2s, connect_packet(protocol_version::v5), protocol_version::v5);
  c.send(c2s, std::vector<std::uint8_t>{0x30, 0x07, 0x00, 0x01, 'a', 0x02, 0x01, 0x90, 'x'});
  c.finish();
  ASSERT_EQ(c.sink.records.size(), 2u);
  EXPECT_EQ(c.sink.records[1].type, "MALFORMED");
  EXPECT_EQ(c.sink.records[1].error, "invalid_property_value");
}

// A CONNECT whose body does not decode (an unknown property) still says "5" at its fixed
// place: the broker's CONNACK with properties is read as 5.0, not as a malformed 3.1.1 one.
TEST(mqtt_analyzer, undecodable_connect_still_sets_the_version_for_the_connack) {
  conversation c;
  c.send(c2s, std::vector<std::uint8_t>{0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3c,
                                        0x02, 0xff, 0x00, 0x00, 0x01, 'a'});
  c.send(s2c, std::vector<std::uint8_t>{0x20, 0x06, 0x00, 0x00, 0x03, 0x22, 0x00, 0x0a});
  c.send(c2s, std::vector<std::uint8_t>{0x30, 0x06, 0x00, 0x01, 'a', 0x00, 'h', 'i'});
  c.finish();
  ASSERT_EQ(c.sink.records.size(), 3u);
  EXPECT_EQ(c.sink.records[0].type, "MALFORMED");
  EXPECT_EQ(c.sink.records[1].type, "CONNACK") << c.sink.records[1].error;
  EXPECT_NE(c.sink.records[1].text.find("10"), std::string::npos) << c.sink.records[1].text;
  EXPECT_EQ(c.sink.records[2].type, "PUBLISH") << c.sink.records[2].error;
}

const capture::finding* find_kind(const capture::mqtt_connection_report& r, finding_kind k) {
  for (const auto& f : r.findings)
    if (f.kind == k) return &f;
  return nullptr;
}

// The contradiction this guards against: "no CONNACK, the broker rejected it" when a successful
// CONNACK and a PUBACK follow a CONNECT that could not be decoded.
TEST(mqtt_analyzer, undecodable_connect_with_successful_connack_is_not_called_rejected) {
  conversation c;
  c.send(c2s, std::vector<std::uint8_t>{0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3c,
                                        0x02, 0xff, 0x00, 0x00, 0x01, 'a'});
  c.send(s2c, proto::connack{}, protocol_version::v5);
  c.send(c2s, proto::publish{.topic = "t", .payload = "x", .qos = proto::qos::at_least_once, .packet_id = 1},
         protocol_version::v5);
  c.send(s2c, proto::puback{.packet_id = 1}, protocol_version::v5);
  c.close(s2c);
  c.close(c2s);
  c.finish();
  ASSERT_EQ(c.sink.reports.size(), 1u);
  const auto& r = c.sink.reports[0];
  ASSERT_TRUE(r.connack);
  EXPECT_FALSE(r.connack->refused);
  EXPECT_FALSE(find_kind(r, finding_kind::no_connack));
  EXPECT_FALSE(find_kind(r, finding_kind::connection_refused));
  EXPECT_FALSE(find_kind(r, finding_kind::incomplete_flow));
}

TEST(mqtt_analyzer, unreadable_broker_answer_is_not_called_a_rejection) {
  conversation c;
  c.send(c2s, connect_packet());
  c.send(s2c, std::vector<std::uint8_t>{0x00, 0x01, 0x02});  // not MQTT
  c.close(s2c);
  c.close(c2s);
  c.finish();
  const auto* f = find_kind(c.sink.reports.at(0), finding_kind::no_connack);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message.find("rejected"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("no CONNACK could be read"), std::string::npos) << f->message;
}

TEST(mqtt_analyzer, client_hanging_up_before_connack_is_not_a_broker_rejection) {
  conversation c;
  c.send(c2s, connect_packet());
  c.close(c2s);
  c.close(s2c);
  c.finish();
  const auto* f = find_kind(c.sink.reports.at(0), finding_kind::no_connack);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message.find("rejected"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("the client closed"), std::string::npos) << f->message;
}

TEST(mqtt_analyzer, broker_closing_without_connack_is_a_rejection) {
  conversation c;
  c.send(c2s, connect_packet());
  c.close(s2c);
  c.close(c2s);
  c.finish();
  const auto* f = find_kind(c.sink.reports.at(0), finding_kind::no_connack);
  ASSERT_TRUE(f);
  EXPECT_NE(f->message.find("the broker closed the connection (fin) without a CONNACK: it rejected the CONNECT"),
            std::string::npos)
      << f->message;
}

TEST(mqtt_analyzer, transport_anomalies_become_one_finding_per_line_and_direction) {
  conversation c;
  c.send(c2s, connect_packet());
  c.send(s2c, proto::connack{});
  c.analyzer().on_anomaly(0, c2s, "TCP retransmission with different bytes (first copy kept)", 3, 0);
  c.analyzer().on_anomaly(0, c2s, "TCP zero-window probe", 4, 0);
  c.analyzer().on_anomaly(0, c2s, "TCP zero-window probe", 5, 0);
  c.analyzer().on_anomaly(0, s2c, "TCP zero-window probe", 6, 0);
  c.send(c2s, proto::disconnect{});
  c.close(c2s);
  c.close(s2c);
  std::vector<std::string> anomalies;
  for (const auto& f : c.sink.report(0).findings) {
    if (f.kind != finding_kind::transport_anomaly) continue;
    EXPECT_EQ(f.level, capture::severity::warning);
    anomalies.push_back(std::to_string(f.frame) + " " + f.message);
  }
  EXPECT_EQ(anomalies, (std::vector<std::string>{
                           "3 TCP retransmission with different bytes (first copy kept) (client→broker)",
                           "4 TCP zero-window probe (client→broker, 2 times)",
                           "6 TCP zero-window probe (broker→client)"}));
}

}  // namespace
}  // namespace mqtk::test
