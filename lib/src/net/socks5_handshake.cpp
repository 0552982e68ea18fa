#include "mqtk/net/socks5_handshake.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/ip/address.hpp>

#include "mqtk/net/url.hpp"

namespace mqtk::net {

namespace {

constexpr std::uint8_t socks_version = 0x05;
// RFC 1929 names 0x01 as the version of its subnegotiation; a few proxies answer it with the
// SOCKS version instead, which is harmless to accept.
constexpr std::uint8_t auth_version = 0x01;
constexpr std::uint8_t command_connect = 0x01;
constexpr std::uint8_t atyp_ipv4 = 0x01;
constexpr std::uint8_t atyp_domain = 0x03;
constexpr std::uint8_t atyp_ipv6 = 0x04;
constexpr std::size_t max_field = 255;  // one length byte

void append(std::vector<std::uint8_t>& out, const std::string& s) { out.insert(out.end(), s.begin(), s.end()); }

}  // namespace

socks5_handshake::socks5_handshake(const socks5_request& request) : request_(request) {
  if (request_.host.size() > max_field) {
    fail(socks5_error::host_too_long);
    return;
  }
  if (request_.username) {
    const std::size_t password_size = request_.password ? request_.password->size() : 0;
    if (request_.username->empty() || request_.username->size() > max_field || password_size > max_field) {
      fail(socks5_error::invalid_credentials);
      return;
    }
    output_ = {socks_version, 2, socks5_method_none, socks5_method_username_password};
  } else {
    output_ = {socks_version, 1, socks5_method_none};
  }
  expect(2);  // VER METHOD
}

std::vector<std::uint8_t> socks5_handshake::take_output() { return std::exchange(output_, {}); }

std::size_t socks5_handshake::bytes_needed() const noexcept {
  if (done() || failed()) return 0;
  return reply_size_ - reply_.size();
}

std::size_t socks5_handshake::receive(std::span<const std::uint8_t> bytes) {
  std::size_t used = 0;
  while (used < bytes.size() && !done() && !failed()) {
    const std::size_t take = std::min(reply_size_ - reply_.size(), bytes.size() - used);
    reply_.insert(reply_.end(), bytes.begin() + static_cast<std::ptrdiff_t>(used),
                  bytes.begin() + static_cast<std::ptrdiff_t>(used + take));
    used += take;
    if (reply_.size() == reply_size_) on_reply_complete();
  }
  return used;
}

void socks5_handshake::expect(std::size_t reply_bytes) {
  reply_.clear();
  reply_size_ = reply_bytes;
}

void socks5_handshake::fail(socks5_error e) {
  stage_ = stage::failed;
  error_ = e;
  output_.clear();
}

void socks5_handshake::on_reply_complete() {
  switch (stage_) {
    case stage::method_selection: on_method_reply(); break;
    case stage::authentication: on_auth_reply(); break;
    case stage::connect:
      switch (part_) {
        case reply_part::head: on_connect_reply_head(); break;
        case reply_part::address_start: on_connect_reply_address_start(); break;
        case reply_part::address_rest: on_connect_reply_address_rest(); break;
      }
      break;
    case stage::done:
    case stage::failed: break;
  }
}

void socks5_handshake::on_method_reply() {
  if (reply_[0] != socks_version) return fail(socks5_error::not_socks5);
  const std::uint8_t method = reply_[1];
  method_ = method;
  if (method == socks5_method_no_acceptable) return fail(socks5_error::no_acceptable_method);
  if (method == socks5_method_none) return queue_connect_request();
  if (method == socks5_method_username_password && request_.username) return queue_auth_request();
  fail(socks5_error::unexpected_method);
}

void socks5_handshake::queue_auth_request() {
  stage_ = stage::authentication;
  const std::string password = request_.password.value_or(std::string());
  output_.push_back(auth_version);
  output_.push_back(static_cast<std::uint8_t>(request_.username->size()));
  append(output_, *request_.username);
  output_.push_back(static_cast<std::uint8_t>(password.size()));
  append(output_, password);
  expect(2);  // VER STATUS
}

void socks5_handshake::on_auth_reply() {
  if (reply_[0] != auth_version && reply_[0] != socks_version) return fail(socks5_error::malformed_reply);
  if (reply_[1] != 0x00) return fail(socks5_error::authentication_failed);
  queue_connect_request();
}

void socks5_handshake::queue_connect_request() {
  stage_ = stage::connect;
  part_ = reply_part::head;
  output_.insert(output_.end(), {socks_version, command_connect, 0x00});
  // An IP literal goes as an address (ATYP 1 or 4), not as a name: there is nothing to resolve,
  // every proxy takes addresses, and a proxy that resolves names with DNS only (or refuses
  // names by policy) would fail on "127.0.0.1" or "::1". Names, and IPv6 literals with a zone
  // (which an address field cannot carry), go as names for the proxy to resolve (socks5h).
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(request_.host, ec);
  if (!ec && address.is_v4()) {
    output_.push_back(atyp_ipv4);
    const auto b = address.to_v4().to_bytes();
    output_.insert(output_.end(), b.begin(), b.end());
  } else if (!ec && address.is_v6() && address.to_v6().scope_id() == 0) {
    output_.push_back(atyp_ipv6);
    const auto b = address.to_v6().to_bytes();
    output_.insert(output_.end(), b.begin(), b.end());
  } else {
    output_.push_back(atyp_domain);
    output_.push_back(static_cast<std::uint8_t>(request_.host.size()));
    append(output_, request_.host);
  }
  output_.push_back(static_cast<std::uint8_t>(request_.port >> 8));
  output_.push_back(static_cast<std::uint8_t>(request_.port & 0xFF));
  // VER REP first: a failure reply is complete there, whatever else a proxy sends (or not).
  expect(2);
}

void socks5_handshake::on_connect_reply_head() {
  if (reply_[0] != socks_version) return fail(socks5_error::not_socks5);
  // REP values are the error values (socks5_error.hpp), unassigned ones included.
  if (reply_[1] != 0x00) return fail(static_cast<socks5_error>(reply_[1]));
  part_ = reply_part::address_start;
  expect(3);  // RSV ATYP and the first byte of BND.ADDR (the name's length for ATYP 3)
}

void socks5_handshake::on_connect_reply_address_start() {
  // RSV (reply_[0]) is ignored, as RFC 1928 asks of reserved fields.
  address_type_ = reply_[1];
  const std::uint8_t first = reply_[2];
  std::size_t rest = 0;  // BND.ADDR after its first byte, then BND.PORT
  switch (address_type_) {
    case atyp_ipv4: rest = 3 + 2; break;
    case atyp_ipv6: rest = 15 + 2; break;
    case atyp_domain: rest = std::size_t{first} + 2; break;
    default: return fail(socks5_error::malformed_reply);
  }
  part_ = reply_part::address_rest;
  expect(rest);
  reply_.push_back(first);  // kept so that the address can be shown whole
  ++reply_size_;
}

void socks5_handshake::on_connect_reply_address_rest() {
  const std::size_t n = reply_.size();
  const std::uint16_t port = static_cast<std::uint16_t>((reply_[n - 2] << 8) | reply_[n - 1]);
  std::string host;
  if (address_type_ == atyp_ipv4) {
    boost::asio::ip::address_v4::bytes_type b;
    std::copy_n(reply_.begin(), b.size(), b.begin());
    host = boost::asio::ip::address_v4(b).to_string();
  } else if (address_type_ == atyp_ipv6) {
    boost::asio::ip::address_v6::bytes_type b;
    std::copy_n(reply_.begin(), b.size(), b.begin());
    host = boost::asio::ip::address_v6(b).to_string();
  } else {
    host.assign(reply_.begin() + 1, reply_.end() - 2);
  }
  bound_ = host_port(host, port);
  stage_ = stage::done;
  reply_.clear();
  reply_size_ = 0;
}

}  // namespace mqtk::net
