#include "common/client_config.hpp"

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "mqtk/diag/session_close.hpp"
#include "mqtk/proto/packet.hpp"
#include "mqtk/report/text_escape.hpp"

namespace mqtk::tools {
namespace {

net::tls_options make_tls(const tls_options& t) {
  net::tls_options out;
  out.cafile = t.cafile;
  out.capath = t.capath;
  out.certfile = t.cert;
  out.keyfile = t.key;
  if (!t.alpn.empty()) out.alpn.push_back(t.alpn);
  // mosquitto's --tls-version names the one version to use; we take it as the minimum, which
  // is what OpenSSL can enforce portably. tlsv1.1 is below what OpenSSL 3 offers by default.
  out.min_version = t.version == "tlsv1.3" ? net::tls_version::tls1_3 : net::tls_version::tls1_2;
  out.max_version = t.max_version == "tlsv1.2" ? net::tls_version::tls1_2 : net::tls_version::tls1_3;
  out.ciphers = t.ciphers;
  out.verify = t.insecure ? net::tls_verify::no_hostname : net::tls_verify::full;
  out.psk_identity = t.psk_identity;
  out.psk = t.psk;
  return out;
}

}  // namespace

client::client_options make_client_options(const connection_options& o, client::reconnect_policy reconnect) {
  client::client_options out;
  const bool tls = o.uses_tls();
  const bool ws = o.transport == transport_kind::websocket;
  out.target.scheme = ws ? (tls ? net::scheme::wss : net::scheme::ws) : (tls ? net::scheme::mqtts : net::scheme::mqtt);
  out.target.host = o.host;
  out.target.port = o.port ? *o.port : (ws ? net::default_port(out.target.scheme) : o.effective_port());
  if (ws) out.target.path_or_topic = o.websocket_path;

  out.net.bind_address = o.bind_address;
  out.net.unix_socket = o.unix_socket;
  out.net.proxy = o.proxy;
  out.net.tls = make_tls(o.tls);
  out.net.websocket.headers = o.websocket_headers;

  // The packet views `o` and these two lists until it is copied into out.connect.
  std::vector<proto::property> connect_properties = properties_for(o.properties, property_command::connect);
  if (o.session_expiry && o.version == proto::protocol_version::v5) {
    connect_properties.push_back({.id = proto::property_id::session_expiry_interval, .number = *o.session_expiry});
  }
  if (o.max_packet_size) {
    out.session.max_incoming_packet_size = *o.max_packet_size;
    if (o.version == proto::protocol_version::v5) {
      connect_properties.push_back({.id = proto::property_id::maximum_packet_size, .number = *o.max_packet_size});
    }
  }
  const std::vector<proto::property> will_properties = properties_for(o.properties, property_command::will);

  proto::connect c;
  c.version = o.version;
  c.client_id = o.client_id;
  c.keep_alive = o.keepalive;
  c.clean_start = o.clean_session;
  if (!o.will.topic.empty()) {
    c.will = proto::will_message{.topic = o.will.topic,
                                 .payload = o.will.payload ? std::string_view(*o.will.payload) : std::string_view(),
                                 .qos = o.will.qos,
                                 .retain = o.will.retain,
                                 .properties = proto::property_list(will_properties)};
  }
  if (o.username) c.username = *o.username;
  if (o.password) c.password = *o.password;
  if (o.version == proto::protocol_version::v5) c.properties = proto::property_list(connect_properties);
  out.connect = c;

  out.session.max_inflight = static_cast<std::uint16_t>(o.max_inflight);
  // An acknowledgement must come within the keep alive interval (ARCHITECTURE.md, "Exit
  // codes": 27), the time in which the broker must show it is alive at all.
  out.session.ack_timeout = std::chrono::seconds(o.keepalive);
  out.reconnect = reconnect;
  return out;
}

void add_debug_trace(client::client_options& options, std::string_view tool_name) {
  const std::string prefix = std::string(tool_name) + ": ";
  auto& net_obs = options.net.observer;
  net_obs.on_resolved = [prefix](const net::resolved_event& e) {
    std::clog << prefix << "resolved to " << e.endpoints.size() << " address(es)\n";
  };
  net_obs.on_tcp_attempt_failed = [prefix](const net::tcp_attempt_failed_event& e) {
    std::clog << prefix << "TCP connect to " << e.endpoint << " failed: " << e.error.message() << '\n';
  };
  net_obs.on_tcp_connected = [prefix](const net::tcp_connected_event& e) {
    std::clog << prefix << "TCP connected to " << e.remote << " from " << e.local << '\n';
  };
  net_obs.on_unix_connected = [prefix](const net::unix_connected_event& e) {
    std::clog << prefix << "connected to Unix socket " << e.path << '\n';
  };
  // The proxy's credentials are not repeated here: they never are, -d or not.
  net_obs.on_proxy_tunnel_open = [prefix](const net::proxy_tunnel_event& e) {
    std::clog << prefix << "SOCKS5 proxy " << e.proxy << " connected to " << e.target;
    // Many proxies (microsocks among them) leave BND.ADDR unset: "0.0.0.0:0" says nothing.
    if (!e.bound.ends_with(":0")) std::clog << " from " << e.bound;
    std::clog << '\n';
  };
  net_obs.on_tls_done = [prefix](const net::tls_done_event&) { std::clog << prefix << "TLS handshake done\n"; };
  net_obs.on_websocket_upgraded = [prefix](const net::websocket_upgraded_event& e) {
    std::clog << prefix << "WebSocket upgraded (HTTP " << e.http_status << ", subprotocol '" << report::display_escaped(e.subprotocol, '\'')
              << "')\n";
  };
  auto& obs = options.observer;
  obs.on_packet = [prefix](const client::packet_event& e) {
    std::clog << prefix << (e.direction == client::direction::sent ? "sent " : "received ")
              << (e.decoded ? proto::to_string(*e.decoded) : std::string("undecodable packet")) << '\n';
  };
  obs.on_connection_lost = [prefix](const client::connection_lost_event& e) {
    std::clog << prefix << diag::connection_lost_line("", e.message, e.will_reconnect) << '\n';
  };
  obs.on_reconnecting = [prefix](const client::reconnecting_event& e) {
    std::clog << prefix << "reconnect attempt " << e.attempt << " in " << e.delay.count() << " ms\n";
  };
}

}  // namespace mqtk::tools
