// Options that weaken security are obeyed with one warning line on stderr, in every tool that
// has them (security_warnings.hpp): --insecure against a broker whose certificate names another
// host, and a --password-file other users can read. Run as a user runs the tools, against a
// real mosquitto.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/broker.hpp"
#include "support/cli_runner.hpp"
#include "support/process.hpp"

namespace mqtk {
namespace {

using namespace std::chrono_literals;
using test::broker;
using test::concat;
using test::lines_of;
using test::str;

// The stderr lines of `r` that contain `needle`.
std::size_t lines_with(const test::run_result& r, const std::string& needle) {
  std::size_t n = 0;
  for (const auto& l : lines_of(r.err)) n += l.find(needle) != std::string::npos;
  return n;
}

// Each tool's shortest run that connects and ends by itself with 0.
std::vector<std::string> connecting_run(const std::string& tool) {
  if (tool == "mqtk-pub") return {test::tool_path(tool).string(), "-t", "w", "-m", "x"};
  if (tool == "mqtk-sub") return {test::tool_path(tool).string(), "-t", "w", "-E"};
  if (tool == "mqtk-ping") return {test::tool_path(tool).string(), "-c", "1"};
  return {test::tool_path(tool).string(), "conn", "-c", "1"};
}

// "pub" for mqtk-pub: the test's name.
std::string tool_name(const ::testing::TestParamInfo<std::string>& p) { return p.param.substr(5); }

class insecure_warning : public ::testing::TestWithParam<std::string> {};

TEST_P(insecure_warning, is_one_line_and_the_connection_still_works) {
  // mosquitto's certificate is for another host name: only --insecure lets the tools in.
  broker b({.tls = true, .cert = test::server_cert::wrong_host});
  const std::vector<std::string> tls = {"-h", b.host(), "-p", str(b.port(test::listener::tls)), "--cafile",
                                        broker::certs().ca.cert.string()};
  const auto r = test::run(concat(concat(connecting_run(GetParam()), tls), {"--insecure"}), 60s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(lines_with(r, GetParam() + ": warning: --insecure"), 1u) << r.err;
  EXPECT_EQ(lines_with(r, "host name is not checked"), 1u) << r.err;
  const auto checked = test::run(concat(connecting_run(GetParam()), tls), 60s);
  EXPECT_NE(checked.exit_code(), 0) << "the certificate's host name was not checked without --insecure";
  EXPECT_EQ(lines_with(checked, "warning"), 0u) << checked.err;
}

INSTANTIATE_TEST_SUITE_P(security_warnings, insecure_warning,
                         ::testing::Values("mqtk-pub", "mqtk-sub", "mqtk-ping", "mqtk-bench"),
                         tool_name);

class password_file_warning : public ::testing::TestWithParam<std::string> {};

TEST_P(password_file_warning, is_one_line_when_others_can_read_the_file_and_the_password_still_works) {
  broker b({.allow_anonymous = false, .users = {{"alice", "pa55word"}}});
  test::temp_dir dir("mqtk-pwfile");
  const auto file = (dir / "password").string();
  test::write_file(file, "pa55word\n");
  const std::vector<std::string> auth = {"-h", b.host(), "-p", str(b.port()), "-u", "alice", "--password-file", file};

  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  const auto open = test::run(concat(connecting_run(GetParam()), auth), 60s);
  EXPECT_EQ(open.exit_code(), 0) << open.describe();
  EXPECT_EQ(lines_with(open, GetParam() + ": warning: --password-file '" + file + "'"), 1u) << open.err;
  EXPECT_EQ(lines_with(open, "0644"), 1u) << open.err;
  EXPECT_EQ(open.err.find("pa55word"), std::string::npos) << open.err;

  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  const auto closed = test::run(concat(connecting_run(GetParam()), auth), 60s);
  EXPECT_EQ(closed.exit_code(), 0) << closed.describe();
  EXPECT_EQ(lines_with(closed, "warning"), 0u) << closed.err;
}

INSTANTIATE_TEST_SUITE_P(security_warnings, password_file_warning,
                         ::testing::Values("mqtk-pub", "mqtk-sub", "mqtk-ping", "mqtk-bench"),
                         tool_name);

TEST(security_warnings, quiet_silences_the_warning_but_not_the_option) {
  broker b({.tls = true, .cert = test::server_cert::wrong_host});
  const auto r = test::run({test::pub_tool(), "-h", b.host(), "-p", str(b.port(test::listener::tls)), "--cafile",
                            broker::certs().ca.cert.string(), "--insecure", "--quiet", "-t", "w", "-m", "x"},
                           60s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(r.err, "");
}

// A header that would smuggle a second one into the WebSocket upgrade request is refused; the
// error names the header but repeats none of its value.
TEST(security_warnings, a_ws_header_with_a_line_break_is_refused_without_echoing_its_value) {
  for (const std::string tool : {"mqtk-pub", "mqtk-sub", "mqtk-ping", "mqtk-bench"}) {
    auto args = connecting_run(tool);
    args = concat(args, {"-L", "ws://127.0.0.1:9/mqtt", "--ws-header", "Authorization: Bearer T0KEN-s3cret\r\nX-Evil: 1"});
    const auto r = test::run(args, 30s);
    test::expect_one_error_line(r, 64, {"--ws-header", "'Authorization'"});
    EXPECT_EQ(r.err.find("T0KEN"), std::string::npos) << tool << ": " << r.err;
    EXPECT_EQ(r.err.find("X-Evil"), std::string::npos) << tool << ": " << r.err;
  }
}

// A secret file without a first line (here endless) is refused after 64 KiB: it was read whole,
// and mqtk-pub ended in std::bad_alloc or ran until killed.
TEST(secret_files, a_password_file_with_no_line_break_is_refused_with_exit_66) {
  const auto r = test::run({test::pub_tool(), "-h", "127.0.0.1", "-p", "9", "-u", "u", "--password-file", "/dev/zero",
                            "-t", "w", "-m", "x"},
                           30s);
  EXPECT_FALSE(r.timed_out) << r.describe();
  test::expect_one_error_line(r, 66, {"--password-file", "/dev/zero", "64 KiB"});
}

}  // namespace
}  // namespace mqtk
