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
  return failure_details{.error = ec, .reason_code = reason, .where = where, .version = v,
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
