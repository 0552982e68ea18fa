#include "mqtk/net/socks5_error.hpp"

#include <string>

namespace mqtk::net {

namespace {

class socks5_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mqtk.socks5"; }
  std::string message(int ev) const override {
    // RFC 1928's own words for the reply codes, so that they can be looked up.
    switch (static_cast<socks5_error>(ev)) {
      case socks5_error::general_failure: return "general SOCKS server failure";
      case socks5_error::not_allowed_by_ruleset: return "connection not allowed by ruleset";
      case socks5_error::network_unreachable: return "network unreachable";
      case socks5_error::host_unreachable: return "host unreachable";
      case socks5_error::connection_refused: return "connection refused";
      case socks5_error::ttl_expired: return "TTL expired";
      case socks5_error::command_not_supported: return "command not supported";
      case socks5_error::address_type_not_supported: return "address type not supported";
      case socks5_error::no_acceptable_method: return "no acceptable authentication method";
      case socks5_error::authentication_failed: return "user name/password authentication failed";
      case socks5_error::not_socks5: return "the reply is not SOCKS version 5";
      case socks5_error::unexpected_method: return "the proxy chose an authentication method that was not offered";
      case socks5_error::malformed_reply: return "malformed SOCKS5 reply";
      case socks5_error::host_too_long: return "host name longer than 255 bytes";
      case socks5_error::invalid_credentials:
        return "user name must be 1 to 255 bytes and password at most 255 bytes";
    }
    if (ev > 0 && ev <= 0xFF) return "unassigned reply code";
    return "unknown SOCKS5 error";
  }
};

}  // namespace

const boost::system::error_category& socks5_category() noexcept {
  static const socks5_category_impl instance;
  return instance;
}

std::optional<std::uint8_t> socks5_reply_code(const boost::system::error_code& ec) noexcept {
  if (ec.category() != socks5_category() || ec.value() <= 0 || ec.value() > 0xFF) return std::nullopt;
  return static_cast<std::uint8_t>(ec.value());
}

}  // namespace mqtk::net
