#pragma once
// A SOCKS5 proxy to reach the broker through (mosquitto's --proxy socks5h://...): the proxy
// resolves the broker's host name and opens the TCP connection; TLS and WebSocket then run
// end to end with the broker over that tunnel. parse_proxy_url() (url.hpp) builds one.
#include <cstdint>
#include <optional>
#include <string>

namespace mqtk::net {

inline constexpr std::uint16_t default_socks5_port = 1080;

struct socks5_proxy {
  std::string host;  // without brackets: "::1"
  std::uint16_t port = default_socks5_port;
  // With a user name, RFC 1929 user name/password authentication is offered to the proxy.
  std::optional<std::string> username;
  std::optional<std::string> password;  // never printed: to_string() masks it

  bool operator==(const socks5_proxy&) const = default;
};

}  // namespace mqtk::net
