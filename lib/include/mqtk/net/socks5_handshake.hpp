#pragma once
// The client side of a SOCKS5 handshake (RFC 1928), with user name/password authentication
// (RFC 1929), as a sans-I/O state machine: it never touches a socket. The transport sends what
// take_output() returns, reads exactly bytes_needed() bytes and gives them to receive(), until
// done() or failed().
//
//   greeting      -> 05 01 00                 (or 05 02 00 02 with credentials)
//   method reply  <- 05 00 | 05 02 | 05 FF
//   [auth request -> 01 ULEN USER PLEN PASS
//    auth reply   <- 01 00 | 01 xx]
//   CONNECT       -> 05 01 00 ATYP DST.ADDR DST.PORT
//   reply         <- 05 REP 00 ATYP BND.ADDR BND.PORT
//
// The proxy resolves the broker's name (socks5h: ATYP 3), so a client behind a proxy needs no
// DNS of its own. Each step waits for the proxy's answer (no optimistic pipelining): some
// proxies drop a connection that sends the next request before they answered.
//
// receive() never consumes past the end of the CONNECT reply, and bytes_needed() never asks
// for more than the current reply still holds: the bytes after the reply are the tunnel's
// (the broker's), so a transport that reads exactly bytes_needed() loses none of them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/system/error_code.hpp>

#include "mqtk/net/socks5_error.hpp"

namespace mqtk::net {

// Where the proxy should connect, and as whom to authenticate to the proxy.
struct socks5_request {
  std::string host;  // the broker: a name (sent for the proxy to resolve) or an IP literal
  std::uint16_t port = 0;
  // With a user name, user name/password authentication is offered besides "none" (as
  // mosquitto and curl do): the proxy picks.
  std::optional<std::string> username;
  std::optional<std::string> password;  // empty when only a user name is given
};

// RFC 1928 method numbers.
inline constexpr std::uint8_t socks5_method_none = 0x00;
inline constexpr std::uint8_t socks5_method_username_password = 0x02;
inline constexpr std::uint8_t socks5_method_no_acceptable = 0xFF;

class socks5_handshake {
 public:
  enum class stage {
    method_selection,  // the greeting is out; waiting for the proxy's choice of method
    authentication,    // the user name/password request is out; waiting for its status
    connect,           // the CONNECT request is out; waiting for the reply
    done,              // the tunnel is open: what follows is the broker's
    failed,            // error() says why
  };

  // Prepares the greeting. A request that cannot be sent (host name over 255 bytes, bad
  // credentials) fails at once, with no output.
  explicit socks5_handshake(const socks5_request& request);

  // The bytes to send now, emptying the output: the greeting at first, then the
  // authentication and CONNECT requests as the proxy's replies ask for them.
  std::vector<std::uint8_t> take_output();
  bool has_output() const noexcept { return !output_.empty(); }

  // How many more bytes the current step needs before it can go on; 0 when done or failed.
  std::size_t bytes_needed() const noexcept;

  // Takes bytes from the proxy; returns how many belong to the handshake (the rest, after the
  // CONNECT reply, is the tunnel's). Any split of the replies gives the same result.
  std::size_t receive(std::span<const std::uint8_t> bytes);

  stage current_stage() const noexcept { return stage_; }
  bool done() const noexcept { return stage_ == stage::done; }
  bool failed() const noexcept { return stage_ == stage::failed; }
  // socks5_error when failed, else empty.
  boost::system::error_code error() const noexcept { return error_; }

  // The method the proxy chose (socks5_method_*), once it answered the greeting.
  std::optional<std::uint8_t> chosen_method() const noexcept { return method_; }
  // BND.ADDR:BND.PORT of the CONNECT reply, "[::1]:40312" or "name:40312", once done: the
  // address the proxy connects from.
  const std::string& bound_address() const noexcept { return bound_; }

 private:
  // Which part of the CONNECT reply is being read.
  enum class reply_part { head, address_start, address_rest };

  void expect(std::size_t reply_bytes);
  void on_reply_complete();
  void on_method_reply();
  void on_auth_reply();
  void on_connect_reply_head();
  void on_connect_reply_address_start();
  void on_connect_reply_address_rest();
  void queue_auth_request();
  void queue_connect_request();
  void fail(socks5_error e);

  socks5_request request_;
  stage stage_ = stage::method_selection;
  reply_part part_ = reply_part::head;
  boost::system::error_code error_;
  std::vector<std::uint8_t> output_;
  std::vector<std::uint8_t> reply_;  // the part of a reply received so far
  std::size_t reply_size_ = 0;       // how long that part is in all
  std::uint8_t address_type_ = 0;
  std::optional<std::uint8_t> method_;
  std::string bound_;
};

}  // namespace mqtk::net
