#pragma once
// How to connect: time limit, local address, Unix socket or SOCKS5 proxy, TLS and WebSocket
// settings, and the observer hooks that report each phase with a timestamp (what mqtk-ping
// times and -d prints).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "mqtk/net/socks5_proxy.hpp"
#include "mqtk/net/tls_options.hpp"
#include "mqtk/net/tls_session_info.hpp"

namespace mqtk::net {

class tls_context;

using connect_clock = std::chrono::steady_clock;

struct resolved_event {
  connect_clock::time_point at;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // in the order they will be tried
};
// One address that did not work; the next one is tried (if any).
struct tcp_attempt_failed_event {
  connect_clock::time_point at;
  boost::asio::ip::tcp::endpoint endpoint;
  boost::system::error_code error;
};
struct tcp_connected_event {
  connect_clock::time_point at;
  boost::asio::ip::tcp::endpoint remote;
  boost::asio::ip::tcp::endpoint local;
};
struct tls_done_event {
  connect_clock::time_point at;
  const tls_session_info& info;
};
// The Unix-domain socket is connected (connect_options::unix_socket).
struct unix_connected_event {
  connect_clock::time_point at;
  std::string path;
};
// The SOCKS5 proxy opened the tunnel to the broker (after on_tcp_connected to the proxy).
struct proxy_tunnel_event {
  connect_clock::time_point at;
  std::string proxy;   // "host:port" of the proxy, as given
  std::string target;  // "host:port" of the broker, as asked of the proxy
  std::string bound;   // the proxy's BND.ADDR:BND.PORT: where it connects from
};
struct websocket_upgraded_event {
  connect_clock::time_point at;
  int http_status = 101;
  std::string subprotocol;  // what the server accepted ("mqtt")
};

// Each hook is optional; they run on the transport's executor, inside the connect.
struct connect_observer {
  std::function<void(const resolved_event&)> on_resolved;
  std::function<void(const tcp_attempt_failed_event&)> on_tcp_attempt_failed;
  std::function<void(const tcp_connected_event&)> on_tcp_connected;
  std::function<void(const tls_done_event&)> on_tls_done;
  std::function<void(const websocket_upgraded_event&)> on_websocket_upgraded;
  std::function<void(const unix_connected_event&)> on_unix_connected;
  std::function<void(const proxy_tunnel_event&)> on_proxy_tunnel_open;
};

struct websocket_options {
  std::string subprotocol = "mqtt";  // Sec-WebSocket-Protocol; empty: none sent
  // Extra request headers, e.g. {"Authorization", "Bearer ..."}; replace same-named defaults.
  std::vector<std::pair<std::string, std::string>> headers;
};

enum class ip_family { any, v4, v6 };

struct connect_options {
  // The whole connect: resolve, every TCP attempt, TLS handshake and WebSocket upgrade.
  std::chrono::milliseconds connect_timeout{10'000};
  ip_family family = ip_family::any;
  std::string bind_address;  // local address to connect from; empty: the OS picks
  bool tcp_nodelay = true;
  // Addresses to try instead of resolving target.host (the host still names the server for
  // TLS verification, SNI and the WebSocket Host header). Not used with a proxy.
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  // Non-empty: connect to the broker through this Unix-domain stream socket instead of TCP
  // (mosquitto's --unix; its "listener 0 PATH"). Plain MQTT only: the target's scheme must be
  // mqtt, and its host and port are not used.
  std::string unix_socket;
  // Set: reach the broker through this SOCKS5 proxy. The transport resolves and connects to
  // the proxy (family and bind_address apply to that connection), asks it for target.host and
  // port, and runs TLS and the WebSocket upgrade with the broker through the tunnel.
  std::optional<socks5_proxy> proxy;
  tls_options tls;
  // Built once from `tls` with make_tls_context() and shared by many connections (bench);
  // when null, each connect builds its own from `tls`.
  std::shared_ptr<tls_context> shared_tls;
  websocket_options websocket;
  connect_observer observer;
};

}  // namespace mqtk::net
