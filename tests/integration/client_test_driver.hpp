#pragma once
// Test helper for the client integration tests: drives one mqtk::client::client on a private
// io_context synchronously (each call runs the loop until its operation completes, always
// bounded), and records what it receives and what its hooks report.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "mqtk/client/client.hpp"
#include "mqtk/net/url.hpp"
#include "support/broker.hpp"

namespace mqtk::client::testing {

using namespace std::chrono_literals;
using boost::system::error_code;

struct received_message {
  std::string topic;
  std::string payload;
  proto::qos qos{};
  bool dup = false;
};

inline net::connection_target target_for(const test::broker& b, test::listener l) {
  auto t = net::parse_url(b.url(l));
  if (!t) throw std::runtime_error("bad broker url " + b.url(l));
  return *t;
}

// Options for `b`'s listener `l`, trusting the test CA.
inline client_options options_for(const test::broker& b, test::listener l, proto::protocol_version v,
                                  std::string_view client_id = {}) {
  client_options o;
  o.target = target_for(b, l);
  o.net.tls.cafile = test::broker::certs().ca.cert.string();
  o.connect = proto::connect{.version = v, .client_id = client_id};
  return o;
}

class driver {
 public:
  explicit driver(client_options o) : client_(io_.get_executor(), std::move(o)) {
    client_.on_message([this](const proto::publish& m) {
      messages.push_back({std::string(m.topic), std::string(m.payload), m.qos, m.dup});
    });
  }

  // Runs the loop until `done()` or `limit`; true when done.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io_.restart();
      io_.run_for(20ms);
    }
    return true;
  }

  std::pair<error_code, connect_result> connect() {
    std::optional<std::pair<error_code, connect_result>> r;
    client_.async_connect([&](error_code ec, connect_result c) { r.emplace(ec, std::move(c)); });
    run_until([&] { return r.has_value(); }, 60s);
    if (!r) return {boost::asio::error::timed_out, {}};
    return *r;
  }

  std::pair<error_code, publish_result> publish(std::string_view topic, std::string_view payload, proto::qos q) {
    std::optional<std::pair<error_code, publish_result>> r;
    client_.async_publish(proto::publish{.topic = topic, .payload = payload, .qos = q},
                          [&](error_code ec, publish_result p) { r.emplace(ec, p); });
    run_until([&] { return r.has_value(); });
    if (!r) return {boost::asio::error::timed_out, {}};
    return *r;
  }

  std::pair<error_code, subscribe_result> subscribe(std::string_view filter, proto::qos q) {
    std::optional<std::pair<error_code, subscribe_result>> r;
    const proto::subscription subs[] = {{.filter = filter, .max_qos = q}};
    client_.async_subscribe(proto::subscribe{.subscriptions = std::span<const proto::subscription>(subs)},
                            [&](error_code ec, subscribe_result s) { r.emplace(ec, std::move(s)); });
    run_until([&] { return r.has_value(); });
    if (!r) return {boost::asio::error::timed_out, {}};
    return *r;
  }

  error_code disconnect() {
    std::optional<error_code> r;
    client_.async_disconnect([&](error_code ec) { r = ec; });
    run_until([&] { return r.has_value(); });
    return r.value_or(boost::asio::error::timed_out);
  }

  bool wait_messages(std::size_t n, std::chrono::milliseconds limit = 30s) {
    return run_until([&] { return messages.size() >= n; }, limit);
  }

  boost::asio::io_context& io() { return io_; }
  client& c() { return client_; }

  std::vector<received_message> messages;

 private:
  boost::asio::io_context io_;
  client client_;
};

}  // namespace mqtk::client::testing
