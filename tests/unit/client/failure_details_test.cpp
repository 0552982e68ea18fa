#include "mqtk/client/failure_details.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

#include "mqtk/net/net_error.hpp"
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

}  // namespace
}  // namespace mqtk::client
