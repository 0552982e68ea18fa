// The real conversations in tests/data/captures/: each direction decodes, and every packet
// re-encodes to exactly the bytes that were on the wire.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "codec_test_util.hpp"
#include "support/capture_streams.hpp"

namespace mqtk::proto {
namespace {

constexpr std::string_view broker_port = ":18883";

struct direction_result {
  std::size_t packets = 0;
  std::map<packet_type, std::size_t> by_type;
  std::optional<decode_failure> failure;
  std::optional<protocol_version> version;
};

// Decodes one direction; every packet must re-encode to its own raw bytes.
direction_result decode_direction(const test::tcp_direction& d, std::optional<protocol_version> version) {
  direction_result out;
  stream_decoder dec({.version = version});
  std::span<const std::uint8_t> in(d.bytes);
  while (!in.empty()) {
    auto r = dec.put(in);
    in = in.subspan(r.consumed);
    if (r.state == stream_decoder::status::error) {
      out.failure = r.failure;
      break;
    }
    if (r.state != stream_decoder::status::ready) continue;
    ++out.packets;
    ++out.by_type[type_of(*r.value)];
    const test::bytes reencoded = test::encode_to_bytes(*r.value, dec.version().value_or(protocol_version::v311));
    EXPECT_EQ(test::to_hex(reencoded), test::to_hex(r.raw.data(), r.raw.size()))
        << d.src << " -> " << d.dst << ": " << to_string(*r.value);
  }
  out.version = dec.version();
  return out;
}

struct conversation_result {
  std::size_t packets = 0;
  std::map<packet_type, std::size_t> by_type;
  std::vector<decode_failure> failures;
};

conversation_result decode_capture(const std::string& name) {
  const auto directions = test::read_tcp_directions(test::capture_path(name));
  conversation_result out;
  std::map<std::string, protocol_version> version_by_client;
  for (const auto& d : directions) {
    if (!d.dst.ends_with(broker_port)) continue;
    auto r = decode_direction(d, std::nullopt);
    out.packets += r.packets;
    for (auto [t, n] : r.by_type) out.by_type[t] += n;
    if (r.failure) out.failures.push_back(*r.failure);
    if (r.version) version_by_client[d.src] = *r.version;
  }
  for (const auto& d : directions) {
    if (!d.src.ends_with(broker_port)) continue;
    auto it = version_by_client.find(d.dst);
    // A refused CONNECT teaches no version; the broker then answers in 3.1.1 form.
    auto r = decode_direction(d, it == version_by_client.end() ? protocol_version::v311 : it->second);
    out.packets += r.packets;
    for (auto [t, n] : r.by_type) out.by_type[t] += n;
    if (r.failure) out.failures.push_back(*r.failure);
  }
  return out;
}

class real_capture : public ::testing::TestWithParam<std::string> {};

TEST_P(real_capture, every_packet_decodes_and_reencodes_byte_exact) {
  const std::string& name = GetParam();
  const auto result = decode_capture(name);
  EXPECT_GT(result.packets, 0u);
  if (name == "malformed" || name == "refused_protocol") {
    EXPECT_FALSE(result.failures.empty()) << name << " holds packets no client should send";
  } else {
    for (const auto& f : result.failures) ADD_FAILURE() << name << ": " << f.message();
  }
}

INSTANTIATE_TEST_SUITE_P(captures, real_capture, ::testing::ValuesIn(test::plain_tcp_capture_names()),
                         [](const auto& param_info) { return param_info.param; });

TEST(real_capture_content, captures_directory_is_present) {
  EXPECT_GE(test::capture_names().size(), 16u)
      << "no recordings under " << test::data_dir() / "captures" << " (tests/data/record-captures makes them)";
}

TEST(real_capture_content, malformed_capture_faults_are_named) {
  const auto result = decode_capture("malformed");
  std::vector<decode_error> errors;
  for (const auto& f : result.failures) errors.push_back(f.error);
  EXPECT_NE(std::find(errors.begin(), errors.end(), decode_error::remaining_length_too_long), errors.end());
  EXPECT_NE(std::find(errors.begin(), errors.end(), decode_error::reserved_packet_type), errors.end());
  EXPECT_NE(std::find(errors.begin(), errors.end(), decode_error::invalid_qos), errors.end());
}

TEST(real_capture_content, refused_protocol_capture_faults_are_named) {
  const auto result = decode_capture("refused_protocol");
  std::vector<decode_error> errors;
  for (const auto& f : result.failures) errors.push_back(f.error);
  EXPECT_NE(std::find(errors.begin(), errors.end(), decode_error::unsupported_protocol_version), errors.end());
  EXPECT_NE(std::find(errors.begin(), errors.end(), decode_error::invalid_protocol_name), errors.end());
  EXPECT_EQ(result.by_type.at(packet_type::connack), 1u);
}

TEST(real_capture_content, burst_has_two_thousand_publishes) {
  const auto result = decode_capture("burst_qos0");
  ASSERT_TRUE(result.failures.empty());
  // 2,000 from the publisher, 2,000 delivered to the subscriber.
  EXPECT_EQ(result.by_type.at(packet_type::publish), 4000u);
}

TEST(real_capture_content, large_payload_spans_segments_and_decodes) {
  const auto directions = test::read_tcp_directions(test::capture_path("large_payload"));
  std::size_t largest = 0;
  for (const auto& d : directions) {
    stream_decoder dec({.version = protocol_version::v311});
    std::span<const std::uint8_t> in(d.bytes);
    while (!in.empty()) {
      auto r = dec.put(in);
      in = in.subspan(r.consumed);
      ASSERT_NE(r.state, stream_decoder::status::error) << r.failure.message();
      if (r.state == stream_decoder::status::ready)
        if (const auto* p = std::get_if<publish>(r.value)) largest = std::max(largest, p->payload.size());
    }
  }
  EXPECT_EQ(largest, 300'000u);
}

TEST(real_capture_content, v5_properties_capture_carries_the_documented_properties) {
  const auto directions = test::read_tcp_directions(test::capture_path("v5_properties"));
  std::set<property_id> seen;
  for (const auto& d : directions) {
    stream_decoder dec({.version = protocol_version::v5});
    std::span<const std::uint8_t> in(d.bytes);
    while (!in.empty()) {
      auto r = dec.put(in);
      in = in.subspan(r.consumed);
      ASSERT_NE(r.state, stream_decoder::status::error) << r.failure.message();
      if (r.state != stream_decoder::status::ready) continue;
      std::visit(
          [&](const auto& pkt) {
            if constexpr (requires { pkt.properties; })
              for (const auto& prop : pkt.properties) seen.insert(prop.id);
          },
          *r.value);
    }
  }
  for (property_id id : {property_id::session_expiry_interval, property_id::receive_maximum,
                         property_id::maximum_packet_size, property_id::user_property, property_id::content_type,
                         property_id::response_topic, property_id::correlation_data,
                         property_id::message_expiry_interval, property_id::payload_format_indicator,
                         property_id::topic_alias, property_id::subscription_identifier})
    EXPECT_TRUE(seen.count(id)) << find_property_info(static_cast<std::uint8_t>(id))->name;
}

}  // namespace
}  // namespace mqtk::proto
