#pragma once
// Everything a client is built from: where to connect (net), what CONNECT says (proto), the
// session's local limits, reconnect behaviour and the observer hooks.
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "mqtk/client/client_observer.hpp"
#include "mqtk/client/reconnect_policy.hpp"
#include "mqtk/net/connect_options.hpp"
#include "mqtk/net/url.hpp"
#include "mqtk/proto/connect_config.hpp"
#include "mqtk/proto/session_options.hpp"

namespace mqtk::client {

struct client_options {
  // Scheme, host, port; its username/password fill connect.username/password when those are
  // unset (so that -L mqtt://user:pass@host works without repeating them).
  net::connection_target target;
  // Connect time limit, TLS, WebSocket headers, local address, and the per-phase hooks
  // (resolved, tcp connected, tls done, websocket upgraded), passed to net::transport as is.
  net::connect_options net;
  // What CONNECT says: version, client id, keep alive, clean start, will, credentials,
  // properties. Owned (assigning a proto::connect copies what it views), so client_options is
  // a plain value; the client keeps it, and its session sends it on every (re)connection.
  proto::connect_config connect;
  // Local session limits. When session.connack_timeout is unset the client uses
  // net.connect_timeout, so that a broker that accepts TCP but never answers CONNECT fails.
  proto::session_options session;
  reconnect_policy reconnect;
  client_observer observer;
  // Bytes read from the transport per read. Packets larger than this are assembled by the
  // session's decoder, so the buffer itself never grows.
  std::size_t read_buffer_size = 16 * 1024;
  // After a read that did not fill the buffer, wait this long before reading again: a stream of
  // small messages is then taken in batches, with far fewer wake-ups, at the cost of up to this
  // much added latency. 0 (the default) reads again at once; mqtk-sub uses it when its output
  // is not a terminal.
  std::chrono::microseconds read_coalescing{0};
  // QoS 0 has no acknowledgement: a broker that refuses a PUBLISH (a topic with control
  // characters, a duplicate property, topic alias 0) just closes the connection, which a
  // DISCONNECT right behind it would hide. With this set, async_disconnect first waits (at most
  // shutdown_timeout) for the PINGRESP to a PINGREQ sent after the last QoS 0 PUBLISH: the
  // broker handles packets in order, so the PINGRESP says every one before it was accepted.
  bool confirm_qos0_before_disconnect = false;
  // Bound on the polite close (DISCONNECT flushed, TLS close_notify, WebSocket close frame).
  std::chrono::milliseconds shutdown_timeout{2000};
};

}  // namespace mqtk::client
