#include "support/scripted_peer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "mqtk/proto/encoder.hpp"
#include "mqtk/proto/packet.hpp"

namespace mqtk::test {
namespace {

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error("scripted_peer: " + what + ": " + std::strerror(errno));
}

void send_all(int fd, const std::vector<std::uint8_t>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

std::vector<proto::property> reference_props(const std::string& reference, const std::string& why) {
  std::vector<proto::property> props;
  if (!reference.empty()) props.push_back({.id = proto::property_id::server_reference, .value = reference});
  if (!why.empty()) props.push_back({.id = proto::property_id::reason_string, .value = why});
  return props;
}

}  // namespace

std::vector<std::uint8_t> v5_connack(std::uint8_t reason, const std::string& server_reference,
                                     const std::string& reason_string) {
  const auto props = reference_props(server_reference, reason_string);
  std::vector<std::uint8_t> out;
  proto::encode_append(proto::connack{.reason_code = reason, .properties = proto::property_list(props)},
                       proto::protocol_version::v5, out);
  return out;
}

std::vector<std::uint8_t> v5_disconnect(std::uint8_t reason, const std::string& server_reference,
                                        const std::string& reason_string) {
  const auto props = reference_props(server_reference, reason_string);
  std::vector<std::uint8_t> out;
  proto::encode_append(proto::disconnect{.reason_code = reason, .properties = proto::property_list(props)},
                       proto::protocol_version::v5, out);
  return out;
}

std::vector<std::uint8_t> v311_connack(std::uint8_t code) { return {0x20, 0x02, 0x00, code}; }

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

scripted_peer::scripted_peer(peer_script script) : script_(std::move(script)) {
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) throw sys_error("pipe");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw sys_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw sys_error("bind");
  if (::listen(listen_fd_, 8) != 0) throw sys_error("listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

scripted_peer::~scripted_peer() {
  const char byte = 'x';
  (void)::write(wake_pipe_[1], &byte, 1);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void scripted_peer::serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    serve_connection(fd);
    ::close(fd);
  }
}

void scripted_peer::serve_connection(int fd) {
  bool replied = false;
  int pings_left = script_.pings_to_answer;
  std::uint8_t buf[4096];
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    if (!replied) {
      replied = true;
      if (!script_.reply.empty()) send_all(fd, script_.reply);
      if (!script_.then_send.empty()) {
        send_all(fd, script_.then_send);
        ::shutdown(fd, SHUT_WR);
      }
      if (script_.close_after_reply) return;
      continue;
    }
    // After the CONNACK the client only sends PINGREQs (0xC0 0x00) and DISCONNECT.
    for (ssize_t i = 0; i + 1 < n; ++i) {
      if (buf[i] == 0xC0 && buf[i + 1] == 0x00 && pings_left != 0) {
        send_all(fd, {0xD0, 0x00});
        if (pings_left > 0) --pings_left;
      }
    }
  }
}

unanswered_port::unanswered_port() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw sys_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw sys_error("bind");
  if (::listen(listen_fd_, 0) != 0) throw sys_error("listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  // Fill the accept queue (backlog 0 holds one) so that the kernel drops the next SYNs.
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) throw sys_error("socket");
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers_.push_back(fd);
  }
  // Let the handshakes of the fillers complete (bounded: a few polls).
  for (int fd : fillers_) {
    pollfd p{fd, POLLOUT, 0};
    (void)::poll(&p, 1, 200);
  }
}

unanswered_port::~unanswered_port() {
  for (int fd : fillers_) ::close(fd);
  ::close(listen_fd_);
}

}  // namespace mqtk::test
