// Every recording in tests/data/captures decoded through the real capture pipeline and the analyzer, compared
// packet by packet with tshark's reading, and the findings captures/README.md promises.
#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "decode_test_support.hpp"
#include "support/capture_streams.hpp"

namespace mqtk::test {
namespace {

using capture::finding_kind;

// Where tshark and the truth differ: (capture, frame) -> what is really there.
struct correction {
  std::string type;   // our type; empty: tshark has no entry, ours is added
  std::string error;  // decode error name for MALFORMED
};

const std::map<std::pair<std::string, std::uint64_t>, correction>& corrections() {
  static const std::map<std::pair<std::string, std::uint64_t>, correction> c = {
      // Protocol level 6 and protocol name "MQTX": tshark dissects them as CONNECTs.
      {{"refused_protocol", 4}, {"MALFORMED", "unsupported_protocol_version"}},
      {{"refused_protocol", 14}, {"MALFORMED", "invalid_protocol_name"}},
      // A 5-byte remaining length: tshark calls it a malformed Publish Message.
      {{"malformed", 8}, {"MALFORMED", "remaining_length_too_long"}},
      {{"malformed", 19}, {"MALFORMED", "reserved_packet_type"}},
      // SUBSCRIBE asking for QoS 3: tshark lists it as a Subscribe Request.
      {{"malformed", 30}, {"MALFORMED", "invalid_qos"}},
  };
  return c;
}

class capture_vs_tshark : public ::testing::TestWithParam<std::string> {};

TEST_P(capture_vs_tshark, same_packets_in_the_same_frames) {
  const auto name = GetParam();
  auto expected = read_tshark(name);
  ASSERT_FALSE(expected.empty());
  for (const auto& [key, fix] : corrections()) {
    if (key.first != name) continue;
    auto it = std::find_if(expected.begin(), expected.end(),
                           [&](const tshark_entry& e) { return e.frame == key.second; });
    if (it != expected.end()) {
      it->type = fix.type;
    } else {
      expected.push_back({key.second, fix.type});
    }
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.frame < b.frame; });

  keeping_sink sink;
  decode_capture(name, sink);
  // Per frame, the packet types in order: tshark's must equal ours, or be a prefix of ours
  // where tshark cut its line.
  std::map<std::uint64_t, std::vector<std::string>> want, got;
  std::map<std::uint64_t, bool> cut;
  for (const auto& e : expected) {
    want[e.frame].push_back(e.type);
    cut[e.frame] = cut[e.frame] || e.cut;
  }
  for (const auto& r : sink.records) got[r.frame].push_back(r.type);
  ASSERT_EQ(got.size(), want.size()) << "frames with MQTT packets";
  for (const auto& [frame, types] : want) {
    auto it = got.find(frame);
    ASSERT_NE(it, got.end()) << "nothing decoded in frame " << frame;
    if (cut[frame]) {
      ASSERT_GE(it->second.size(), types.size()) << "frame " << frame;
      EXPECT_TRUE(std::equal(types.begin(), types.end(), it->second.begin())) << "frame " << frame;
    } else {
      EXPECT_EQ(it->second, types) << "frame " << frame;
    }
  }
  for (const auto& r : sink.records) {
    if (r.type != "MALFORMED") continue;
    auto it = corrections().find({name, r.frame});
    ASSERT_NE(it, corrections().end()) << "unexpected MALFORMED at frame " << r.frame;
    EXPECT_EQ(r.error, it->second.error) << "frame " << r.frame;
  }
}

// tshark 4.0 does not dissect MQTT inside WebSocket frames: the WebSocket recording is
// compared with its plain-TCP twin below instead.
INSTANTIATE_TEST_SUITE_P(recorded, capture_vs_tshark, ::testing::ValuesIn(plain_tcp_capture_names()),
                         [](const auto& param_info) { return param_info.param; });

TEST(capture_findings, refused_auth_v311_three_connections_two_refused_with_return_code_5) {
  keeping_sink sink;
  decode_capture("refused_auth_v311", sink);
  ASSERT_EQ(sink.reports.size(), 3u);
  EXPECT_EQ(sink.count_findings(finding_kind::connection_refused), 2u);
  const auto& first = sink.report(0);
  ASSERT_TRUE(first.connack);
  EXPECT_TRUE(first.connack->refused);
  EXPECT_EQ(first.connack->code, proto::reason_code{5});
  EXPECT_EQ(first.client_id, "esp32-kitchen");
  ASSERT_TRUE(sink.report(2).connack);
  EXPECT_FALSE(sink.report(2).connack->refused);
  EXPECT_EQ(sink.report(2).close.how, capture::close_how::disconnect);
}

TEST(capture_findings, refused_auth_v5_not_authorized_0x87) {
  keeping_sink sink;
  decode_capture("refused_auth_v5", sink);
  ASSERT_EQ(sink.count_findings(finding_kind::connection_refused), 2u);
  for (const auto& r : sink.reports) {
    ASSERT_TRUE(r.connack);
    EXPECT_EQ(r.connack->code, proto::reason_code{0x87});
    EXPECT_EQ(r.connack->name, "Not authorized");
  }
}

TEST(capture_findings, refused_protocol_unacceptable_version_and_no_connack) {
  keeping_sink sink;
  decode_capture("refused_protocol", sink);
  const auto& level6 = sink.report(0);
  ASSERT_TRUE(level6.connack);
  EXPECT_EQ(level6.connack->code, proto::reason_code{1});
  EXPECT_TRUE(level6.connack->refused);
  const auto& mqtx = sink.report(1);
  EXPECT_FALSE(mqtx.connack);
  EXPECT_TRUE(std::any_of(mqtx.findings.begin(), mqtx.findings.end(),
                          [](const auto& f) { return f.kind == finding_kind::no_connack; }));
  EXPECT_EQ(mqtx.close.by, capture::closer::broker);
}

TEST(capture_findings, keepalive_timeout_silent_client_measured) {
  keeping_sink sink;
  decode_capture("keepalive_timeout", sink);
  const auto& good = sink.report(0);
  EXPECT_EQ(good.ping_rtt.count, 3u);
  EXPECT_TRUE(std::none_of(good.findings.begin(), good.findings.end(),
                           [](const auto& f) { return f.kind == finding_kind::keepalive_violated; }));
  const auto& silent = sink.report(1);
  EXPECT_EQ(silent.client_id, "silent-esp32");
  EXPECT_EQ(silent.keepalive, 2);
  auto it = std::find_if(silent.findings.begin(), silent.findings.end(),
                         [](const auto& f) { return f.kind == finding_kind::keepalive_violated; });
  ASSERT_NE(it, silent.findings.end());
  EXPECT_NE(it->message.find("3.000 s"), std::string::npos) << it->message;  // 1.5 x 2 s
}

TEST(capture_findings, keepalive_timeout_v5) {
  keeping_sink sink;
  decode_capture("keepalive_timeout_v5", sink);
  EXPECT_TRUE(sink.has_finding(finding_kind::keepalive_violated));
  EXPECT_EQ(sink.report(0).version, proto::protocol_version::v5);
}

TEST(capture_findings, session_takeover_v5_first_connection_taken_over) {
  keeping_sink sink;
  decode_capture("session_takeover_v5", sink);
  const auto& first = sink.report(0);
  auto it = std::find_if(first.findings.begin(), first.findings.end(),
                         [](const auto& f) { return f.kind == finding_kind::session_taken_over; });
  ASSERT_NE(it, first.findings.end());
  EXPECT_NE(it->message.find("stream 1"), std::string::npos) << it->message;
  EXPECT_EQ(sink.count_findings(finding_kind::session_taken_over), 1u);
}

TEST(capture_findings, will_message_published_after_ungraceful_close) {
  keeping_sink sink;
  decode_capture("will_message", sink);
  const auto& device = sink.report(1);
  EXPECT_EQ(device.will_topic, "devices/esp32-door/status");
  auto it = std::find_if(device.findings.begin(), device.findings.end(),
                         [](const auto& f) { return f.kind == finding_kind::will_published; });
  ASSERT_NE(it, device.findings.end());
  EXPECT_EQ(it->frame, 24u);  // the "offline" PUBLISH, not the "online" ones at 18 and 19
}

TEST(capture_findings, malformed_three_connections_each_closed_by_broker) {
  keeping_sink sink;
  decode_capture("malformed", sink);
  EXPECT_EQ(sink.count_findings(finding_kind::malformed_packet), 3u);
  for (const auto& r : sink.reports) EXPECT_EQ(r.close.by, capture::closer::broker);
}

TEST(capture_findings, persistent_session_queued_delivery) {
  keeping_sink sink;
  decode_capture("persistent_session", sink);
  const auto& back = sink.report(4);
  ASSERT_TRUE(back.connack);
  EXPECT_TRUE(back.connack->session_present);
  EXPECT_EQ(back.clean_start, false);
  auto it = std::find_if(back.findings.begin(), back.findings.end(),
                         [](const auto& f) { return f.kind == finding_kind::queued_delivery; });
  ASSERT_NE(it, back.findings.end());
  EXPECT_EQ(it->frame, 60u);
  EXPECT_EQ(back.qos1_rtt.count, 3u);
}

TEST(capture_findings, large_payload_spans_many_frames_both_directions) {
  keeping_sink sink;
  decode_capture("large_payload", sink);
  std::size_t big = 0;
  for (const auto& r : sink.records) {
    if (r.type != "PUBLISH") continue;
    EXPECT_EQ(r.len, 300016u);
    EXPECT_GE(r.frames.size(), 3u);
    EXPECT_EQ(r.frames.back(), r.frame);
    ++big;
  }
  EXPECT_EQ(big, 2u);
  EXPECT_EQ(sink.count_findings(finding_kind::large_packet), 2u);
}

TEST(capture_findings, burst_qos0_two_thousand_publishes) {
  keeping_sink sink;
  decode_capture("burst_qos0", sink);
  const auto n = std::count_if(sink.records.begin(), sink.records.end(),
                               [](const auto& r) { return r.type == "PUBLISH"; });
  // 2,000 in, 2,000 out, plus the connections' own packets: 4,008 MQTT packets, as
  // `tshark -T fields -e mqtt.msgtype` counts them (its one-line summary is cut short).
  EXPECT_EQ(n, 4000);
  EXPECT_EQ(sink.records.size(), 4008u);
  EXPECT_EQ(sink.count_findings(finding_kind::malformed_packet), 0u);
}

TEST(capture_findings, v31_legacy_version_learned_from_mqisdp) {
  keeping_sink sink;
  decode_capture("v31_legacy", sink);
  ASSERT_FALSE(sink.reports.empty());
  for (const auto& r : sink.reports) EXPECT_EQ(r.version, proto::protocol_version::v31);
}

TEST(capture_findings, v5_topic_alias_resolved_and_no_errors) {
  keeping_sink sink;
  decode_capture("v5_properties", sink);
  EXPECT_FALSE(sink.has_finding(finding_kind::topic_alias_error));
  for (const auto& r : sink.records)
    if (r.type == "PUBLISH") {
      EXPECT_FALSE(r.topic.empty()) << "frame " << r.frame;
    }
}

TEST(capture_findings, websocket_v5_carries_the_same_conversation_as_plain_tcp) {
  // tests/data/record-captures runs the same paho conversation over ws:// and over TCP.
  keeping_sink ws, tcp;
  decode_capture("websocket_v5", ws);
  decode_capture("paho_unsubscribe_v5", tcp);
  auto sequence = [](const keeping_sink& s) {
    std::vector<std::string> out;
    for (const auto& r : s.records) out.push_back(r.type + (r.topic.empty() ? "" : " " + r.topic));
    return out;
  };
  ASSERT_FALSE(ws.records.empty());
  // The same packets; the order of the last acknowledgements depends on timing.
  auto a = sequence(ws), b = sequence(tcp);
  EXPECT_EQ(a.front(), "CONNECT");
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
  ASSERT_EQ(ws.reports.size(), 1u);
  EXPECT_EQ(ws.report(0).client_id, "paho-ws");
  EXPECT_EQ(ws.report(0).version, proto::protocol_version::v5);
}

TEST(capture_findings, ipv6_v311_qos2_over_loopback_v6) {
  keeping_sink sink;
  decode_capture("ipv6_v311", sink);
  ASSERT_EQ(sink.reports.size(), 2u);
  std::vector<std::string> types;
  for (const auto& r : sink.records) types.push_back(r.type);
  EXPECT_EQ(std::count(types.begin(), types.end(), "PUBREL"), 2);
  EXPECT_EQ(std::count(types.begin(), types.end(), "PUBCOMP"), 2);
}

TEST(capture_findings, clean_captures_have_no_error_findings) {
  for (const auto* name : {"v311_basic", "v5_properties", "paho_unsubscribe_v5", "shared_subscription_v5",
                           "ipv6_v311", "websocket_v5"}) {
    keeping_sink sink;
    decode_capture(name, sink);
    for (const auto& r : sink.reports)
      for (const auto& f : r.findings)
        EXPECT_NE(f.level, capture::severity::error) << name << ": " << f.message;
  }
}

}  // namespace
}  // namespace mqtk::test
