#include "support/broker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <fcntl.h>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace mqtk::test {

namespace {

using clock = std::chrono::steady_clock;

// A socket fd closed on scope exit.
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

bool fill_addr(const std::string& host, std::uint16_t port, sockaddr_storage& ss, socklen_t& len) {
  ss = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
    return true;
  }
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

// Binds host:port (port 0: any) without listening; returns the fd and the bound port, or -1.
int bind_probe(const std::string& host, std::uint16_t port, std::uint16_t& bound) {
  sockaddr_storage ss;
  socklen_t len;
  if (!fill_addr(host, port, ss, len)) return -1;
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  // Same SO_REUSEADDR as mosquitto, so a port in TIME_WAIT counts as free, as it is for it.
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (ss.ss_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    ::close(fd);
    return -1;
  }
  sockaddr_storage got{};
  socklen_t got_len = sizeof got;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&got), &got_len);
  bound = ntohs(got.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&got)->sin_port
                                         : reinterpret_cast<sockaddr_in6*>(&got)->sin6_port);
  return fd;
}

// Picks a port free on every address in `hosts`; the probe sockets stay bound (in `held`)
// so that the next pick cannot return the same port.
std::uint16_t pick(const std::vector<std::string>& hosts, std::vector<int>& held) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::uint16_t port = 0;
    const int first = bind_probe(hosts.front(), 0, port);
    if (first < 0) throw std::runtime_error("free_port: cannot bind " + hosts.front());
    std::vector<int> fds{first};
    bool ok = true;
    for (std::size_t i = 1; i < hosts.size() && ok; ++i) {
      std::uint16_t same = 0;
      const int fd = bind_probe(hosts[i], port, same);
      if (fd < 0) ok = false;
      else fds.push_back(fd);
    }
    if (ok) {
      held.insert(held.end(), fds.begin(), fds.end());
      return port;
    }
    for (int fd : fds) ::close(fd);
  }
  throw std::runtime_error("free_port: no port free on every loopback address");
}

std::vector<std::string> hosts_of(loopback where) {
  switch (where) {
    case loopback::v4: return {"127.0.0.1"};
    case loopback::v6: return {"::1"};
    case loopback::both: return {"127.0.0.1", "::1"};
  }
  return {"127.0.0.1"};
}

// mosquitto's "$6$" password hash: base64(salt) and base64(SHA-512(password || salt)).
// Written directly so that a test needs no mosquitto_passwd run per user.
std::string mosquitto_hash(const std::string& password) {
  unsigned char salt[12];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("RAND_bytes failed");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, password.data(), password.size()) == 1 &&
                  EVP_DigestUpdate(ctx, salt, sizeof salt) == 1 && EVP_DigestFinal_ex(ctx, digest, &digest_len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("SHA-512 failed");
  auto b64 = [](const unsigned char* data, int n) {
    std::string out(static_cast<std::size_t>(4 * ((n + 2) / 3)) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, n);
    out.resize(static_cast<std::size_t>(written));
    return out;
  };
  return "$6$" + b64(salt, sizeof salt) + "$" + b64(digest, static_cast<int>(digest_len));
}

std::string bracket(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

const char* to_string(listener l) {
  switch (l) {
    case listener::tcp: return "tcp";
    case listener::tls: return "tls";
    case listener::ws: return "ws";
    case listener::wss: return "wss";
  }
  return "?";
}

bool wait_for_port(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  sockaddr_storage ss;
  socklen_t len;
  if (!fill_addr(host, port, ss, len)) return false;
  for (;;) {
    fd_guard s{::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (s.fd < 0) return false;
    int rc = ::connect(s.fd, reinterpret_cast<sockaddr*>(&ss), len);
    if (rc != 0 && errno == EINPROGRESS) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      pollfd p{s.fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 1))) == 1) {
        int err = 0;
        socklen_t err_len = sizeof err;
        ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &err_len);
        rc = err == 0 ? 0 : -1;
      }
    }
    if (rc == 0) return true;
    if (clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool wait_for_unix_socket(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.size() >= sizeof addr.sun_path) return false;
  text.copy(addr.sun_path, text.size());
  for (;;) {
    // A Unix-domain connect completes (or fails) at once: no poll needed.
    fd_guard s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (s.fd < 0) return false;
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
    if (clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::uint16_t free_port(loopback where) {
  std::vector<int> held;
  const auto port = pick(hosts_of(where), held);
  for (int fd : held) ::close(fd);
  return port;
}

broker::broker(broker_options options) : options_(std::move(options)), dir_("mqtk-broker") {
  if (options_.ws || options_.wss) options_.tcp = true;
  if (!options_.tcp && !options_.tls && !options_.unix_socket) {
    throw std::invalid_argument("broker: no listener configured");
  }
  // sun_path is 108 bytes with its NUL: a deep $TMPDIR would not fit.
  if (options_.unix_socket && (dir_ / "mosquitto.sock").string().size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw std::invalid_argument("broker: unix socket path too long: " + (dir_ / "mosquitto.sock").string());
  }
  host_ = options_.address == loopback::v6 ? "::1" : "127.0.0.1";
  config_path_ = dir_ / "mosquitto.conf";
  if (options_.persistence) std::filesystem::create_directories(dir_ / "persistence");
  if (!options_.users.empty()) write_password_file(options_.users);
  if (!options_.acl.empty()) write_file(dir_ / "acl", options_.acl);

  // Another test (or engineer) may take a port between our pick and mosquitto's bind: pick
  // again a few times before giving up.
  std::string why;
  for (int attempt = 0; attempt < 4; ++attempt) {
    pick_ports();
    write_config();
    if (launch(why)) return;
    if (why.find("in use") == std::string::npos) break;
  }
  throw std::runtime_error("broker did not start: " + why);
}

broker::~broker() {
  try {
    stop();
  } catch (...) {
  }
}

std::uint16_t broker::port(listener l) const {
  const auto it = ports_.find(l);
  if (it == ports_.end()) throw std::logic_error(std::string("broker: no ") + to_string(l) + " listener");
  return it->second;
}

std::string broker::url(listener l) const {
  const auto p = std::to_string(port(l));
  switch (l) {
    case listener::tcp: return "mqtt://" + bracket(host_) + ":" + p;
    case listener::tls: return "mqtts://" + bracket(host_) + ":" + p;
    case listener::ws: return "ws://" + bracket(host_) + ":" + p + "/mqtt";
    case listener::wss: return "wss://" + bracket(host_) + ":" + p + "/mqtt";
  }
  return {};
}

std::filesystem::path broker::socket_path() const {
  if (!options_.unix_socket) throw std::logic_error("broker: no unix socket listener");
  return dir_ / "mosquitto.sock";
}

void broker::pick_ports() {
  ports_.clear();
  std::vector<int> held;
  const auto hosts = hosts_of(options_.address);
  // WebSocket listeners bind the whole "lo" interface, so their ports must be free on both.
  const auto ws_hosts = hosts_of(loopback::both);
  try {
    if (options_.tcp) ports_[listener::tcp] = pick(hosts, held);
    if (options_.tls) ports_[listener::tls] = pick(hosts, held);
    if (options_.ws) ports_[listener::ws] = pick(ws_hosts, held);
    if (options_.wss) ports_[listener::wss] = pick(ws_hosts, held);
  } catch (...) {
    for (int fd : held) ::close(fd);
    throw;
  }
  for (int fd : held) ::close(fd);
}

void broker::write_password_file(const std::vector<broker_user>& users) {
  std::string text;
  for (const auto& u : users) text += u.username + ":" + mosquitto_hash(u.password) + "\n";
  write_file(dir_ / "passwd", text);
}

void broker::set_users(const std::vector<broker_user>& users) {
  options_.users = users;
  const bool had_file = std::filesystem::exists(dir_ / "passwd");
  write_password_file(users);
  if (!had_file) write_config();  // the option must appear in the config first
  if (running()) reload();
}

void broker::write_config() {
  const auto& certs = test_certs::get();
  cert_pair server = certs.server;
  switch (options_.cert) {
    case server_cert::valid: break;
    case server_cert::expired: server = certs.expired_server; break;
    case server_cert::unknown_ca: server = certs.unknown_ca_server; break;
    case server_cert::wrong_host: server = certs.wrong_host_server; break;
    case server_cert::not_yet_valid: server = certs.not_yet_valid_server; break;
    case server_cert::ip_only: server = certs.ip_only_server; break;
  }

  std::ostringstream c;
  c << "# generated by mqtk's test harness\n";
  // As root, mosquitto switches to user "mosquitto", which cannot read this 0700-by-default
  // temp tree; staying root is harmless for a loopback test broker.
  if (::geteuid() == 0) c << "user root\n";
  c << "per_listener_settings false\n";
  c << "allow_anonymous " << (options_.allow_anonymous ? "true" : "false") << "\n";
  if (std::filesystem::exists(dir_ / "passwd")) c << "password_file " << (dir_ / "passwd").string() << "\n";
  if (!options_.acl.empty()) c << "acl_file " << (dir_ / "acl").string() << "\n";
  if (options_.persistence) {
    c << "persistence true\n";
    c << "persistence_location " << (dir_ / "persistence").string() << "/\n";
    if (options_.autosave_interval_s > 0) c << "autosave_interval " << options_.autosave_interval_s << "\n";
  }
  c << "log_dest stderr\n";
  c << "log_timestamp_format %Y-%m-%dT%H:%M:%S\n";
  if (options_.verbose_log) {
    c << "log_type all\n";
  } else {
    c << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n";
  }
  c << "connection_messages true\n";
  if (!options_.extra_config.empty()) c << options_.extra_config << "\n";

  auto tls_lines = [&] {
    c << "cafile " << certs.ca.cert.string() << "\n";
    c << "certfile " << server.cert.string() << "\n";
    c << "keyfile " << server.key.string() << "\n";
    if (options_.require_certificate) c << "require_certificate true\n";
    if (!options_.tls_listener_config.empty()) c << options_.tls_listener_config << "\n";
  };
  for (const auto& h : hosts_of(options_.address)) {
    if (options_.tcp) c << "\nlistener " << port(listener::tcp) << " " << h << "\n";
    if (options_.tls) {
      c << "\nlistener " << port(listener::tls) << " " << h << "\n";
      tls_lines();
    }
  }
  if (options_.unix_socket) c << "\nlistener 0 " << socket_path().string() << "\n";
  // Debian's mosquitto (libwebsockets) serves WebSockets only with bind_interface.
  if (options_.ws) {
    c << "\nlistener " << port(listener::ws) << "\nprotocol websockets\nbind_interface lo\n";
  }
  if (options_.wss) {
    c << "\nlistener " << port(listener::wss) << "\nprotocol websockets\nbind_interface lo\n";
    tls_lines();
  }
  write_file(config_path_, c.str());
}

bool broker::launch(std::string& why) {
  ++runs_;
  log_path_ = dir_ / ("mosquitto-run" + std::to_string(runs_) + ".log");
  process_options po;
  po.args = {"mosquitto", "-c", config_path_.string()};
  po.stdout_file = log_path_;
  po.stderr_file = log_path_.string() + ".stderr";
  proc_.emplace(std::move(po));

  const auto deadline = clock::now() + options_.start_timeout;
  if (options_.unix_socket) {
    // The socket file of an earlier run stays behind until mosquitto replaces it: wait for a
    // listener, not for the file.
    while (!wait_for_unix_socket(socket_path(), std::chrono::milliseconds(50))) {
      if (!proc_->running() || clock::now() >= deadline) {
        const bool exited = !proc_->running();
        proc_.reset();
        why = std::string(exited ? "mosquitto exited" : "timed out waiting") + " (unix socket " +
              socket_path().string() + ")\n" + read_file(log_path_) + read_file(log_path_.string() + ".stderr");
        return false;
      }
    }
  }
  for (const auto& [l, p] : ports_) {
    // The WebSocket listeners also listen on 127.0.0.1 when the others are v6-only.
    const std::string h = (l == listener::ws || l == listener::wss) ? "127.0.0.1" : host_;
    for (;;) {
      if (wait_for_port(h, p, std::chrono::milliseconds(50))) break;
      if (!proc_->running() || clock::now() >= deadline) {
        const bool exited = !proc_->running();
        proc_.reset();  // kills it if it still runs
        why = std::string(exited ? "mosquitto exited" : "timed out waiting") + " (" + to_string(l) + " port " +
              std::to_string(p) + ")\n" + read_file(log_path_) + read_file(log_path_.string() + ".stderr");
        return false;
      }
    }
  }
  return true;
}

bool broker::running() { return proc_ && proc_->running(); }

void broker::stop() {
  if (!proc_) return;
  if (proc_->running()) {
    proc_->terminate();
    if (!proc_->wait_for(std::chrono::milliseconds(5000))) proc_->kill();
  }
  proc_.reset();
}

void broker::start() {
  if (running()) return;
  proc_.reset();
  std::string why;
  // Same ports as before: after a crash the kernel may need a moment before the port is
  // bindable again by a new process, so retry briefly.
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (launch(why)) return;
    if (why.find("in use") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("broker did not restart: " + why);
}

void broker::restart() {
  stop();
  start();
}

void broker::kill() {
  if (proc_) proc_->kill();
  proc_.reset();
}

void broker::reload() {
  if (proc_) proc_->signal(SIGHUP);
}

std::string broker::log() const {
  std::string all;
  for (int i = 1; i <= runs_; ++i) {
    const auto p = dir_ / ("mosquitto-run" + std::to_string(i) + ".log");
    all += read_file(p);
    all += read_file(p.string() + ".stderr");
  }
  return all;
}

}  // namespace mqtk::test
