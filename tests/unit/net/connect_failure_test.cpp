// The one-line messages of connect failures through a Unix socket and a SOCKS5 proxy: they name
// the socket path or the proxy, and the SOCKS5 reply in RFC 1928's words with its code.
#include "mqtk/net/connect_failure.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

#include "mqtk/net/net_error.hpp"
#include "mqtk/net/socks5_error.hpp"

namespace mqtk::net {
namespace {

namespace asio = boost::asio;

connect_failure through_proxy(connect_phase phase, net_error e, boost::system::error_code detail) {
  return connect_failure{.phase = phase,
                         .error = e,
                         .detail = detail,
                         .host = "example",
                         .address = "example:1883",
                         .proxy = "127.0.0.1:1080"};
}

TEST(connect_failure, socks5_reply_names_proxy_broker_meaning_and_code) {
  const auto f = through_proxy(connect_phase::proxy_handshake, net_error::proxy_handshake_failed,
                               socks5_error::connection_refused);
  EXPECT_EQ(f.message(),
            "proxy 127.0.0.1:1080 could not reach broker example:1883: connection refused (SOCKS5 reply 0x05)");
  const auto unassigned = through_proxy(connect_phase::proxy_handshake, net_error::proxy_handshake_failed,
                                        make_error_code(static_cast<socks5_error>(0x2a)));
  EXPECT_EQ(unassigned.message(),
            "proxy 127.0.0.1:1080 could not reach broker example:1883: unassigned reply code (SOCKS5 reply 0x2A)");
}

TEST(connect_failure, socks5_handshake_failures) {
  EXPECT_EQ(through_proxy(connect_phase::proxy_handshake, net_error::proxy_handshake_failed,
                          socks5_error::authentication_failed)
                .message(),
            "proxy 127.0.0.1:1080 refused the user name and password (SOCKS5 user/password authentication failed)");
  EXPECT_EQ(through_proxy(connect_phase::proxy_handshake, net_error::proxy_handshake_failed,
                          socks5_error::no_acceptable_method)
                .message(),
            "proxy 127.0.0.1:1080 accepts none of the offered authentication methods (SOCKS5 method reply 0xFF)");
  EXPECT_EQ(
      through_proxy(connect_phase::proxy_handshake, net_error::proxy_handshake_failed, socks5_error::not_socks5)
          .message(),
      "SOCKS5 handshake with proxy 127.0.0.1:1080 failed: the reply is not SOCKS version 5");
  EXPECT_EQ(through_proxy(connect_phase::proxy_handshake, net_error::proxy_handshake_failed, asio::error::eof)
                .message(),
            "proxy 127.0.0.1:1080 closed the connection during the SOCKS5 handshake");
  EXPECT_EQ(through_proxy(connect_phase::proxy_handshake, net_error::connect_timeout, {}).message(),
            "proxy 127.0.0.1:1080 did not finish the SOCKS5 handshake in time");
}

TEST(connect_failure, reaching_the_proxy) {
  auto refused = through_proxy(connect_phase::tcp_connect, net_error::connect_refused, asio::error::connection_refused);
  refused.address = "127.0.0.1:1080";
  EXPECT_EQ(refused.message(), "cannot connect to proxy 127.0.0.1:1080: " + refused.detail.message());
  auto unresolved = through_proxy(connect_phase::resolve, net_error::dns_failed, asio::error::host_not_found);
  unresolved.proxy = "proxy.invalid:1080";
  EXPECT_EQ(unresolved.message(), "cannot resolve proxy proxy.invalid:1080: " + unresolved.detail.message());
}

TEST(connect_failure, unix_socket_names_the_path) {
  const connect_failure f{.phase = connect_phase::unix_connect,
                          .error = net_error::connect_failed,
                          .detail = asio::error::make_error_code(asio::error::basic_errors::access_denied),
                          .host = "localhost",
                          .address = "/run/mosquitto.sock",
                          .unix_socket = "/run/mosquitto.sock"};
  EXPECT_EQ(f.message(), "cannot connect to Unix socket /run/mosquitto.sock: " + f.detail.message());
  EXPECT_STREQ(to_string(connect_phase::unix_connect), "unix_connect");
  EXPECT_STREQ(to_string(connect_phase::proxy_handshake), "proxy_handshake");
}

}  // namespace
}  // namespace mqtk::net
