// The one UTF-8 checker behind the codec, topic validation and the output formats.
#include <gtest/gtest.h>

#include <string>

#include "mqtk/proto/utf8.hpp"

namespace mqtk::proto {
namespace {

constexpr auto npos = std::string_view::npos;

TEST(utf8, ascii_and_multibyte_text_is_well_formed) {
  EXPECT_EQ(find_invalid_utf8(""), npos);
  EXPECT_EQ(find_invalid_utf8("plain ascii text that is longer than eight bytes"), npos);
  EXPECT_EQ(find_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), npos);
  EXPECT_EQ(find_invalid_utf8("\xef\xbf\xbf"), npos);  // U+FFFF: a non-character, still well-formed
}

TEST(utf8, nul_is_well_formed_but_not_an_mqtt_string) {
  const std::string s("a\0b", 3);
  EXPECT_EQ(find_invalid_utf8(s), npos);
  const auto f = check_mqtt_utf8(s);
  EXPECT_EQ(f.kind, utf8_fault::kind::null_character);
  EXPECT_EQ(f.index, 1u);
}

TEST(utf8, fault_after_the_ascii_fast_path_is_found_at_its_index) {
  // Eleven ASCII bytes (one full 8-byte word, then byte by byte), then a lone continuation.
  EXPECT_EQ(find_invalid_utf8("abcdefghijk\x80xyz"), 11u);
  EXPECT_EQ(find_invalid_utf8("abcdefgh\xff"), 8u);
}

TEST(utf8, ill_formed_sequences_are_refused) {
  EXPECT_EQ(find_invalid_utf8("\xc0\x80"), 0u);          // overlong NUL
  EXPECT_EQ(find_invalid_utf8("\xe0\x80\xaf"), 0u);      // overlong '/'
  EXPECT_EQ(find_invalid_utf8("\xed\xa0\x80"), 0u);      // surrogate U+D800
  EXPECT_EQ(find_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("x\xe2\x82"), 1u);         // truncated at the end
  EXPECT_EQ(find_invalid_utf8("\xe2(\xa1"), 1u);         // a lead byte followed by ASCII
}

TEST(utf8, wildcards_only_refused_when_asked) {
  EXPECT_EQ(check_mqtt_utf8("a/+/#").kind, utf8_fault::kind::none);
  const auto f = check_mqtt_utf8("a/+/#", true);
  EXPECT_EQ(f.kind, utf8_fault::kind::wildcard);
  EXPECT_EQ(f.index, 2u);
  const auto g = check_mqtt_utf8("ok\xff", true);
  EXPECT_EQ(g.kind, utf8_fault::kind::ill_formed);
  EXPECT_EQ(g.index, 2u);
}

TEST(utf8, word_at_a_time_path_still_finds_nul_and_wildcards_at_their_index) {
  const auto wildcard = check_mqtt_utf8("sensors/kitchen/+", true);
  EXPECT_EQ(wildcard.kind, utf8_fault::kind::wildcard);
  EXPECT_EQ(wildcard.index, 16u);
  const auto hash = check_mqtt_utf8("abcdefgh#", true);
  EXPECT_EQ(hash.index, 8u);
  const auto nul = check_mqtt_utf8(std::string("0123456789\0x", 12));
  EXPECT_EQ(nul.kind, utf8_fault::kind::null_character);
  EXPECT_EQ(nul.index, 10u);
  EXPECT_EQ(check_mqtt_utf8("sensors/device-0042/temperature", true).kind, utf8_fault::kind::none);
}

}  // namespace
}  // namespace mqtk::proto
