#include "mqtk/client/failure_details.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

#include "mqtk/net/net_error.hpp"
#include "mqtk/net/socks5_error.hpp"
#include "mqtk/proto/session_error.hpp"

namespace mqtk::client {
namespace {

using proto::packet_type;
using proto::protocol_version;
using proto::session_error;

failure_details of(boost::system::error_code ec, std::uint8_t reason = 0,
                   packet_type where = packet_type::connack, protocol_version v = protocol_version::v311) {
  return failure_details{.error = ec, .reason_code = proto::reason_code{reason}, .where = where, .version = v,
                         .message = {}, .subject = "127.0.0.1:1883", .connect = std::nullopt};
}

TEST(failure_details, exit_codes_follow_the_design_table) {
  EXPECT_EQ(of({}).exit_code(), 0);
  EXPECT_EQ(of(net::net_error::connect_refused).exit_code(), 69);
  EXPECT_EQ(of(net::net_error::dns_failed).exit_code(), 69);
  EXPECT_EQ(of(net::net_error::connect_timeout).exit_code(), 69);
  EXPECT_EQ(of(session_error::connack_timeout).exit_code(), 69);
  EXPECT_EQ(of(net::net_error::tls_verify_failed).exit_code(), 79);
  EXPECT_EQ(of(net::net_error::tls_hostname_mismatch).exit_code(), 79);
  EXPECT_EQ(of(net::net_error::websocket_upgrade_rejected).exit_code(), 80);
  EXPECT_EQ(of(boost::asio::error::eof).exit_code(), 75);
  EXPECT_EQ(of(boost::asio::error::connection_reset).exit_code(), 75);
  EXPECT_EQ(of(session_error::pingresp_timeout).exit_code(), 75);
  EXPECT_EQ(of(session_error::malformed_packet).exit_code(), 76);
  EXPECT_EQ(of(session_error::protocol_error).exit_code(), 76);
}

TEST(failure_details, broker_reason_codes_are_their_own_exit_codes) {
  EXPECT_EQ(of(session_error::connection_refused, 5).exit_code(), 5);
  EXPECT_EQ(of(session_error::connection_refused, 0x87, packet_type::connack, protocol_version::v5).exit_code(), 0x87);
  EXPECT_EQ(of(session_error::rejected, 0x97, packet_type::puback, protocol_version::v5).exit_code(), 0x97);
  EXPECT_EQ(of(session_error::server_disconnected, 0x8E, packet_type::disconnect, protocol_version::v5).exit_code(),
            0x8E);
  // A normal DISCONNECT from the broker is not a refusal: the connection was lost.
  EXPECT_FALSE(of(session_error::server_disconnected, 0, packet_type::disconnect, protocol_version::v5).broker_refused());
  EXPECT_EQ(of(session_error::server_disconnected, 0, packet_type::disconnect, protocol_version::v5).exit_code(), 75);
}

TEST(failure_details, lines_explain_refusals_and_local_failures) {
  EXPECT_NE(of(session_error::connection_refused, 5).line().find("not authorized"), std::string::npos);
  auto lost = of(session_error::pingresp_timeout);
  lost.message = "no PINGRESP within 1 s";
  EXPECT_NE(lost.line().find("no PINGRESP within 1 s"), std::string::npos) << lost.line();
  EXPECT_EQ(lost.to_failure().kind, diag::failure_kind::connection_lost);
  EXPECT_EQ(lost.to_failure().subject, "127.0.0.1:1883");
}

// A DISCONNECT without a failure code is a goodbye, not a silent drop: the advice must not say
// the broker gave no reason.
TEST(failure_details, a_normal_disconnect_from_the_broker_is_not_called_a_silent_drop) {
  auto bye = of(session_error::server_disconnected, 0, packet_type::disconnect, protocol_version::v5);
  bye.message = "the broker disconnected: Normal disconnection (reason code 0x00)";
  EXPECT_EQ(bye.line().find("without a reason"), std::string::npos) << bye.line();
  EXPECT_NE(bye.line().find("ended the session on purpose"), std::string::npos) << bye.line();
  EXPECT_EQ(bye.exit_code(), 75);
}

failure_details connect_failed(boost::system::error_code ec, net::connect_failure c) {
  auto f = of(ec);
  c.error = ec;
  f.connect = std::move(c);
  return f;
}

TEST(failure_details, proxy_failures_blame_the_proxy_and_say_what_to_try) {
  const auto refused_by_proxy =
      connect_failed(net::net_error::proxy_handshake_failed,
                     {.phase = net::connect_phase::proxy_handshake,
                      .detail = net::socks5_error::connection_refused,
                      .address = "127.0.0.1:1883",
                      .proxy = "127.0.0.1:1080"});
  EXPECT_EQ(refused_by_proxy.exit_code(), 69);
  EXPECT_EQ(refused_by_proxy.to_failure().kind, diag::failure_kind::unreachable);
  EXPECT_EQ(refused_by_proxy.line(),
            "cannot reach 127.0.0.1:1883: proxy 127.0.0.1:1080 could not reach broker 127.0.0.1:1883: connection "
            "refused (SOCKS5 reply 0x05) \u2014 the proxy resolves -h and connects to -p itself: check that the "
            "broker runs there and that the proxy's host can reach it (its DNS, its network, the broker's firewall)");

  const auto wrong_password = connect_failed(
      net::net_error::proxy_handshake_failed,
      {.phase = net::connect_phase::proxy_handshake, .detail = net::socks5_error::authentication_failed, .proxy = "p:1080"});
  EXPECT_EQ(wrong_password.exit_code(), 69);
  EXPECT_NE(wrong_password.line().find("--proxy socks5h://USER:PASS@"), std::string::npos) << wrong_password.line();

  // The proxy itself refused the TCP connection: not "connection to the broker refused".
  const auto proxy_down = connect_failed(
      net::net_error::connect_refused,
      {.phase = net::connect_phase::tcp_connect, .detail = boost::asio::error::connection_refused,
       .address = "127.0.0.1:1080", .proxy = "127.0.0.1:1080"});
  EXPECT_EQ(proxy_down.exit_code(), 69);
  EXPECT_EQ(proxy_down.to_failure().kind, diag::failure_kind::unreachable);
  EXPECT_EQ(proxy_down.line().rfind("cannot reach 127.0.0.1:1883: cannot connect to proxy 127.0.0.1:1080", 0), 0u)
      << proxy_down.line();
  EXPECT_NE(proxy_down.line().find("check --proxy"), std::string::npos) << proxy_down.line();

  // Past the tunnel, TLS failures are the broker's, with the usual advice.
  const auto tls = connect_failed(net::net_error::tls_verify_failed,
                                  {.phase = net::connect_phase::tls_handshake, .address = "b:8883", .proxy = "p:1080"});
  EXPECT_EQ(tls.exit_code(), 79);
  EXPECT_EQ(tls.to_failure().kind, diag::failure_kind::tls);
  EXPECT_TRUE(tls.to_failure().hint.empty());
}

TEST(failure_details, unix_socket_failures_point_at_the_path) {
  auto missing = connect_failed(net::net_error::connect_failed,
                                {.phase = net::connect_phase::unix_connect,
                                 .detail = boost::asio::error::make_error_code(boost::asio::error::not_found),
                                 .address = "/run/m.sock",
                                 .unix_socket = "/run/m.sock"});
  missing.subject = "unix:/run/m.sock";
  EXPECT_EQ(missing.exit_code(), 69);
  EXPECT_EQ(missing.line().rfind("cannot reach unix:/run/m.sock: cannot connect to Unix socket /run/m.sock", 0), 0u)
      << missing.line();
  EXPECT_NE(missing.line().find("check the --unix path"), std::string::npos) << missing.line();
  auto refused = connect_failed(net::net_error::connect_refused,
                                {.phase = net::connect_phase::unix_connect,
                                 .detail = boost::asio::error::connection_refused,
                                 .unix_socket = "/run/m.sock"});
  EXPECT_EQ(refused.exit_code(), 69);
  EXPECT_EQ(refused.to_failure().kind, diag::failure_kind::tcp_refused);
}

}  // namespace
}  // namespace mqtk::client

namespace mqtk::client {
namespace {

failure_details tls_failure(boost::system::error_code ec, long verify, net::certificate_info leaf, int depth = 0) {
  net::connect_failure c{.phase = net::connect_phase::tls_handshake, .host = "localhost", .address = "127.0.0.1:8883"};
  c.verify_result = verify;
  c.verify_depth = depth;
  c.tls.peer_chain.push_back(std::move(leaf));
  auto f = failure_details{.error = ec, .subject = "localhost:8883"};
  c.error = ec;
  f.connect = std::move(c);
  return f;
}

TEST(failure_details, certificate_problems_are_named_with_their_evidence) {
  const net::certificate_info leaf{.subject = "CN=localhost", .issuer = "CN=Other CA",
                                   .not_before = "2026-01-01T00:00:00Z", .not_after = "2026-02-01T00:00:00Z",
                                   .subject_alt_names = {"DNS:broker.lan", "IP:10.0.0.5"}};
  auto expired = tls_failure(net::net_error::tls_verify_failed, 10 /* X509_V_ERR_CERT_HAS_EXPIRED */, leaf);
  EXPECT_EQ(expired.exit_code(), 79);
  EXPECT_NE(expired.line().find("the broker's certificate (localhost) expired on 2026-02-01 00:00 UTC"),
            std::string::npos) << expired.line();
  auto future = tls_failure(net::net_error::tls_verify_failed, 9 /* X509_V_ERR_CERT_NOT_YET_VALID */, leaf);
  EXPECT_NE(future.line().find("not valid yet: valid from 2026-01-01 00:00 UTC"), std::string::npos) << future.line();
  EXPECT_NE(future.line().find("clock"), std::string::npos);
  auto unknown = tls_failure(net::net_error::tls_verify_failed, 20 /* UNABLE_TO_GET_ISSUER_CERT_LOCALLY */, leaf);
  EXPECT_NE(unknown.line().find("signed by a CA this client does not trust (issuer: Other CA)"), std::string::npos)
      << unknown.line();
  EXPECT_NE(unknown.line().find("--cafile"), std::string::npos);
  auto name = tls_failure(net::net_error::tls_hostname_mismatch, 62 /* X509_V_ERR_HOSTNAME_MISMATCH */, leaf);
  EXPECT_NE(name.line().find("valid for DNS:broker.lan, IP:10.0.0.5, not for 'localhost'"), std::string::npos)
      << name.line();
}

TEST(failure_details, handshake_failures_read_the_openssl_error) {
  auto f = tls_failure(net::net_error::tls_handshake_failed, 0, {});
  f.connect->tls.peer_chain.clear();
  f.connect->openssl_error = "wrong version number (SSL routines)";
  EXPECT_NE(f.line().find("not TLS"), std::string::npos) << f.line();
  f.connect->openssl_error = "tlsv1 alert protocol version (SSL routines)";
  EXPECT_NE(f.line().find("no TLS version in common"), std::string::npos) << f.line();
  f.connect->openssl_error = "tlsv13 alert certificate required (SSL routines)";
  EXPECT_NE(f.line().find("--cert and --key"), std::string::npos) << f.line();
  f.connect->openssl_error = "Connection reset by peer";
  f.connect->detail = boost::asio::error::connection_reset;
  EXPECT_NE(f.line().find("plain MQTT listener"), std::string::npos) << f.line();
}

TEST(failure_details, what_came_before_connack_names_the_protocol) {
  auto http = of(session_error::malformed_packet);
  http.before_connack = true;
  const std::string reply = "HTTP/1.1 400 Bad Request\r\n\r\n";
  http.peer_bytes.assign(reply.begin(), reply.end());
  EXPECT_EQ(http.exit_code(), 76);
  EXPECT_NE(http.line().find("with HTTP (HTTP/1.1 400 Bad Request)"), std::string::npos) << http.line();
  EXPECT_NE(http.line().find("ws://"), std::string::npos);

  auto reset = of(boost::asio::error::connection_reset);
  reset.before_connack = true;
  EXPECT_EQ(reset.exit_code(), 75);
  EXPECT_NE(reset.line().find("without a CONNACK"), std::string::npos) << reset.line();
  EXPECT_NE(reset.line().find("TLS listener"), std::string::npos) << reset.line();
  EXPECT_EQ(reset.line().find("same id"), std::string::npos) << reset.line();

  auto silent = of(session_error::connack_timeout);
  silent.before_connack = true;
  silent.message = "no CONNACK within 5 s";
  EXPECT_EQ(silent.exit_code(), 69);
  EXPECT_NE(silent.line().find("not an MQTT listener"), std::string::npos) << silent.line();
  EXPECT_EQ(silent.line().find("firewall"), std::string::npos) << silent.line();

  // After CONNACK a drop keeps the usual candidates.
  auto later = of(boost::asio::error::eof);
  EXPECT_NE(later.line().find("same id"), std::string::npos) << later.line();
}

TEST(failure_details, websocket_statuses) {
  net::connect_failure c{.phase = net::connect_phase::websocket_upgrade, .host = "h", .address = "127.0.0.1:80",
                         .http_status = 404};
  auto f = of(net::net_error::websocket_upgrade_rejected);
  c.error = f.error;
  f.connect = c;
  EXPECT_EQ(f.exit_code(), 80);
  EXPECT_NE(f.line().find("no WebSocket endpoint at this path"), std::string::npos) << f.line();
  f.connect->http_status = 0;
  f.error = net::net_error::websocket_handshake_failed;
  f.connect->detail = boost::asio::error::connection_reset;
  EXPECT_NE(f.line().find("without an HTTP answer"), std::string::npos) << f.line();
}

TEST(failure_details, ack_refusals_use_the_table) {
  auto f = of(session_error::rejected, 0x95, packet_type::puback, protocol_version::v5);
  EXPECT_EQ(f.exit_code(), 0x95);
  EXPECT_NE(f.line().find("packet too large (5.0 reason code 0x95)"), std::string::npos) << f.line();
}

}  // namespace
}  // namespace mqtk::client
