#include "mqtk/net/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include <boost/asio/ip/address_v6.hpp>

namespace mqtk::net {

namespace {

class url_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mqtk.url"; }
  std::string message(int ev) const override {
    switch (static_cast<url_error>(ev)) {
      case url_error::empty: return "empty URL";
      case url_error::missing_scheme: return "URL has no scheme (expected mqtt://, mqtts://, ws:// or wss://)";
      case url_error::unknown_scheme: return "unknown URL scheme (expected mqtt, mqtts, ws or wss)";
      case url_error::missing_host: return "URL has no host";
      case url_error::bad_ipv6_address: return "URL has a malformed IPv6 address (write it in brackets: [::1])";
      case url_error::bad_port: return "URL port is not a number from 1 to 65535";
      case url_error::bad_host: return "URL host contains characters not allowed in a host name";
      case url_error::bad_percent_encoding: return "URL user or password has a malformed %-escape";
      case url_error::not_socks5h: return "proxy URL must start with socks5h:// (a SOCKS5 proxy that resolves names)";
      case url_error::proxy_has_path: return "proxy URL has a path (expected socks5h://[user[:pass]@]host[:port])";
      case url_error::bad_proxy_credentials:
        return "proxy user name must be 1 to 255 bytes and its password at most 255 bytes (RFC 1929)";
    }
    return "unknown URL error";
  }
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool host_char_ok(unsigned char c) {
  // Names, IPv4 literals and internationalised names already in UTF-8; no separators.
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c >= 0x80;
}

std::string percent_encode_userinfo(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}


// What the authority of a URL holds: [user[:password]@]host[:port].
struct authority_parts {
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::string host;
  std::optional<std::uint16_t> port;
};

boost::system::result<authority_parts> parse_authority(std::string_view authority) {
  authority_parts t;
  // The last '@' ends the user info, so an unescaped '@' in a password still works.
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const auto colon = userinfo.find(':');
    std::string decoded;
    if (!percent_decode(userinfo.substr(0, colon), decoded)) return url_error::bad_percent_encoding;
    t.username = decoded;
    if (colon != std::string_view::npos) {
      if (!percent_decode(userinfo.substr(colon + 1), decoded)) return url_error::bad_percent_encoding;
      t.password = decoded;
    }
  }

  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return url_error::bad_ipv6_address;
    const std::string literal(authority.substr(1, close - 1));
    // A zone ("fe80::1%25eth0") is written %25-escaped in URLs.
    std::string unescaped;
    if (!percent_decode(literal, unescaped)) return url_error::bad_ipv6_address;
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(unescaped, ec);
    if (ec) return url_error::bad_ipv6_address;
    t.host = unescaped;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return url_error::bad_ipv6_address;
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    // An IPv6 address must be bracketed, or its last group would read as the port.
    if (std::count(authority.begin(), authority.end(), ':') > 1) return url_error::bad_ipv6_address;
    const auto colon = authority.find(':');
    t.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    if (t.host.empty()) return url_error::missing_host;
    for (unsigned char c : t.host) {
      if (!host_char_ok(c)) return url_error::bad_host;
    }
  }
  if (t.host.empty()) return url_error::missing_host;
  if (has_port) {
    unsigned value = 0;
    const auto* first = port_text.data();
    const auto* last = first + port_text.size();
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (port_text.empty() || ec != std::errc{} || ptr != last || value == 0 || value > 65535) return url_error::bad_port;
    t.port = static_cast<std::uint16_t>(value);
  }
  return t;
}

}  // namespace

const boost::system::error_category& url_category() noexcept {
  static const url_category_impl instance;
  return instance;
}

std::string_view to_string(scheme s) noexcept {
  switch (s) {
    case scheme::mqtt: return "mqtt";
    case scheme::mqtts: return "mqtts";
    case scheme::ws: return "ws";
    case scheme::wss: return "wss";
  }
  return "mqtt";
}

std::uint16_t default_port(scheme s) noexcept {
  switch (s) {
    case scheme::mqtt: return 1883;
    case scheme::mqtts: return 8883;
    case scheme::ws: return 80;
    case scheme::wss: return 443;
  }
  return 1883;
}

std::string host_port(std::string_view host, std::uint16_t port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out = "[" + std::string(host) + "]";
  } else {
    out = std::string(host);
  }
  return out + ":" + std::to_string(port);
}

std::string to_string(const connection_target& t) {
  std::string out(to_string(t.scheme));
  out += "://";
  if (t.username) {
    out += percent_encode_userinfo(*t.username);
    if (t.password) out += ":****";
    out += '@';
  }
  out += host_port(t.host, t.port);
  if (!t.path_or_topic.empty()) {
    if (!is_websocket(t.scheme) || t.path_or_topic.front() != '/') out += '/';
    out += t.path_or_topic;
  }
  return out;
}

boost::system::result<connection_target> parse_url(std::string_view url) {
  if (url.empty()) return url_error::empty;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return url_error::missing_scheme;
  const std::string name = lower(url.substr(0, sep));
  connection_target t;
  if (name == "mqtt" || name == "tcp") {
    t.scheme = scheme::mqtt;
  } else if (name == "mqtts" || name == "ssl" || name == "tls" || name == "mqtt+ssl") {
    t.scheme = scheme::mqtts;
  } else if (name == "ws") {
    t.scheme = scheme::ws;
  } else if (name == "wss") {
    t.scheme = scheme::wss;
  } else {
    return url_error::unknown_scheme;
  }
  t.port = default_port(t.scheme);
  std::string_view rest = url.substr(sep + 3);

  // The authority ends at the first '/'; for ws also at '?' (a query without a path).
  std::size_t auth_end = rest.find('/');
  if (is_websocket(t.scheme)) auth_end = std::min(auth_end, rest.find('?'));
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view tail = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);

  auto parts = parse_authority(authority);
  if (!parts) return parts.error();
  t.username = std::move(parts->username);
  t.password = std::move(parts->password);
  t.host = std::move(parts->host);
  if (parts->port) t.port = *parts->port;

  if (is_websocket(t.scheme)) {
    if (tail.empty()) {
      t.path_or_topic = std::string(default_websocket_path);
    } else if (tail.front() == '?') {
      t.path_or_topic = std::string(default_websocket_path) + std::string(tail);
    } else {
      t.path_or_topic = std::string(tail);
    }
  } else if (!tail.empty()) {
    t.path_or_topic = std::string(tail.substr(1));  // after the '/' that ends the authority
  }
  return t;
}

boost::system::result<socks5_proxy> parse_proxy_url(std::string_view url) {
  if (url.empty()) return url_error::empty;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return url_error::not_socks5h;
  // socks5h only, as mosquitto: the proxy resolves the broker's name. (socks5:// would ask
  // the client to resolve it, which a client behind a proxy often cannot.)
  if (lower(url.substr(0, sep)) != "socks5h") return url_error::not_socks5h;
  std::string_view authority = url.substr(sep + 3);
  if (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
  if (authority.find('/') != std::string_view::npos) return url_error::proxy_has_path;
  auto parts = parse_authority(authority);
  if (!parts) return parts.error();
  socks5_proxy p;
  p.host = std::move(parts->host);
  if (parts->port) p.port = *parts->port;
  if (parts->username) {
    const std::size_t password_size = parts->password ? parts->password->size() : 0;
    if (parts->username->empty() || parts->username->size() > 255 || password_size > 255) {
      return url_error::bad_proxy_credentials;
    }
  }
  p.username = std::move(parts->username);
  p.password = std::move(parts->password);
  return p;
}

std::string to_string(const socks5_proxy& p) {
  std::string out = "socks5h://";
  if (p.username) {
    out += percent_encode_userinfo(*p.username);
    if (p.password) out += ":****";
    out += '@';
  }
  return out + host_port(p.host, p.port);
}

std::string redact_url_password(std::string_view text) {
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return std::string(text);
  const auto start = scheme_end + 3;
  // The last '@' is the end of the user info: a password may itself hold '@', '/' or '?'
  // when the user did not percent-encode it, and hiding too much is the safe mistake.
  const auto at = text.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(text);
  const auto colon = text.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(text);
  return std::string(text.substr(0, colon + 1)) + "****" + std::string(text.substr(at));
}

}  // namespace mqtk::net
