#pragma once
// Broker URLs as the tools accept them with -L:
//   mqtt://[user[:password]@]host[:port][/topic]      (port 1883; the path is the topic, as in
//   mqtts://...                                        mosquitto_pub -L; port 8883)
//   ws://[user[:password]@]host[:port][/http/path]     (port 80; the path is the HTTP target,
//   wss://...                                          "/mqtt" when absent; port 443)
// host may be a name, an IPv4 address or a bracketed IPv6 address ("[::1]"). The scheme is
// case-insensitive; tcp:// and ssl:// / tls:// (paho's spellings) are accepted as mqtt:// and
// mqtts://. user and password are percent-decoded; the topic and path are kept as written
// (mosquitto does not decode them, and '#' is a wildcard, not a fragment).
// And proxy URLs as --proxy takes them: socks5h://[user[:password]@]host[:port] (port 1080).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include "mqtk/net/socks5_proxy.hpp"

namespace mqtk::net {

enum class scheme : std::uint8_t { mqtt, mqtts, ws, wss };

std::string_view to_string(scheme s) noexcept;
constexpr bool is_tls(scheme s) noexcept { return s == scheme::mqtts || s == scheme::wss; }
constexpr bool is_websocket(scheme s) noexcept { return s == scheme::ws || s == scheme::wss; }
// 1883, 8883, 80, 443.
std::uint16_t default_port(scheme s) noexcept;
// The HTTP path a ws:// URL without one gets.
inline constexpr std::string_view default_websocket_path = "/mqtt";

// Where to connect and as whom: everything a URL (or -h/-p/-u/-P) says.
struct connection_target {
  net::scheme scheme = scheme::mqtt;
  std::string host = "localhost";  // without brackets: "::1"
  std::uint16_t port = 1883;
  std::optional<std::string> username;
  std::optional<std::string> password;
  // mqtt/mqtts: the topic (empty when the URL has none); ws/wss: the HTTP request target.
  std::string path_or_topic;

  bool operator==(const connection_target&) const = default;
};

// The URL again, password replaced by "****" (safe to print).
std::string to_string(const connection_target& t);
// "host:port", with brackets for IPv6 ("[::1]:1883").
std::string host_port(std::string_view host, std::uint16_t port);

enum class url_error {
  empty = 1,
  missing_scheme,     // no "scheme://"
  unknown_scheme,     // not mqtt, mqtts, ws, wss (or tcp, ssl, tls)
  missing_host,
  bad_ipv6_address,   // "[" without "]", or not an IPv6 address inside
  bad_port,           // not a number in 1..65535
  bad_host,           // characters that cannot be in a host name
  bad_percent_encoding,
  not_socks5h,            // a proxy URL of another scheme (only socks5h:// is supported)
  proxy_has_path,         // a proxy URL with something after host[:port]
  bad_proxy_credentials,  // a proxy user name that is empty or over 255 bytes, or a password over 255
};

const boost::system::error_category& url_category() noexcept;
inline boost::system::error_code make_error_code(url_error e) noexcept {
  return {static_cast<int>(e), url_category()};
}

// `text` as written, with the password of a "scheme://user:password@" user info replaced by
// "****": for repeating a URL that did not parse (and so cannot go through to_string).
// Anything after the scheme up to the last '@' before the path counts as user info, so a
// password containing '@' or '/' is hidden too.
std::string redact_url_password(std::string_view text);

// Parses a broker URL; on failure the error says which part is wrong.
boost::system::result<connection_target> parse_url(std::string_view url);

// Parses a proxy URL, socks5h://[user[:password]@]host[:port] (port 1080), with the same rules
// for user info, brackets and ports as broker URLs.
boost::system::result<socks5_proxy> parse_proxy_url(std::string_view url);
// The proxy URL again, password replaced by "****" (safe to print).
std::string to_string(const socks5_proxy& p);

}  // namespace mqtk::net

template <>
struct boost::system::is_error_code_enum<mqtk::net::url_error> : std::true_type {};
