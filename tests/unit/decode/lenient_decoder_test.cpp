// The decoder's leniency option: mqtk-decode reads packets that break a rule but can still be
// read, and says which rule; the default (what the client's session uses) still rejects them.
#include <gtest/gtest.h>

#include "mqtk/proto/decoder.hpp"

namespace mqtk::test {
namespace {

using proto::decode_error;
using proto::protocol_version;
using bytes = std::vector<std::uint8_t>;

struct rule_case {
  const char* name;
  bytes packet;
  decode_error rule;
  std::size_t offset;
};

const rule_case cases[] = {
    {"payload_format_indicator_144", {0x30, 0x07, 0x00, 0x01, 'a', 0x02, 0x01, 0x90, 'x'},
     decode_error::invalid_property_value, 6},
    {"session_expiry_on_publish", {0x30, 0x0a, 0x00, 0x01, 'a', 0x05, 0x11, 0x00, 0x00, 0x00, 0x3c, 'x'},
     decode_error::property_not_allowed, 6},
    {"duplicate_payload_format_indicator", {0x30, 0x09, 0x00, 0x01, 'a', 0x04, 0x01, 0x00, 0x01, 0x01, 'x'},
     decode_error::duplicate_property, 8},
    {"subscription_options_reserved_bits", {0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0xc1},
     decode_error::invalid_subscription_options, 8},
    {"connack_reserved_flags", {0x20, 0x03, 0x02, 0x00, 0x00}, decode_error::invalid_connack_flags, 2},
    {"puback_packet_id_zero", {0x40, 0x02, 0x00, 0x00}, decode_error::packet_id_zero, 2},
    {"publish_topic_with_wildcard", {0x30, 0x05, 0x00, 0x01, '#', 0x00, 'x'}, decode_error::invalid_topic_name, 4},
};

class lenient_decoder : public ::testing::TestWithParam<rule_case> {};

TEST_P(lenient_decoder, strict_rejects_lenient_reads_and_names_the_rule) {
  const auto& c = GetParam();
  proto::decode_scratch strict;
  const auto s = proto::decode_packet(c.packet, protocol_version::v5, strict);
  ASSERT_TRUE(std::holds_alternative<proto::decode_failure>(s));
  EXPECT_EQ(std::get<proto::decode_failure>(s), (proto::decode_failure{c.rule, c.offset}));

  proto::decode_scratch lenient;
  lenient.lenient = true;
  const auto l = proto::decode_packet(c.packet, protocol_version::v5, lenient);
  ASSERT_TRUE(std::holds_alternative<proto::packet>(l)) << proto::decode_error_name(std::get<proto::decode_failure>(l).error);
  ASSERT_EQ(lenient.violations.size(), 1u);
  EXPECT_EQ(lenient.violations[0], (proto::decode_failure{c.rule, c.offset}));
}

INSTANTIATE_TEST_SUITE_P(rules, lenient_decoder, ::testing::ValuesIn(cases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(lenient_decoder_fields, publish_keeps_every_field_and_the_out_of_range_value) {
  proto::decode_scratch scratch;
  scratch.lenient = true;
  const bytes pkt{0x30, 0x07, 0x00, 0x01, 'a', 0x02, 0x01, 0x90, 'x'};
  const auto r = proto::decode_packet(pkt, protocol_version::v5, scratch);
  ASSERT_TRUE(std::holds_alternative<proto::packet>(r));
  const auto& p = std::get<proto::publish>(std::get<proto::packet>(r));
  EXPECT_EQ(p.topic, "a");
  EXPECT_EQ(p.payload, "x");
  EXPECT_EQ(p.properties.number(proto::property_id::payload_format_indicator), 144u);
}

TEST(lenient_decoder_fields, stream_decoder_is_strict_by_default_and_lenient_on_request) {
  const bytes pkt{0x30, 0x07, 0x00, 0x01, 'a', 0x02, 0x01, 0x90, 'x'};
  proto::stream_decoder strict({.version = protocol_version::v5});
  EXPECT_EQ(strict.put(pkt).state, proto::stream_decoder::status::error);

  proto::stream_decoder lenient({.version = protocol_version::v5, .lenient = true});
  const auto r = lenient.put(pkt);
  ASSERT_EQ(r.state, proto::stream_decoder::status::ready);
  ASSERT_EQ(lenient.violations().size(), 1u);
  EXPECT_EQ(lenient.violations()[0].error, decode_error::invalid_property_value);
  // A clean packet after it carries no violation.
  const bytes ping{0xc0, 0x00};
  ASSERT_EQ(lenient.put(ping).state, proto::stream_decoder::status::ready);
  EXPECT_TRUE(lenient.violations().empty());
}

TEST(lenient_decoder_fields, unreadable_faults_stay_failures) {
  proto::decode_scratch scratch;
  scratch.lenient = true;
  // A property length past the end of the packet: nothing after it can be read.
  const bytes pkt{0x30, 0x06, 0x00, 0x01, 'a', 0x09, 0x01, 0x00};
  const auto r = proto::decode_packet(pkt, protocol_version::v5, scratch);
  ASSERT_TRUE(std::holds_alternative<proto::decode_failure>(r));
  EXPECT_EQ(std::get<proto::decode_failure>(r).error, decode_error::property_length_overrun);
}

}  // namespace
}  // namespace mqtk::test
