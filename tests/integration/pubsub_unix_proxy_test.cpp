// mqtk-pub and mqtk-sub over the two other ways mosquitto_pub/sub 2.0 reach a broker:
// --unix PATH (a real mosquitto's "listener 0 PATH") and --proxy socks5h://... (a real SOCKS5
// proxy, Debian's microsocks, with and without user name/password authentication). Messages
// both ways with the reference clients, TLS through the proxy's tunnel, and every way these
// connects fail: the one stderr line, what it names, the exit code, and no proxy password.
//
// Every wait is bounded; nothing asserts on how long something took.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/broker.hpp"
#include "support/cli_runner.hpp"
#include "support/ready_subscriber.hpp"
#include "support/process.hpp"
#include "support/socks_proxy.hpp"

namespace mqtk {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::broker;
using test::concat;
using test::count_lines;
using test::pub_tool;
using test::str;
using test::sub_tool;
using test::wait_for_subscribe;
using test::wait_until;
using test::broker_options;
using test::listener;
using test::process;
using test::process_options;
using test::run_result;
using test::socks_proxy;
using test::socks_proxy_options;

constexpr int exit_usage = 64;
constexpr int exit_unreachable = 69;
constexpr int exit_tls = 79;

const std::string proxy_user = "bob";
const std::string proxy_password = "Pr0xy-s3cret";

// One broker for every test here: TCP and TLS on both loopback addresses (so that "localhost"
// works whichever the proxy resolves first), WebSockets, and a Unix socket; every packet
// logged, which is mosquitto_sub's readiness signal.
broker& shared_broker() {
  static std::unique_ptr<broker> b = std::make_unique<broker>(broker_options{
      .tls = true, .ws = true, .unix_socket = true, .address = test::loopback::both, .verbose_log = true});
  return *b;
}

socks_proxy& open_proxy() {
  static std::unique_ptr<socks_proxy> p = std::make_unique<socks_proxy>();
  return *p;
}

socks_proxy& auth_proxy() {
  static std::unique_ptr<socks_proxy> p =
      std::make_unique<socks_proxy>(socks_proxy_options{.username = proxy_user, .password = proxy_password});
  return *p;
}

// An mqtk-sub that has subscribed (its --ready-file exists), waiting for `count` messages on `topic`.
struct ready_sub : test::ready_subscriber {
  ready_sub(const std::vector<std::string>& connection, const std::string& topic, int count = 1)
      : ready_subscriber(concat(connection, {"-t", topic}), count) {}
};

using test::expect_one_error_line;

// ---------------------------------------------------------------------------------------------
// --unix

std::vector<std::string> over_unix() { return {"--unix", shared_broker().socket_path().string()}; }

TEST(pubsub_unix, mqtk_pub_to_mqtk_sub) {
  ready_sub sub(over_unix(), "unix/mqtk");
  ASSERT_TRUE(sub.ready()) << sub.err();
  const auto r = test::run(concat(concat({pub_tool()}, over_unix()), {"-t", "unix/mqtk", "-q", "1", "-m", "hello"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(sub.finish(), 0) << sub.err();
  EXPECT_EQ(sub.out(), "hello\n");
}

TEST(pubsub_unix, mosquitto_pub_to_mqtk_sub) {
  ready_sub sub(over_unix(), "unix/from-mosquitto");
  ASSERT_TRUE(sub.ready()) << sub.err();
  const auto r =
      test::run(concat(concat({"mosquitto_pub"}, over_unix()), {"-t", "unix/from-mosquitto", "-m", "theirs"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(sub.finish(), 0) << sub.err();
  EXPECT_EQ(sub.out(), "theirs\n");
}

TEST(pubsub_unix, mqtk_pub_to_mosquitto_sub) {
  const std::string id = "unixproxy-mosquitto-sub-unix";
  process sub(process_options{.args = concat(concat({"mosquitto_sub"}, over_unix()),
                                             {"-t", "unix/to-mosquitto", "-C", "1", "-W", "20", "-i", id, "-v"})});
  ASSERT_TRUE(wait_for_subscribe(shared_broker(), id)) << sub.err();
  const auto r = test::run(concat(concat({pub_tool()}, over_unix()), {"-t", "unix/to-mosquitto", "-m", "ours"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_TRUE(sub.wait_or_kill(20s).success()) << sub.err();
  EXPECT_EQ(sub.out(), "unix/to-mosquitto ours\n");
}

TEST(pubsub_unix, debug_trace_names_the_socket) {
  const auto path = shared_broker().socket_path().string();
  const auto r = test::run(concat(concat({pub_tool()}, over_unix()), {"-t", "unix/debug", "-m", "x", "-d"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_NE(r.err.find("connected to Unix socket " + path), std::string::npos) << r.err;
}

TEST(pubsub_unix, missing_socket_is_unreachable_and_named) {
  test::temp_dir dir("mqtk-unix-missing");
  const auto path = (dir / "no-broker.sock").string();
  const auto pub = test::run({pub_tool(), "--unix", path, "-t", "unix/none", "-m", "x"}, 20s);
  expect_one_error_line(pub, exit_unreachable, {"unix:" + path, "No such file or directory", "--unix"});
  const auto sub = test::run({sub_tool(), "--unix", path, "-t", "unix/none", "-C", "1"}, 20s);
  expect_one_error_line(sub, exit_unreachable, {"unix:" + path, "No such file or directory"});
}

TEST(pubsub_unix, a_file_that_is_not_a_socket_is_unreachable_and_named) {
  test::temp_dir dir("mqtk-unix-file");
  const auto path = (dir / "plain-file").string();
  test::write_file(path, "not a socket");
  const auto r = test::run({pub_tool(), "--unix", path, "-t", "unix/none", "-m", "x"}, 20s);
  expect_one_error_line(r, exit_unreachable, {"unix:" + path, "Connection refused"});
}

TEST(pubsub_unix, a_socket_nobody_listens_on_is_refused) {
  test::temp_dir dir("mqtk-unix-stale");
  const auto path = (dir / "stale.sock").string();
  // Bound and closed: the file stays, as after a broker that crashed.
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, path.size());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
  }
  const auto r = test::run({pub_tool(), "--unix", path, "-t", "unix/none", "-m", "x"}, 20s);
  expect_one_error_line(r, exit_unreachable, {"unix:" + path, "refused", "Connection refused"});
  // The same verdict as mosquitto_pub: it cannot publish either.
  const auto theirs = test::run({"mosquitto_pub", "--unix", path, "-t", "unix/none", "-m", "x"}, 20s);
  EXPECT_NE(theirs.exit_code(), 0) << theirs.describe();
}

TEST(pubsub_unix, tls_or_a_proxy_with_unix_is_a_usage_error) {
  const auto path = shared_broker().socket_path().string();
  const auto tls = test::run(
      {pub_tool(), "--unix", path, "--cafile", broker::certs().ca.cert.string(), "-t", "x", "-m", "x"}, 20s);
  expect_one_error_line(tls, exit_usage, {"--unix"});
  const auto proxy = test::run({pub_tool(), "--unix", path, "--proxy", open_proxy().url(), "-t", "x", "-m", "x"}, 20s);
  expect_one_error_line(proxy, exit_usage, {"--unix", "--proxy"});
}

// ---------------------------------------------------------------------------------------------
// --proxy

std::vector<std::string> via(const std::string& proxy_url, const std::string& host = "127.0.0.1",
                             listener l = listener::tcp) {
  return {"--proxy", proxy_url, "-h", host, "-p", str(shared_broker().port(l))};
}

TEST(pubsub_proxy, mqtk_pub_to_mqtk_sub_without_authentication) {
  ready_sub sub(via(open_proxy().url()), "proxy/open");
  ASSERT_TRUE(sub.ready()) << sub.err();
  const auto r = test::run(concat(concat({pub_tool()}, via(open_proxy().url())),
                                  {"-t", "proxy/open", "-q", "2", "-m", "through the proxy"}),
                           20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(sub.finish(), 0) << sub.err();
  EXPECT_EQ(sub.out(), "through the proxy\n");
}

TEST(pubsub_proxy, the_proxy_resolves_the_broker_name) {
  ready_sub sub(via(open_proxy().url(), "localhost"), "proxy/by-name");
  ASSERT_TRUE(sub.ready()) << sub.err();
  const auto r = test::run(
      concat(concat({pub_tool()}, via(open_proxy().url(), "localhost")), {"-t", "proxy/by-name", "-m", "named"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(sub.finish(), 0) << sub.err();
  EXPECT_EQ(sub.out(), "named\n");
  // microsocks logs the name it was asked for: the name, not an address, went to the proxy.
  EXPECT_NE(open_proxy().log().find("connected to localhost:" + str(shared_broker().port())), std::string::npos)
      << open_proxy().log();
}

TEST(pubsub_proxy, with_user_name_and_password) {
  ready_sub sub(via(auth_proxy().url()), "proxy/auth");
  ASSERT_TRUE(sub.ready()) << sub.err();
  const auto r =
      test::run(concat(concat({pub_tool()}, via(auth_proxy().url())), {"-t", "proxy/auth", "-m", "authenticated"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(sub.finish(), 0) << sub.err();
  EXPECT_EQ(sub.out(), "authenticated\n");
}

TEST(pubsub_proxy, wrong_password_is_named_and_never_printed) {
  const std::string wrong = "Wr0ng-Pa55w0rd";
  const std::string where = "proxy 127.0.0.1:" + str(auth_proxy().port());
  for (const auto& tool : {pub_tool(), sub_tool()}) {
    std::vector<std::string> args = concat({tool}, via(auth_proxy().url_with(proxy_user, wrong)));
    args = concat(args, tool == pub_tool() ? std::vector<std::string>{"-t", "proxy/x", "-m", "x"}
                                           : std::vector<std::string>{"-t", "proxy/x", "-C", "1"});
    const auto r = test::run(args, 20s);
    expect_one_error_line(r, exit_unreachable, {where + " refused the user name and password", "--proxy"});
    EXPECT_EQ(r.err.find(wrong), std::string::npos) << r.err;
    // Not with -d either, where every packet and connect phase is traced.
    const auto debug = test::run(concat(args, {"-d"}), 20s);
    EXPECT_EQ(debug.exit_code(), exit_unreachable) << debug.describe();
    EXPECT_EQ(debug.err.find(wrong), std::string::npos) << debug.err;
  }
}

TEST(pubsub_proxy, debug_trace_shows_the_tunnel_but_not_the_password) {
  const auto r = test::run(
      concat(concat({pub_tool()}, via(auth_proxy().url())), {"-t", "proxy/debug", "-m", "x", "-d"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_NE(r.err.find("SOCKS5 proxy 127.0.0.1:" + str(auth_proxy().port()) + " connected to 127.0.0.1:" +
                       str(shared_broker().port())),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find(proxy_password), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(proxy_password), std::string::npos) << r.out;
}

TEST(pubsub_proxy, missing_credentials_are_named) {
  const auto r = test::run(
      concat(concat({pub_tool()}, via(auth_proxy().url_with("", ""))), {"-t", "proxy/x", "-m", "x"}), 20s);
  expect_one_error_line(r, exit_unreachable,
                        {"proxy 127.0.0.1:" + str(auth_proxy().port()) + " accepts none of the offered authentication",
                         "socks5h://USER:PASS@"});
}

TEST(pubsub_proxy, proxy_down_is_unreachable) {
  socks_proxy down;
  const auto url = down.url();
  down.stop();
  const auto r = test::run(concat(concat({pub_tool()}, via(url)), {"-t", "proxy/x", "-m", "x"}), 20s);
  expect_one_error_line(r, exit_unreachable,
                        {"cannot connect to proxy 127.0.0.1:" + str(down.port()), "Connection refused", "--proxy"});
  const auto sub = test::run(concat(concat({sub_tool()}, via(url)), {"-t", "proxy/x", "-C", "1"}), 20s);
  expect_one_error_line(sub, exit_unreachable, {"cannot connect to proxy 127.0.0.1:" + str(down.port())});
}

TEST(pubsub_proxy, broker_unreachable_behind_the_proxy_gives_the_socks_reason) {
  const auto closed = test::free_port();
  const auto r = test::run({pub_tool(), "--proxy", open_proxy().url(), "-h", "127.0.0.1", "-p", str(closed), "-t",
                            "proxy/x", "-m", "x"},
                           20s);
  expect_one_error_line(r, exit_unreachable,
                        {"proxy 127.0.0.1:" + str(open_proxy().port()) + " could not reach broker 127.0.0.1:" +
                             str(closed) + ": connection refused (SOCKS5 reply 0x05)"});
  // Through the authenticating proxy too: the reply comes after a successful login.
  const auto authed = test::run({sub_tool(), "--proxy", auth_proxy().url(), "-h", "localhost", "-p", str(closed),
                                 "-t", "proxy/x", "-C", "1"},
                                20s);
  expect_one_error_line(authed, exit_unreachable,
                        {"could not reach broker localhost:" + str(closed), "(SOCKS5 reply 0x05)"});
}

TEST(pubsub_proxy, tls_runs_with_the_broker_through_the_tunnel) {
  const auto ca = broker::certs().ca.cert.string();
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    const std::vector<std::string> tls = concat(via(auth_proxy().url(), host, listener::tls), {"--cafile", ca});
    const std::string topic = "proxy/tls/" + host;
    ready_sub sub(tls, topic);
    ASSERT_TRUE(sub.ready()) << sub.err();
    const auto r = test::run(concat(concat({pub_tool()}, tls), {"-t", topic, "-m", "secret over tls", "-d"}), 20s);
    EXPECT_EQ(r.exit_code(), 0) << r.describe();
    EXPECT_NE(r.err.find("TLS handshake done"), std::string::npos) << r.err;
    EXPECT_EQ(sub.finish(), 0) << sub.err();
    EXPECT_EQ(sub.out(), "secret over tls\n");
  }
}

TEST(pubsub_proxy, tls_through_the_proxy_verifies_the_broker_name) {
  // The broker's certificate is for another name: the check is against -h, not the proxy.
  broker wrong_host({.tcp = false, .tls = true, .cert = test::server_cert::wrong_host});
  const auto r = test::run({pub_tool(), "--proxy", open_proxy().url(), "-h", "localhost", "-p",
                            str(wrong_host.port(listener::tls)), "--cafile", broker::certs().ca.cert.string(), "-t",
                            "proxy/x", "-m", "x"},
                           20s);
  expect_one_error_line(r, exit_tls, {"localhost:" + str(wrong_host.port(listener::tls)), "valid for DNS:wrong.example.com, not for 'localhost'"});
  EXPECT_EQ(r.err.find(str(open_proxy().port())), std::string::npos) << "the proxy is not the TLS peer: " << r.err;
}

TEST(pubsub_proxy, websocket_through_the_proxy) {
  const std::vector<std::string> ws = {"--proxy", open_proxy().url(), "-L",
                                       "ws://127.0.0.1:" + str(shared_broker().port(listener::ws)) + "/mqtt"};
  ready_sub sub(ws, "proxy/ws");
  ASSERT_TRUE(sub.ready()) << sub.err();
  const auto r = test::run(concat(concat({pub_tool()}, ws), {"-t", "proxy/ws", "-m", "framed"}), 20s);
  EXPECT_EQ(r.exit_code(), 0) << r.describe();
  EXPECT_EQ(sub.finish(), 0) << sub.err();
  EXPECT_EQ(sub.out(), "framed\n");
}

TEST(pubsub_proxy, mosquitto_clients_through_the_same_proxy) {
  // mosquitto_pub -> proxy -> broker -> proxy -> mqtk-sub
  ready_sub sub(via(auth_proxy().url()), "proxy/interop/in");
  ASSERT_TRUE(sub.ready()) << sub.err();
  const auto theirs = test::run(
      concat(concat({"mosquitto_pub"}, via(auth_proxy().url())), {"-t", "proxy/interop/in", "-m", "from mosquitto"}),
      20s);
  EXPECT_EQ(theirs.exit_code(), 0) << theirs.describe();
  EXPECT_EQ(sub.finish(), 0) << sub.err();
  EXPECT_EQ(sub.out(), "from mosquitto\n");

  // mqtk-pub -> proxy -> broker -> proxy -> mosquitto_sub
  const std::string id = "unixproxy-mosquitto-sub-proxy";
  process their_sub(process_options{.args = concat(concat({"mosquitto_sub"}, via(auth_proxy().url())),
                                                   {"-t", "proxy/interop/out", "-C", "1", "-W", "20", "-i", id})});
  ASSERT_TRUE(wait_for_subscribe(shared_broker(), id)) << their_sub.err();
  const auto ours = test::run(
      concat(concat({pub_tool()}, via(auth_proxy().url())), {"-t", "proxy/interop/out", "-m", "from mqtk"}), 20s);
  EXPECT_EQ(ours.exit_code(), 0) << ours.describe();
  EXPECT_TRUE(their_sub.wait_or_kill(20s).success()) << their_sub.err();
  EXPECT_EQ(their_sub.out(), "from mqtk\n");

  // Both refuse a wrong password (mosquitto_pub with its own error numbers; ours is 69).
  const auto their_refusal = test::run(
      concat(concat({"mosquitto_pub"}, via(auth_proxy().url_with(proxy_user, "nope"))), {"-t", "x", "-m", "x"}), 20s);
  EXPECT_NE(their_refusal.exit_code(), 0) << their_refusal.describe();
}

TEST(pubsub_proxy, bad_proxy_urls_are_usage_errors) {
  for (const std::string url : {"http://127.0.0.1:3128", "socks5://127.0.0.1", "socks5h://", "socks5h://h:0",
                                "socks5h://:Pa55-in-url@h"}) {
    const auto r = test::run({pub_tool(), "--proxy", url, "-t", "x", "-m", "x"}, 20s);
    expect_one_error_line(r, exit_usage, {"--proxy"});
    EXPECT_EQ(r.err.find("Pa55-in-url"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace mqtk
