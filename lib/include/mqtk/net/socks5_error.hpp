#pragma once
// Why a SOCKS5 handshake (RFC 1928, with RFC 1929 user name/password authentication) failed,
// as boost::system::error_code values in the "mqtk.socks5" category.
//
// Values 0x01-0xFF are the proxy's own CONNECT reply code (REP), so that the code a proxy sent
// survives as the error's value: 0x01-0x08 are the ones RFC 1928 names, 0x09-0xFF are
// unassigned and reported as such. Failures of the handshake itself start at 0x100.
#include <cstdint>
#include <optional>

#include <boost/system/error_code.hpp>

namespace mqtk::net {

enum class socks5_error {
  // CONNECT replies (RFC 1928 section 6): the proxy could not open the tunnel to the broker.
  general_failure = 0x01,            // "general SOCKS server failure" (often: the name did not resolve)
  not_allowed_by_ruleset = 0x02,     // the proxy's rules forbid this destination
  network_unreachable = 0x03,
  host_unreachable = 0x04,
  connection_refused = 0x05,         // nothing listens at the broker's port, seen from the proxy
  ttl_expired = 0x06,                // the proxy's connect timed out
  command_not_supported = 0x07,
  address_type_not_supported = 0x08,

  // The handshake itself.
  no_acceptable_method = 0x100,      // the proxy answered X'FF': it accepts none of the offered methods
  authentication_failed,             // RFC 1929 status other than 0: wrong user name or password
  not_socks5,                        // a reply whose version is not 5: not a SOCKS5 proxy
  unexpected_method,                 // the proxy chose an authentication method that was not offered
  malformed_reply,                   // unknown address type, or an authentication reply of another version
  host_too_long,                     // the broker's host name does not fit a request (over 255 bytes)
  invalid_credentials,               // user name not 1-255 bytes, or password over 255 bytes (RFC 1929)
};

const boost::system::error_category& socks5_category() noexcept;
inline boost::system::error_code make_error_code(socks5_error e) noexcept {
  return {static_cast<int>(e), socks5_category()};
}

// The CONNECT reply code (0x01-0xFF) an error carries, if it is one.
std::optional<std::uint8_t> socks5_reply_code(const boost::system::error_code& ec) noexcept;

}  // namespace mqtk::net

template <>
struct boost::system::is_error_code_enum<mqtk::net::socks5_error> : std::true_type {};
