#include "mqtk-ping/ping_checks.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>
#include <map>
#include <random>

#include "mqtk/diag/exit_code.hpp"
#include "mqtk/diag/failure.hpp"
#include "mqtk/diag/ping_check_text.hpp"
#include "mqtk/diag/probe_text.hpp"
#include "mqtk/diag/refusal.hpp"
#include "mqtk/net/transport.hpp"
#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/encoder.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session_error.hpp"

namespace asio = boost::asio;

namespace mqtk::tools {
namespace {

using clock = client::clock;
constexpr std::string_view tool = "mqtk-ping";

double ms_since(clock::time_point t) { return std::chrono::duration<double, std::milli>(clock::now() - t).count(); }

std::chrono::milliseconds seconds(double s) { return std::chrono::milliseconds(static_cast<long long>(s * 1000)); }

// Sleeps `d`; an interruption ends it early.
asio::awaitable<void> pause(asio::io_context& io, std::chrono::milliseconds d, interruption& intr) {
  if (intr.requested) co_return;
  asio::steady_timer t(io);
  t.expires_after(d);
  intr.stop = [&t] { t.cancel(); };
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  intr.stop = nullptr;
}

// Polls `done` every 10 ms for at most `limit`.
template <class Done>
asio::awaitable<bool> wait_until(asio::io_context& io, std::chrono::milliseconds limit, interruption& intr, Done done) {
  const auto end = clock::now() + limit;
  while (!done()) {
    if (intr.requested || clock::now() >= end) co_return false;
    co_await pause(io, std::chrono::milliseconds(10), intr);
  }
  co_return true;
}

std::string random_suffix() {
  std::random_device rd;
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 8; ++i) s += digits[rd() % 16];
  return s;
}

// A SUBACK code that denies the filter: 0x80 and above in 3.1.1 and 5.0 alike (a 3.1.1 broker
// that answers with a 5.0 code still means no).
bool denied(proto::reason_code suback_code) {
  return suback_code.is_failure(proto::packet_type::suback, proto::protocol_version::v5);
}

// Connecting again cannot cure these: the broker answered and said no, or TLS failed.
bool worth_waiting(const client::failure_details& f) {
  if (f.broker_refused()) {
    using proto::reason_code;
    const reason_code c = f.reason_code;
    return c == reason_code::v311_server_unavailable || c == reason_code::server_unavailable ||
           c == reason_code::server_busy || c == reason_code::connection_rate_exceeded;
  }
  switch (f.to_failure().kind) {
    case diag::failure_kind::dns:
    case diag::failure_kind::tcp_refused:
    case diag::failure_kind::connect_timeout:
    case diag::failure_kind::unreachable:
    case diag::failure_kind::connection_lost: return true;
    case diag::failure_kind::websocket: return f.connect && f.connect->http_status >= 500;
    default: return false;
  }
}

void print_failure(const ping_report& r) { std::cerr << tool << ": " << r.explanation << " \u2014 " << r.hint << '\n'; }

}  // namespace

asio::awaitable<int> wait_for_broker(const ping_options& o, asio::io_context& io, prober& p, ping_report& r,
                                     const ping_output& out, interruption& intr) {
  const auto began = clock::now();
  const auto deadline = began + seconds(*o.wait_s);
  for (unsigned attempt = 1;; ++attempt) {
    if (co_await p.connect(true)) {
      const double waited = ms_since(began) / 1000;
      char b[96];
      std::snprintf(b, sizeof b, "broker ready after %u attempt(s), %.1f s", attempt, waited);
      out.line(b);
      r.checks["wait"] = {{"attempts", attempt}, {"seconds", waited}};
      co_await p.disconnect();
      co_return 0;
    }
    r.checks["wait"] = {{"attempts", attempt}, {"seconds", ms_since(began) / 1000}};
    if (intr.requested) co_return r.exit_code;
    if (!worth_waiting(p.client().last_failure())) {
      print_failure(r);
      co_return r.exit_code;
    }
    if (clock::now() + std::chrono::milliseconds(500) >= deadline) {
      r.explanation = diag::broker_not_ready_explanation(ms_since(began) / 1000, attempt, r.explanation);
      print_failure(r);
      co_return r.exit_code;
    }
    out.line("  attempt " + std::to_string(attempt) + ": " + r.explanation);
    co_await pause(io, std::chrono::milliseconds(500), intr);
    if (intr.requested) co_return r.exit_code;
  }
}

asio::awaitable<int> check_versions(const ping_options& o, asio::io_context& io, prober& p, ping_report& r,
                                    const ping_output& out, interruption& intr) {
  struct outcome {
    proto::protocol_version version;
    bool accepted = false;
    bool answered = false;  // a CONNACK came, accepting or refusing
    proto::reason_code code;
    std::string line;
    int exit_code = 0;
    double ms = 0;
  };
  std::vector<outcome> results;
  auto& j = r.checks["versions"] = nlohmann::json::array();
  for (const auto v : {proto::protocol_version::v5, proto::protocol_version::v311, proto::protocol_version::v31}) {
    auto opts = p.base_options();
    opts.connect.edit([v](proto::connect& connect) {
      connect.version = v;
      if (v != proto::protocol_version::v5) connect.properties = {};
    });
    client::client c(io.get_executor(), opts);
    intr.stop = [&c] { c.close(); };
    const auto t0 = clock::now();
    auto [ec, res] = co_await c.async_connect(asio::as_tuple(asio::use_awaitable));
    intr.stop = nullptr;
    outcome x{.version = v, .ms = ms_since(t0)};
    x.accepted = !ec;
    x.answered = !ec || ec == proto::session_error::connection_refused;
    x.code = res.reason_code;
    if (ec) {
      x.line = c.last_failure().line();
      x.exit_code = c.last_failure().exit_code();
    } else {
      co_await c.async_disconnect(asio::as_tuple(asio::use_awaitable));
    }
    const std::string name(proto::version_name(v));
    std::string text = x.accepted ? "accepted" : (x.answered ? "refused: " : "failed: ");
    if (x.answered && !x.accepted) {
      text += std::string(diag::explain_refusal(x.code, v, proto::packet_type::connack).name) + " (" +
              diag::reason_code_label(x.code, v) + ")";
    } else if (!x.accepted) {
      text += x.line.substr(0, x.line.find(" \u2014 "));
    }
    out.line("  " + name + std::string(8 - std::min<std::size_t>(8, name.size()), ' ') + format_ms(x.ms) + " ms  " + text);
    j.push_back({{"version", name},
                 {"accepted", x.accepted},
                 {"answered", x.answered},
                 {"reason_code", x.code.value()},
                 {"ms", x.ms},
                 {"explanation", x.line}});
    results.push_back(std::move(x));
    if (intr.requested) break;
  }
  if (intr.requested) {
    r.fail(diag::to_int(diag::exit_code::timeout), diag::run_stop_line(diag::versions_check_interrupted{}), "interrupted");
    co_return r.exit_code;
  }
  // Brokers fold several 5.0 reasons into one 3.1.1 code: the 5.0 refusal says which.
  const auto& v5 = results[0];
  const auto& v311 = results[1];
  if (v311.answered && !v311.accepted && v5.answered && !v5.accepted) {
    auto finding = diag::v5_reason_for_v311_refusal_finding(v311.code, v5.code);
    out.line("  " + finding.message);
    r.findings.push_back(std::move(finding));
  }
  std::vector<std::string> accepted;
  for (const auto& x : results) {
    if (x.accepted) accepted.emplace_back(proto::version_name(x.version));
  }
  if (!accepted.empty()) {
    std::string list;
    for (const auto& a : accepted) list += (list.empty() ? "" : ", ") + a;
    out.line("accepted: " + list);
    co_return 0;
  }
  // None accepted: the verdict of the version asked for with -V (3.1.1 by default).
  const outcome* asked = &results[1];
  for (const auto& x : results) {
    if (x.version == o.connection.version) asked = &x;
  }
  r.fail(asked->exit_code, asked->line);
  print_failure(r);
  co_return r.exit_code;
}

asio::awaitable<void> check_roundtrip(const ping_options& o, asio::io_context& io, prober& p, ping_report& r,
                                      const ping_output& out, interruption& intr) {
  auto& c = p.client();
  const std::string base = "mqtk/ping/" + o.connection.client_id + "/" + random_suffix();
  struct arrival {
    clock::time_point at;
    bool retain = false;
    std::size_t count = 0;
  };
  std::map<std::string, arrival> arrived;
  c.on_message([&](const proto::publish& m) {
    auto& a = arrived[std::string(m.topic)];
    if (a.count++ == 0) a.at = clock::now();
    a.retain = a.retain || m.retain;
  });
  const auto limit = seconds(o.timeout_s);
  auto& j = r.checks["roundtrip"] = nlohmann::json::object();
  j["topic"] = base;
  auto problem = [&](const diag::roundtrip_problem& what) {
    auto finding = diag::roundtrip_finding(what);
    out.line("  FAILED   " + finding.message);
    r.findings.push_back(std::move(finding));
  };
  const std::string all = base + "/#";
  proto::subscription sub{.filter = all, .max_qos = proto::qos::exactly_once};
  auto [sec, sres] = co_await c.async_subscribe(proto::subscribe{.subscriptions = proto::list_view<proto::subscription>(std::span<const proto::subscription>(&sub, 1))},
                                                asio::as_tuple(asio::use_awaitable));
  if (sec || sres.reason_codes.empty() || denied(sres.reason_codes[0])) {
    const proto::reason_code code = sres.reason_codes.empty() ? proto::reason_code::unspecified_error : sres.reason_codes[0];
    const std::string reason = sec && sec != proto::session_error::rejected
                                   ? c.last_failure().line()
                                   : diag::refusal_reason(code, o.connection.version, proto::packet_type::suback);
    problem(diag::roundtrip_subscribe_refused{.filter = all, .base = base, .reason = reason});
    co_return;
  }
  j["granted_qos"] = sres.reason_codes[0].value();
  // QoS 0, 1, 2: publish -> acknowledgement (PUBACK, PUBCOMP; QoS 0: written) and -> delivery.
  auto& q = j["qos"] = nlohmann::json::array();
  for (const auto qos : {proto::qos::at_most_once, proto::qos::at_least_once, proto::qos::exactly_once}) {
    const auto n = static_cast<int>(qos);
    const std::string topic = base + "/q" + std::to_string(n);
    const auto t0 = clock::now();
    auto [pec, pres] = co_await c.async_publish(proto::publish{.topic = topic, .payload = "mqtk-ping", .qos = qos},
                                                asio::as_tuple(asio::use_awaitable));
    const double ack_ms = ms_since(t0);
    if (pec) {
      problem(diag::roundtrip_publish_failed{.qos = n, .topic = topic, .reason = c.last_failure().line()});
      continue;
    }
    const bool got = co_await wait_until(io, limit, intr, [&] { return arrived.count(topic) != 0; });
    nlohmann::json e{{"qos", n}, {"ack_ms", n == 0 ? nlohmann::json(nullptr) : nlohmann::json(ack_ms)}};
    std::string text = "  qos " + std::to_string(n) + "    ";
    if (n > 0) text += std::string(n == 1 ? "publish->PUBACK " : "publish->PUBCOMP ") + format_ms(ack_ms) + " ms, ";
    if (got) {
      const double rx = std::chrono::duration<double, std::milli>(arrived[topic].at - t0).count();
      e["receive_ms"] = rx;
      text += "publish->receive " + format_ms(rx) + " ms";
      out.line(text);
    } else {
      e["receive_ms"] = nullptr;
      problem(diag::roundtrip_not_delivered{.qos = n, .topic = topic, .waited_ms = format_ms(o.timeout_s * 1000)});
    }
    q.push_back(e);
    if (intr.requested) co_return;
  }
  // Wildcards: '+' in a second subscription.
  const std::string plus_topic = base + "/plus/leaf";
  const std::string plus_filter = base + "/+/leaf";
  proto::subscription plus{.filter = plus_filter, .max_qos = proto::qos::at_least_once};
  auto [wec, wres] = co_await c.async_subscribe(proto::subscribe{.subscriptions = proto::list_view<proto::subscription>(std::span<const proto::subscription>(&plus, 1))},
                                                asio::as_tuple(asio::use_awaitable));
  const bool plus_ok = !wec && !wres.reason_codes.empty() && !denied(wres.reason_codes[0]);
  co_await c.async_publish(proto::publish{.topic = plus_topic, .payload = "w", .qos = proto::qos::at_least_once},
                           asio::as_tuple(asio::use_awaitable));
  const bool wild = co_await wait_until(io, limit, intr, [&] { return arrived.count(plus_topic) != 0; });
  j["wildcards"] = plus_ok && wild;
  if (plus_ok && wild) {
    out.line("  wildcards '#' and '+' work");
  } else {
    problem(diag::roundtrip_wildcard_failed{.subscription_accepted = plus_ok});
  }
  // Retained: publish retained, then subscribe to it anew: it must come with the retain flag.
  const std::string kept = base + "/retained";
  co_await c.async_publish(proto::publish{.topic = kept, .payload = "kept", .qos = proto::qos::at_least_once, .retain = true},
                           asio::as_tuple(asio::use_awaitable));
  co_await wait_until(io, limit, intr, [&] { return arrived.count(kept) != 0; });
  arrived.erase(kept);
  proto::subscription again{.filter = kept, .max_qos = proto::qos::at_least_once};
  co_await c.async_subscribe(proto::subscribe{.subscriptions = proto::list_view<proto::subscription>(std::span<const proto::subscription>(&again, 1))},
                             asio::as_tuple(asio::use_awaitable));
  const bool retained =
      co_await wait_until(io, limit, intr, [&] { return arrived.count(kept) != 0 && arrived[kept].retain; });
  j["retained"] = retained;
  if (retained) {
    out.line("  retained messages work");
  } else {
    problem(diag::roundtrip_retained_not_delivered{});
  }
  // Leave nothing behind: an empty retained message clears it.
  co_await c.async_publish(proto::publish{.topic = kept, .payload = "", .qos = proto::qos::at_least_once, .retain = true},
                           asio::as_tuple(asio::use_awaitable));
  c.on_message(nullptr);
}

asio::awaitable<void> check_capabilities(const ping_options& o, asio::io_context& io, prober& p, ping_report& r,
                                         const ping_output& out, interruption& intr) {
  auto& c = p.client();
  const bool v5 = o.connection.version == proto::protocol_version::v5;
  auto& j = r.checks["capabilities"] = nlohmann::json::object();
  auto say = [&](const std::string& name, const nlohmann::json& value, const std::string& how) {
    j[name] = {{"value", value}, {"source", how}};
    out.line("  " + name + std::string(name.size() < 34 ? 34 - name.size() : 1, ' ') +
             (value.is_string() ? value.get<std::string>() : value.dump()) + "  (" + how + ")");
  };
  const std::string base = "mqtk/ping/" + o.connection.client_id + "/" + random_suffix();
  std::map<std::string, std::size_t> arrived;
  c.on_message([&](const proto::publish& m) { ++arrived[std::string(m.topic)]; });
  auto subscribe = [&](std::string filter, proto::qos qos,
                       std::optional<std::uint32_t> id = std::nullopt) -> asio::awaitable<std::optional<proto::reason_code>> {
    proto::subscription s{.filter = filter, .max_qos = qos};
    std::vector<proto::property> props;
    if (id) props.push_back({.id = proto::property_id::subscription_identifier, .number = *id});
    auto [ec, res] = co_await c.async_subscribe(
        proto::subscribe{.subscriptions = proto::list_view<proto::subscription>(std::span<const proto::subscription>(&s, 1)),
                         .properties = proto::property_list(props)},
        asio::as_tuple(asio::use_awaitable));
    if (res.reason_codes.empty()) co_return std::nullopt;
    co_return res.reason_codes[0];
  };
  const auto limit = seconds(o.timeout_s);

  // What the 5.0 CONNACK said, with the spec's default for a property it left out.
  const nlohmann::json props = r.connack.is_object() ? r.connack["properties"] : nlohmann::json::object();
  auto from_connack = [&](const std::string& name, const nlohmann::json& absent) {
    say(name, props.contains(name) ? props[name] : absent,
        props.contains(name) ? "CONNACK" : "CONNACK (absent: the default)");
  };
  // Maximum QoS: the 5.0 CONNACK says it. 3.1.1 has no such property, and mosquitto grants QoS 2
  // subscriptions whatever it allows publishers: publish at QoS 2, then 1, on connections of
  // their own (a broker drops a publisher over its limit), and keep the highest acknowledged.
  if (v5) {
    from_connack("maximum_qos", 2);
  } else {
    int highest = 0;
    const std::string probe_id = o.connection.client_id + "-q";
    for (const auto qos : {proto::qos::exactly_once, proto::qos::at_least_once}) {
      auto opts = p.base_options();
      opts.connect.edit([&](proto::connect& connect) {
        connect.client_id = probe_id;
        connect.will.reset();
      });
      client::client probe(io.get_executor(), opts);
      intr.stop = [&probe] { probe.close(); };
      auto [cec, cres] = co_await probe.async_connect(asio::as_tuple(asio::use_awaitable));
      bool acked = false;
      if (!cec) {
        const std::string topic = base + "/qos";
        auto [pec, pres] = co_await probe.async_publish(proto::publish{.topic = topic, .payload = "q", .qos = qos},
                                                        asio::as_tuple(asio::use_awaitable));
        acked = !pec;
        if (probe.connected()) co_await probe.async_disconnect(asio::as_tuple(asio::use_awaitable));
      }
      intr.stop = nullptr;
      if (acked) {
        highest = static_cast<int>(qos);
        break;
      }
    }
    say("maximum_qos", highest, "highest QoS publish acknowledged");
  }
  // Retain: 5.0 CONNACK, else a retained message read back.
  if (v5) {
    from_connack("retain_available", 1);
  } else {
    const std::string kept = base + "/retain";
    co_await c.async_publish(proto::publish{.topic = kept, .payload = "r", .qos = proto::qos::at_least_once, .retain = true},
                             asio::as_tuple(asio::use_awaitable));
    co_await subscribe(kept, proto::qos::at_least_once);
    const bool ok = co_await wait_until(io, limit, intr, [&] { return arrived.count(kept) != 0; });
    say("retain_available", ok, "retained message read back");
    co_await c.async_publish(proto::publish{.topic = kept, .payload = "", .qos = proto::qos::at_least_once, .retain = true},
                             asio::as_tuple(asio::use_awaitable));
  }
  const auto wildcard = co_await subscribe(base + "/+/w", proto::qos::at_most_once);
  const auto shared = co_await subscribe("$share/mqtkping/" + base + "/s", proto::qos::at_most_once);
  if (v5) {
    from_connack("wildcard_subscription_available", 1);
    from_connack("shared_subscription_available", 1);
    from_connack("subscription_identifier_available", 1);
    from_connack("topic_alias_maximum", 0);
    from_connack("receive_maximum", 65535);
    if (props.contains("server_keep_alive")) from_connack("server_keep_alive", nullptr);
  } else {
    say("wildcard_subscription_available", wildcard && !denied(*wildcard), "SUBACK of a '+' filter");
    say("shared_subscription_available", shared && !denied(*shared), "SUBACK of a $share/ filter");
    say("subscription_identifier_available", "n/a", "MQTT 5.0 only");
    say("topic_alias_maximum", "n/a", "MQTT 5.0 only");
    say("receive_maximum", "n/a", "MQTT 5.0 only");
  }
  // Maximum packet size: the 5.0 CONNACK's, or the largest QoS 1 publish that comes back, found by
  // doubling then bisection up to 1 MiB (a lost connection counts as too large).
  if (v5 && props.contains("maximum_packet_size")) {
    from_connack("maximum_packet_size", nullptr);
  } else {
    const std::string topic = base + "/size";
    co_await subscribe(topic, proto::qos::at_least_once);
    std::size_t probe_no = 0;
    auto fits = [&](std::size_t size) -> asio::awaitable<bool> {
      if (!c.connected()) co_return false;
      const std::string t = topic;
      const auto before = arrived[t];
      ++probe_no;
      std::string payload(size, 'x');
      auto [ec, res] = co_await c.async_publish(proto::publish{.topic = t, .payload = payload, .qos = proto::qos::at_least_once},
                                                asio::as_tuple(asio::use_awaitable));
      if (ec) co_return false;
      co_return co_await wait_until(io, std::min(limit, std::chrono::milliseconds(2000)), intr,
                                    [&] { return arrived[t] > before; });
    };
    std::size_t good = 0;
    std::size_t bad = 0;
    for (std::size_t size = 1024; size <= (std::size_t{1} << 20); size *= 2) {
      if (co_await fits(size)) {
        good = size;
      } else {
        bad = size;
        break;
      }
      if (intr.requested) break;
    }
    if (bad == 0) {
      say("maximum_packet_size", ">= 1 MiB of payload", "QoS 1 publishes read back (search stops at 1 MiB)");
    } else if (good == 0) {
      say("maximum_packet_size", "< 1 KiB of payload", "QoS 1 publishes read back");
    } else {
      while (c.connected() && bad - good > std::max<std::size_t>(16, good / 64) && !intr.requested) {
        const std::size_t mid = good + (bad - good) / 2;
        if (co_await fits(mid)) good = mid; else bad = mid;
      }
      say("maximum_payload_accepted", good, "largest QoS 1 payload read back (bisection)");
    }
    if (!c.connected()) {
      r.findings.push_back(diag::capability_finding(diag::capability_dropped_on_large_packet{}));
    }
  }
  c.on_message(nullptr);
  // Longest client id accepted: separate connections with ids of growing length.
  std::size_t longest = 0;
  std::size_t refused_at = 0;
  for (const std::size_t n : {23u, 24u, 64u, 256u, 1024u, 65535u}) {
    auto opts = p.base_options();
    std::string id = "mqtkping" + std::string(n - 8, 'x');
    opts.connect.edit([&](proto::connect& connect) {
      connect.client_id = id;
      connect.will.reset();
    });
    client::client probe(io.get_executor(), opts);
    intr.stop = [&probe] { probe.close(); };
    auto [ec, res] = co_await probe.async_connect(asio::as_tuple(asio::use_awaitable));
    intr.stop = nullptr;
    if (ec) {
      refused_at = n;
      break;
    }
    longest = n;
    co_await probe.async_disconnect(asio::as_tuple(asio::use_awaitable));
    if (intr.requested) break;
  }
  say("longest_client_id_accepted", longest,
      refused_at ? "refused at " + std::to_string(refused_at) + " characters" : "tried up to 65535 characters");
  if (longest < 64) {
    r.findings.push_back(diag::capability_finding(diag::capability_short_client_ids{.longest = longest}));
  }
}

asio::awaitable<int> check_keepalive(const ping_options& o, asio::io_context& io, prober& p, ping_report& r,
                                     const ping_output& out, interruption& intr) {
  // A short keep alive unless -k set one (60 is the shared default).
  const std::uint16_t keepalive = o.connection.keepalive == 60 ? 5 : o.connection.keepalive;
  auto opts = p.base_options();
  const std::string will_topic =
      o.connection.will.topic.empty() ? "mqtk/ping/" + o.connection.client_id + "/will/" + random_suffix()
                                      : o.connection.will.topic;
  auto& j = r.checks["keepalive"] = nlohmann::json::object();
  j["keepalive_s"] = keepalive;

  // A second connection listens for the will.
  auto watcher_opts = p.base_options();
  const std::string watcher_id = o.connection.client_id + "-w";
  watcher_opts.connect.edit([&](proto::connect& connect) {
    connect.client_id = watcher_id;
    connect.will.reset();
  });
  client::client watcher(io.get_executor(), watcher_opts);
  std::optional<clock::time_point> will_at;
  watcher.on_message([&](const proto::publish& m) {
    if (m.topic == will_topic && !will_at) will_at = clock::now();
  });
  bool watching = false;
  if (auto [wec, wres] = co_await watcher.async_connect(asio::as_tuple(asio::use_awaitable)); !wec) {
    proto::subscription s{.filter = will_topic, .max_qos = proto::qos::at_least_once};
    auto [sec, sres] = co_await watcher.async_subscribe(
        proto::subscribe{.subscriptions = proto::list_view<proto::subscription>(std::span<const proto::subscription>(&s, 1))}, asio::as_tuple(asio::use_awaitable));
    watching = !sec;
  }

  // The silent client: CONNECT and CONNACK by hand over a transport, then nothing at all.
  net::transport t(io.get_executor());
  intr.stop = [&t] { t.close(); };
  auto [cec] = co_await t.async_connect(opts.target, opts.net, asio::as_tuple(asio::use_awaitable));
  if (cec) {
    intr.stop = nullptr;
    r.fail(diag::to_int(diag::exit_code::unreachable),
           diag::failure{.kind = diag::failure_kind::unreachable, .subject = net::to_string(opts.target),
                         .reason = client::connect_failure_words(t.last_failure())}.line());
    print_failure(r);
    co_return r.exit_code;
  }
  proto::connect connect = opts.connect.packet();
  connect.keep_alive = keepalive;
  connect.will = proto::will_message{.topic = will_topic, .payload = "mqtk-ping keepalive check", .qos = proto::qos::at_least_once};
  std::vector<std::uint8_t> bytes;
  proto::encode_append(connect, connect.version, bytes);
  const auto sent_at = clock::now();
  co_await t.async_write(asio::buffer(bytes), asio::as_tuple(asio::use_awaitable));
  proto::stream_decoder decoder;
  decoder.set_version(connect.version);
  std::array<std::uint8_t, 4096> buf{};
  bool accepted = false;
  std::optional<std::uint16_t> server_keep_alive;
  std::optional<proto::reason_code> disconnect_code;
  std::optional<clock::time_point> dropped_at;
  // The broker should drop us at 1.5 x keep alive; give it twice that and a bit.
  asio::steady_timer limit(io);
  limit.expires_after(std::chrono::seconds(keepalive) * 3 + seconds(o.timeout_s));
  limit.async_wait([&t](boost::system::error_code ec) {
    if (!ec) t.close();
  });
  out.line("  connected with keep alive " + std::to_string(keepalive) + " s; now silent");
  for (;;) {
    auto [ec, n] = co_await t.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec != asio::error::operation_aborted) dropped_at = clock::now();
      break;
    }
    std::span<const std::uint8_t> in(buf.data(), n);
    while (!in.empty()) {
      auto res = decoder.put(in);
      in = in.subspan(res.consumed);
      if (res.state != proto::stream_decoder::status::ready) break;
      if (const auto* ack = std::get_if<proto::connack>(res.value)) {
        accepted = !ack->reason_code.is_failure(proto::packet_type::connack, connect.version);
        if (auto k = ack->properties.number(proto::property_id::server_keep_alive)) {
          server_keep_alive = static_cast<std::uint16_t>(*k);
        }
        if (!accepted) {
          t.close();
          break;
        }
      } else if (const auto* d = std::get_if<proto::disconnect>(res.value)) {
        disconnect_code = d->reason_code;
      }
    }
  }
  limit.cancel();
  intr.stop = nullptr;
  if (intr.requested) {
    r.fail(diag::to_int(diag::exit_code::timeout), diag::run_stop_line(diag::keepalive_check_interrupted{}),
           "interrupted");
    co_return r.exit_code;
  }
  if (!accepted) {
    r.fail(diag::to_int(diag::exit_code::protocol_error), diag::run_stop_line(diag::keepalive_connect_not_accepted{}));
    print_failure(r);
    co_return r.exit_code;
  }
  const double effective = server_keep_alive ? *server_keep_alive : keepalive;
  j["server_keep_alive_s"] = server_keep_alive ? nlohmann::json(*server_keep_alive) : nlohmann::json(nullptr);
  if (server_keep_alive) {
    out.line("  the broker imposes Server Keep Alive " + std::to_string(*server_keep_alive) + " s");
    r.findings.push_back(
        diag::keepalive_finding(diag::keepalive_overridden{.asked_s = keepalive, .imposed_s = *server_keep_alive}));
  }
  if (!dropped_at) {
    j["dropped_after_s"] = nullptr;
    j["enforced"] = false;
    auto finding = diag::keepalive_finding(diag::keepalive_not_enforced{
        .waited_s = static_cast<int>(effective * 3 + o.timeout_s), .keep_alive_s = format_ms(effective)});
    out.line("  " + finding.message);
    r.findings.push_back(std::move(finding));
  } else {
    const double after = std::chrono::duration<double>(*dropped_at - sent_at).count();
    const double grace = after - effective * 1.5;
    j["dropped_after_s"] = after;
    j["grace_s"] = grace;
    j["disconnect_reason_code"] = disconnect_code ? nlohmann::json(disconnect_code->value()) : nlohmann::json(nullptr);
    const diag::keepalive_dropped drop{
        .after_s = after, .grace_s = grace, .keep_alive_s = effective, .disconnect_code = disconnect_code};
    out.line("  " + diag::keepalive_dropped_line(drop));
    // Brokers check keep alives on a timer of their own: a second of lateness is still the rule.
    const bool follows_rule = grace >= -0.5 && grace <= 1.0;
    j["enforced"] = true;
    j["follows_1_5_rule"] = follows_rule;
    if (!follows_rule) r.findings.push_back(diag::keepalive_finding(drop));
  }
  if (watching) {
    co_await wait_until(io, seconds(std::max(2.0, o.timeout_s)), intr, [&] { return will_at.has_value(); });
    j["will_published"] = will_at.has_value();
    if (will_at && dropped_at) {
      j["will_delay_ms"] = std::chrono::duration<double, std::milli>(*will_at - *dropped_at).count();
    }
    out.line(std::string("  will ") + (will_at ? "published on " + will_topic : "not published on " + will_topic));
    if (!will_at && dropped_at) {
      r.findings.push_back(diag::keepalive_finding(diag::keepalive_will_not_published{.topic = will_topic}));
    }
    co_await watcher.async_disconnect(asio::as_tuple(asio::use_awaitable));
  } else {
    j["will_published"] = nullptr;
    out.line("  will: not checked (the watching connection failed)");
  }
  co_return 0;
}

}  // namespace mqtk::tools
