// mqtk::net::transport against a real mosquitto over tcp, tls, ws and wss: hand-encoded MQTT
// 3.1.1 CONNECT out, CONNACK in; and every way a connect can fail, each with its own error.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "mqtk/client/failure_details.hpp"
#include "mqtk/net/net_error.hpp"
#include "mqtk/net/socks5_error.hpp"
#include "mqtk/net/tls_context.hpp"
#include "mqtk/net/transport.hpp"
#include "support/broker.hpp"
#include "support/socks_proxy.hpp"

namespace mqtk::net {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;
using test::broker;
using test::broker_options;
using test::listener;

// MQTT 3.1.1 CONNECT: clean session, keepalive 60, empty client id (the broker assigns one).
const bytes connect_311 = {0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00};
const bytes connack_ok = {0x20, 0x02, 0x00, 0x00};

// SUBSCRIBE packet id 1 to `filter` at QoS 1.
bytes make_subscribe(const std::string& filter) {
  bytes p = {0x82, static_cast<std::uint8_t>(2 + 2 + filter.size() + 1), 0x00, 0x01,
             static_cast<std::uint8_t>(filter.size() >> 8), static_cast<std::uint8_t>(filter.size() & 0xff)};
  p.insert(p.end(), filter.begin(), filter.end());
  p.push_back(0x01);
  return p;
}

// Drives one transport synchronously: each call runs the io_context until its operation
// completes, always bounded.
class raw_client {
 public:
  error_code connect(const connection_target& target, connect_options options = {}) {
    std::optional<error_code> result;
    transport_.async_connect(target, std::move(options), [&](error_code ec) { result = ec; });
    run_until([&] { return result.has_value(); }, 30s);
    return result.value_or(asio::error::timed_out);
  }

  error_code write(const bytes& data) {
    std::optional<error_code> result;
    transport_.async_write(asio::buffer(data), [&](error_code ec, std::size_t) { result = ec; });
    run_until([&] { return result.has_value(); }, 10s);
    return result.value_or(asio::error::timed_out);
  }

  // Reads until `n` bytes arrived, the connection failed, or `limit` passed.
  bytes read(std::size_t n, error_code& ec, std::chrono::milliseconds limit = 5000ms) {
    bytes got;
    std::array<std::uint8_t, 512> buf{};
    const auto deadline = std::chrono::steady_clock::now() + limit;
    ec = {};
    while (got.size() < n && !ec) {
      std::optional<error_code> result;
      std::size_t count = 0;
      transport_.async_read_some(asio::buffer(buf), [&](error_code e, std::size_t k) {
        result = e;
        count = k;
      });
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (!run_until([&] { return result.has_value(); }, std::max(left, 1ms))) {
        transport_.close();  // completes the read with operation_aborted
        run_until([&] { return result.has_value(); }, 5s);
        ec = asio::error::timed_out;
        break;
      }
      ec = *result;
      got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(count));
    }
    return got;
  }

  bytes read(std::size_t n) {
    error_code ec;
    auto got = read(n, ec);
    EXPECT_FALSE(ec) << ec.message();
    return got;
  }

  error_code shutdown() {
    std::optional<error_code> result;
    transport_.async_shutdown(2s, [&](error_code ec) { result = ec; });
    run_until([&] { return result.has_value(); }, 10s);
    return result.value_or(asio::error::timed_out);
  }

  transport& t() { return transport_; }
  asio::io_context& io() { return io_; }

 private:
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    io_.restart();
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      io_.run_one_for(deadline - now);
    }
    return true;
  }

  asio::io_context io_;
  transport transport_{io_.get_executor()};
};

connection_target target_of(const broker& b, listener l, const std::string& host = {}) {
  auto parsed = parse_url(b.url(l));
  EXPECT_TRUE(parsed.has_value()) << b.url(l);
  auto t = *parsed;
  if (!host.empty()) t.host = host;
  return t;
}

connect_options trusting_test_ca() {
  connect_options o;
  o.tls.cafile = broker::certs().ca.cert.string();
  return o;
}

// Connects, sends CONNECT, expects CONNACK accepted.
void expect_mqtt_session(raw_client& c, const connection_target& t, const connect_options& o) {
  const auto ec = c.connect(t, o);
  ASSERT_FALSE(ec) << ec.message() << " — " << client::connect_failure_words(c.t().last_failure());
  ASSERT_TRUE(c.t().is_open());
  ASSERT_FALSE(c.write(connect_311));
  EXPECT_EQ(c.read(4), connack_ok);
}

// ---- each transport, the happy path ---------------------------------------------------------

TEST(net_transport, tcp_connect_connack) {
  broker b;
  raw_client c;
  bool resolved = false;
  std::optional<tcp_connected_event> connected;
  connect_options o;
  o.observer.on_resolved = [&](const resolved_event& e) { resolved = !e.endpoints.empty(); };
  o.observer.on_tcp_connected = [&](const tcp_connected_event& e) { connected = e; };
  expect_mqtt_session(c, target_of(b, listener::tcp), o);
  EXPECT_TRUE(resolved);
  ASSERT_TRUE(connected.has_value());
  EXPECT_EQ(connected->remote.port(), b.port(listener::tcp));
  EXPECT_EQ(c.t().remote_endpoint().port(), b.port(listener::tcp));
  EXPECT_EQ(c.t().kind(), scheme::mqtt);
  EXPECT_TRUE(c.t().tls_info().version.empty());
  EXPECT_FALSE(c.shutdown());
  EXPECT_FALSE(c.t().is_open());
}

TEST(net_transport, tls_connect_connack_and_session_info) {
  broker b({.tls = true});
  raw_client c;
  std::optional<std::string> tls_version;
  auto o = trusting_test_ca();
  o.observer.on_tls_done = [&](const tls_done_event& e) { tls_version = e.info.version; };
  expect_mqtt_session(c, target_of(b, listener::tls), o);
  ASSERT_TRUE(tls_version.has_value());
  const auto& info = c.t().tls_info();
  EXPECT_EQ(info.version, *tls_version);
  EXPECT_TRUE(info.version == "TLSv1.3" || info.version == "TLSv1.2") << info.version;
  EXPECT_FALSE(info.cipher.empty());
  EXPECT_TRUE(info.hostname_checked);
  EXPECT_TRUE(info.sni.empty()) << "no SNI for an IP literal";
  EXPECT_EQ(info.verify_result, 0);
  ASSERT_FALSE(info.peer_chain.empty());
  EXPECT_NE(info.peer_chain.front().subject.find("CN=localhost"), std::string::npos) << info.peer_chain.front().subject;
  EXPECT_NE(info.peer_chain.front().issuer.find("mqtk test CA"), std::string::npos);
  EXPECT_FALSE(info.peer_chain.front().not_after.empty());
  EXPECT_NE(std::find(info.peer_chain.front().subject_alt_names.begin(), info.peer_chain.front().subject_alt_names.end(),
                      "IP:127.0.0.1"),
            info.peer_chain.front().subject_alt_names.end());
  EXPECT_FALSE(c.shutdown());
}

TEST(net_transport, tls_by_host_name_sends_sni_and_checks_the_name) {
  broker b({.tls = true});
  raw_client c;
  expect_mqtt_session(c, target_of(b, listener::tls, "localhost"), trusting_test_ca());
  EXPECT_EQ(c.t().tls_info().sni, "localhost");
}

TEST(net_transport, ws_connect_connack) {
  broker b({.ws = true});
  raw_client c;
  std::string subprotocol;
  int status = 0;
  connect_options o;
  o.observer.on_websocket_upgraded = [&](const websocket_upgraded_event& e) {
    subprotocol = e.subprotocol;
    status = e.http_status;
  };
  expect_mqtt_session(c, target_of(b, listener::ws), o);
  EXPECT_EQ(subprotocol, "mqtt");
  EXPECT_EQ(status, 101);
  EXPECT_EQ(c.t().kind(), scheme::ws);
  EXPECT_FALSE(c.shutdown());
}

TEST(net_transport, wss_connect_connack_with_phases_in_order) {
  broker b({.wss = true});
  raw_client c;
  std::vector<std::pair<std::string, connect_clock::time_point>> phases;
  auto o = trusting_test_ca();
  o.observer.on_resolved = [&](const resolved_event& e) { phases.emplace_back("resolved", e.at); };
  o.observer.on_tcp_connected = [&](const tcp_connected_event& e) { phases.emplace_back("tcp", e.at); };
  o.observer.on_tls_done = [&](const tls_done_event& e) { phases.emplace_back("tls", e.at); };
  o.observer.on_websocket_upgraded = [&](const websocket_upgraded_event& e) { phases.emplace_back("ws", e.at); };
  const auto before = connect_clock::now();
  expect_mqtt_session(c, target_of(b, listener::wss), o);
  ASSERT_EQ(phases.size(), 4u);
  EXPECT_EQ(phases[0].first, "resolved");
  EXPECT_EQ(phases[1].first, "tcp");
  EXPECT_EQ(phases[2].first, "tls");
  EXPECT_EQ(phases[3].first, "ws");
  EXPECT_LE(before, phases[0].second);
  for (std::size_t i = 1; i < phases.size(); ++i) EXPECT_LE(phases[i - 1].second, phases[i].second);
  EXPECT_FALSE(c.t().tls_info().version.empty());
  EXPECT_FALSE(c.shutdown());
}

// A packet split over two WebSocket messages, and several packets in one message.
TEST(net_transport, websocket_is_a_byte_stream_across_messages) {
  broker b({.ws = true});
  raw_client c;
  ASSERT_FALSE(c.connect(target_of(b, listener::ws)));
  ASSERT_FALSE(c.write(bytes(connect_311.begin(), connect_311.begin() + 5)));
  ASSERT_FALSE(c.write(bytes(connect_311.begin() + 5, connect_311.end())));
  EXPECT_EQ(c.read(4), connack_ok);
  auto both = make_subscribe("a/#");
  both.insert(both.end(), {0xc0, 0x00});  // PINGREQ
  ASSERT_FALSE(c.write(both));
  // SUBACK (packet id 1, granted QoS 1) then PINGRESP.
  EXPECT_EQ(c.read(7), (bytes{0x90, 0x03, 0x00, 0x01, 0x01, 0xd0, 0x00}));
}

TEST(net_transport, shared_tls_context_serves_many_connections) {
  broker b({.tls = true});
  connect_failure failure;
  auto ctx = make_tls_context({.cafile = broker::certs().ca.cert.string()}, &failure);
  ASSERT_TRUE(ctx) << client::connect_failure_words(failure);
  for (int i = 0; i < 3; ++i) {
    raw_client c;
    connect_options o;
    o.shared_tls = ctx;
    expect_mqtt_session(c, target_of(b, listener::tls), o);
  }
}

TEST(net_transport, reconnect_on_the_same_transport) {
  broker b({.tcp = true, .tls = true});
  raw_client c;
  expect_mqtt_session(c, target_of(b, listener::tcp), {});
  c.t().close();
  EXPECT_FALSE(c.t().is_open());
  expect_mqtt_session(c, target_of(b, listener::tls), trusting_test_ca());
  EXPECT_EQ(c.t().kind(), scheme::mqtts);
}

// Reconnecting while a read is still pending on the old TLS stream: the read ends with
// operation_aborted and the new connection works (the old stream lives until then).
TEST(net_transport, reconnect_while_a_read_is_pending) {
  broker b({.tls = true, .wss = true});
  raw_client c;
  ASSERT_FALSE(c.connect(target_of(b, listener::tls), trusting_test_ca()));
  std::array<std::uint8_t, 64> buf{};
  std::optional<error_code> pending;
  c.t().async_read_some(asio::buffer(buf), [&](error_code ec, std::size_t) { pending = ec; });
  expect_mqtt_session(c, target_of(b, listener::wss), trusting_test_ca());
  c.io().run_for(100ms);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, asio::error::operation_aborted);
}

// ---- mutual TLS -----------------------------------------------------------------------------

TEST(net_transport, mtls_accepts_a_client_certificate_from_the_ca) {
  broker b({.tls = true, .wss = true, .require_certificate = true});
  auto o = trusting_test_ca();
  o.tls.certfile = broker::certs().client.cert.string();
  o.tls.keyfile = broker::certs().client.key.string();
  raw_client c;
  expect_mqtt_session(c, target_of(b, listener::tls), o);
  raw_client w;
  expect_mqtt_session(w, target_of(b, listener::wss), o);
}

// Without a (valid) client certificate the broker refuses: during the handshake with TLS 1.2,
// or, with TLS 1.3, by an alert the client sees on its first read.
void expect_mtls_refused(const connect_options& o) {
  broker b({.tls = true, .require_certificate = true});
  raw_client c;
  const auto ec = c.connect(target_of(b, listener::tls), o);
  if (ec) {
    EXPECT_EQ(ec, net_error::tls_handshake_failed) << client::connect_failure_words(c.t().last_failure());
    EXPECT_EQ(classify(ec), failure_class::tls);
    return;
  }
  c.write(connect_311);  // may already fail
  error_code read_ec;
  const auto got = c.read(4, read_ec);
  EXPECT_TRUE(read_ec) << "the broker answered without a client certificate";
  EXPECT_NE(got, connack_ok);
  EXPECT_TRUE(classify(read_ec) == failure_class::tls || classify(read_ec) == failure_class::connection_lost)
      << read_ec.message();
}

TEST(net_transport, mtls_refuses_without_a_client_certificate) { expect_mtls_refused(trusting_test_ca()); }

TEST(net_transport, mtls_refuses_a_client_certificate_from_another_ca) {
  auto o = trusting_test_ca();
  o.tls.certfile = broker::certs().unknown_ca_client.cert.string();
  o.tls.keyfile = broker::certs().unknown_ca_client.key.string();
  expect_mtls_refused(o);
}

TEST(net_transport, mtls_refused_under_tls12_fails_in_the_handshake) {
  auto o = trusting_test_ca();
  broker b({.tls = true, .require_certificate = true});
  // Force TLS 1.2 by capping the version on a private context.
  connect_failure failure;
  auto ctx = make_tls_context(o.tls, &failure);
  ASSERT_TRUE(ctx) << client::connect_failure_words(failure);
  SSL_CTX_set_max_proto_version(static_cast<SSL_CTX*>(ctx->native_handle()), TLS1_2_VERSION);
  o.shared_tls = ctx;
  raw_client c;
  const auto ec = c.connect(target_of(b, listener::tls), o);
  EXPECT_EQ(ec, net_error::tls_handshake_failed);
  EXPECT_EQ(c.t().last_failure().phase, connect_phase::tls_handshake);
  EXPECT_FALSE(c.t().last_failure().openssl_error.empty());
  EXPECT_EQ(c.t().last_failure().verify_result, 0) << "the server's certificate was fine";
}

// ---- certificate failures, each with its own verdict ----------------------------------------

struct verify_case {
  test::server_cert cert;
  net_error expected;
  const char* verify_error;
};

connect_failure expect_tls_failure(const verify_case& vc, const std::string& host = {}) {
  broker b({.tls = true, .wss = true, .cert = vc.cert});
  connect_failure first;
  for (auto l : {listener::tls, listener::wss}) {
    raw_client c;
    const auto ec = c.connect(target_of(b, l, host), trusting_test_ca());
    const auto& f = c.t().last_failure();
    EXPECT_EQ(ec, vc.expected) << to_string(l) << ": " << ec.message() << " — " << client::connect_failure_words(f);
    EXPECT_EQ(classify(ec), failure_class::tls);
    EXPECT_EQ(f.phase, connect_phase::tls_handshake);
    EXPECT_EQ(f.verify_error, vc.verify_error);
    EXPECT_NE(client::connect_failure_words(f).find(vc.verify_error), std::string::npos) << client::connect_failure_words(f);
    EXPECT_FALSE(f.tls.peer_chain.empty()) << "the chain is kept for diagnostics";
    EXPECT_FALSE(c.t().is_open());
    if (l == listener::tls) first = f;
  }
  return first;
}

TEST(net_transport, tls_unknown_ca_fails_verification) {
  const auto f = expect_tls_failure({test::server_cert::unknown_ca, net_error::tls_verify_failed,
                                     "unable to get local issuer certificate"});
  EXPECT_EQ(f.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_NE(f.tls.peer_chain.front().issuer.find("mqtk untrusted CA"), std::string::npos);
}

TEST(net_transport, tls_expired_certificate_fails_verification) {
  const auto f = expect_tls_failure({test::server_cert::expired, net_error::tls_verify_failed, "certificate has expired"});
  EXPECT_EQ(f.verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(f.verify_depth, 0);
}

TEST(net_transport, tls_wrong_host_fails_hostname_check) {
  const auto by_name =
      expect_tls_failure({test::server_cert::wrong_host, net_error::tls_hostname_mismatch, "hostname mismatch"},
                         "localhost");
  EXPECT_EQ(by_name.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
  // By IP address the check is against the IP SANs, with OpenSSL's own wording.
  const auto by_ip = expect_tls_failure(
      {test::server_cert::wrong_host, net_error::tls_hostname_mismatch, "IP address mismatch"});
  EXPECT_EQ(by_ip.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST(net_transport, tls_verify_errors_are_distinct) {
  EXPECT_NE(X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED),
            X509_verify_cert_error_string(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY));
  EXPECT_NE(make_error_code(net_error::tls_verify_failed), make_error_code(net_error::tls_hostname_mismatch));
}

TEST(net_transport, insecure_skips_only_the_hostname_check) {
  broker b({.tls = true, .wss = true, .cert = test::server_cert::wrong_host});
  auto o = trusting_test_ca();
  o.tls.verify = tls_verify::no_hostname;
  raw_client c;
  expect_mqtt_session(c, target_of(b, listener::tls, "localhost"), o);
  EXPECT_FALSE(c.t().tls_info().hostname_checked);
  raw_client w;
  expect_mqtt_session(w, target_of(b, listener::wss, "localhost"), o);

  // An untrusted chain still fails in insecure mode, as with mosquitto's --insecure.
  broker u({.tls = true, .cert = test::server_cert::unknown_ca});
  raw_client x;
  EXPECT_EQ(x.connect(target_of(u, listener::tls), o), net_error::tls_verify_failed);
}

TEST(net_transport, verify_none_accepts_anything_but_reports_the_verdict) {
  broker b({.tls = true, .cert = test::server_cert::expired});
  auto o = trusting_test_ca();
  o.tls.verify = tls_verify::none;
  raw_client c;
  expect_mqtt_session(c, target_of(b, listener::tls), o);
  EXPECT_EQ(c.t().tls_info().verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(c.t().tls_info().verify_error, "certificate has expired");
}

TEST(net_transport, system_trust_store_does_not_know_the_test_ca) {
  broker b({.tls = true});
  raw_client c;
  const auto ec = c.connect(target_of(b, listener::tls), {});
  EXPECT_EQ(ec, net_error::tls_verify_failed);
  // The broker sends its CA along (OpenSSL completes server chains from the cafile), so the
  // verdict is about a self-signed root nobody trusts.
  const auto v = c.t().last_failure().verify_result;
  EXPECT_TRUE(v == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN || v == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
      << c.t().last_failure().verify_error;
}

TEST(net_transport, bad_tls_files_are_a_setup_error) {
  raw_client c;
  connect_options o;
  o.tls.cafile = "/nonexistent/ca.pem";
  const auto ec = c.connect({.scheme = scheme::mqtts, .host = "127.0.0.1", .port = test::free_port()}, o);
  EXPECT_EQ(ec, net_error::tls_setup_failed);
  EXPECT_NE(client::connect_failure_words(c.t().last_failure()).find("/nonexistent/ca.pem"), std::string::npos)
      << client::connect_failure_words(c.t().last_failure());

  connect_options k = trusting_test_ca();
  k.tls.certfile = broker::certs().client.cert.string();
  k.tls.keyfile = broker::certs().server.key.string();  // not the client's key
  EXPECT_EQ(c.connect({.scheme = scheme::mqtts, .host = "127.0.0.1", .port = 1}, k), net_error::tls_setup_failed);
  const auto key_message = client::connect_failure_words(c.t().last_failure());
  EXPECT_NE(key_message.find("mismatch"), std::string::npos) << key_message;
}

// ---- unreachable, refused, timeouts -----------------------------------------------------------

TEST(net_transport, closed_port_is_connect_refused) {
  const auto port = test::free_port();
  raw_client c;
  const auto ec = c.connect({.scheme = scheme::mqtt, .host = "127.0.0.1", .port = port});
  EXPECT_EQ(ec, net_error::connect_refused);
  EXPECT_EQ(classify(ec), failure_class::unreachable);
  const auto& f = c.t().last_failure();
  EXPECT_EQ(f.phase, connect_phase::tcp_connect);
  EXPECT_EQ(f.address, "127.0.0.1:" + std::to_string(port));
  EXPECT_NE(client::connect_failure_words(f).find("refused"), std::string::npos) << client::connect_failure_words(f);
  EXPECT_FALSE(c.t().is_open());
}

TEST(net_transport, unknown_host_is_dns_failed) {
  raw_client c;
  const auto ec = c.connect({.scheme = scheme::mqtt, .host = "no-such-host.invalid", .port = 1883});
  EXPECT_EQ(ec, net_error::dns_failed);
  EXPECT_EQ(c.t().last_failure().phase, connect_phase::resolve);
  EXPECT_EQ(classify(ec), failure_class::unreachable);
}

// Every address is tried in turn: a refused ::1 first, then 127.0.0.1 where the broker is.
TEST(net_transport, tries_each_address_in_turn) {
  broker b;  // 127.0.0.1 only
  const auto closed = test::free_port(test::loopback::v6);
  connect_options o;
  o.endpoints = {{asio::ip::make_address("::1"), closed}, {asio::ip::make_address("127.0.0.1"), b.port()}};
  std::vector<std::pair<asio::ip::tcp::endpoint, error_code>> failed;
  o.observer.on_tcp_attempt_failed = [&](const tcp_attempt_failed_event& e) { failed.emplace_back(e.endpoint, e.error); };
  raw_client c;
  expect_mqtt_session(c, {.scheme = scheme::mqtt, .host = "localhost", .port = b.port()}, o);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_TRUE(failed[0].first.address().is_v6());
  EXPECT_EQ(failed[0].second, asio::error::connection_refused);
  EXPECT_TRUE(c.t().remote_endpoint().address().is_v4());

  // And when every address refuses, all are listed.
  const auto closed4 = test::free_port();
  o.endpoints = {{asio::ip::make_address("::1"), closed}, {asio::ip::make_address("127.0.0.1"), closed4}};
  raw_client d;
  EXPECT_EQ(d.connect({.scheme = scheme::mqtt, .host = "localhost", .port = closed4}, o), net_error::connect_refused);
  EXPECT_EQ(d.t().last_failure().attempts.size(), 2u);
}

TEST(net_transport, localhost_reaches_a_broker_on_either_loopback_address) {
  // Whatever "localhost" resolves to here (127.0.0.1, ::1 or both), one of the addresses works.
  broker b({.address = test::loopback::both});
  std::vector<asio::ip::tcp::endpoint> resolved;
  connect_options o;
  o.observer.on_resolved = [&](const resolved_event& e) { resolved = e.endpoints; };
  raw_client c;
  expect_mqtt_session(c, {.scheme = scheme::mqtt, .host = "localhost", .port = b.port()}, o);
  ASSERT_FALSE(resolved.empty());
  for (const auto& ep : resolved) EXPECT_TRUE(ep.address().is_loopback()) << ep;

  broker v6({.address = test::loopback::v6});
  raw_client d;
  expect_mqtt_session(d, {.scheme = scheme::mqtt, .host = "::1", .port = v6.port()}, {});
  EXPECT_TRUE(d.t().remote_endpoint().address().is_v6());
  EXPECT_EQ(to_string(target_of(v6, listener::tcp)), "mqtt://[::1]:" + std::to_string(v6.port()));
}

TEST(net_transport, family_filter_and_bind_address) {
  broker b({.address = test::loopback::both});
  connect_options o;
  o.family = ip_family::v6;
  raw_client c;
  expect_mqtt_session(c, {.scheme = scheme::mqtt, .host = "::1", .port = b.port()}, o);
  EXPECT_TRUE(c.t().remote_endpoint().address().is_v6());

  connect_options bind;
  bind.bind_address = "127.0.0.1";
  raw_client d;
  expect_mqtt_session(d, {.scheme = scheme::mqtt, .host = "127.0.0.1", .port = b.port()}, bind);
  EXPECT_EQ(d.t().local_endpoint().address().to_string(), "127.0.0.1");

  connect_options v4only;
  v4only.family = ip_family::v4;
  raw_client e;
  EXPECT_EQ(e.connect({.scheme = scheme::mqtt, .host = "::1", .port = b.port()}, v4only), net_error::dns_failed);
}

// A listener that completes the TCP handshake (the kernel does) and then never says a word.
class silent_server {
 public:
  silent_server() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {}
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
};

TEST(net_transport, silent_tls_server_is_a_handshake_timeout) {
  silent_server s;
  auto o = trusting_test_ca();
  o.connect_timeout = 300ms;
  raw_client c;
  const auto start = std::chrono::steady_clock::now();
  const auto ec = c.connect({.scheme = scheme::mqtts, .host = "127.0.0.1", .port = s.port()}, o);
  EXPECT_EQ(ec, net_error::tls_handshake_timeout);
  EXPECT_EQ(classify(ec), failure_class::tls);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(net_transport, silent_websocket_server_is_an_upgrade_timeout) {
  silent_server s;
  connect_options o;
  o.connect_timeout = 300ms;
  raw_client c;
  const auto ec = c.connect({.scheme = scheme::ws, .host = "127.0.0.1", .port = s.port()}, o);
  EXPECT_EQ(ec, net_error::websocket_timeout);
  EXPECT_EQ(c.t().last_failure().phase, connect_phase::websocket_upgrade);
}

TEST(net_transport, close_aborts_a_pending_connect) {
  silent_server s;
  raw_client c;
  std::optional<error_code> result;
  c.t().async_connect({.scheme = scheme::ws, .host = "127.0.0.1", .port = s.port()}, {},
                      [&](error_code ec) { result = ec; });
  std::optional<error_code> second;
  c.t().async_connect({.scheme = scheme::mqtt, .host = "127.0.0.1", .port = s.port()}, {},
                      [&](error_code ec) { second = ec; });
  asio::steady_timer later(c.io(), 100ms);
  later.async_wait([&](error_code) { c.t().close(); });
  c.io().run_for(5s);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, asio::error::operation_aborted);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, asio::error::already_started);
}

TEST(net_transport, read_before_connect_is_not_connected) {
  raw_client c;
  error_code ec;
  c.read(1, ec);
  EXPECT_EQ(ec, net_error::not_connected);
}

// ---- WebSocket upgrade failures -----------------------------------------------------------------

TEST(net_transport, websocket_to_a_plain_mqtt_port_fails_cleanly) {
  broker b;
  raw_client c;
  // Debian's mosquitto answers an HTTP request on its MQTT port with "500"; another broker
  // might just close. Either way it is a WebSocket failure, reported as such, not a hang.
  const auto ec = c.connect({.scheme = scheme::ws, .host = b.host(), .port = b.port(listener::tcp)});
  const auto& f = c.t().last_failure();
  EXPECT_TRUE(ec == net_error::websocket_handshake_failed || ec == net_error::websocket_upgrade_rejected)
      << ec.message() << " — " << client::connect_failure_words(f);
  EXPECT_EQ(classify(ec), failure_class::websocket);
  EXPECT_EQ(f.phase, connect_phase::websocket_upgrade);
  if (ec == net_error::websocket_upgrade_rejected) {
    EXPECT_GE(f.http_status, 400);
  }
  EXPECT_FALSE(c.t().is_open());
}

// An HTTP server that refuses the upgrade with 401 and records the request it got.
TEST(net_transport, websocket_rejection_keeps_the_http_status_and_sends_headers) {
  asio::io_context server_io;
  asio::ip::tcp::acceptor acceptor(server_io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  std::string request;
  std::thread server([&] {
    asio::ip::tcp::socket s(server_io);
    error_code ec;
    acceptor.accept(s, ec);
    if (ec) return;
    asio::streambuf buf;
    asio::read_until(s, buf, "\r\n\r\n", ec);
    request.assign(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
    const std::string response =
        "HTTP/1.1 401 Unauthorized\r\nContent-Length: 13\r\nConnection: close\r\n\r\nbad token 123";
    asio::write(s, asio::buffer(response), ec);
    s.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  });
  connect_options o;
  o.websocket.headers = {{"Authorization", "Bearer abc.def"}};
  raw_client c;
  const auto ec = c.connect({.scheme = scheme::ws, .host = "127.0.0.1", .port = port, .path_or_topic = "/mqtt/ws"}, o);
  server.join();
  EXPECT_EQ(ec, net_error::websocket_upgrade_rejected);
  EXPECT_EQ(classify(ec), failure_class::websocket);
  const auto& f = c.t().last_failure();
  EXPECT_EQ(f.http_status, 401);
  EXPECT_EQ(f.http_reason, "Unauthorized");
  EXPECT_NE(client::connect_failure_words(f).find("HTTP 401"), std::string::npos) << client::connect_failure_words(f);
  EXPECT_NE(request.find("GET /mqtt/ws HTTP/1.1"), std::string::npos) << request;
  EXPECT_NE(request.find("Sec-WebSocket-Protocol: mqtt"), std::string::npos) << request;
  EXPECT_NE(request.find("Authorization: Bearer abc.def"), std::string::npos) << request;
  EXPECT_NE(request.find("Host: 127.0.0.1:" + std::to_string(port)), std::string::npos) << request;
}

// ---- the server going away ----------------------------------------------------------------------

TEST(net_transport, broker_stop_ends_reads_as_connection_lost) {
  for (auto l : {listener::tcp, listener::ws}) {
    broker b({.ws = true});
    raw_client c;
    expect_mqtt_session(c, target_of(b, l), {});
    b.kill();
    error_code ec;
    c.read(1, ec);
    EXPECT_EQ(classify(ec), failure_class::connection_lost) << to_string(l) << ": " << ec.message();
  }
}

// ---- a Unix socket, and a SOCKS5 proxy (microsocks) ---------------------------------------------

connect_options over_unix(const broker& b) {
  connect_options o;
  o.unix_socket = b.socket_path().string();
  return o;
}

TEST(net_transport, unix_socket_connect_connack) {
  broker b({.tcp = false, .unix_socket = true});
  raw_client c;
  auto o = over_unix(b);
  std::string connected_path;
  bool resolved = false;
  o.observer.on_unix_connected = [&](const unix_connected_event& e) { connected_path = e.path; };
  o.observer.on_resolved = [&](const resolved_event&) { resolved = true; };
  // The host and port are not used: there is no TCP listener at all.
  expect_mqtt_session(c, {.scheme = scheme::mqtt, .host = "localhost", .port = 1883}, o);
  EXPECT_EQ(connected_path, b.socket_path().string());
  EXPECT_FALSE(resolved);
  EXPECT_EQ(c.t().kind(), scheme::mqtt);
  EXPECT_EQ(c.t().remote_endpoint().port(), 0);
  EXPECT_FALSE(c.shutdown());
  EXPECT_FALSE(c.t().is_open());
}

TEST(net_transport, unix_socket_failures_name_the_path) {
  test::temp_dir dir("mqtk-net-unix");
  raw_client c;
  connect_options o;
  o.unix_socket = (dir / "missing.sock").string();
  auto ec = c.connect({.scheme = scheme::mqtt}, o);
  EXPECT_EQ(ec, net_error::connect_failed);
  EXPECT_EQ(classify(ec), failure_class::unreachable);
  const auto& f = c.t().last_failure();
  EXPECT_EQ(f.phase, connect_phase::unix_connect);
  EXPECT_EQ(f.unix_socket, o.unix_socket);
  EXPECT_NE(client::connect_failure_words(f).find(o.unix_socket), std::string::npos) << client::connect_failure_words(f);

  o.unix_socket = "/" + std::string(200, 'x');  // longer than sun_path
  EXPECT_EQ(c.connect({.scheme = scheme::mqtt}, o), net_error::invalid_target);
  EXPECT_EQ(c.t().last_failure().phase, connect_phase::unix_connect);

  o.unix_socket = (dir / "missing.sock").string();  // plain MQTT only
  EXPECT_EQ(c.connect({.scheme = scheme::mqtts}, o), net_error::invalid_target);
}

connect_options through(const test::socks_proxy& p, std::optional<std::string> username = {},
                        std::optional<std::string> password = {}) {
  connect_options o;
  o.proxy = socks5_proxy{.host = p.host(), .port = p.port(), .username = username, .password = password};
  return o;
}

TEST(net_transport, proxy_tcp_connect_connack) {
  broker b;
  test::socks_proxy p;
  raw_client c;
  auto o = through(p);
  std::optional<proxy_tunnel_event> tunnel;
  std::uint16_t tcp_peer = 0;
  o.observer.on_tcp_connected = [&](const tcp_connected_event& e) { tcp_peer = e.remote.port(); };
  o.observer.on_proxy_tunnel_open = [&](const proxy_tunnel_event& e) { tunnel = e; };
  expect_mqtt_session(c, target_of(b, listener::tcp), o);
  EXPECT_EQ(tcp_peer, p.port()) << "the TCP connection is to the proxy";
  EXPECT_EQ(c.t().remote_endpoint().port(), p.port());
  ASSERT_TRUE(tunnel);
  EXPECT_EQ(tunnel->proxy, "127.0.0.1:" + std::to_string(p.port()));
  EXPECT_EQ(tunnel->target, "127.0.0.1:" + std::to_string(b.port()));
  EXPECT_FALSE(c.shutdown());
}

TEST(net_transport, proxy_tls_checks_and_names_the_broker) {
  broker b({.tls = true});
  test::socks_proxy p({.username = "alice", .password = "pw"});
  raw_client c;
  auto o = through(p, "alice", "pw");
  o.tls.cafile = broker::certs().ca.cert.string();
  expect_mqtt_session(c, target_of(b, listener::tls, "localhost"), o);
  EXPECT_EQ(c.t().tls_info().sni, "localhost");
  EXPECT_TRUE(c.t().tls_info().hostname_checked);
  EXPECT_FALSE(c.shutdown());
}

TEST(net_transport, proxy_wss_connect_connack) {
  broker b({.wss = true});
  test::socks_proxy p;
  raw_client c;
  auto o = through(p);
  o.tls.cafile = broker::certs().ca.cert.string();
  expect_mqtt_session(c, target_of(b, listener::wss, "localhost"), o);
  EXPECT_EQ(c.t().kind(), scheme::wss);
  EXPECT_FALSE(c.shutdown());
}

TEST(net_transport, proxy_failures_are_distinct) {
  test::socks_proxy p({.username = "alice", .password = "pw"});
  const auto closed = test::free_port();
  raw_client c;

  auto ec = c.connect({.scheme = scheme::mqtt, .host = "127.0.0.1", .port = closed}, through(p, "alice", "pw"));
  EXPECT_EQ(ec, net_error::proxy_handshake_failed);
  EXPECT_EQ(classify(ec), failure_class::unreachable);
  EXPECT_EQ(c.t().last_failure().phase, connect_phase::proxy_handshake);
  EXPECT_EQ(c.t().last_failure().detail, socks5_error::connection_refused);
  EXPECT_EQ(c.t().last_failure().address, "127.0.0.1:" + std::to_string(closed));

  ec = c.connect({.scheme = scheme::mqtt, .host = "127.0.0.1", .port = closed}, through(p, "alice", "wrong"));
  EXPECT_EQ(ec, net_error::proxy_handshake_failed);
  EXPECT_EQ(c.t().last_failure().detail, socks5_error::authentication_failed);

  ec = c.connect({.scheme = scheme::mqtt, .host = "127.0.0.1", .port = closed}, through(p));
  EXPECT_EQ(c.t().last_failure().detail, socks5_error::no_acceptable_method);

  p.stop();
  ec = c.connect({.scheme = scheme::mqtt, .host = "127.0.0.1", .port = closed}, through(p, "alice", "pw"));
  EXPECT_EQ(ec, net_error::connect_refused);
  EXPECT_EQ(c.t().last_failure().phase, connect_phase::tcp_connect);
  EXPECT_EQ(c.t().last_failure().proxy, "127.0.0.1:" + std::to_string(p.port()));
  EXPECT_NE(client::connect_failure_words(c.t().last_failure()).find("cannot connect to proxy"), std::string::npos);
}

TEST(net_transport, silent_proxy_is_a_handshake_timeout) {
  silent_server s;
  connect_options o;
  o.proxy = socks5_proxy{.host = "127.0.0.1", .port = s.port()};
  o.connect_timeout = 300ms;
  raw_client c;
  const auto ec = c.connect({.scheme = scheme::mqtt, .host = "broker.example", .port = 1883}, o);
  EXPECT_EQ(ec, net_error::connect_timeout);
  EXPECT_EQ(classify(ec), failure_class::unreachable);
  EXPECT_EQ(c.t().last_failure().phase, connect_phase::proxy_handshake);
  EXPECT_EQ(client::connect_failure_words(c.t().last_failure()),
            "proxy 127.0.0.1:" + std::to_string(s.port()) + " did not finish the SOCKS5 handshake in time");
}

TEST(net_transport, proxy_that_is_not_socks_fails_in_the_handshake) {
  broker b;  // an MQTT port given as the proxy: it closes on the SOCKS5 greeting
  raw_client c;
  connect_options o;
  o.proxy = socks5_proxy{.host = b.host(), .port = b.port()};
  const auto ec = c.connect({.scheme = scheme::mqtt, .host = "127.0.0.1", .port = b.port()}, o);
  EXPECT_EQ(ec, net_error::proxy_handshake_failed);
  EXPECT_EQ(c.t().last_failure().phase, connect_phase::proxy_handshake);
  EXPECT_FALSE(c.t().is_open());
}

}  // namespace
}  // namespace mqtk::net
