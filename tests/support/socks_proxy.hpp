#pragma once
// Test helper: a real SOCKS5 proxy (Debian's microsocks) on a free loopback port, started and
// stopped like the broker, for tests of --proxy.
//
//   mqtk::test::socks_proxy p({.username = "bob", .password = "secret"});
//   mqtk-pub --proxy p.url() -h 127.0.0.1 -p <broker port> ...
//
// The constructor returns once the proxy accepts TCP connections (or throws with its output).
// It runs unprivileged, listens on 127.0.0.1 only, and reaches whatever the test's own
// loopback addresses reach. The port stays the same across stop()/start(), so a test can take
// the proxy down and bring it back.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "support/process.hpp"

namespace mqtk::test {

struct socks_proxy_options {
  // Non-empty: the proxy requires RFC 1929 user name/password authentication (-u/-P).
  std::string username;
  std::string password;
  std::chrono::milliseconds start_timeout{10'000};
};

class socks_proxy {
 public:
  explicit socks_proxy(socks_proxy_options options = {});
  ~socks_proxy();  // stops the proxy
  socks_proxy(const socks_proxy&) = delete;
  socks_proxy& operator=(const socks_proxy&) = delete;

  const socks_proxy_options& options() const { return options_; }
  const std::string& host() const { return host_; }  // "127.0.0.1"
  std::uint16_t port() const { return port_; }
  // "socks5h://127.0.0.1:PORT", with the configured user name and password when it has them.
  std::string url() const;
  // The same proxy with other credentials (empty user: none), for tests of wrong ones.
  std::string url_with(std::string_view username, std::string_view password) const;

  bool running();
  // Kills the proxy: its port then refuses connections ("proxy down").
  void stop();
  // Starts it again on the same port; waits until it accepts.
  void start();

  // What the proxy printed (all of its runs).
  std::string log() const;

 private:
  bool launch(std::string& why);

  socks_proxy_options options_;
  temp_dir dir_;
  std::string host_ = "127.0.0.1";
  std::uint16_t port_ = 0;
  std::optional<process> proc_;
  int runs_ = 0;
};

}  // namespace mqtk::test
