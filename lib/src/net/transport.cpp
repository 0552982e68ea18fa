// The only translation unit that instantiates Asio's SSL streams and Beast's WebSocket streams:
// everything else sees transport.hpp, which needs neither.
#include "mqtk/net/transport.hpp"
#include "mqtk/proto/overloaded.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/un.h>

#include <array>
#include <optional>
#include <variant>

#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "mqtk/net/socks5_handshake.hpp"
#include "mqtk/version.hpp"
#include "tls_context_impl.hpp"

namespace mqtk::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

namespace {

using unix_socket = asio::local::stream_protocol::socket;
using tls_stream = ssl::stream<tcp::socket>;
using ws_stream = websocket::stream<tcp::socket>;
using wss_stream = websocket::stream<tls_stream>;
using stream_variant = std::variant<std::monostate, tcp::socket, tls_stream, ws_stream, wss_stream, unix_socket>;

// The stream, and whether we closed it: operations that then fail (with operation_aborted,
// or bad_descriptor when they had not reached the socket yet) report operation_aborted.
struct stream_holder {
  stream_variant v;
  bool closed_locally = false;
};

using proto::overloaded;

std::string endpoint_text(const tcp::endpoint& ep) { return host_port(ep.address().to_string(), ep.port()); }

net_error tcp_error(const error_code& ec) {
  if (ec == asio::error::connection_refused) return net_error::connect_refused;
  if (ec == asio::error::timed_out) return net_error::connect_timeout;
  if (ec == asio::error::network_unreachable || ec == asio::error::host_unreachable) {
    return net_error::network_unreachable;
  }
  return net_error::connect_failed;
}

bool is_hostname_error(long v) {
  return v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH || v == X509_V_ERR_EMAIL_MISMATCH;
}

// The type-erased handler with its real executor and cancellation slot, keeping the stream
// it runs on alive until the operation completes.
template <class Handler>
struct bound_handler {
  Handler handler;
  asio::any_io_executor executor;
  std::shared_ptr<stream_holder> stream;

  using executor_type = asio::any_io_executor;
  executor_type get_executor() const noexcept { return executor; }
  using cancellation_slot_type = asio::cancellation_slot;
  cancellation_slot_type get_cancellation_slot() const noexcept { return handler.get_cancellation_slot(); }

  void operator()(error_code ec, std::size_t n) {
    if (ec && stream->closed_locally) ec = asio::error::operation_aborted;
    std::move(handler)(ec, n);
  }
};

// Delivers a result through the handler's executor without running it inside the caller.
template <class Handler, class... Args>
void post_result(const asio::any_io_executor& ex, Handler handler, Args... args) {
  asio::post(ex, [h = std::move(handler), args...]() mutable { std::move(h)(args...); });
}

}  // namespace

struct transport::impl : std::enable_shared_from_this<impl> {
  explicit impl(asio::any_io_executor ex) : executor(std::move(ex)), timer(executor) {}

  asio::any_io_executor executor;
  // Shared with pending read/write handlers: an SSL stream must outlive its operations even
  // when a reconnect replaces it.
  std::shared_ptr<stream_holder> stream = std::make_shared<stream_holder>();
  std::shared_ptr<tls_context> tls;  // must outlive the SSL stream built on it
  asio::steady_timer timer;          // the connect deadline
  std::optional<tcp::resolver> resolver;
  scheme kind = scheme::mqtt;
  connect_failure failure;
  tls_session_info tls_info;
  std::vector<certificate_info> verified_chain;  // as seen by the verify callback
  long first_verify_error = 0;
  int first_verify_depth = -1;
  bool connecting = false;
  bool timed_out = false;
  bool aborted = false;
  unsigned generation = 0;  // tells a stale deadline handler from the current one
  tcp::endpoint remote;
  tcp::endpoint local;

  // The TCP socket under every layer; null for a Unix socket or no stream.
  tcp::socket* lowest_tcp() {
    return std::visit(overloaded{[](std::monostate&) -> tcp::socket* { return nullptr; },
                                 [](unix_socket&) -> tcp::socket* { return nullptr; },
                                 [](tcp::socket& s) { return &s; },
                                 [](tls_stream& s) { return &s.next_layer(); },
                                 [](ws_stream& s) { return &s.next_layer(); },
                                 [](wss_stream& s) { return &s.next_layer().next_layer(); }},
                      stream->v);
  }

  // Calls f with the socket under every layer (a tcp::socket or the Unix socket); false when
  // there is no stream.
  template <class F>
  bool with_socket(F&& f) {
    if (auto* u = std::get_if<unix_socket>(&stream->v)) {
      f(*u);
      return true;
    }
    if (auto* t = lowest_tcp()) {
      f(*t);
      return true;
    }
    return false;
  }

  bool socket_is_open() {
    bool open = false;
    with_socket([&](auto& s) { open = s.is_open(); });
    return open;
  }

  // Stops whatever the connect is waiting for; the coroutine then sees operation_aborted.
  void abort_io() {
    if (resolver) resolver->cancel();
    with_socket([&](auto& s) {
      stream->closed_locally = true;
      error_code ignored;
      s.close(ignored);
    });
  }

  tls_stream* tls_layer() {
    if (auto* s = std::get_if<tls_stream>(&stream->v)) return s;
    if (auto* s = std::get_if<wss_stream>(&stream->v)) return &s->next_layer();
    return nullptr;
  }

  error_code fail(connect_phase phase, net_error e, error_code detail = {}) {
    failure.phase = phase;
    failure.error = e;
    failure.detail = detail;
    return failure.error;
  }

  // A failed wait of the connect: the deadline's doing, close()'s, or the peer's.
  error_code phase_error(connect_phase phase, net_error on_timeout, net_error otherwise, error_code detail) {
    if (timed_out) return fail(phase, on_timeout, detail);
    if (aborted) return fail(phase, otherwise, asio::error::operation_aborted);
    return fail(phase, otherwise, detail);
  }

  void prepare_tls(tls_stream& s, const connection_target& target, const tls_options& o);
  void collect_tls_info(tls_stream& s);
  asio::awaitable<error_code> connect(connection_target target, connect_options o);
  asio::awaitable<error_code> connect_unix(const connect_options& o);
  asio::awaitable<error_code> open_proxy_tunnel(tcp::socket& sock, const connection_target& target,
                                                const socks5_proxy& proxy, const connect_options& o);
  template <class Ws>
  asio::awaitable<error_code> upgrade(Ws& ws, const connection_target& target, const connect_options& o);
};

void transport::impl::prepare_tls(tls_stream& s, const connection_target& target, const tls_options& o) {
  SSL* ssl = s.native_handle();
  error_code ec;
  const auto literal = asio::ip::make_address(target.host, ec);
  const bool is_ip = !ec;
  // SNI carries names only (RFC 6066), never an address.
  tls_info.sni = !o.sni.empty() ? o.sni : (is_ip ? std::string() : target.host);
  if (!tls_info.sni.empty()) SSL_set_tlsext_host_name(ssl, tls_info.sni.c_str());
  tls_info.hostname_checked = o.verify == tls_verify::full;
  if (tls_info.hostname_checked) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, literal.to_string().c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, target.host.c_str(), target.host.size());
    }
  }
  s.set_verify_mode(ssl::verify_peer);
  // Called during the handshake, while this impl is alive (it owns the stream).
  s.set_verify_callback([this, accept_all = o.verify == tls_verify::none](bool preverified, ssl::verify_context& vc) {
    X509_STORE_CTX* ctx = vc.native_handle();
    const int depth = X509_STORE_CTX_get_error_depth(ctx);
    if (!preverified && first_verify_error == 0) {
      first_verify_error = X509_STORE_CTX_get_error(ctx);
      first_verify_depth = depth;
    }
    if (depth >= 0 && static_cast<std::size_t>(depth) >= verified_chain.size()) {
      verified_chain.resize(static_cast<std::size_t>(depth) + 1);
      verified_chain[static_cast<std::size_t>(depth)] = describe_certificate(X509_STORE_CTX_get_current_cert(ctx));
    }
    return preverified || accept_all;
  });
}

void transport::impl::collect_tls_info(tls_stream& s) {
  SSL* ssl = s.native_handle();
  if (SSL_is_init_finished(ssl)) {
    tls_info.version = SSL_get_version(ssl);
    tls_info.cipher = SSL_get_cipher_name(ssl);
    const unsigned char* alpn = nullptr;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    if (alpn) tls_info.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  }
  tls_info.peer_chain.clear();
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(chain); ++i) tls_info.peer_chain.push_back(describe_certificate(sk_X509_value(chain, i)));
  }
  if (tls_info.peer_chain.empty()) tls_info.peer_chain = verified_chain;
  tls_info.verify_result = first_verify_error;
  tls_info.verify_error = first_verify_error ? X509_verify_cert_error_string(first_verify_error) : "";
}

template <class Ws>
asio::awaitable<error_code> transport::impl::upgrade(Ws& ws, const connection_target& target, const connect_options& o) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = o.connect_timeout;  // also bounds the closing handshake
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;  // MQTT has its own keepalive
  ws.set_option(t);
  ws.set_option(websocket::stream_base::decorator([wo = o.websocket](websocket::request_type& req) {
    req.set(http::field::user_agent, std::string("mqtk/") + mqtk::version_string);
    if (!wo.subprotocol.empty()) req.set(http::field::sec_websocket_protocol, wo.subprotocol);
    for (const auto& [name, value] : wo.headers) req.set(name, value);
  }));
  ws.binary(true);
  ws.auto_fragment(false);
  // No WebSocket-level message limit: the MQTT decoder enforces the packet size limit.
  ws.read_message_max(0);
  const std::string bracketed = target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  const std::string host_header =
      target.port == default_port(target.scheme) ? bracketed : bracketed + ":" + std::to_string(target.port);
  const std::string path = target.path_or_topic.empty() ? std::string(default_websocket_path) : target.path_or_topic;
  websocket::response_type res;
  error_code ec;
  co_await ws.async_handshake(res, host_header, path, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    if (timed_out || ec == beast::error::timeout) co_return fail(connect_phase::websocket_upgrade, net_error::websocket_timeout, ec);
    // Without an answer (EOF, reset, bytes that are not HTTP) the response holds no status:
    // only a declined upgrade has one worth citing.
    if (ec == websocket::error::upgrade_declined) {
      failure.http_status = static_cast<int>(res.result_int());
      failure.http_reason = std::string(res.reason());
      failure.http_body = res.body().substr(0, 512);
      for (const auto& field : res) {
        const auto name = field.name();
        if (name == http::field::server || name == http::field::www_authenticate || name == http::field::location ||
            name == http::field::sec_websocket_protocol || name == http::field::sec_websocket_version ||
            name == http::field::upgrade || name == http::field::retry_after) {
          failure.http_headers.push_back(std::string(field.name_string()) + ": " + std::string(field.value()));
        }
      }
      co_return fail(connect_phase::websocket_upgrade, net_error::websocket_upgrade_rejected, ec);
    }
    co_return fail(connect_phase::websocket_upgrade, net_error::websocket_handshake_failed, ec);
  }
  if (o.observer.on_websocket_upgraded) {
    o.observer.on_websocket_upgraded(websocket_upgraded_event{
        .at = connect_clock::now(),
        .http_status = static_cast<int>(res.result_int()),
        .subprotocol = std::string(res[http::field::sec_websocket_protocol])});
  }
  co_return error_code{};
}

asio::awaitable<error_code> transport::impl::connect(connection_target target, connect_options o) {
  // Keeps this impl alive for the whole coroutine, even if the transport goes away.
  auto self = shared_from_this();
  failure.host = target.host;
  error_code ec;
  if (!o.unix_socket.empty()) {
    failure.unix_socket = o.unix_socket;
    failure.address = o.unix_socket;
    // MQTT over a Unix socket is plain, as in mosquitto; a proxy has nothing to do there.
    if (target.scheme != scheme::mqtt || o.proxy) {
      co_return fail(connect_phase::none, net_error::invalid_target, asio::error::operation_not_supported);
    }
  } else if (target.host.empty() || target.port == 0) {
    co_return fail(connect_phase::none, net_error::invalid_target);
  }
  if (o.proxy) {
    failure.proxy = host_port(o.proxy->host, o.proxy->port);
    if (o.proxy->host.empty() || o.proxy->port == 0) co_return fail(connect_phase::none, net_error::invalid_target);
  }

  if (is_tls(target.scheme)) {
    tls = o.shared_tls ? o.shared_tls : make_tls_context(o.tls, &failure);
    if (!tls) {
      failure.host = target.host;
      co_return fail(connect_phase::tls_handshake, net_error::tls_setup_failed);
    }
  }

  // One deadline for the whole connect: when it fires, whatever is pending is aborted.
  const unsigned gen = generation;
  timer.expires_after(o.connect_timeout);
  timer.async_wait([weak = weak_from_this(), gen](error_code e) {
    auto p = weak.lock();
    if (e || !p || p->generation != gen || !p->connecting) return;
    p->timed_out = true;
    p->abort_io();
  });
  if (!o.unix_socket.empty()) co_return co_await connect_unix(o);

  // ---- resolve: the broker, or the proxy (which resolves the broker's name itself)
  const std::string& dial_host = o.proxy ? o.proxy->host : target.host;
  const std::uint16_t dial_port = o.proxy ? o.proxy->port : target.port;
  std::vector<tcp::endpoint> endpoints = o.proxy ? std::vector<tcp::endpoint>{} : o.endpoints;
  if (endpoints.empty()) {
    const auto literal = asio::ip::make_address(dial_host, ec);
    if (!ec) {
      endpoints.emplace_back(literal, dial_port);
    } else {
      resolver.emplace(executor);
      auto results = co_await resolver->async_resolve(dial_host, std::to_string(dial_port),
                                                      tcp::resolver::numeric_service,
                                                      asio::redirect_error(asio::use_awaitable, ec));
      resolver.reset();
      if (ec) co_return phase_error(connect_phase::resolve, net_error::connect_timeout, net_error::dns_failed, ec);
      for (const auto& r : results) endpoints.push_back(r.endpoint());
    }
  }
  asio::ip::address bind_address;
  if (!o.bind_address.empty()) {
    bind_address = asio::ip::make_address(o.bind_address, ec);
    if (ec) co_return fail(connect_phase::tcp_connect, net_error::invalid_target, ec);
  }
  std::erase_if(endpoints, [&](const tcp::endpoint& ep) {
    if (o.family == ip_family::v4 && !ep.address().is_v4()) return true;
    if (o.family == ip_family::v6 && !ep.address().is_v6()) return true;
    return !o.bind_address.empty() && ep.address().is_v4() != bind_address.is_v4();
  });
  if (endpoints.empty()) {
    co_return fail(connect_phase::resolve, net_error::dns_failed, asio::error::host_not_found);
  }
  if (o.observer.on_resolved) o.observer.on_resolved(resolved_event{.at = connect_clock::now(), .endpoints = endpoints});

  // ---- the stream for this scheme, built around a fresh socket
  switch (target.scheme) {
    case scheme::mqtt: stream->v.emplace<tcp::socket>(executor); break;
    case scheme::mqtts: stream->v.emplace<tls_stream>(executor, tls->get().ctx); break;
    case scheme::ws: stream->v.emplace<ws_stream>(executor); break;
    case scheme::wss: stream->v.emplace<wss_stream>(executor, tls->get().ctx); break;
  }
  tcp::socket& sock = *lowest_tcp();

  // ---- TCP: each address in turn (localhost may be ::1 first, with the broker on 127.0.0.1)
  bool connected = false;
  error_code last_error;
  for (const auto& ep : endpoints) {
    if (timed_out || aborted) break;
    failure.address = endpoint_text(ep);
    sock.close(ec);
    sock.open(ep.protocol(), ec);
    if (!ec && !o.bind_address.empty()) sock.bind(tcp::endpoint(bind_address, 0), ec);
    if (!ec) co_await sock.async_connect(ep, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      connected = true;
      break;
    }
    last_error = ec;
    failure.attempts.push_back(failure.address + ": " + (timed_out ? std::string("timed out") : ec.message()));
    if (o.observer.on_tcp_attempt_failed) {
      o.observer.on_tcp_attempt_failed(
          tcp_attempt_failed_event{.at = connect_clock::now(), .endpoint = ep, .error = timed_out ? asio::error::timed_out : ec});
    }
  }
  if (!connected) {
    co_return phase_error(connect_phase::tcp_connect, net_error::connect_timeout, tcp_error(last_error), last_error);
  }
  if (o.tcp_nodelay) sock.set_option(tcp::no_delay(true), ec);
  remote = sock.remote_endpoint(ec);
  local = sock.local_endpoint(ec);
  if (o.observer.on_tcp_connected) {
    o.observer.on_tcp_connected(tcp_connected_event{.at = connect_clock::now(), .remote = remote, .local = local});
  }

  // ---- SOCKS5: the proxy opens the TCP connection to the broker; the rest runs through it
  if (o.proxy) {
    ec = co_await open_proxy_tunnel(sock, target, *o.proxy, o);
    if (ec) co_return ec;
  }

  // ---- TLS
  if (auto* tls_s = tls_layer()) {
    prepare_tls(*tls_s, target, tls->options());
    co_await tls_s->async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    collect_tls_info(*tls_s);
    failure.tls = tls_info;
    if (ec) {
      failure.openssl_error = ec.message();
      failure.psk_identity = tls->options().psk_identity;
      if (timed_out) co_return fail(connect_phase::tls_handshake, net_error::tls_handshake_timeout, ec);
      if (aborted) co_return fail(connect_phase::tls_handshake, net_error::tls_handshake_failed, asio::error::operation_aborted);
      const long verify = first_verify_error != 0 ? first_verify_error : SSL_get_verify_result(tls_s->native_handle());
      if (verify != X509_V_OK && tls->options().verify != tls_verify::none) {
        failure.verify_result = verify;
        failure.verify_error = X509_verify_cert_error_string(verify);
        failure.verify_depth = first_verify_depth;
        co_return fail(connect_phase::tls_handshake,
                       is_hostname_error(verify) ? net_error::tls_hostname_mismatch : net_error::tls_verify_failed, ec);
      }
      co_return fail(connect_phase::tls_handshake, net_error::tls_handshake_failed, ec);
    }
    if (o.observer.on_tls_done) o.observer.on_tls_done(tls_done_event{.at = connect_clock::now(), .info = tls_info});
  }

  // ---- WebSocket upgrade
  if (auto* ws = std::get_if<ws_stream>(&stream->v)) {
    ec = co_await upgrade(*ws, target, o);
  } else if (auto* wss = std::get_if<wss_stream>(&stream->v)) {
    ec = co_await upgrade(*wss, target, o);
  }
  if (ec) co_return ec;
  co_return error_code{};
}

asio::awaitable<error_code> transport::impl::connect_unix(const connect_options& o) {
  error_code ec;
  // sun_path holds the path and its terminating NUL; Asio would throw for a longer path.
  if (o.unix_socket.size() >= sizeof(sockaddr_un{}.sun_path)) {
    co_return fail(connect_phase::unix_connect, net_error::invalid_target, asio::error::name_too_long);
  }
  auto& sock = stream->v.emplace<unix_socket>(executor);
  sock.open(asio::local::stream_protocol(), ec);
  if (!ec) {
    co_await sock.async_connect(asio::local::stream_protocol::endpoint(o.unix_socket),
                                asio::redirect_error(asio::use_awaitable, ec));
  }
  // ENOENT, ECONNREFUSED (also a path that is not a socket), EACCES: the broker is unreachable
  // there, as a refused TCP port is.
  if (ec) co_return phase_error(connect_phase::unix_connect, net_error::connect_timeout, tcp_error(ec), ec);
  if (o.observer.on_unix_connected) {
    o.observer.on_unix_connected(unix_connected_event{.at = connect_clock::now(), .path = o.unix_socket});
  }
  co_return error_code{};
}

asio::awaitable<error_code> transport::impl::open_proxy_tunnel(tcp::socket& sock, const connection_target& target,
                                                               const socks5_proxy& proxy, const connect_options& o) {
  // From here on, messages name the broker as asked of the proxy, not the proxy's address.
  failure.address = host_port(target.host, target.port);
  socks5_handshake handshake(socks5_request{
      .host = target.host, .port = target.port, .username = proxy.username, .password = proxy.password});
  // Exactly what the handshake asks for, never more: what follows the CONNECT reply is the
  // broker's (TLS or MQTT bytes) and belongs to the stream built on this socket.
  std::array<std::uint8_t, 512> buffer{};
  error_code ec;
  while (!handshake.done() && !handshake.failed()) {
    if (handshake.has_output()) {
      const auto request = handshake.take_output();
      co_await asio::async_write(sock, asio::buffer(request), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    const std::size_t wanted = handshake.bytes_needed();
    co_await asio::async_read(sock, asio::buffer(buffer.data(), wanted), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    handshake.receive(std::span<const std::uint8_t>(buffer.data(), wanted));
  }
  if (handshake.failed()) {
    co_return fail(connect_phase::proxy_handshake, net_error::proxy_handshake_failed, handshake.error());
  }
  if (ec) {
    co_return phase_error(connect_phase::proxy_handshake, net_error::connect_timeout, net_error::proxy_handshake_failed,
                          ec);
  }
  if (o.observer.on_proxy_tunnel_open) {
    o.observer.on_proxy_tunnel_open(proxy_tunnel_event{.at = connect_clock::now(),
                                                       .proxy = failure.proxy,
                                                       .target = failure.address,
                                                       .bound = handshake.bound_address()});
  }
  co_return error_code{};
}

// ---- transport ---------------------------------------------------------------------------

transport::transport(executor_type executor) : impl_(std::make_shared<impl>(std::move(executor))) {}

transport::~transport() {
  if (impl_) close();
}

transport::transport(transport&&) noexcept = default;
transport& transport::operator=(transport&& other) noexcept {
  if (this != &other) {
    if (impl_) close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

transport::executor_type transport::get_executor() const noexcept { return impl_->executor; }

void transport::start_connect(connection_target target, connect_options options, executor_type ex,
                              connect_handler handler) {
  auto& s = *impl_;
  if (s.connecting) {
    // The running connect holds references into the current stream: it must finish (or be
    // aborted with close()) first.
    post_result(ex, std::move(handler), error_code(asio::error::already_started));
    return;
  }
  // A new connect replaces whatever was there; any old pending operations are aborted.
  s.abort_io();
  ++s.generation;
  s.timer.cancel();
  s.stream = std::make_shared<stream_holder>();
  s.tls.reset();
  s.failure = {};
  s.tls_info = {};
  s.verified_chain.clear();
  s.first_verify_error = 0;
  s.first_verify_depth = -1;
  s.timed_out = false;
  s.aborted = false;
  s.connecting = true;
  s.kind = target.scheme;
  s.remote = {};
  s.local = {};

  auto slot = asio::get_associated_cancellation_slot(handler);
  if (slot.is_connected()) {
    slot.assign([weak = std::weak_ptr<impl>(impl_)](asio::cancellation_type type) {
      auto p = weak.lock();
      if (!p || !p->connecting || (type & asio::cancellation_type::terminal) == asio::cancellation_type::none) return;
      p->aborted = true;
      p->abort_io();
    });
  }
  asio::co_spawn(
      s.executor, s.connect(std::move(target), std::move(options)),
      [self = impl_, ex = std::move(ex), h = std::move(handler)](std::exception_ptr ep, error_code ec) mutable {
        if (ep) ec = self->fail(self->failure.phase, net_error::connect_failed, asio::error::fault);
        self->connecting = false;
        self->timer.cancel();
        if (ec && self->aborted) {
          ec = asio::error::operation_aborted;
          self->failure.error = ec;
        }
        if (ec) {
          self->abort_io();
          self->stream = std::make_shared<stream_holder>();
        } else {
          self->failure = {};
        }
        auto slot2 = asio::get_associated_cancellation_slot(h);
        if (slot2.is_connected()) slot2.clear();
        asio::dispatch(ex, [h = std::move(h), ec]() mutable { std::move(h)(ec); });
      });
}

void transport::start_read(asio::mutable_buffer buffer, executor_type ex, io_handler handler) {
  auto& s = *impl_;
  if (s.connecting || !s.socket_is_open()) {
    post_result(ex, std::move(handler), error_code(net_error::not_connected), std::size_t{0});
    return;
  }
  bound_handler<io_handler> h{std::move(handler), std::move(ex), s.stream};
  std::visit(overloaded{[](std::monostate&) {}, [&](auto& st) { st.async_read_some(buffer, std::move(h)); }},
             s.stream->v);
}

void transport::start_write(asio::const_buffer buffer, executor_type ex, io_handler handler) {
  auto& s = *impl_;
  if (s.connecting || !s.socket_is_open()) {
    post_result(ex, std::move(handler), error_code(net_error::not_connected), std::size_t{0});
    return;
  }
  bound_handler<io_handler> h{std::move(handler), std::move(ex), s.stream};
  std::visit(overloaded{[](std::monostate&) {},
                        [&](tcp::socket& st) { asio::async_write(st, buffer, std::move(h)); },
                        [&](unix_socket& st) { asio::async_write(st, buffer, std::move(h)); },
                        [&](tls_stream& st) { asio::async_write(st, buffer, std::move(h)); },
                        [&](auto& ws) { ws.async_write(buffer, std::move(h)); }},
             s.stream->v);
}

void transport::start_shutdown(std::chrono::milliseconds timeout, executor_type ex, connect_handler handler) {
  auto self = impl_;
  auto op = [](std::shared_ptr<impl> p, std::chrono::milliseconds limit) -> asio::awaitable<error_code> {
    error_code ec;
    if (!p->socket_is_open()) co_return error_code{};
    asio::steady_timer guard(p->executor);
    guard.expires_after(limit);
    guard.async_wait([weak = std::weak_ptr<impl>(p)](error_code e) {
      if (auto q = weak.lock(); q && !e) q->abort_io();
    });
    if (auto* ws = std::get_if<ws_stream>(&p->stream->v)) {
      co_await ws->async_close(websocket::close_code::normal, asio::redirect_error(asio::use_awaitable, ec));
    } else if (auto* wss = std::get_if<wss_stream>(&p->stream->v)) {
      co_await wss->async_close(websocket::close_code::normal, asio::redirect_error(asio::use_awaitable, ec));
    } else if (auto* t = std::get_if<tls_stream>(&p->stream->v)) {
      co_await t->async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    } else {
      p->with_socket([&](auto& sock) { sock.shutdown(asio::socket_base::shutdown_send, ec); });
    }
    guard.cancel();
    p->abort_io();
    // The peer closing first is the normal end of a polite shutdown.
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) ec = {};
    co_return ec;
  };
  asio::co_spawn(self->executor, op(self, timeout),
                 [ex = std::move(ex), h = std::move(handler)](std::exception_ptr, error_code ec) mutable {
                   asio::dispatch(ex, [h = std::move(h), ec]() mutable { std::move(h)(ec); });
                 });
}

void transport::close() noexcept {
  if (!impl_) return;
  if (impl_->connecting) impl_->aborted = true;
  impl_->abort_io();
}

bool transport::is_open() const noexcept {
  if (!impl_ || impl_->connecting) return false;
  return impl_->socket_is_open();
}

scheme transport::kind() const noexcept { return impl_->kind; }
const connect_failure& transport::last_failure() const noexcept { return impl_->failure; }
const tls_session_info& transport::tls_info() const noexcept { return impl_->tls_info; }
tcp::endpoint transport::remote_endpoint() const noexcept { return impl_->remote; }
tcp::endpoint transport::local_endpoint() const noexcept { return impl_->local; }

}  // namespace mqtk::net
