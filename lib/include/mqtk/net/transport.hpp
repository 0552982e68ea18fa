#pragma once
// One byte stream to a broker, its kind chosen at run time from the target's scheme:
// TCP, TLS (OpenSSL), WebSocket or WebSocket over TLS (Beast); or a Unix-domain socket
// (connect_options::unix_socket, plain MQTT). Any of the TCP-based four may run through a SOCKS5
// proxy (connect_options::proxy): the proxy opens the TCP connection to the broker and TLS and
// WebSocket run end to end through it. MQTT packets are a byte stream over all of them: on
// WebSockets each write is one binary message, and reads return message bytes regardless of
// message boundaries, so a packet may span messages and a message may hold several packets.
//
// Asio-style asynchronous operations taking any completion token (callbacks,
// asio::use_awaitable, asio::deferred, ...). The Asio/Beast/OpenSSL machinery stays in
// transport.cpp; a transport costs one socket, no thread, and a few KiB (more with TLS).
// Not thread-safe: use it from one executor (strand or single-threaded io_context); one read
// and one write may be outstanding at a time.
#include <chrono>
#include <cstddef>
#include <memory>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "mqtk/net/connect_failure.hpp"
#include "mqtk/net/connect_options.hpp"
#include "mqtk/net/net_error.hpp"
#include "mqtk/net/tls_session_info.hpp"
#include "mqtk/net/url.hpp"

namespace mqtk::net {

class transport {
 public:
  using executor_type = boost::asio::any_io_executor;
  using connect_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
  using io_handler = boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

  explicit transport(executor_type executor);
  ~transport();  // closes the connection; pending operations complete with operation_aborted
  transport(transport&&) noexcept;
  transport& operator=(transport&&) noexcept;

  executor_type get_executor() const noexcept;

  // Connects to `target` (scheme, host, port; the ws path from path_or_topic, "/mqtt" when
  // empty): resolves, tries each address in turn (of the proxy, with one, then the SOCKS5
  // handshake), then TLS handshake and WebSocket upgrade as the scheme asks, all within
  // options.connect_timeout; or connects the Unix socket. Completes with void(error_code):
  // success, or a net_error (dns_failed, connect_refused, connect_timeout, tls_verify_failed,
  // websocket_upgrade_rejected, proxy_handshake_failed, ...) with last_failure() saying which
  // phase, address, OpenSSL verify error, HTTP status or SOCKS5 reply; operation_aborted after
  // close() or terminal cancellation.
  // A transport may be connected again after a failure or close(); a connect while another
  // one is running completes with asio::error::already_started.
  template <class Token>
  auto async_connect(connection_target target, connect_options options, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler, connection_target t, connect_options o) {
          auto ex = handler_executor(handler);
          start_connect(std::move(t), std::move(o), std::move(ex), connect_handler(std::move(handler)));
        },
        token, std::move(target), std::move(options));
  }

  // Reads some bytes into `buffer` (which must outlive the operation). Completes with
  // void(error_code, bytes): eof or connection_reset when the peer went away, a TLS error
  // (asio::ssl category, e.g. an alert) or websocket_closed; supports cancellation.
  template <class Token>
  auto async_read_some(boost::asio::mutable_buffer buffer, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, boost::asio::mutable_buffer b) {
          auto ex = handler_executor(handler);
          start_read(b, std::move(ex), io_handler(std::move(handler)));
        },
        token, buffer);
  }

  // Writes all of `buffer` (one WebSocket message); completes with void(error_code, bytes).
  template <class Token>
  auto async_write(boost::asio::const_buffer buffer, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, boost::asio::const_buffer b) {
          auto ex = handler_executor(handler);
          start_write(b, std::move(ex), io_handler(std::move(handler)));
        },
        token, buffer);
  }

  // Ends the connection politely (WebSocket close frame, TLS close_notify, TCP FIN), at most
  // `timeout` long, then closes. Completes with void(error_code), errors only informative.
  template <class Token>
  auto async_shutdown(std::chrono::milliseconds timeout, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler, std::chrono::milliseconds t) {
          auto ex = handler_executor(handler);
          start_shutdown(t, std::move(ex), connect_handler(std::move(handler)));
        },
        token, timeout);
  }

  // Closes at once: pending operations complete with operation_aborted.
  void close() noexcept;

  bool is_open() const noexcept;
  // The scheme of the current (or last) connection.
  net::scheme kind() const noexcept;
  // Details of the last failed connect (phase none when it succeeded).
  const connect_failure& last_failure() const noexcept;
  // TLS facts of the current connection (empty for mqtt and ws).
  const tls_session_info& tls_info() const noexcept;
  // The TCP peer: the broker, or the proxy when there is one; empty over a Unix socket.
  boost::asio::ip::tcp::endpoint remote_endpoint() const noexcept;
  boost::asio::ip::tcp::endpoint local_endpoint() const noexcept;

  struct impl;

 private:
  // The handler's own executor (a strand, a coroutine's executor, or this transport's),
  // captured before type erasure: completions are delivered through it. (Boost 1.81's
  // any_completion_handler executor cannot be used with Beast's post(), hence separately.)
  template <class Handler>
  executor_type handler_executor(const Handler& handler) const {
    return executor_type(boost::asio::get_associated_executor(handler, get_executor()));
  }
  void start_connect(connection_target target, connect_options options, executor_type ex, connect_handler handler);
  void start_read(boost::asio::mutable_buffer buffer, executor_type ex, io_handler handler);
  void start_write(boost::asio::const_buffer buffer, executor_type ex, io_handler handler);
  void start_shutdown(std::chrono::milliseconds timeout, executor_type ex, connect_handler handler);

  std::shared_ptr<impl> impl_;
};

}  // namespace mqtk::net
