// mqtk-decode on conversations of other MQTT implementations (MQTT.js, the aedes broker,
// paho-mqtt) and on hand-made packets that each break one rule, recorded on loopback by
// tests/data/record-other-implementations. Each recording is compared with tshark's reading
// beside it: the same packet types in the same frames, none MALFORMED.
#include <algorithm>
#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "decode_test_support.hpp"

namespace mqtk::test {
namespace {

const std::filesystem::path other_dir = std::filesystem::path(MQTK_SOURCE_DIR) / "tests/data/captures/other";

std::vector<std::string> recordings() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(other_dir))
    if (e.path().extension() == ".pcapng") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct agreement {
  std::size_t same = 0;   // packets tshark and mqtk-decode both read as the same type in the same frame
  std::size_t total = 0;  // packets tshark listed
};

agreement compare(const std::string& name, keeping_sink& sink) {
  const auto expected = read_tshark_file(other_dir / (name + ".tshark.txt"));
  decode_capture_file(other_dir / (name + ".pcapng"), sink);
  std::map<std::uint64_t, std::vector<std::string>> want, got;
  for (const auto& e : expected) want[e.frame].push_back(e.type);
  for (const auto& r : sink.records) got[r.frame].push_back(r.type);
  agreement a;
  for (const auto& [frame, types] : want) {
    a.total += types.size();
    const auto& ours = got[frame];
    for (std::size_t i = 0; i < types.size() && i < ours.size(); ++i)
      if (types[i] == ours[i]) ++a.same;
  }
  return a;
}

class other_implementations : public ::testing::TestWithParam<std::string> {};

TEST_P(other_implementations, every_packet_tshark_reads_is_read_the_same) {
  keeping_sink sink;
  const auto a = compare(GetParam(), sink);
  ASSERT_GT(a.total, 0u);
  EXPECT_EQ(a.same, a.total) << GetParam() << ": " << a.same << " of " << a.total << " packets agree";
  for (const auto& r : sink.records) EXPECT_NE(r.type, "MALFORMED") << GetParam() << " frame " << r.frame;
  EXPECT_EQ(sink.count_findings(capture::finding_kind::malformed_packet), 0u);
}

INSTANTIATE_TEST_SUITE_P(recordings, other_implementations, ::testing::ValuesIn(recordings()),
                         [](const auto& info) { return info.param; });

// The hand-made packets: each breaks one rule (Payload Format Indicator 144, a CONNECT-only
// property on PUBLISH, a repeated property, reserved subscription option bits) and each is
// read with its rule named, as tshark reads them.
TEST(other_implementations_rules, each_rule_break_is_read_and_named) {
  keeping_sink sink;
  sink.keep_json = true;
  compare("rule_breaks_v5", sink);
  std::vector<std::string> rules;
  for (const auto& r : sink.records) {
    const std::string key = "\"violations\":[{\"rule\":\"";
    const auto at = r.json.find(key);
    if (at == std::string::npos) continue;
    const auto start = at + key.size();
    rules.push_back(r.json.substr(start, r.json.find('"', start) - start));
  }
  EXPECT_EQ(rules, (std::vector<std::string>{"invalid_property_value", "property_not_allowed",
                                             "duplicate_property", "invalid_subscription_options"}));
  EXPECT_EQ(sink.count_findings(capture::finding_kind::protocol_violation), 4u);
}

}  // namespace
}  // namespace mqtk::test
