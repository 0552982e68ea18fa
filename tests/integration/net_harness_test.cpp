// Self-test of the integration harness every other integration test relies on: child
// processes, the generated certificates, and the mosquitto broker fixture (ports, restart,
// persistence, passwords, ACLs). MQTT is spoken with hand-written bytes over a blocking socket,
// so the harness is checked independently of mqtk's own code.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "support/broker.hpp"
#include "support/process.hpp"
#include "support/test_certs.hpp"

namespace mqtk::test {
namespace {

namespace asio = boost::asio;
using bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

// MQTT 3.1.1 CONNECT with optional credentials; clean session unless `clean` is false.
bytes connect_packet(const std::string& client_id, bool clean = true, const std::optional<std::string>& user = {},
                     const std::optional<std::string>& pass = {}) {
  bytes body = {0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x00, 0x00, 0x3c};
  body[7] = static_cast<std::uint8_t>((clean ? 0x02 : 0x00) | (user ? 0x80 : 0x00) | (pass ? 0x40 : 0x00));
  auto add = [&](const std::string& s) {
    body.push_back(static_cast<std::uint8_t>(s.size() >> 8));
    body.push_back(static_cast<std::uint8_t>(s.size() & 0xff));
    body.insert(body.end(), s.begin(), s.end());
  };
  add(client_id);
  if (user) add(*user);
  if (pass) add(*pass);
  body.insert(body.begin(), {0x10, static_cast<std::uint8_t>(body.size())});
  return body;
}

bytes subscribe_packet(const std::string& filter, std::uint8_t qos = 1) {
  bytes p = {0x82, static_cast<std::uint8_t>(5 + filter.size()), 0x00, 0x01, 0x00,
             static_cast<std::uint8_t>(filter.size())};
  p.insert(p.end(), filter.begin(), filter.end());
  p.push_back(qos);
  return p;
}

// A blocking MQTT-over-TCP peer with a receive timeout, so no read can hang a test.
class blocking_peer {
 public:
  blocking_peer(const std::string& host, std::uint16_t port) : socket_(io_) {
    socket_.connect({asio::ip::make_address(host), port});
    timeval tv{5, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(const bytes& b) { asio::write(socket_, asio::buffer(b)); }
  bytes receive(std::size_t n) {
    bytes b(n);
    boost::system::error_code ec;
    const auto got = asio::read(socket_, asio::buffer(b), ec);
    b.resize(got);
    return b;
  }
  // CONNECT and the 4-byte CONNACK it gets.
  bytes connect(const bytes& connect) {
    send(connect);
    return receive(4);
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
};

const bytes connack_accepted = {0x20, 0x02, 0x00, 0x00};
const bytes connack_not_authorized = {0x20, 0x02, 0x00, 0x05};

// ---- process ------------------------------------------------------------------------------

TEST(harness_process, captures_exit_code_stdout_and_stderr) {
  const auto r = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_TRUE(r.status.exited);
  EXPECT_EQ(r.exit_code(), 3);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_NE(r.describe().find("exit 3"), std::string::npos);
}

TEST(harness_process, feeds_stdin_and_sets_environment) {
  EXPECT_EQ(run({"cat"}, 10s, "line 1\nline 2\n").out, "line 1\nline 2\n");
  process_options o;
  o.args = {"sh", "-c", "echo \"$MQTK_X-${HOME:-unset}\""};
  o.env = {{"MQTK_X", "42"}};
  o.unset_env = {"HOME"};
  EXPECT_EQ(run(o).out, "42-unset\n");
}

TEST(harness_process, timeout_kills_the_child) {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run({"sleep", "30"}, 200ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.status.exited);
  EXPECT_EQ(r.status.term_signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(harness_process, destructor_leaves_no_orphan_even_of_grandchildren) {
  pid_t child = -1;
  std::string grandchild;
  {
    process p({.args = {"sh", "-c", "sleep 30 & echo $!; wait"}});
    child = p.pid();
    ASSERT_TRUE(p.wait_for_output("\n", 5s));
    grandchild = p.out();
    EXPECT_TRUE(p.running());
  }
  EXPECT_NE(::kill(child, 0), 0) << "child still exists";
  const pid_t gc = static_cast<pid_t>(std::stol(grandchild));
  // The grandchild was killed with the group; give the kernel a moment to reap it (init does).
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = ::kill(gc, 0) != 0 || read_file("/proc/" + std::to_string(gc) + "/stat").find(" Z ") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone) << "grandchild " << gc << " survived";
}

TEST(harness_process, interactive_stdin_pipe) {
  process p({.args = {"cat"}, .input = stdin_mode::pipe});
  p.write_stdin("hello\n");
  EXPECT_TRUE(p.wait_for_output("hello\n", 5s));
  p.close_stdin();
  const auto s = p.wait_for(5s);
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->success());
}

TEST(harness_process, missing_program_throws) {
  EXPECT_THROW(process({.args = {"/nonexistent/mqtk-no-such-tool"}}), std::runtime_error);
  EXPECT_THROW(process({.args = {}}), std::invalid_argument);
  EXPECT_TRUE(find_program("no-such-program-mqtk").empty());
  EXPECT_FALSE(find_program("mosquitto").empty()) << "mosquitto (in /usr/sbin) must be found";
}

TEST(harness_process, terminate_then_status) {
  process p({.args = {"sleep", "30"}});
  EXPECT_TRUE(p.running());
  p.terminate();
  const auto s = p.wait_for(5s);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->term_signal, SIGTERM);
  EXPECT_FALSE(p.running());
}

// ---- certificates ---------------------------------------------------------------------------

X509* load_cert(const std::filesystem::path& file) {
  BIO* bio = BIO_new_file(file.c_str(), "r");
  if (!bio) return nullptr;
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

// Verifies `leaf` against `ca` for `host` with OpenSSL; returns X509_V_OK or the error.
int verify(const std::filesystem::path& leaf_file, const std::filesystem::path& ca_file, const char* host) {
  X509* leaf = load_cert(leaf_file);
  X509* ca = load_cert(ca_file);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  if (host) X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), host, 0);
  const int ok = X509_verify_cert(ctx);
  const int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(ca);
  X509_free(leaf);
  return err;
}

TEST(harness_certs, generated_once_and_each_has_its_flaw) {
  const auto& c = test_certs::get();
  EXPECT_EQ(&c, &test_certs::get());
  for (const auto* p : {&c.ca, &c.server, &c.client, &c.expired_server, &c.unknown_ca_server, &c.wrong_host_server,
                        &c.unknown_ca_client}) {
    EXPECT_TRUE(std::filesystem::exists(p->cert)) << p->cert;
    EXPECT_TRUE(std::filesystem::exists(p->key)) << p->key;
  }
  EXPECT_EQ(verify(c.server.cert, c.ca.cert, "localhost"), X509_V_OK);
  EXPECT_EQ(verify(c.client.cert, c.ca.cert, nullptr), X509_V_OK);
  EXPECT_EQ(verify(c.expired_server.cert, c.ca.cert, "localhost"), X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(verify(c.unknown_ca_server.cert, c.ca.cert, "localhost"), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_EQ(verify(c.wrong_host_server.cert, c.ca.cert, "localhost"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify(c.wrong_host_server.cert, c.ca.cert, "wrong.example.com"), X509_V_OK);
  EXPECT_EQ(verify(c.unknown_ca_client.cert, c.other_ca.cert, nullptr), X509_V_OK);
}

// ---- broker ---------------------------------------------------------------------------------

TEST(harness_broker, listeners_accept_and_ports_are_distinct) {
  broker b({.tls = true, .ws = true, .wss = true});
  std::set<std::uint16_t> ports;
  for (auto l : {listener::tcp, listener::tls, listener::ws, listener::wss}) {
    ASSERT_TRUE(b.has(l));
    ports.insert(b.port(l));
    EXPECT_TRUE(wait_for_port("127.0.0.1", b.port(l), 1s)) << to_string(l);
  }
  EXPECT_EQ(ports.size(), 4u);
  EXPECT_EQ(b.url(listener::tcp), "mqtt://127.0.0.1:" + std::to_string(b.port()));
  EXPECT_EQ(b.url(listener::wss), "wss://127.0.0.1:" + std::to_string(b.port(listener::wss)) + "/mqtt");
  blocking_peer peer(b.host(), b.port());
  EXPECT_EQ(peer.connect(connect_packet("harness-1")), connack_accepted);
  EXPECT_THROW(broker({.tcp = false}), std::invalid_argument);
}

TEST(harness_broker, restart_keeps_ports_and_persistent_sessions) {
  broker b({.tls = true, .ws = true, .persistence = true});
  const auto tcp = b.port(listener::tcp);
  const auto tls = b.port(listener::tls);
  const auto ws = b.port(listener::ws);
  {
    blocking_peer peer(b.host(), tcp);
    EXPECT_EQ(peer.connect(connect_packet("keeper", false)), connack_accepted);
    peer.send(subscribe_packet("keep/#"));
    EXPECT_EQ(peer.receive(5), (bytes{0x90, 0x03, 0x00, 0x01, 0x01}));
    peer.send({0xe0, 0x00});  // DISCONNECT
  }
  b.restart();
  EXPECT_TRUE(b.running());
  EXPECT_EQ(b.port(listener::tcp), tcp);
  EXPECT_EQ(b.port(listener::tls), tls);
  EXPECT_EQ(b.port(listener::ws), ws);
  EXPECT_TRUE(wait_for_port("127.0.0.1", tls, 1s));
  EXPECT_TRUE(wait_for_port("127.0.0.1", ws, 1s));
  blocking_peer again(b.host(), tcp);
  // Session present: the subscription survived the restart.
  EXPECT_EQ(again.connect(connect_packet("keeper", false)), (bytes{0x20, 0x02, 0x01, 0x00}));
}

TEST(harness_broker, kill_and_start_on_the_same_ports) {
  broker b;
  const auto port = b.port();
  b.kill();
  EXPECT_FALSE(b.running());
  EXPECT_FALSE(wait_for_port("127.0.0.1", port, 100ms));
  b.start();
  EXPECT_EQ(b.port(), port);
  blocking_peer peer(b.host(), port);
  EXPECT_EQ(peer.connect(connect_packet("after-crash")), connack_accepted);
  EXPECT_NE(b.log().find("mosquitto version"), std::string::npos);
}

TEST(harness_broker, password_file_refuses_a_bad_password_with_connack_5) {
  broker b({.allow_anonymous = false, .users = {{"alice", "wonderland"}, {"bob", "p@ss:w0rd"}}});
  EXPECT_EQ(blocking_peer(b.host(), b.port()).connect(connect_packet("a1", true, "alice", "wonderland")),
            connack_accepted);
  EXPECT_EQ(blocking_peer(b.host(), b.port()).connect(connect_packet("b1", true, "bob", "p@ss:w0rd")),
            connack_accepted);
  EXPECT_EQ(blocking_peer(b.host(), b.port()).connect(connect_packet("a2", true, "alice", "wrong")),
            connack_not_authorized);
  EXPECT_EQ(blocking_peer(b.host(), b.port()).connect(connect_packet("anon")), connack_not_authorized);

  // Users can change while the broker runs.
  b.set_users({{"carol", "new"}});
  std::this_thread::sleep_for(300ms);  // SIGHUP is asynchronous; mosquitto re-reads in its loop
  EXPECT_EQ(blocking_peer(b.host(), b.port()).connect(connect_packet("c1", true, "carol", "new")), connack_accepted);
}

bytes publish_packet(const std::string& topic, const std::string& payload) {
  bytes p = {0x30, static_cast<std::uint8_t>(2 + topic.size() + payload.size()), 0x00,
             static_cast<std::uint8_t>(topic.size())};
  p.insert(p.end(), topic.begin(), topic.end());
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

TEST(harness_broker, acl_file_limits_what_a_user_reads) {
  broker b({.users = {{"alice", "pw"}}, .acl = "user alice\ntopic read allowed/#\ntopic write #\n"});
  blocking_peer peer(b.host(), b.port());
  ASSERT_EQ(peer.connect(connect_packet("acl-1", true, "alice", "pw")), connack_accepted);
  peer.send(subscribe_packet("#", 0));
  EXPECT_EQ(peer.receive(5), (bytes{0x90, 0x03, 0x00, 0x01, 0x00}));
  peer.send(publish_packet("secret/x", "s"));
  peer.send(publish_packet("allowed/x", "a"));
  peer.send({0xc0, 0x00});  // PINGREQ: its PINGRESP comes after anything delivered before it
  auto expected = publish_packet("allowed/x", "a");
  expected.insert(expected.end(), {0xd0, 0x00});
  EXPECT_EQ(peer.receive(expected.size()), expected) << "secret/x must not be delivered";
}

TEST(harness_broker, reference_clients_run_against_it) {
  broker b;
  const auto port = std::to_string(b.port());
  const auto pub = run({"mosquitto_pub", "-h", b.host(), "-p", port, "-t", "harness/retained", "-m", "hello", "-r"}, 10s);
  ASSERT_TRUE(pub.status.success()) << pub.describe();
  const auto sub = run({"mosquitto_sub", "-h", b.host(), "-p", port, "-t", "harness/retained", "-C", "1", "-W", "5"}, 10s);
  ASSERT_TRUE(sub.status.success()) << sub.describe();
  EXPECT_EQ(sub.out, "hello\n");
}

TEST(harness_broker, tls_listener_works_with_mosquitto_clients) {
  broker b({.tls = true, .require_certificate = true});
  const auto& c = broker::certs();
  const auto port = std::to_string(b.port(listener::tls));
  const auto ok = run({"mosquitto_pub", "-h", "localhost", "-p", port, "--cafile", c.ca.cert.string(), "--cert",
                       c.client.cert.string(), "--key", c.client.key.string(), "-t", "t", "-m", "x"},
                      10s);
  EXPECT_TRUE(ok.status.success()) << ok.describe();
  const auto refused = run({"mosquitto_pub", "-h", "localhost", "-p", port, "--cafile", c.ca.cert.string(), "-t",
                            "t", "-m", "x"},
                           10s);
  EXPECT_FALSE(refused.status.success()) << refused.describe();
}

TEST(harness_broker, free_port_is_bindable) {
  const auto p = free_port();
  EXPECT_GT(p, 0);
  EXPECT_FALSE(wait_for_port("127.0.0.1", p, 50ms));
}

}  // namespace
}  // namespace mqtk::test
