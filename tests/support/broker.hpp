#pragma once
// Test helper: a real mosquitto broker (/usr/sbin/mosquitto -c <generated conf>) on free
// loopback ports, for integration tests.
//
//   mqtk::test::broker b({.tls = true, .ws = true});
//   connect to b.host() : b.port(mqtk::test::listener::tls), CA in b.certs().ca.cert
//   mqtk::test::broker u({.unix_socket = true});  // also a Unix socket: u.socket_path()
//
// The constructor returns once every listener accepts TCP connections (or throws with the
// broker's log). Ports stay the same across stop()/start()/restart()/kill(), so a client can
// reconnect to "the same broker"; with persistence on, sessions and retained messages survive
// a restart. Certificates come from test_certs (generated once per test process).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/process.hpp"
#include "support/test_certs.hpp"

namespace mqtk::test {

enum class listener { tcp, tls, ws, wss };
const char* to_string(listener l);

// Which certificate the TLS and WSS listeners present.
enum class server_cert { valid, expired, unknown_ca, wrong_host, not_yet_valid, ip_only };

// Where the TCP and TLS listeners listen. The WebSocket ones are bound to the "lo" interface
// (the only way Debian's mosquitto serves WebSockets), i.e. both loopback addresses.
enum class loopback { v4, v6, both };

struct broker_user {
  std::string username;
  std::string password;
};

struct broker_options {
  bool tcp = true;  // a plain listener; forced on when ws/wss are on (Debian's mosquitto needs it)
  bool tls = false;
  bool ws = false;
  bool wss = false;
  // Also a Unix-domain socket listener ("listener 0 PATH") at socket_path(), in the broker's
  // directory: same MQTT, no TLS.
  bool unix_socket = false;
  loopback address = loopback::v4;
  server_cert cert = server_cert::valid;
  bool require_certificate = false;  // mTLS on the tls and wss listeners (client certs from test_certs().ca)
  bool allow_anonymous = true;
  std::vector<broker_user> users;  // non-empty: a password_file with these users
  std::string acl;                 // non-empty: the contents of an acl_file
  bool persistence = false;        // persistence_location in the broker's temp dir
  // With persistence: seconds between saves, so that kill() (which skips the save done on a
  // clean stop) loses at most this much. 0 keeps mosquitto's default.
  int autosave_interval_s = 1;
  bool verbose_log = false;        // log_type all (every packet) instead of the default set
  std::string extra_config;        // appended to the global section verbatim, one option per line
  std::string tls_listener_config; // appended to each TLS listener (tls, wss): "tls_version tlsv1.2"
  std::chrono::milliseconds start_timeout{10'000};
};

class broker {
 public:
  explicit broker(broker_options options = {});
  ~broker();  // stops the broker (SIGTERM, then SIGKILL) and removes its directory
  broker(const broker&) = delete;
  broker& operator=(const broker&) = delete;

  const broker_options& options() const { return options_; }
  // "127.0.0.1" (or "::1" for loopback::v6): what a client should connect to.
  const std::string& host() const { return host_; }
  // Port of a listener; throws std::logic_error if that listener is not configured.
  std::uint16_t port(listener l = listener::tcp) const;
  bool has(listener l) const { return ports_.count(l) != 0; }
  // "mqtt://127.0.0.1:1234", "wss://127.0.0.1:1235/mqtt", "mqtts://[::1]:1236", ...
  std::string url(listener l = listener::tcp) const;
  // The Unix socket's path; throws std::logic_error without options().unix_socket.
  std::filesystem::path socket_path() const;

  static const test_certs& certs() { return test_certs::get(); }
  const std::filesystem::path& config_file() const { return config_path_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  bool running();
  // Stops gracefully (SIGTERM: mosquitto saves persistence and closes clients).
  void stop();
  // Starts again on the same ports, with the same config; waits until they accept.
  void start();
  void restart();
  // SIGKILL: an abrupt crash (no persistence save, no DISCONNECT to clients).
  void kill();
  // Re-reads the password file and ACL (SIGHUP), e.g. after set_users().
  void reload();
  // Rewrites the password file (and reloads if running).
  void set_users(const std::vector<broker_user>& users);

  // Everything the broker logged (all of its runs).
  std::string log() const;

 private:
  void pick_ports();
  void write_config();
  void write_password_file(const std::vector<broker_user>& users);
  bool launch(std::string& why);  // starts and waits for the ports; false with a reason

  broker_options options_;
  temp_dir dir_;
  std::string host_;
  std::map<listener, std::uint16_t> ports_;
  std::filesystem::path config_path_;
  std::filesystem::path log_path_;
  std::optional<process> proc_;
  int runs_ = 0;
};

// True when something accepts a TCP connection on host:port within `timeout`.
bool wait_for_port(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
// True when something accepts a connection on the Unix-domain socket `path` within `timeout`.
bool wait_for_unix_socket(const std::filesystem::path& path, std::chrono::milliseconds timeout);
// A TCP port that is free on the given loopback address(es) right now.
std::uint16_t free_port(loopback where = loopback::v4);

}  // namespace mqtk::test
