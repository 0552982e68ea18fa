// The transport's connect failures, translated into diag's event (connect_failure_event_of) and
// put into words there: a Unix socket failure names the path, a proxy failure the proxy, and a
// SOCKS5 reply comes in RFC 1928's words with its code. The same sentences net::connect_failure
// built itself before the words moved to diag.
#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

#include "mqtk/client/failure_details.hpp"
#include "mqtk/net/connect_failure.hpp"
#include "mqtk/net/net_error.hpp"
#include "mqtk/net/socks5_error.hpp"

namespace mqtk::client {
namespace {

namespace asio = boost::asio;
using net::connect_failure;
using net::connect_phase;
using net::net_error;
using net::socks5_error;

connect_failure through_proxy(connect_phase phase, boost::system::error_code e, boost::system::error_code detail) {
  return connect_failure{.phase = phase,
                         .error = e,
                         .detail = detail,
                         .host = "example",
                         .address = "example:1883",
                         .proxy = "127.0.0.1:1080"};
}

std::string handshake_words(boost::system::error_code detail) {
  return connect_failure_words(through_proxy(connect_phase::proxy_handshake, net_error::proxy_handshake_failed, detail));
}

TEST(connect_failure_words, a_socks5_reply_names_proxy_broker_meaning_and_code) {
  EXPECT_EQ(handshake_words(socks5_error::connection_refused),
            "proxy 127.0.0.1:1080 could not reach broker example:1883: connection refused (SOCKS5 reply 0x05)");
  EXPECT_EQ(handshake_words(make_error_code(static_cast<socks5_error>(0x2a))),
            "proxy 127.0.0.1:1080 could not reach broker example:1883: unassigned reply code (SOCKS5 reply 0x2A)");
  const auto e = connect_failure_event_of(
      through_proxy(connect_phase::proxy_handshake, net_error::proxy_handshake_failed, socks5_error::ttl_expired));
  EXPECT_EQ(e.socks5_reply, std::optional<std::uint8_t>{0x06});
  EXPECT_EQ(e.proxy, diag::proxy_answer::reply_failure);
  EXPECT_EQ(e.proxy_address, "127.0.0.1:1080");
}

TEST(connect_failure_words, socks5_handshake_failures) {
  EXPECT_EQ(handshake_words(socks5_error::authentication_failed),
            "proxy 127.0.0.1:1080 refused the user name and password (SOCKS5 user/password authentication failed)");
  EXPECT_EQ(handshake_words(socks5_error::no_acceptable_method),
            "proxy 127.0.0.1:1080 accepts none of the offered authentication methods (SOCKS5 method reply 0xFF)");
  EXPECT_EQ(handshake_words(socks5_error::not_socks5),
            "SOCKS5 handshake with proxy 127.0.0.1:1080 failed: the reply is not SOCKS version 5");
  EXPECT_EQ(handshake_words(asio::error::eof), "proxy 127.0.0.1:1080 closed the connection during the SOCKS5 handshake");
  EXPECT_EQ(connect_failure_words(through_proxy(connect_phase::proxy_handshake, net_error::connect_timeout, {})),
            "proxy 127.0.0.1:1080 did not finish the SOCKS5 handshake in time");
}

TEST(connect_failure_words, reaching_the_proxy) {
  auto refused = through_proxy(connect_phase::tcp_connect, net_error::connect_refused, asio::error::connection_refused);
  refused.address = "127.0.0.1:1080";
  EXPECT_EQ(connect_failure_words(refused), "cannot connect to proxy 127.0.0.1:1080: " + refused.detail.message());
  auto unresolved = through_proxy(connect_phase::resolve, net_error::dns_failed, asio::error::host_not_found);
  unresolved.proxy = "proxy.invalid:1080";
  EXPECT_EQ(connect_failure_words(unresolved), "cannot resolve proxy proxy.invalid:1080: " + unresolved.detail.message());
}

TEST(connect_failure_words, a_unix_socket_failure_names_the_path) {
  const connect_failure f{.phase = connect_phase::unix_connect,
                          .error = net_error::connect_failed,
                          .detail = asio::error::make_error_code(asio::error::basic_errors::access_denied),
                          .host = "localhost",
                          .address = "/run/mosquitto.sock",
                          .unix_socket = "/run/mosquitto.sock"};
  EXPECT_EQ(connect_failure_words(f), "cannot connect to Unix socket /run/mosquitto.sock: " + f.detail.message());
}

// The TLS error says which check stopped the handshake (diag's tests hold the words).
TEST(connect_failure_event_of, the_tls_error_says_which_check_stopped_the_handshake) {
  connect_failure f{.phase = connect_phase::tls_handshake, .error = net_error::tls_hostname_mismatch};
  EXPECT_EQ(connect_failure_event_of(f).tls, diag::tls_stop::host_name_mismatch);
  f.error = net_error::tls_verify_failed;
  EXPECT_EQ(connect_failure_event_of(f).tls, diag::tls_stop::chain_not_trusted);
  f.error = net_error::tls_handshake_failed;
  EXPECT_EQ(connect_failure_event_of(f).tls, diag::tls_stop::handshake);
  EXPECT_EQ(connect_failure_event_of(f).error_words, "TLS handshake failed");
}

TEST(connect_failure_words, phase_names_for_traces) {
  EXPECT_STREQ(to_string(connect_phase::unix_connect), "unix_connect");
  EXPECT_STREQ(to_string(connect_phase::proxy_handshake), "proxy_handshake");
}

}  // namespace
}  // namespace mqtk::client
