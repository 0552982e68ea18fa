// The reason-code table against MQTT 3.1.1 §3.2.2.3/§3.9.3 and 5.0 §2.4.
#include "mqtk/proto/reason_code.hpp"

#include <gtest/gtest.h>

#include <set>
#include <tuple>
#include <utility>

namespace mqtk::proto {
namespace {

constexpr std::uint16_t bit(packet_type t) { return static_cast<std::uint16_t>(1u << static_cast<unsigned>(t)); }

constexpr packet_type all_types[] = {
    packet_type::connect,     packet_type::connack,  packet_type::publish,    packet_type::puback,
    packet_type::pubrec,      packet_type::pubrel,   packet_type::pubcomp,    packet_type::subscribe,
    packet_type::suback,      packet_type::unsubscribe, packet_type::unsuback, packet_type::pingreq,
    packet_type::pingresp,    packet_type::disconnect, packet_type::auth};

TEST(reason_code_table, every_entry_has_name_meaning_and_packets) {
  ASSERT_FALSE(all_reason_codes().empty());
  for (const auto& info : all_reason_codes()) {
    EXPECT_FALSE(info.name.empty()) << int{info.code};
    EXPECT_FALSE(info.meaning.empty()) << info.name;
    EXPECT_NE(info.packets, 0) << info.name;
    // Only packets that carry a reason code: never CONNECT, PUBLISH, SUBSCRIBE, UNSUBSCRIBE,
    // PINGREQ or PINGRESP.
    for (const auto t : {packet_type::connect, packet_type::publish, packet_type::subscribe,
                         packet_type::unsubscribe, packet_type::pingreq, packet_type::pingresp}) {
      EXPECT_EQ(info.packets & bit(t), 0) << info.name << " in " << packet_type_name(t);
    }
  }
}

TEST(reason_code_table, no_code_is_defined_twice_for_a_packet_and_version) {
  std::set<std::tuple<bool, std::uint8_t, int>> seen;
  for (const auto& info : all_reason_codes()) {
    for (const auto t : all_types) {
      if ((info.packets & bit(t)) == 0) continue;
      EXPECT_TRUE(seen.insert({info.v311_return_code, info.code, static_cast<int>(t)}).second)
          << info.name << " duplicated for " << packet_type_name(t);
    }
  }
}

TEST(reason_code_table, lookup_returns_the_entry_from_the_table) {
  for (const auto& info : all_reason_codes()) {
    const auto version = info.v311_return_code ? protocol_version::v311 : protocol_version::v5;
    for (const auto t : all_types) {
      if ((info.packets & bit(t)) == 0) continue;
      EXPECT_EQ(find_reason_code(info.code, t, version), &info) << info.name;
    }
  }
}

// Every 5.0 reason code of §2.4 Table 2-6 is present (values only; names tested below).
TEST(reason_code_table, has_every_v5_code_of_the_spec) {
  const std::uint8_t v5_codes[] = {0x00, 0x01, 0x02, 0x04, 0x10, 0x11, 0x18, 0x19, 0x80, 0x81,
                                   0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B,
                                   0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95,
                                   0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F,
                                   0xA0, 0xA1, 0xA2};
  std::set<std::uint8_t> present;
  for (const auto& info : all_reason_codes()) {
    if (!info.v311_return_code) present.insert(info.code);
  }
  EXPECT_EQ(present, std::set<std::uint8_t>(std::begin(v5_codes), std::end(v5_codes)));
}

TEST(reason_code_v311, connack_return_codes_zero_to_five) {
  const std::pair<std::uint8_t, std::string_view> expected[] = {
      {0, "Connection Accepted"},       {1, "Unacceptable protocol version"},
      {2, "Identifier rejected"},       {3, "Server unavailable"},
      {4, "Bad user name or password"}, {5, "Not authorized"}};
  for (const auto& [code, name] : expected) {
    EXPECT_EQ(reason_code_name(code, packet_type::connack, protocol_version::v311), name);
    // 3.1 uses the same return codes.
    EXPECT_EQ(reason_code_name(code, packet_type::connack, protocol_version::v31), name);
  }
  EXPECT_EQ(find_reason_code(6, packet_type::connack, protocol_version::v311), nullptr);
  EXPECT_EQ(find_reason_code(0x87, packet_type::connack, protocol_version::v311), nullptr);
}

TEST(reason_code_v311, suback_return_codes) {
  EXPECT_EQ(reason_code_name(0x00, packet_type::suback, protocol_version::v311),
            "Success - Maximum QoS 0");
  EXPECT_EQ(reason_code_name(0x02, packet_type::suback, protocol_version::v311),
            "Success - Maximum QoS 2");
  EXPECT_EQ(reason_code_name(0x80, packet_type::suback, protocol_version::v311), "Failure");
  EXPECT_EQ(find_reason_code(0x87, packet_type::suback, protocol_version::v311), nullptr);
}

TEST(reason_code_v311, acks_carry_no_codes_before_v5) {
  EXPECT_EQ(find_reason_code(0, packet_type::puback, protocol_version::v311), nullptr);
  EXPECT_EQ(find_reason_code(0, packet_type::disconnect, protocol_version::v311), nullptr);
}

TEST(reason_code_v5, code_zero_is_named_by_packet) {
  EXPECT_EQ(reason_code_name(0, packet_type::connack, protocol_version::v5), "Success");
  EXPECT_EQ(reason_code_name(0, packet_type::puback, protocol_version::v5), "Success");
  EXPECT_EQ(reason_code_name(0, packet_type::pubrel, protocol_version::v5), "Success");
  EXPECT_EQ(reason_code_name(0, packet_type::unsuback, protocol_version::v5), "Success");
  EXPECT_EQ(reason_code_name(0, packet_type::auth, protocol_version::v5), "Success");
  EXPECT_EQ(reason_code_name(0, packet_type::disconnect, protocol_version::v5),
            "Normal disconnection");
  EXPECT_EQ(reason_code_name(0, packet_type::suback, protocol_version::v5), "Granted QoS 0");
}

TEST(reason_code_v5, names_follow_the_spec) {
  struct entry {
    std::uint8_t code;
    packet_type type;
    std::string_view name;
  };
  const entry expected[] = {
      {0x01, packet_type::suback, "Granted QoS 1"},
      {0x04, packet_type::disconnect, "Disconnect with Will Message"},
      {0x10, packet_type::puback, "No matching subscribers"},
      {0x11, packet_type::unsuback, "No subscription existed"},
      {0x18, packet_type::auth, "Continue authentication"},
      {0x19, packet_type::auth, "Re-authenticate"},
      {0x80, packet_type::suback, "Unspecified error"},
      {0x84, packet_type::connack, "Unsupported Protocol Version"},
      {0x85, packet_type::connack, "Client Identifier not valid"},
      {0x86, packet_type::connack, "Bad User Name or Password"},
      {0x87, packet_type::connack, "Not authorized"},
      {0x8D, packet_type::disconnect, "Keep Alive timeout"},
      {0x8E, packet_type::disconnect, "Session taken over"},
      {0x92, packet_type::pubcomp, "Packet Identifier not found"},
      {0x95, packet_type::connack, "Packet too large"},
      {0x97, packet_type::puback, "Quota exceeded"},
      {0x9C, packet_type::connack, "Use another server"},
      {0xA2, packet_type::suback, "Wildcard Subscriptions not supported"},
  };
  for (const auto& e : expected) {
    EXPECT_EQ(reason_code_name(e.code, e.type, protocol_version::v5), e.name) << int{e.code};
  }
}

TEST(reason_code_v5, packets_where_a_code_does_not_apply) {
  // Session taken over is only ever a DISCONNECT reason.
  EXPECT_EQ(find_reason_code(0x8E, packet_type::connack, protocol_version::v5), nullptr);
  // Packet Identifier not found applies to PUBREL/PUBCOMP only.
  EXPECT_EQ(find_reason_code(0x92, packet_type::puback, protocol_version::v5), nullptr);
  // Granted QoS 1 is SUBACK only; in DISCONNECT, 0x01 is not defined.
  EXPECT_EQ(find_reason_code(0x01, packet_type::disconnect, protocol_version::v5), nullptr);
  // Return code 5 of 3.1.1 does not exist in 5.0.
  EXPECT_EQ(find_reason_code(0x05, packet_type::connack, protocol_version::v5), nullptr);
}

TEST(reason_code_v5, unknown_code_has_no_name) {
  EXPECT_EQ(find_reason_code(0xA3, packet_type::disconnect, protocol_version::v5), nullptr);
  EXPECT_EQ(find_reason_code(0xFF, packet_type::connack, protocol_version::v5), nullptr);
  EXPECT_TRUE(reason_code_name(0x7F, packet_type::puback, protocol_version::v5).empty());
}

TEST(reason_code_v5, applies_to_lists_spec_packets) {
  const auto* not_authorized = find_reason_code(0x87, packet_type::puback, protocol_version::v5);
  ASSERT_NE(not_authorized, nullptr);
  const std::uint16_t expected = bit(packet_type::connack) | bit(packet_type::puback) |
                                 bit(packet_type::pubrec) | bit(packet_type::suback) |
                                 bit(packet_type::unsuback) | bit(packet_type::disconnect);
  EXPECT_EQ(not_authorized->packets, expected);
}

TEST(reason_code_is_failure, v5_codes_from_0x80) {
  EXPECT_FALSE(is_failure(0x00, packet_type::puback, protocol_version::v5));
  EXPECT_FALSE(is_failure(0x10, packet_type::puback, protocol_version::v5));
  EXPECT_FALSE(is_failure(0x02, packet_type::suback, protocol_version::v5));
  EXPECT_TRUE(is_failure(0x80, packet_type::suback, protocol_version::v5));
  EXPECT_TRUE(is_failure(0x87, packet_type::connack, protocol_version::v5));
  EXPECT_TRUE(is_failure(0x8E, packet_type::disconnect, protocol_version::v5));
}

TEST(reason_code_is_failure, v311_connack_any_nonzero) {
  EXPECT_FALSE(is_failure(0, packet_type::connack, protocol_version::v311));
  for (std::uint8_t code = 1; code <= 5; ++code) {
    EXPECT_TRUE(is_failure(code, packet_type::connack, protocol_version::v311)) << int{code};
    EXPECT_TRUE(is_failure(code, packet_type::connack, protocol_version::v31)) << int{code};
  }
}

TEST(reason_code_is_failure, v311_suback_only_0x80) {
  EXPECT_FALSE(is_failure(0x01, packet_type::suback, protocol_version::v311));
  EXPECT_TRUE(is_failure(0x80, packet_type::suback, protocol_version::v311));
}

TEST(reason_code_is_failure, agrees_with_the_table_for_v5) {
  for (const auto& info : all_reason_codes()) {
    if (info.v311_return_code) continue;
    for (const auto t : all_types) {
      if ((info.packets & bit(t)) == 0) continue;
      EXPECT_EQ(is_failure(info.code, t, protocol_version::v5), info.code >= 0x80) << info.name;
    }
  }
}


// The value type: one byte, named constants matching the table, questions answered in context.
static_assert(sizeof(reason_code) == 1);
static_assert(reason_code{} == reason_code::success);
static_assert(reason_code::not_authorized.value() == 0x87);
static_assert(reason_code::unspecified_error < reason_code::not_authorized);
static_assert(reason_code::not_authorized.is_failure(packet_type::puback, protocol_version::v5));
static_assert(!reason_code::no_matching_subscribers.is_failure(packet_type::puback,
                                                               protocol_version::v5));
static_assert(reason_code::v311_not_authorized.is_failure(packet_type::connack,
                                                          protocol_version::v311));

TEST(reason_code_type, named_constants_carry_the_spec_names) {
  struct entry {
    reason_code code;
    packet_type type;
    protocol_version version;
    std::string_view name;
  };
  const entry expected[] = {
      {reason_code::connection_accepted, packet_type::connack, protocol_version::v311,
       "Connection Accepted"},
      {reason_code::v311_unacceptable_protocol_version, packet_type::connack,
       protocol_version::v311, "Unacceptable protocol version"},
      {reason_code::v311_identifier_rejected, packet_type::connack, protocol_version::v311,
       "Identifier rejected"},
      {reason_code::v311_server_unavailable, packet_type::connack, protocol_version::v311,
       "Server unavailable"},
      {reason_code::v311_bad_user_name_or_password, packet_type::connack, protocol_version::v311,
       "Bad user name or password"},
      {reason_code::v311_not_authorized, packet_type::connack, protocol_version::v311,
       "Not authorized"},
      {reason_code::v311_subscription_failure, packet_type::suback, protocol_version::v311,
       "Failure"},
      {reason_code::success, packet_type::puback, protocol_version::v5, "Success"},
      {reason_code::normal_disconnection, packet_type::disconnect, protocol_version::v5,
       "Normal disconnection"},
      {reason_code::granted_qos_0, packet_type::suback, protocol_version::v5, "Granted QoS 0"},
      {reason_code::granted_qos_1, packet_type::suback, protocol_version::v5, "Granted QoS 1"},
      {reason_code::granted_qos_2, packet_type::suback, protocol_version::v5, "Granted QoS 2"},
      {reason_code::disconnect_with_will_message, packet_type::disconnect, protocol_version::v5,
       "Disconnect with Will Message"},
      {reason_code::no_matching_subscribers, packet_type::puback, protocol_version::v5,
       "No matching subscribers"},
      {reason_code::no_subscription_existed, packet_type::unsuback, protocol_version::v5,
       "No subscription existed"},
      {reason_code::continue_authentication, packet_type::auth, protocol_version::v5,
       "Continue authentication"},
      {reason_code::re_authenticate, packet_type::auth, protocol_version::v5, "Re-authenticate"},
      {reason_code::unspecified_error, packet_type::connack, protocol_version::v5,
       "Unspecified error"},
      {reason_code::malformed_packet, packet_type::disconnect, protocol_version::v5,
       "Malformed Packet"},
      {reason_code::protocol_error, packet_type::disconnect, protocol_version::v5,
       "Protocol Error"},
      {reason_code::implementation_specific_error, packet_type::puback, protocol_version::v5,
       "Implementation specific error"},
      {reason_code::unsupported_protocol_version, packet_type::connack, protocol_version::v5,
       "Unsupported Protocol Version"},
      {reason_code::client_identifier_not_valid, packet_type::connack, protocol_version::v5,
       "Client Identifier not valid"},
      {reason_code::bad_user_name_or_password, packet_type::connack, protocol_version::v5,
       "Bad User Name or Password"},
      {reason_code::not_authorized, packet_type::suback, protocol_version::v5, "Not authorized"},
      {reason_code::server_unavailable, packet_type::connack, protocol_version::v5,
       "Server unavailable"},
      {reason_code::server_busy, packet_type::connack, protocol_version::v5, "Server busy"},
      {reason_code::banned, packet_type::connack, protocol_version::v5, "Banned"},
      {reason_code::server_shutting_down, packet_type::disconnect, protocol_version::v5,
       "Server shutting down"},
      {reason_code::bad_authentication_method, packet_type::connack, protocol_version::v5,
       "Bad authentication method"},
      {reason_code::keep_alive_timeout, packet_type::disconnect, protocol_version::v5,
       "Keep Alive timeout"},
      {reason_code::session_taken_over, packet_type::disconnect, protocol_version::v5,
       "Session taken over"},
      {reason_code::topic_filter_invalid, packet_type::suback, protocol_version::v5,
       "Topic Filter invalid"},
      {reason_code::topic_name_invalid, packet_type::puback, protocol_version::v5,
       "Topic Name invalid"},
      {reason_code::packet_identifier_in_use, packet_type::puback, protocol_version::v5,
       "Packet Identifier in use"},
      {reason_code::packet_identifier_not_found, packet_type::pubcomp, protocol_version::v5,
       "Packet Identifier not found"},
      {reason_code::receive_maximum_exceeded, packet_type::disconnect, protocol_version::v5,
       "Receive Maximum exceeded"},
      {reason_code::topic_alias_invalid, packet_type::disconnect, protocol_version::v5,
       "Topic Alias invalid"},
      {reason_code::packet_too_large, packet_type::connack, protocol_version::v5,
       "Packet too large"},
      {reason_code::message_rate_too_high, packet_type::disconnect, protocol_version::v5,
       "Message rate too high"},
      {reason_code::quota_exceeded, packet_type::puback, protocol_version::v5, "Quota exceeded"},
      {reason_code::administrative_action, packet_type::disconnect, protocol_version::v5,
       "Administrative action"},
      {reason_code::payload_format_invalid, packet_type::puback, protocol_version::v5,
       "Payload format invalid"},
      {reason_code::retain_not_supported, packet_type::connack, protocol_version::v5,
       "Retain not supported"},
      {reason_code::qos_not_supported, packet_type::connack, protocol_version::v5,
       "QoS not supported"},
      {reason_code::use_another_server, packet_type::connack, protocol_version::v5,
       "Use another server"},
      {reason_code::server_moved, packet_type::disconnect, protocol_version::v5, "Server moved"},
      {reason_code::shared_subscriptions_not_supported, packet_type::suback, protocol_version::v5,
       "Shared Subscriptions not supported"},
      {reason_code::connection_rate_exceeded, packet_type::connack, protocol_version::v5,
       "Connection rate exceeded"},
      {reason_code::maximum_connect_time, packet_type::disconnect, protocol_version::v5,
       "Maximum connect time"},
      {reason_code::subscription_identifiers_not_supported, packet_type::suback,
       protocol_version::v5, "Subscription Identifiers not supported"},
      {reason_code::wildcard_subscriptions_not_supported, packet_type::suback,
       protocol_version::v5, "Wildcard Subscriptions not supported"},
  };
  std::set<std::pair<bool, std::uint8_t>> covered;
  for (const auto& e : expected) {
    EXPECT_EQ(e.code.name(e.type, e.version), e.name) << e.code.hex();
    EXPECT_TRUE(e.code.valid_in(e.type, e.version)) << e.name;
    covered.insert({e.version != protocol_version::v5, e.code.value()});
  }
  // Every code of the table has a named constant.
  for (const auto& info : all_reason_codes()) {
    EXPECT_TRUE(covered.contains({info.v311_return_code, info.code})) << info.name;
  }
}

TEST(reason_code_type, answers_in_the_context_of_packet_and_version) {
  EXPECT_FALSE(reason_code::session_taken_over.valid_in(packet_type::connack, protocol_version::v5));
  EXPECT_TRUE(reason_code::session_taken_over.valid_in(packet_type::disconnect, protocol_version::v5));
  EXPECT_FALSE(reason_code::not_authorized.valid_in(packet_type::connack, protocol_version::v311));
  EXPECT_EQ(reason_code{0xA3}.info(packet_type::disconnect, protocol_version::v5), nullptr);
  EXPECT_TRUE(reason_code{0xA3}.name(packet_type::disconnect, protocol_version::v5).empty());
  // 0x80 is a SUBACK failure in both versions, with a different name.
  EXPECT_TRUE(reason_code{0x80}.is_failure(packet_type::suback, protocol_version::v311));
  EXPECT_EQ(reason_code{0x80}.name(packet_type::suback, protocol_version::v311), "Failure");
  EXPECT_EQ(reason_code{0x80}.name(packet_type::suback, protocol_version::v5), "Unspecified error");
  // Any non-zero 3.1.1 CONNACK code refuses; below 0x80 never fails in 5.0.
  EXPECT_TRUE(reason_code{0x01}.is_failure(packet_type::connack, protocol_version::v311));
  EXPECT_FALSE(reason_code{0x01}.is_failure(packet_type::suback, protocol_version::v5));
}

TEST(reason_code_type, formats_as_hex) {
  EXPECT_EQ(reason_code::session_taken_over.hex(), "0x8e");
  EXPECT_EQ(reason_code::session_taken_over.hex(hex_case::upper), "0x8E");
  EXPECT_EQ(reason_code::success.hex(), "0x00");
  EXPECT_EQ(reason_code{0xFF}.hex(), "0xff");
}

}  // namespace
}  // namespace mqtk::proto
