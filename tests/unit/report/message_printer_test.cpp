// mqtk-sub's output modes: payload (default), -v, -N, -F, --json.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "mqtk/report/message_printer.hpp"

namespace mqtk::report {
namespace {

std::string print(printer_options o, const message_view& m) {
  message_printer p(std::move(o));
  std::string out;
  p.append(out, m);
  return out;
}

const message_view text{.topic = "a/b", .payload = "hi"};
const message_view empty{.topic = "a/b", .payload = ""};

TEST(message_printer, default_prints_payload_and_newline) {
  EXPECT_EQ(print({}, text), "hi\n");
  EXPECT_EQ(print({.eol = false}, text), "hi");
}

TEST(message_printer, default_prints_nothing_for_empty_payload) {
  EXPECT_EQ(print({}, empty), "");
  EXPECT_EQ(print({.eol = false}, empty), "");
}

TEST(message_printer, verbose_prints_topic_space_payload) {
  EXPECT_EQ(print({.mode = output_mode::verbose}, text), "a/b hi\n");
  EXPECT_EQ(print({.mode = output_mode::verbose, .eol = false}, text), "a/b hi");
}

TEST(message_printer, verbose_empty_payload_is_null_marker_unless_no_eol) {
  EXPECT_EQ(print({.mode = output_mode::verbose}, empty), "a/b (null)\n");
  EXPECT_EQ(print({.mode = output_mode::verbose, .eol = false}, empty), "");
}

TEST(message_printer, format_adds_newline_unless_no_eol) {
  EXPECT_EQ(print({.mode = output_mode::format, .format = "%t=%p"}, text), "a/b=hi\n");
  EXPECT_EQ(print({.mode = output_mode::format, .eol = false, .format = "%t=%p"}, text), "a/b=hi");
  EXPECT_EQ(print({.mode = output_mode::format, .format = "%t=%p"}, empty), "a/b=\n");
}

TEST(message_printer, json_is_one_line_per_message_even_with_no_eol) {
  auto s = print({.mode = output_mode::json, .eol = false}, text);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(s.find('\n'), s.size() - 1);
}

TEST(message_printer, bad_format_throws) {
  EXPECT_THROW(message_printer({.mode = output_mode::format, .format = "%z"}), format_error);
}

TEST(message_printer, many_messages_cost_little) {
  // 50k messages through a typical format: a smoke check that the hot path stays cheap (a
  // debug build on a loaded machine does this in well under a second); the bound is loose so
  // that a slow shared machine does not fail it. Release numbers are in the perf notes.
  message_printer p({.mode = output_mode::format, .format = "%t %q %r %l %p"});
  std::string out;
  out.reserve(1 << 20);
  const auto start = std::chrono::steady_clock::now();
  std::size_t total = 0;
  for (int i = 0; i < 50'000; ++i) {
    out.clear();
    p.append(out, text);
    total += out.size();
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(total, 50'000u * std::string("a/b 0 0 2 hi\n").size());
  EXPECT_LT(took, std::chrono::seconds(5));
}

}  // namespace
}  // namespace mqtk::report
