#include "mqtk-ping/prober.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cmath>
#include <ctime>
#include <iostream>
#include <optional>

#include "mqtk/diag/exit_code.hpp"
#include "mqtk/diag/peer_reply.hpp"
#include "mqtk/diag/ping_check_text.hpp"
#include "mqtk/diag/probe_text.hpp"
#include "mqtk/diag/refusal.hpp"
#include "mqtk/net/tls_context.hpp"
#include "mqtk/net/transport.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session_error.hpp"
#include "mqtk/report/text_escape.hpp"

namespace asio = boost::asio;

namespace mqtk::tools {
namespace {

constexpr std::string_view tool = "mqtk-ping";

double ms_between(client::clock::time_point a, client::clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Days from now until an RFC 3339 UTC time ("2027-01-01T00:00:00Z"); nullopt if unparsable.
std::optional<long> days_left(const std::string& rfc3339) {
  std::tm tm{};
  if (std::sscanf(rfc3339.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t then = timegm(&tm);
  const std::time_t now = std::time(nullptr);
  return static_cast<long>(std::floor(std::difftime(then, now) / 86400.0));
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

// The chain as JSON and as indented text lines.
void describe_chain(const net::tls_session_info& info, nlohmann::json& details, std::vector<std::string>& text) {
  auto& chain = details["peer_chain"] = nlohmann::json::array();
  for (std::size_t i = 0; i < info.peer_chain.size(); ++i) {
    const auto& c = info.peer_chain[i];
    const auto left = days_left(c.not_after);
    chain.push_back({{"subject", c.subject},
                     {"issuer", c.issuer},
                     {"subject_alt_names", c.subject_alt_names},
                     {"not_before", c.not_before},
                     {"not_after", c.not_after},
                     {"days_left", left ? nlohmann::json(*left) : nlohmann::json(nullptr)}});
    text.push_back("certificate " + std::to_string(i) + ": " + c.subject + "; issuer " + c.issuer);
    text.push_back("  valid " + c.not_before + " to " + c.not_after +
                   (left ? " (" + std::to_string(*left) + " days left)" : std::string()));
    if (!c.subject_alt_names.empty()) text.push_back("  SAN: " + join(c.subject_alt_names, ", "));
  }
  details["verify_result"] = info.verify_result;
  details["verify"] = info.verify_result == 0 ? std::string("ok") : info.verify_error;
  text.push_back("verify: " + (info.verify_result == 0 ? std::string("ok") : info.verify_error) +
                 (info.hostname_checked ? " (host name checked)" : " (host name not checked: --insecure)"));
}

// Every CONNACK property by its JSON name; user properties as [key, value] pairs.
nlohmann::json connack_properties(const proto::property_list& props) {
  nlohmann::json j = nlohmann::json::object();
  for (const proto::property& p : props) {
    const auto* info = proto::find_property_info(static_cast<std::uint8_t>(p.id));
    if (!info) continue;
    const std::string name(info->name);
    if (p.id == proto::property_id::user_property) {
      j["user_properties"].push_back({std::string(p.key), std::string(p.value)});
    } else if (info->type == proto::property_type::utf8_string) {
      j[name] = std::string(p.value);
    } else if (info->type == proto::property_type::binary_data) {
      j[name + "_len"] = p.value.size();
    } else {
      j[name] = p.number;
    }
  }
  return j;
}

std::string properties_text(const nlohmann::json& props) {
  std::string out;
  for (const auto& [k, v] : props.items()) {
    // Values come from the broker: escaped, as everywhere its strings reach a terminal.
    out += (out.empty() ? "" : "; ") + k + " " + (v.is_string() ? report::display_escaped(v.get<std::string>(), 0) : v.dump());
  }
  return out;
}

}  // namespace

void ping_output::line(const std::string& text) const {
  if (!json_) std::cout << text << '\n' << std::flush;
}

prober::prober(const ping_options& o, asio::io_context& io, ping_report& report, const ping_output& out,
               interruption& interrupt)
    : o_(o), io_(io), report_(report), out_(out), interrupt_(interrupt), wake_(io) {}

client::client_options prober::base_options() const {
  auto c = make_client_options(o_.connection, client::reconnect_policy{});
  c.net.connect_timeout = std::chrono::milliseconds(static_cast<long long>(o_.timeout_s * 1000));
  c.session.pingresp_timeout = c.net.connect_timeout;
  return c;
}

std::string prober::peer_name() const {
  return remote_address_.empty() ? o_.connection.host : o_.connection.host + " (" + remote_address_ + ")";
}

void prober::add_stage(const std::string& name, bool ok, client::clock::time_point at, nlohmann::json details,
                       const std::string& text) {
  const double ms = ms_between(mark_, at);
  mark_ = at;
  report_.stages.push_back({name, ok, ms, std::move(details)});
  char label[16];
  std::snprintf(label, sizeof label, "%-9s", name.c_str());
  out_.line("  " + std::string(label) + " " + (ok ? "" : "FAILED ") + format_ms(ms) + " ms  " + text);
}

void prober::observe(client::client_options& c) {
  auto& n = c.net.observer;
  n.on_resolved = [this](const net::resolved_event& e) {
    nlohmann::json d;
    std::vector<std::string> addrs;
    for (const auto& ep : e.endpoints) addrs.push_back(ep.address().to_string());
    d["host"] = o_.connection.host;
    d["addresses"] = addrs;
    boost::system::error_code literal;
    (void)boost::asio::ip::make_address(o_.connection.host, literal);
    add_stage("dns", true, e.at, d,
              o_.connection.host + ": " + join(addrs, ", ") + (literal ? "" : " (an address: nothing to resolve)"));
  };
  n.on_tcp_attempt_failed = [this](const net::tcp_attempt_failed_event& e) {
    tcp_attempts_.push_back(net::host_port(e.endpoint.address().to_string(), e.endpoint.port()) + ": " +
                            e.error.message());
    out_.line("  tcp       " + tcp_attempts_.back());
  };
  n.on_tcp_connected = [this](const net::tcp_connected_event& e) {
    remote_address_ = e.remote.address().to_string();
    nlohmann::json d;
    d["remote"] = net::host_port(e.remote.address().to_string(), e.remote.port());
    d["local"] = net::host_port(e.local.address().to_string(), e.local.port());
    d["failed_attempts"] = tcp_attempts_;
    add_stage("tcp", true, e.at, d, "connected to " + d["remote"].get<std::string>() + " from " +
                                        d["local"].get<std::string>());
  };
  n.on_unix_connected = [this](const net::unix_connected_event& e) {
    add_stage("unix", true, e.at, {{"path", e.path}}, "connected to " + e.path);
  };
  n.on_proxy_tunnel_open = [this](const net::proxy_tunnel_event& e) {
    add_stage("proxy", true, e.at, {{"proxy", e.proxy}, {"target", e.target}},
              "SOCKS5 " + e.proxy + " opened a tunnel to " + e.target);
  };
  n.on_tls_done = [this](const net::tls_done_event& e) {
    nlohmann::json d{{"tls_version", e.info.version}, {"cipher", e.info.cipher}, {"alpn", e.info.alpn},
                     {"sni", e.info.sni}};
    std::vector<std::string> text;
    describe_chain(e.info, d, text);
    add_stage("tls", true, e.at, d,
              e.info.version + ", " + e.info.cipher + ", ALPN " + (e.info.alpn.empty() ? "-" : e.info.alpn) +
                  ", SNI " + (e.info.sni.empty() ? "-" : e.info.sni));
    for (const auto& t : text) out_.line("                     " + t);
  };
  n.on_websocket_upgraded = [this](const net::websocket_upgraded_event& e) {
    add_stage("websocket", true, e.at, {{"http_status", e.http_status}, {"subprotocol", e.subprotocol}},
              "HTTP " + std::to_string(e.http_status) + ", subprotocol " +
                  (e.subprotocol.empty() ? std::string("-") : e.subprotocol));
  };
  auto& obs = c.observer;
  obs.on_connack = [this](const client::connack_event& e) {
    const bool accepted = !e.packet.reason_code.is_failure(proto::packet_type::connack, e.version);
    nlohmann::json d;
    d["accepted"] = accepted;
    d["reason_code"] = e.packet.reason_code.value();
    d["reason"] = std::string(e.packet.reason_code.name(proto::packet_type::connack, e.version));
    d["session_present"] = e.packet.session_present;
    d["properties"] = connack_properties(e.packet.properties);
    report_.connack = d;
    report_.connect_ms = ms_between(start_, e.at);
    const std::string code_text = diag::reason_code_label(e.packet.reason_code, e.version);
    add_stage("connack", accepted, e.at, d,
              std::string(accepted ? "accepted" : "refused") + ": " + d["reason"].get<std::string>() + " (" +
                  code_text + "), session present " + (e.packet.session_present ? "1" : "0"));
    if (!d["properties"].empty()) out_.line("                     " + properties_text(d["properties"]));
  };
  obs.on_packet = [this](const client::packet_event& e) {
    if (!e.decoded) return;
    if (e.direction == client::direction::sent && std::holds_alternative<proto::pingreq>(*e.decoded)) {
      ping_sent_ = e.at;
    } else if (e.direction == client::direction::received && std::holds_alternative<proto::pingresp>(*e.decoded)) {
      pong_at_ = e.at;
      wake_.cancel();
    } else if (e.direction == client::direction::received) {
      if (const auto* d = std::get_if<proto::disconnect>(e.decoded)) {
        disconnect_reference_ =
            diag::broker_words(d->properties.string(proto::property_id::server_reference).value_or(""),
                               d->properties.string(proto::property_id::reason_string).value_or(""));
      }
    }
  };
  obs.on_connection_lost = [this](const client::connection_lost_event&) {
    lost_ = true;
    wake_.cancel();
  };
}

asio::awaitable<bool> prober::connect(bool quiet_failure) {
  report_.stages.clear();
  report_.connack = nullptr;
  tcp_attempts_.clear();
  remote_address_.clear();
  lost_ = false;
  auto options = make_client_options(o_.connection, client::reconnect_policy{});
  options.net.connect_timeout = std::chrono::milliseconds(static_cast<long long>(o_.timeout_s * 1000));
  options.session.pingresp_timeout = options.net.connect_timeout;
  // A keep alive shorter than the interval would make the session ping on its own between ours.
  const auto needed = static_cast<std::uint16_t>(std::min(65535.0, std::ceil(o_.interval_s * 2 + o_.timeout_s)));
  if (const auto k = options.connect.packet().keep_alive; k < needed && k != 0) {
    options.connect.edit([needed](proto::connect& c) { c.keep_alive = needed; });
  }
  // Loading the CA file and key is local work: done before the clock starts, so that the DNS
  // stage times DNS only. (A failure here is left to the connect, which reports it.)
  if (net::is_tls(options.target.scheme) && !options.net.shared_tls) {
    options.net.shared_tls = net::make_tls_context(options.net.tls);
  }
  observe(options);
  report_.target = net::to_string(options.target);
  report_.version = std::string(proto::version_name(o_.connection.version));
  report_.client_id = o_.connection.client_id;
  client_ = std::make_unique<client::client>(io_.get_executor(), std::move(options));
  interrupt_.stop = [this] { client_->close(); };
  start_ = mark_ = client::clock::now();
  auto [ec, result] = co_await client_->async_connect(asio::as_tuple(asio::use_awaitable));
  interrupt_.stop = nullptr;
  if (!ec) co_return true;
  if (interrupt_.requested) {
    // The stage that was under way: the one after the last that finished.
    const auto scheme = client_->options().target.scheme;
    const std::string last = report_.stages.empty() ? std::string() : report_.stages.back().stage;
    std::string stage = "connack";
    if (last.empty()) {
      stage = "dns";
    } else if (last == "dns") {
      stage = "tcp";
    } else if (last == "tcp" && net::is_tls(scheme)) {
      stage = "tls";
    } else if ((last == "tcp" || last == "tls") && (scheme == net::scheme::ws || scheme == net::scheme::wss)) {
      stage = "websocket";
    }
    const double waited = ms_between(start_, client::clock::now());
    add_stage(stage, false, client::clock::now(), {{"interrupted", true}}, "interrupted");
    report_.fail(diag::to_int(diag::exit_code::timeout),
                 diag::run_stop_line(diag::connect_interrupted{.stage = stage, .waited_ms = format_ms(waited)}),
                 "interrupted");
    std::cerr << tool << ": " << report_.explanation << " \u2014 " << report_.hint << '\n';
    co_return false;
  }
  record_failure();
  if (!quiet_failure) co_await check_other_protocols();
  if (!quiet_failure) co_await ask_in_v5();
  if (!quiet_failure) std::cerr << tool << ": " << report_.explanation << " \u2014 " << report_.hint << '\n';
  co_return false;
}

void prober::record_failure() {
  const auto& f = client_->last_failure();
  const auto now = client::clock::now();
  nlohmann::json d{{"error", f.error.message()}};
  std::string stage = "connack";
  std::string text = f.message;
  if (f.connect && f.connect->phase != net::connect_phase::none) {
    const auto& c = *f.connect;
    text = client::connect_failure_words(c);
    switch (c.phase) {
      case net::connect_phase::resolve: stage = "dns"; break;
      case net::connect_phase::tcp_connect: stage = "tcp"; break;
      case net::connect_phase::tls_handshake: stage = "tls"; break;
      case net::connect_phase::websocket_upgrade: stage = "websocket"; break;
      case net::connect_phase::proxy_handshake: stage = "proxy"; break;
      case net::connect_phase::unix_connect: stage = "unix"; break;
      case net::connect_phase::none: break;
    }
    d["attempts"] = c.attempts;
    if (c.phase == net::connect_phase::tls_handshake) {
      d["openssl_error"] = c.openssl_error;
      std::vector<std::string> lines;
      // Without a certificate from the server there is no chain to describe nor verdict.
      if (!c.tls.peer_chain.empty()) describe_chain(c.tls, d, lines);
      if (c.verify_result != 0) {
        d["verify_result"] = c.verify_result;
        d["verify"] = c.verify_error;
      }
      add_stage(stage, false, now, d, text);
      for (const auto& t : lines) out_.line("                     " + t);
    } else {
      if (c.http_status != 0) {
        d["http_status"] = c.http_status;
        d["http_reason"] = c.http_reason;
        d["http_body"] = c.http_body.substr(0, 200);
        d["http_headers"] = c.http_headers;
      }
      add_stage(stage, false, now, d, text);
      for (const auto& h : c.http_headers) out_.line("                     " + h);
    }
  } else if (!report_.connack.is_null()) {
    // A refusing CONNACK was recorded as a failed stage by on_connack.
    if (const auto ref = report_.connack["properties"].value("server_reference", ""); !ref.empty()) {
      d["server_reference"] = ref;
    }
  } else {
    if (!f.peer_bytes.empty()) {
      const auto reply = diag::classify_reply(f.peer_bytes);
      d["peer_reply"] = {{"protocol", diag::peer_protocol_name(reply.protocol)}, {"summary", reply.summary}};
    }
    add_stage(stage, false, now, d, text.empty() ? f.error.message() : text);
  }
  std::string line = f.line();
  // A 5.0 refusal that names a server to use instead: say which.
  if (!report_.connack.is_null()) {
    const auto props = report_.connack["properties"];
    const std::string extra =
        diag::broker_words(props.value("server_reference", ""), props.value("reason_string", ""));
    if (!extra.empty()) line += " (" + extra + ")";
  }
  report_.fail(f.exit_code(), line);
}

// The port may speak another protocol than the one asked for: try that protocol there (without
// certificate checks: only "does it answer" matters), and say so only when it answers.
asio::awaitable<void> prober::check_other_protocols() {
  const auto& f = client_->last_failure();
  const auto base = client_->options();
  const auto scheme = base.target.scheme;
  const bool plain = scheme == net::scheme::mqtt;
  const bool ws = scheme == net::scheme::ws || scheme == net::scheme::wss;
  const bool tls = net::is_tls(scheme);
  const auto reply = diag::classify_reply(f.peer_bytes);
  const bool silent_before_connack =
      f.before_connack && !f.connect && reply.protocol == diag::peer_protocol::none && !f.broker_refused();
  const bool tls_unanswered = f.connect && f.connect->phase == net::connect_phase::tls_handshake &&
                              f.error == net::net_error::tls_handshake_failed && f.connect->tls.peer_chain.empty();
  const bool ws_unanswered = f.connect && f.connect->phase == net::connect_phase::websocket_upgrade &&
                             f.error == net::net_error::websocket_handshake_failed;
  if (!base.net.unix_socket.empty() || base.net.proxy) co_return;
  if (!(silent_before_connack && plain) && !tls_unanswered && !ws_unanswered) co_return;

  const std::string where = net::host_port(base.target.host, base.target.port);
  auto try_transport = [&](net::scheme s) -> asio::awaitable<std::pair<bool, net::tls_session_info>> {
    net::transport t(io_.get_executor());
    auto target = base.target;
    target.scheme = s;
    auto opts = base.net;
    opts.observer = {};
    opts.tls.verify = net::tls_verify::none;
    opts.connect_timeout = std::min(opts.connect_timeout, std::chrono::milliseconds(3000));
    interrupt_.stop = [&t] { t.close(); };
    auto [ec] = co_await t.async_connect(target, opts, asio::as_tuple(asio::use_awaitable));
    interrupt_.stop = nullptr;
    const bool answered = !ec || (s == net::scheme::ws && t.last_failure().http_status != 0);
    co_return std::pair{answered, t.tls_info()};
  };
  auto try_mqtt = [&]() -> asio::awaitable<bool> {
    auto opts = base;
    opts.target.scheme = net::scheme::mqtt;
    opts.net.observer = {};
    opts.observer = {};
    opts.net.connect_timeout = std::min(opts.net.connect_timeout, std::chrono::milliseconds(3000));
    client::client c(io_.get_executor(), opts);
    interrupt_.stop = [&c] { c.close(); };
    auto [ec, r] = co_await c.async_connect(asio::as_tuple(asio::use_awaitable));
    interrupt_.stop = nullptr;
    const bool answered = !ec || ec == proto::session_error::connection_refused;
    if (!ec) co_await c.async_disconnect(asio::as_tuple(asio::use_awaitable));
    co_return answered;
  };

  std::optional<diag::other_protocol_found> found;
  auto found_listener = [&](diag::other_listener l) {
    found = diag::other_protocol_found{.listener = l, .port = base.target.port, .where = where};
  };
  net::tls_session_info tls_seen;
  if (plain || ws) {
    if (ws && co_await try_mqtt()) found_listener(diag::other_listener::plain_mqtt_not_websocket);
    if (!found && !tls) {
      auto [speaks_tls, info] = co_await try_transport(net::scheme::mqtts);
      if (speaks_tls) {
        tls_seen = std::move(info);
        found_listener(diag::other_listener::tls);
        found->asked_websocket = ws;
        found->tls_version = tls_seen.version;
        if (!tls_seen.peer_chain.empty()) found->certificate_subject = tls_seen.peer_chain.front().subject;
      }
    }
    if (!found && plain && f.error == proto::session_error::connack_timeout) {
      if (auto [speaks_ws, info] = co_await try_transport(net::scheme::ws); speaks_ws) {
        found_listener(diag::other_listener::http);
      }
    }
  } else if (tls) {
    if (co_await try_mqtt()) {
      found_listener(diag::other_listener::plain_mqtt_not_tls);
    } else if (auto [speaks_ws, info] = co_await try_transport(net::scheme::ws); speaks_ws) {
      found_listener(diag::other_listener::http_not_tls);
    }
  }
  if (!found) co_return;
  auto finding = diag::wrong_protocol_finding(*found);
  report_.stages.push_back({"probe", false, 0, nlohmann::json{{"confirmed", true}, {"finding", finding.message}}});
  out_.line("  probe     " + finding.message);
  report_.explanation = report_.explanation + ": " + finding.message;
  report_.hint = finding.hint;
  report_.findings.push_back(std::move(finding));
}

// Brokers fold several 5.0 reasons into one 3.1.1 return code (mosquitto: bad password and
// ACL-denied user both read "not authorized"): a 3.1.1 refusal is asked again as 5.0.
asio::awaitable<void> prober::ask_in_v5() {
  const auto& f = client_->last_failure();
  if (!f.broker_refused() || f.version == proto::protocol_version::v5 || f.where != proto::packet_type::connack) {
    co_return;
  }
  auto opts = base_options();
  opts.connect.edit([](proto::connect& c) { c.version = proto::protocol_version::v5; });
  client::client c(io_.get_executor(), opts);
  interrupt_.stop = [&c] { c.close(); };
  auto [ec, res] = co_await c.async_connect(asio::as_tuple(asio::use_awaitable));
  interrupt_.stop = nullptr;
  if (!ec) {
    co_await c.async_disconnect(asio::as_tuple(asio::use_awaitable));
    auto finding = diag::accepted_as_v5_finding(f.version);
    out_.line("  v5 retry  " + finding.message);
    report_.findings.push_back(std::move(finding));
    co_return;
  }
  if (ec != proto::session_error::connection_refused) co_return;
  auto finding = diag::v5_reason_finding(res.reason_code);
  out_.line("  v5 retry  " + finding.message);
  report_.findings.push_back(std::move(finding));
}

asio::awaitable<void> prober::wait(std::chrono::steady_clock::duration d) {
  wake_.expires_after(d);
  interrupt_.stop = [this] { wake_.cancel(); };
  co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  interrupt_.stop = nullptr;
}

asio::awaitable<void> prober::ping_loop() {
  report_.pinged = true;
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(o_.interval_s));
  const auto timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(o_.timeout_s));
  for (unsigned seq = 1; o_.count == 0 || seq <= o_.count; ++seq) {
    if (interrupt_.requested || lost_) break;
    const auto began = client::clock::now();
    ping_sent_.reset();
    pong_at_.reset();
    client_->ping();
    if (!ping_sent_) break;  // not connected any more
    report_.pings.sent();
    // The session ends the connection when no PINGRESP comes within -W; wait a little longer.
    const auto deadline = began + timeout + std::chrono::milliseconds(500);
    while (!pong_at_ && !lost_ && !interrupt_.requested && client::clock::now() < deadline) {
      co_await wait(deadline - client::clock::now());
    }
    if (pong_at_) {
      const double rtt = ms_between(*ping_sent_, *pong_at_);
      report_.pings.received(rtt);
      out_.line("pingresp from " + peer_name() + ": seq=" + std::to_string(seq) + " time=" + format_ms(rtt) + " ms");
    } else if (!interrupt_.requested) {
      out_.line("no pingresp from " + peer_name() + ": seq=" + std::to_string(seq) + " within " +
                format_ms(o_.timeout_s * 1000) + " ms");
    }
    if (lost_ || interrupt_.requested || (o_.count != 0 && seq == o_.count)) break;
    const auto next = began + interval;
    while (!lost_ && !interrupt_.requested && client::clock::now() < next) co_await wait(next - client::clock::now());
  }
  if (lost_ && !interrupt_.requested) {
    const auto& f = client_->last_failure();
    std::string line;
    int code = f.exit_code();
    if (f.error == proto::session_error::pingresp_timeout) {
      code = diag::to_int(diag::exit_code::timeout);
      line = diag::keepalive_unanswered_line(
          net::host_port(client_->options().target.host, client_->options().target.port),
          format_ms(o_.timeout_s * 1000));
    } else {
      line = f.line();
      if (!disconnect_reference_.empty()) {
        const auto dash = line.find(" \u2014 ");
        line.insert(dash == std::string::npos ? line.size() : dash, " (" + disconnect_reference_ + ")");
      }
    }
    report_.fail(code, line);
    out_.line("  connection lost after " + std::to_string(report_.pings.sent_count()) + " PINGREQ(s)");
  }
}

asio::awaitable<void> prober::disconnect() {
  if (client_ && client_->connected()) {
    interrupt_.stop = [this] { client_->close(); };
    co_await client_->async_disconnect(asio::as_tuple(asio::use_awaitable));
    interrupt_.stop = nullptr;
  }
}

}  // namespace mqtk::tools
