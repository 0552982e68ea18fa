// mqtk-decode pointed at broken and hostile input, run as a user runs it: hex dumps that arrive
// line by line and never end, lines that are not hex, terminal controls in the input.
#include <sstream>

#include <gtest/gtest.h>

#include "support/process.hpp"

namespace mqtk::test {
namespace {

const std::string connect_line = "10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 61 62\n";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

// `tail -f device.log | mqtk-decode --hex -`: each packet shows when its line arrives, while
// the input is still open.
TEST(decode_robustness, hex_packets_show_before_stdin_ends) {
  process p({.args = {tool_path("mqtk-decode").string(), "--hex", "-"}, .input = stdin_mode::pipe});
  p.write_stdin(connect_line);
  EXPECT_TRUE(p.wait_for_output("CONNECT", 10s)) << p.out() << p.err();
  p.write_stdin("30 07 00 03 61 2f 62\n");
  p.write_stdin("68 69\n");  // the PUBLISH ends on this line
  EXPECT_TRUE(p.wait_for_output("PUBLISH", 10s)) << p.out() << p.err();
  p.close_stdin();
  const auto st = p.wait_or_kill(10s);
  EXPECT_EQ(st.exit_code, 0) << p.err();
}

// A log cut in the middle of its last line: everything before it is shown, the bad line is
// named on one stderr line, and the exit code says the input was bad.
TEST(decode_robustness, truncated_last_hex_line_reported_after_the_packets) {
  const auto r = run({tool_path("mqtk-decode").string(), "--hex", "-"}, 30s,
                     connect_line + "30 07 00 03 61 2f 62 68 69\n30 0");
  EXPECT_EQ(r.exit_code(), 65) << r.describe();
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_NE(out[0].find("CONNECT"), std::string::npos);
  EXPECT_NE(out[1].find("PUBLISH"), std::string::npos);
  const auto err = lines_of(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_NE(err[0].find("-:3:4:"), std::string::npos) << r.err;
}

TEST(decode_robustness, bad_line_in_the_middle_is_skipped_and_decoding_goes_on) {
  const auto r = run({tool_path("mqtk-decode").string(), "--hex", "-"}, 30s,
                     connect_line + "this is not hex\nc0 00\n");
  EXPECT_EQ(r.exit_code(), 65) << r.describe();
  EXPECT_NE(r.out.find("CONNECT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PINGREQ"), std::string::npos) << r.out;
  const auto err = lines_of(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_NE(err[0].find("-:2:1:"), std::string::npos) << r.err;
}

// A hostile log must not drive the terminal of the person reading the error: no raw ESC, no
// C1 CSI (0x9B) and no other control byte reaches stderr or stdout.
TEST(decode_robustness, terminal_controls_in_input_are_escaped_everywhere) {
  const std::string evil = "\x1b]0;owned\x07\x9b" "2J";
  // A PUBLISH whose topic carries ESC and a C1 CSI as UTF-8 (U+009B): valid MQTT strings.
  std::string topic = "a\x1b]0;o\xc2\x9b" "2J";
  std::ostringstream hex;
  const auto byte = [&hex](std::size_t v) {
    hex << ' ' << "0123456789abcdef"[(v >> 4) & 15] << "0123456789abcdef"[v & 15];
  };
  hex << "30";
  byte(2 + topic.size() + 3);
  byte(0);
  byte(topic.size());
  for (unsigned char c : topic) byte(c);
  hex << " 61 62 63\n";
  const auto r = run({tool_path("mqtk-decode").string(), "--hex", "--mqtt-version", "3.1.1", "-"}, 30s,
                     evil + "\n" + hex.str());
  EXPECT_EQ(r.exit_code(), 65) << r.describe();
  EXPECT_NE(r.out.find("PUBLISH"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\\x1b]0;o\\xc2\\x9b2J"), std::string::npos) << r.out;
  for (const auto* text : {&r.out, &r.err}) {
    for (char ch : *text) {
      const auto c = static_cast<unsigned char>(ch);
      EXPECT_FALSE((c < 0x20 && c != '\n') || c == 0x7f || c == 0x9b || c == 0x1b)
          << "control byte " << static_cast<unsigned>(c) << " in: " << *text;
    }
  }
}

// An endless line of NUL bytes (mqtk-decode --hex /dev/zero) is skipped in pieces: memory stays
// bounded instead of growing with the input.
TEST(decode_robustness, endless_non_hex_input_keeps_memory_bounded) {
  process p({.args = {"/bin/sh", "-c",
                      "ulimit -v 300000; exec " + tool_path("mqtk-decode").string() + " --hex /dev/zero"}});
  // 2 s of /dev/zero is gigabytes: a reader that holds it all dies of the limit long before.
  const auto ended = p.wait_for(2s);
  ASSERT_FALSE(ended) << "ended early: " << ended->to_string() << "\n" << p.err();
  p.kill();
}

// A packet that breaks a rule but can be read (Payload Format Indicator 144) is shown with its
// fields and the rule, in text and JSON, as tshark shows it; not as MALFORMED.
TEST(decode_robustness, rule_break_that_can_be_read_is_shown_with_the_rule) {
  const std::string pub = "30 07 00 01 61 02 01 90 78\n";
  const auto text = run({tool_path("mqtk-decode").string(), "--hex", "--mqtt-version", "5", "-"}, 30s, pub);
  ASSERT_EQ(text.exit_code(), 0) << text.describe();
  EXPECT_NE(text.out.find("PUBLISH topic=\"a\""), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("[violation: invalid_property_value at offset 6"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("MALFORMED"), std::string::npos) << text.out;
  const auto json = run({tool_path("mqtk-decode").string(), "--hex", "--json", "--mqtt-version", "5", "-"}, 30s, pub);
  ASSERT_EQ(json.exit_code(), 0) << json.describe();
  EXPECT_NE(json.out.find("\"violations\":[{\"rule\":\"invalid_property_value\",\"offset\":6"), std::string::npos)
      << json.out;
}

}  // namespace
}  // namespace mqtk::test
