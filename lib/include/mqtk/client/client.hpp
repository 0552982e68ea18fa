#pragma once
// The async MQTT client: drives a proto::session over a net::transport on one executor.
//
//   client c(io.get_executor(), {.target = *net::parse_url("mqtt://localhost"),
//                                .connect = proto::connect{.version = proto::protocol_version::v5}});
//   c.on_message([](const proto::publish& m) { ... });
//   auto [ec, connack] = co_await c.async_connect(as_tuple(use_awaitable));
//   auto [ec2, r] = co_await c.async_publish({.topic = "a", .payload = "x", .qos = qos::at_least_once},
//                                            as_tuple(use_awaitable));
//
// A client is a small handle over a shared implementation: no thread, one socket, five idle
// timers (keep alive, PINGRESP, CONNACK, reconnect, shutdown), a fixed read buffer
// (client_options::read_buffer_size) and a write buffer reused for every write (consecutive
// sends are coalesced into one write; one write is outstanding at a time), so that tens of
// thousands of clients on one io_context are cheap. In steady state a message costs no heap
// allocation in the client: action lists and buffers are reused, and completion handlers are
// type-erased with Asio's recycling allocator unless they bring their own.
//
// Threading: use a client from its executor only (single-threaded io_context or a strand).
// Handlers (message, drained, observer hooks) run on that executor, from inside the client: they
// may call the client (publish from a message handler), which queues the request.
//
// Operation completions are posted to the completion handler's associated executor (never
// invoked from inside the initiating function). Destroying the client (or close()) completes
// every pending operation with asio::error::operation_aborted.
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include "mqtk/client/client_observer.hpp"
#include "mqtk/client/client_options.hpp"
#include "mqtk/client/client_results.hpp"
#include "mqtk/client/failure_details.hpp"
#include "mqtk/net/transport.hpp"
#include "mqtk/proto/packet.hpp"
#include "mqtk/proto/session.hpp"

namespace mqtk::client {

namespace detail {
class client_impl;  // what a client is a handle on (client.cpp)
}

// Called for each application message delivered by the session (QoS 2: exactly once). The
// views (topic, payload, properties) are valid during the call only.
using message_handler = std::function<void(const proto::publish&)>;
// Called when the bytes of one read have been processed completely (every message in them
// delivered): the moment to flush buffered output.
using drained_handler = std::function<void()>;

class client {
 public:
  using executor_type = boost::asio::any_io_executor;
  using connect_handler = boost::asio::any_completion_handler<void(boost::system::error_code, connect_result)>;
  using publish_handler = boost::asio::any_completion_handler<void(boost::system::error_code, publish_result)>;
  using subscribe_handler = boost::asio::any_completion_handler<void(boost::system::error_code, subscribe_result)>;
  using done_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

  client(executor_type executor, client_options options);
  ~client();  // close()
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;

  executor_type get_executor() const noexcept;

  void on_message(message_handler handler);
  void on_drained(drained_handler handler);

  // Connects the transport (resolve, TCP, TLS, WebSocket upgrade) and exchanges CONNECT and
  // CONNACK. Completes with void(error_code, connect_result):
  //  - success: the CONNACK was accepted; the client then keeps reading, keeps the connection
  //    alive, and (with reconnect_policy::enabled) reconnects after a loss.
  //  - a net_error (dns_failed, connect_refused, tls_verify_failed, ...): last_failure().connect
  //    has the details;
  //  - session_error::connection_refused: the CONNACK refused; connect_result::reason_code and
  //    last_failure().reason_code hold the code (3.1.1: 1-5, 5.0: >= 0x80);
  //  - session_error::connack_timeout, connection_lost, malformed_packet, protocol_error;
  //  - asio::error::already_started if a connect is already under way or done,
  //    operation_aborted after close().
  template <class Token>
  auto async_connect(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, connect_result)>(
        [this](auto handler) {
          auto ex = handler_executor(handler);
          start_connect(std::move(ex), connect_handler(std::move(handler)));
        },
        token);
  }

  // Publishes `message` (packet id and DUP are the session's). Its views are read when the
  // operation is initiated (at once for callbacks, at co_await for use_awaitable), not later.
  // Completes with void(error_code, publish_result): QoS 0 once its bytes are written to the
  // transport (the loss's error if the connection dropped first), QoS 1
  // on PUBACK, QoS 2 on PUBCOMP (or a failed PUBREC). Errors: session_error::rejected (5.0
  // failure code in publish_result::reason_code), packet_too_large, qos_not_supported,
  // retain_not_supported, invalid_request, session_lost (the broker had no session after a
  // reconnect), connection_lost or the loss's error when the connection is gone and will not be
  // re-established; operation_aborted after close(). Messages in flight are kept across
  // reconnects and resent with DUP.
  template <class Token>
  auto async_publish(const proto::publish& message, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, publish_result)>(
        [this](auto handler, const proto::publish* m) {
          auto ex = handler_executor(handler);
          start_publish(*m, std::move(ex), publish_handler(std::move(handler)));
        },
        token, &message);
  }

  // Subscribes; the request's views are read at initiation like async_publish's. Completes
  // with void(error_code, subscribe_result) on SUBACK: per-filter codes; error
  // session_error::rejected when any filter failed. Also invalid_request, the loss's error if
  // the connection dropped before the SUBACK, operation_aborted. Acknowledged subscriptions are
  // remembered for resubscription after a reconnect without session.
  template <class Token>
  auto async_subscribe(const proto::subscribe& request, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, subscribe_result)>(
        [this](auto handler, const proto::subscribe* r) {
          auto ex = handler_executor(handler);
          start_subscribe(*r, std::move(ex), subscribe_handler(std::move(handler)));
        },
        token, &request);
  }

  // Like async_subscribe, on UNSUBACK (5.0: per-filter codes; before 5.0: none).
  template <class Token>
  auto async_unsubscribe(const proto::unsubscribe& request, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, subscribe_result)>(
        [this](auto handler, const proto::unsubscribe* r) {
          auto ex = handler_executor(handler);
          start_unsubscribe(*r, std::move(ex), subscribe_handler(std::move(handler)));
        },
        token, &request);
  }

  // Sends DISCONNECT (with `d`'s reason code and properties in 5.0), flushes what is queued
  // for writing, and closes the transport politely; stops reconnecting. Operations still
  // pending (unacknowledged QoS 1/2) are abandoned and complete with
  // session_error::client_disconnected. Completes with void(error_code): success, or
  // net_error::not_connected when there was no connection. With
  // client_options::confirm_qos0_before_disconnect and QoS 0 messages published on this
  // connection, a PINGREQ round trip comes first; if the connection ends before its PINGRESP
  // (the broker rejected a PUBLISH by closing), completes with the loss's error, and
  // last_failure() says how it ended.
  template <class Token>
  auto async_disconnect(const proto::disconnect& d, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler, const proto::disconnect* p) {
          auto ex = handler_executor(handler);
          start_disconnect(*p, std::move(ex), done_handler(std::move(handler)));
        },
        token, &d);
  }
  template <class Token>
  auto async_disconnect(Token&& token) {
    static const proto::disconnect normal{};
    return async_disconnect(normal, std::forward<Token>(token));
  }

  // Sends a PINGREQ now, unless one is outstanding or there is no connection (mqtk-ping's round
  // trips: observer.on_packet sees the PINGREQ go out and the PINGRESP come in). A PINGRESP that
  // does not come within session_options::pingresp_timeout ends the connection as the keep
  // alive's own would (session_error::pingresp_timeout).
  void ping();

  // With options().session.manual_acknowledgement: acknowledges a delivered QoS 1/2 message
  // (the qos and packet_id of the proto::publish the message handler saw), e.g. once it was
  // written out. Ignored for a message not awaiting that (see proto::session::acknowledge).
  void acknowledge(proto::qos q, std::uint16_t packet_id);

  // Closes at once, without DISCONNECT (the broker sends the will); no reconnect. Pending
  // operations complete with operation_aborted.
  void close() noexcept;

  // CONNACK accepted and the connection still up.
  bool connected() const noexcept;
  // Why the last connect, connection or operation failed (error empty if nothing failed).
  const failure_details& last_failure() const noexcept;
  const proto::session& session() const noexcept;
  // TLS facts and endpoints of the current connection.
  const net::transport& transport() const noexcept;
  const client_options& options() const noexcept;

 private:
  template <class Handler>
  executor_type handler_executor(const Handler& handler) const {
    return executor_type(boost::asio::get_associated_executor(handler, get_executor()));
  }
  void start_connect(executor_type ex, connect_handler handler);
  void start_publish(const proto::publish& m, executor_type ex, publish_handler handler);
  void start_subscribe(const proto::subscribe& r, executor_type ex, subscribe_handler handler);
  void start_unsubscribe(const proto::unsubscribe& r, executor_type ex, subscribe_handler handler);
  void start_disconnect(const proto::disconnect& d, executor_type ex, done_handler handler);

  std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace mqtk::client
