// The refusal table: complete against proto's reason-code table, consistent names, the
// ARCHITECTURE.md one-liner, and exit codes.
#include "mqtk/diag/refusal.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "mqtk/diag/exit_code.hpp"
#include "mqtk/proto/reason_code.hpp"

namespace mqtk::diag {
namespace {

using proto::packet_type;
using proto::protocol_version;

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

constexpr std::uint16_t bit(packet_type t) {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(t));
}

// --- the ARCHITECTURE.md example, word for word ---------------------------------------------------

TEST(refusal_line, v311_not_authorized_matches_design) {
  EXPECT_EQ(refusal_line(proto::reason_code{5}, protocol_version::v311, packet_type::connack),
            "connection refused: not authorized (3.1.1 return code 5) \u2014 the broker did not "
            "accept the username/password; check -u/-P, and that the broker allows this user "
            "(mosquitto: password_file, allow_anonymous)");
}

TEST(refusal_line, v5_not_authorized_cites_hex_code) {
  const auto line = refusal_line(proto::reason_code{0x87}, protocol_version::v5, packet_type::connack);
  EXPECT_TRUE(line.starts_with("connection refused: not authorized (5.0 reason code 0x87) \u2014 "))
      << line;
  EXPECT_TRUE(contains(line, "-u/-P")) << line;
}

TEST(refusal_line, v31_says_3_1) {
  const auto line = refusal_line(proto::reason_code{2}, protocol_version::v31, packet_type::connack);
  EXPECT_TRUE(line.starts_with("connection refused: identifier rejected (3.1 return code 2)"))
      << line;
  EXPECT_TRUE(contains(line, "23")) << line;  // the 3.1 client id length limit
}

TEST(refusal_line, disconnect_reads_as_dropped) {
  const auto line = refusal_line(proto::reason_code{0x8E}, protocol_version::v5, packet_type::disconnect);
  EXPECT_TRUE(
      line.starts_with("disconnected by the broker: session taken over (5.0 reason code 0x8E)"))
      << line;
  EXPECT_TRUE(contains(line, "same client id")) << line;
  EXPECT_TRUE(contains(line, "-i")) << line;
}

TEST(refusal_line, unknown_code_still_explains) {
  const auto line = refusal_line(proto::reason_code{0xC0}, protocol_version::v5, packet_type::connack);
  EXPECT_TRUE(line.starts_with("connection refused: unknown reason code (5.0 reason code 0xC0)"))
      << line;
}

TEST(refusal_line, is_one_line) {
  for (const auto version : {protocol_version::v311, protocol_version::v5}) {
    for (const auto where : {packet_type::connack, packet_type::disconnect}) {
      for (const auto& e : all_refusals(version, where)) {
        EXPECT_EQ(refusal_line(e.code, version, where).find('\n'), std::string::npos);
      }
    }
  }
}

// --- specific advice ESP32 and mosquitto users need -------------------------------------------

TEST(explain_refusal, unsupported_version_suggests_v311) {
  EXPECT_TRUE(contains(explain_refusal(proto::reason_code{0x84}, protocol_version::v5, packet_type::connack).fix,
                       "-V 311"));
  EXPECT_TRUE(contains(explain_refusal(proto::reason_code{1}, protocol_version::v311, packet_type::connack).fix, "-V"));
}

TEST(explain_refusal, identifier_rejected_mentions_client_id_rules) {
  const auto e = explain_refusal(proto::reason_code{0x85}, protocol_version::v5, packet_type::connack);
  EXPECT_EQ(e.name, "client identifier not valid");
  EXPECT_TRUE(contains(e.fix, "-i"));
  EXPECT_TRUE(contains(e.fix, "23"));
}

TEST(explain_refusal, packet_too_large_points_at_broker_limit) {
  const auto e = explain_refusal(proto::reason_code{0x95}, protocol_version::v5, packet_type::disconnect);
  EXPECT_EQ(e.name, "packet too large");
  EXPECT_TRUE(contains(e.fix, "max_packet_size"));
}

TEST(explain_refusal, quota_exceeded) {
  const auto e = explain_refusal(proto::reason_code{0x97}, protocol_version::v5, packet_type::connack);
  EXPECT_EQ(e.name, "quota exceeded");
  EXPECT_FALSE(e.fix.empty());
}

TEST(explain_refusal, use_another_server_and_server_moved_mention_server_reference) {
  for (const auto where : {packet_type::connack, packet_type::disconnect}) {
    EXPECT_TRUE(contains(explain_refusal(proto::reason_code{0x9C}, protocol_version::v5, where).fix, "Server Reference"));
    EXPECT_TRUE(contains(explain_refusal(proto::reason_code{0x9D}, protocol_version::v5, where).fix, "Server Reference"));
  }
}

TEST(explain_refusal, keepalive_timeout_mentions_keepalive_option) {
  const auto e = explain_refusal(proto::reason_code{0x8D}, protocol_version::v5, packet_type::disconnect);
  EXPECT_EQ(e.name, "keep alive timeout");
  EXPECT_TRUE(contains(e.fix, "-k"));
}

TEST(explain_refusal, not_authorized_differs_between_connack_and_disconnect) {
  const auto at_connect = explain_refusal(proto::reason_code{0x87}, protocol_version::v5, packet_type::connack);
  const auto later = explain_refusal(proto::reason_code{0x87}, protocol_version::v5, packet_type::disconnect);
  EXPECT_EQ(at_connect.name, later.name);
  EXPECT_NE(at_connect.cause, later.cause);
  EXPECT_TRUE(contains(later.fix, "ACL"));
}

TEST(explain_refusal, v311_code_4_is_not_the_v5_will_disconnect) {
  // 0x04 is "bad user name or password" in 3.1.1 CONNACK but "disconnect with will message"
  // as a 5.0 DISCONNECT: the version decides.
  EXPECT_EQ(explain_refusal(proto::reason_code{4}, protocol_version::v311, packet_type::connack).name,
            "bad user name or password");
  EXPECT_EQ(explain_refusal(proto::reason_code{4}, protocol_version::v5, packet_type::disconnect).name,
            "disconnect with will message");
  EXPECT_FALSE(explain_refusal(proto::reason_code{4}, protocol_version::v5, packet_type::connack).known);
}

TEST(explain_refusal, v311_has_no_disconnect_codes_so_connack_is_used) {
  EXPECT_EQ(explain_refusal(proto::reason_code{5}, protocol_version::v311, packet_type::disconnect).name,
            "not authorized");
  EXPECT_TRUE(all_refusals(protocol_version::v311, packet_type::disconnect).empty());
}

TEST(explain_refusal, unknown_code_is_marked_and_keeps_the_code) {
  const auto e = explain_refusal(proto::reason_code{0x42}, protocol_version::v5, packet_type::disconnect);
  EXPECT_FALSE(e.known);
  EXPECT_EQ(e.code, proto::reason_code{0x42});
  EXPECT_FALSE(e.cause.empty());
  EXPECT_FALSE(e.fix.empty());
}

// --- completeness against proto's table -----------------------------------------------------

TEST(refusal_table, every_entry_has_name_cause_and_fix) {
  for (const auto version : {protocol_version::v311, protocol_version::v5}) {
    for (const auto where : {packet_type::connack, packet_type::disconnect}) {
      for (const auto& e : all_refusals(version, where)) {
        EXPECT_TRUE(e.known) << int{e.code.value()};
        EXPECT_FALSE(e.name.empty()) << int{e.code.value()};
        EXPECT_FALSE(e.cause.empty()) << e.name;
        EXPECT_FALSE(e.fix.empty()) << e.name;
        // Inside a sentence: starts lower case, no trailing full stop.
        EXPECT_TRUE(std::islower(static_cast<unsigned char>(e.cause.front()))) << e.cause;
        EXPECT_NE(e.cause.back(), '.') << e.cause;
        EXPECT_NE(e.fix.back(), '.') << e.fix;
      }
    }
  }
}

TEST(refusal_table, codes_are_sorted_and_unique) {
  for (const auto version : {protocol_version::v311, protocol_version::v5}) {
    for (const auto where : {packet_type::connack, packet_type::disconnect}) {
      const auto entries = all_refusals(version, where);
      EXPECT_TRUE(std::ranges::is_sorted(entries, std::less<>{},
                                         &refusal_explanation::code));
      EXPECT_EQ(std::ranges::adjacent_find(entries, {}, &refusal_explanation::code),
                entries.end());
    }
  }
}

TEST(refusal_table, covers_every_v311_connack_refusal) {
  std::set<std::uint8_t> codes;
  for (const auto& e : all_refusals(protocol_version::v311, packet_type::connack)) {
    codes.insert(e.code.value());
  }
  EXPECT_EQ(codes, (std::set<std::uint8_t>{1, 2, 3, 4, 5}));
}

TEST(refusal_table, covers_every_v5_connack_failure_code) {
  for (const auto& info : proto::all_reason_codes()) {
    if (info.v311_return_code || info.code < 0x80 || (info.packets & bit(packet_type::connack)) == 0)
      continue;
    EXPECT_TRUE(explain_refusal(proto::reason_code{info.code}, protocol_version::v5, packet_type::connack).known)
        << info.name;
  }
}

TEST(refusal_table, covers_every_v5_disconnect_code) {
  for (const auto& info : proto::all_reason_codes()) {
    if (info.v311_return_code || (info.packets & bit(packet_type::disconnect)) == 0) continue;
    EXPECT_TRUE(explain_refusal(proto::reason_code{info.code}, protocol_version::v5, packet_type::disconnect).known)
        << info.name;
  }
}

TEST(refusal_table, only_codes_the_spec_defines_there) {
  for (const auto version : {protocol_version::v311, protocol_version::v5}) {
    for (const auto where : {packet_type::connack, packet_type::disconnect}) {
      for (const auto& e : all_refusals(version, where)) {
        EXPECT_NE(proto::find_reason_code(e.code.value(), where, version), nullptr)
            << e.name << " in " << proto::packet_type_name(where);
      }
    }
  }
}

TEST(refusal_table, names_are_the_spec_names) {
  for (const auto version : {protocol_version::v311, protocol_version::v5}) {
    for (const auto where : {packet_type::connack, packet_type::disconnect}) {
      for (const auto& e : all_refusals(version, where)) {
        const auto spec_name = proto::reason_code_name(e.code.value(), where, version);
        EXPECT_TRUE(same_ignoring_case(e.name, spec_name)) << e.name << " vs " << spec_name;
      }
    }
  }
}

// --- exit codes -------------------------------------------------------------------------------

TEST(exit_code_for_reason, v311_refusals_pass_through) {
  for (std::uint8_t code = 1; code <= 5; ++code) EXPECT_EQ(exit_code_for_reason(proto::reason_code{code}), code);
}

TEST(exit_code_for_reason, v5_failures_pass_through) {
  EXPECT_EQ(exit_code_for_reason(proto::reason_code{0x80}), 128);
  EXPECT_EQ(exit_code_for_reason(proto::reason_code{0x87}), 135);
  EXPECT_EQ(exit_code_for_reason(proto::reason_code{0xA2}), 162);
}

TEST(exit_code_for_reason, successes_are_zero) {
  EXPECT_EQ(exit_code_for_reason(proto::reason_code{0x00}), 0);
  EXPECT_EQ(exit_code_for_reason(proto::reason_code{0x10}), 0);
  EXPECT_EQ(exit_code_for_reason(proto::reason_code{0x11}), 0);
  EXPECT_EQ(exit_code_for_reason(proto::reason_code{0x18}), 0);
}

TEST(exit_code_for_reason, never_collides_with_local_exit_codes) {
  const std::set<int> local{to_int(exit_code::timeout),         to_int(exit_code::usage),
                            to_int(exit_code::bad_input),       to_int(exit_code::cannot_open_input),
                            to_int(exit_code::unreachable),     to_int(exit_code::internal),
                            to_int(exit_code::connection_lost), to_int(exit_code::protocol_error),
                            to_int(exit_code::tls_failed),      to_int(exit_code::websocket_rejected),
                            to_int(exit_code::check_failed)};
  for (int code = 0; code <= 255; ++code) {
    EXPECT_EQ(local.count(exit_code_for_reason(proto::reason_code{static_cast<std::uint8_t>(code)})), 0u) << code;
  }
}

TEST(reason_code_label, formats_by_version) {
  EXPECT_EQ(reason_code_label(proto::reason_code{5}, protocol_version::v311), "3.1.1 return code 5");
  EXPECT_EQ(reason_code_label(proto::reason_code{3}, protocol_version::v31), "3.1 return code 3");
  EXPECT_EQ(reason_code_label(proto::reason_code{0x9f}, protocol_version::v5), "5.0 reason code 0x9F");
  EXPECT_EQ(reason_code_label(proto::reason_code::connection_rate_exceeded, protocol_version::v5),
            "5.0 reason code 0x9F");
  EXPECT_EQ(reason_code_label(proto::reason_code::v311_not_authorized, protocol_version::v311),
            "3.1.1 return code 5");
}

}  // namespace
}  // namespace mqtk::diag

namespace mqtk::diag {
namespace {

// Every 5.0 failure code, in every packet the spec allows it in, has its own entry: the proto
// table's name (lower case), a cause and a fix; and the line reads as that packet's refusal.
TEST(refusal_table, every_failure_code_in_every_packet_has_its_name_and_hint) {
  for (const auto& info : proto::all_reason_codes()) {
    if (info.v311_return_code || info.code < 0x80) continue;
    for (const auto where : {packet_type::connack, packet_type::puback, packet_type::pubrec, packet_type::pubrel,
                             packet_type::pubcomp, packet_type::suback, packet_type::unsuback,
                             packet_type::disconnect}) {
      if ((info.packets & (1u << static_cast<unsigned>(where))) == 0) continue;
      const auto e = explain_refusal(proto::reason_code{info.code}, protocol_version::v5, where);
      EXPECT_TRUE(e.known) << info.name << " in " << proto::packet_type_name(where);
      EXPECT_TRUE(same_ignoring_case(e.name, info.name)) << e.name << " vs " << info.name;
      EXPECT_FALSE(e.cause.empty());
      EXPECT_FALSE(e.fix.empty());
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(e.cause.front()))) << e.cause;
      EXPECT_NE(refusal_line(proto::reason_code{info.code}, protocol_version::v5, where).find(std::string(e.name)), std::string::npos);
    }
  }
}

TEST(refusal_table, ack_tables_are_sorted_and_unique) {
  for (const auto where : {packet_type::puback, packet_type::pubrel, packet_type::suback, packet_type::unsuback}) {
    const auto entries = all_refusals(protocol_version::v5, where);
    EXPECT_FALSE(entries.empty());
    EXPECT_TRUE(std::ranges::is_sorted(entries, std::less<>{}, &refusal_explanation::code));
    EXPECT_EQ(std::ranges::adjacent_find(entries, {}, &refusal_explanation::code), entries.end());
  }
}

TEST(refusal_line, puback_packet_too_large_has_its_own_hint) {
  // mosquitto 2.0 answers a PUBLISH over message_size_limit with PUBACK 0x95.
  const auto line = refusal_line(proto::reason_code{0x95}, protocol_version::v5, packet_type::puback);
  EXPECT_TRUE(line.starts_with("publish refused by the broker: packet too large (5.0 reason code 0x95)")) << line;
  EXPECT_TRUE(contains(line, "message_size_limit")) << line;
  EXPECT_FALSE(contains(line, "ACL")) << line;
  EXPECT_EQ(refusal_reason(proto::reason_code{0x87}, protocol_version::v5, packet_type::puback).rfind("not authorized (5.0 reason code 0x87)", 0),
            0u);
}

TEST(refusal_line, suback_codes_have_their_own_fix) {
  EXPECT_TRUE(contains(explain_refusal(proto::reason_code{0x8F}, protocol_version::v5, packet_type::suback).fix, "'#'"));
  EXPECT_TRUE(contains(explain_refusal(proto::reason_code{0x87}, protocol_version::v5, packet_type::suback).fix, "ACL"));
  EXPECT_TRUE(contains(explain_refusal(proto::reason_code{0xA2}, protocol_version::v5, packet_type::suback).fix, "exact topic"));
  EXPECT_EQ(explain_refusal(proto::reason_code{0x80}, protocol_version::v311, packet_type::suback).name, "failure");
  EXPECT_TRUE(refusal_line(proto::reason_code{0x80}, protocol_version::v311, packet_type::suback).starts_with("subscription refused"));
}

TEST(refusal_line, a_code_outside_its_packet_keeps_its_meaning_but_is_marked) {
  // 0x8E (session taken over) is a DISCONNECT code; in a PUBACK it is out of place.
  const auto e = explain_refusal(proto::reason_code{0x8E}, protocol_version::v5, packet_type::puback);
  EXPECT_EQ(e.name, "session taken over");
  EXPECT_FALSE(e.known);
}


TEST(broker_words, server_reference_and_reason_string_escaped) {
  EXPECT_EQ(broker_words("new.example:8883", ""), "server reference: new.example:8883");
  EXPECT_EQ(broker_words("", "maintenance"), "reason string: maintenance");
  EXPECT_EQ(broker_words("b\x1b" "c", "bye\r\nFAKE LINE\xc2\x9b"),
            "server reference: b\\x1bc; reason string: bye\\x0d\\x0aFAKE LINE\\xc2\\x9b");
  EXPECT_EQ(broker_words("", ""), "");
}

}  // namespace
}  // namespace mqtk::diag
