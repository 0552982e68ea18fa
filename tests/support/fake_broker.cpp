#include "support/fake_broker.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/encoder.hpp"

namespace mqtk::test {

namespace {

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error("fake_broker: " + what + ": " + std::strerror(errno));
}

void send_all(int fd, std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client is gone; its reader notices
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
  proto::encode_append(proto::connack{.reason_code = proto::reason_code{reason}, .properties = proto::property_list(props)},
                       proto::protocol_version::v5, out);
  return out;
}

std::vector<std::uint8_t> v5_disconnect(std::uint8_t reason, const std::string& server_reference,
                                        const std::string& reason_string) {
  const auto props = reference_props(server_reference, reason_string);
  std::vector<std::uint8_t> out;
  proto::encode_append(proto::disconnect{.reason_code = proto::reason_code{reason}, .properties = proto::property_list(props)},
                       proto::protocol_version::v5, out);
  return out;
}

std::vector<std::uint8_t> v311_connack(std::uint8_t code) { return {0x20, 0x02, 0x00, code}; }

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

fake_broker::fake_broker() { start(); }

fake_broker::fake_broker(peer_script script) : script_(std::move(script)) { start(); }

void fake_broker::start() {
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) throw sys_error("pipe");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw sys_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw sys_error("bind");
  if (::listen(listen_fd_, 4) != 0) throw sys_error("listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

fake_broker::~fake_broker() {
  const char byte = 'x';
  (void)::write(wake_pipe_[1], &byte, 1);
  {
    std::lock_guard lock(mutex_);
    if (conn_fd_ >= 0) ::shutdown(conn_fd_, SHUT_RDWR);
  }
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void fake_broker::serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // An acknowledgement followed at once by a sync probe must not wait for the client's
    // delayed ACK (Nagle).
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    serve_connection(fd);
  }
}

void fake_broker::serve_connection(int fd) {
  {
    std::lock_guard lock(mutex_);
    conn_fd_ = fd;
    connected_ = true;
    ++connections_;
    refusal_pending_ = false;
    got_disconnect_ = false;
    held_.clear();  // a new connection starts a new (clean) session
    pings_left_ = script_ ? script_->pings_to_answer : -1;
    flood_due_ = false;
  }
  changed_.notify_all();

  using clock = std::chrono::steady_clock;
  proto::stream_decoder decoder;
  std::uint8_t buffer[16 * 1024];
  bool open = true;
  bool replied = false;
  bool decoding = true;                 // a script's peer may send what does not decode (HTTP)
  std::span<const std::uint8_t> trickle;  // the rest of a reply sent one byte per interval
  clock::time_point next_byte{};
  while (open) {
    if (!trickle.empty()) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_byte - clock::now());
      pollfd fds[2] = {{fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
      if (::poll(fds, 2, static_cast<int>(std::max<std::int64_t>(0, wait.count()))) < 0 && errno != EINTR) break;
      if (fds[1].revents != 0) break;
      if (clock::now() >= next_byte) {
        send_all(fd, trickle.first(1));
        trickle = trickle.subspan(1);
        next_byte = clock::now() + script_->byte_interval;
        if (trickle.empty() && script_->close_after_reply) break;
      }
      if ((fds[0].revents & POLLIN) == 0) continue;
    } else {
      pollfd fds[2] = {{fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[1].revents != 0) break;
    }
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    // The same for the client's small writes (a PUBLISH, then the probe's PUBACK): ACK at once
    // rather than after the kernel's delayed-ACK timer. Linux clears this flag by itself.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    if (script_ && !replied) {
      replied = true;
      if (script_->byte_interval.count() > 0) {
        trickle = script_->reply;
        next_byte = clock::now();
      } else {
        send_all(fd, script_->reply);
        if (script_->close_after_reply) break;
      }
      if (!script_->then_send.empty()) {
        send_all(fd, script_->then_send);
        ::shutdown(fd, SHUT_WR);
      }
    }
    std::span<const std::uint8_t> input(buffer, static_cast<std::size_t>(n));
    while (decoding && !input.empty()) {
      const auto r = decoder.put(input);
      input = input.subspan(r.consumed);
      if (r.state == proto::stream_decoder::status::ready) {
        {
          std::lock_guard lock(mutex_);
          handle_locked(*r.value);
          // As a broker does: a DISCONNECT ends the connection from this side too.
          if (got_disconnect_ || refused_) open = false;
          refused_ = false;
        }
        changed_.notify_all();
        if (!open) break;
      } else if (r.state == proto::stream_decoder::status::error) {
        std::lock_guard lock(mutex_);
        problems_ += "undecodable packet at offset " + std::to_string(r.failure.offset) + ": " +
                     r.failure.message() + "\n";
        // A script's peer keeps the connection (an HTTP server reached with MQTT); the broker
        // ends it.
        decoding = false;
        open = script_.has_value();
        break;
      } else {
        break;  // need_more: the input is used up
      }
    }
    bool flood_now = false;
    {
      std::lock_guard lock(mutex_);
      flood_now = std::exchange(flood_due_, false);
    }
    if (flood_now) {
      flood(fd);
      break;
    }
  }
  {
    std::lock_guard lock(mutex_);
    ::close(fd);
    conn_fd_ = -1;
    connected_ = false;
    ++connections_ended_;
  }
  changed_.notify_all();
}

void fake_broker::handle_locked(const proto::packet& p) {
  const auto version = version_.value_or(proto::protocol_version::v311);
  if (refusal_pending_) {
    // The verdict on the refused PUBLISH, now that the client sent something after it (which
    // is left unhandled, as a broker that closes leaves it unread).
    refusal_pending_ = false;
    std::vector<std::uint8_t> out;
    if (refusal_code_ && version == proto::protocol_version::v5)
      proto::encode_append(proto::disconnect{.reason_code = proto::reason_code{*refusal_code_}}, version, out);
    send_locked(out);
    refused_ = true;
    return;
  }
  std::visit(
      [&](const auto& packet) {
        using T = std::decay_t<decltype(packet)>;
        std::vector<std::uint8_t> out;
        if constexpr (std::is_same_v<T, proto::connect>) {
          version_ = packet.version;
          // A script's reply stands in for the CONNACK.
          if (answer_connect_ && !script_) proto::encode_append(proto::connack{}, packet.version, out);
        } else if constexpr (std::is_same_v<T, proto::publish>) {
          publishes_.push_back({.topic = std::string(packet.topic),
                                .payload = std::string(packet.payload),
                                .qos = packet.qos,
                                .dup = packet.dup,
                                .packet_id = packet.packet_id});
          if (refuse_publishes_ && refusal_timing_ == refusal_timing::on_next_packet) {
            refusal_pending_ = true;
          } else if (refuse_publishes_) {
            if (refusal_code_ && version == proto::protocol_version::v5)
              proto::encode_append(proto::disconnect{.reason_code = proto::reason_code{*refusal_code_}}, version, out);
            refused_ = true;
          } else if (packet.qos != proto::qos::at_most_once && script_ && script_->answer_publishes_with) {
            const std::uint16_t id = packet.packet_id;
            switch (*script_->answer_publishes_with) {
              case proto::packet_type::pubrec: proto::encode_append(proto::pubrec{.packet_id = id}, version, out); break;
              case proto::packet_type::pubcomp: proto::encode_append(proto::pubcomp{.packet_id = id}, version, out); break;
              default: proto::encode_append(proto::puback{.packet_id = id}, version, out); break;
            }
          } else if (packet.qos != proto::qos::at_most_once) {
            held_.push_back({.packet_id = packet.packet_id, .qos = packet.qos});
            acknowledge_locked();
          }
        } else if constexpr (std::is_same_v<T, proto::pubrel>) {
          proto::encode_append(proto::pubcomp{.packet_id = packet.packet_id}, version, out);
        } else if constexpr (std::is_same_v<T, proto::puback>) {
          probe_acks_.push_back(packet.packet_id);
        } else if constexpr (std::is_same_v<T, proto::pubcomp>) {
          pubcomps_.push_back(packet.packet_id);
        } else if constexpr (std::is_same_v<T, proto::pingreq>) {
          if (pings_left_ != 0) proto::encode_append(proto::pingresp{}, version, out);
          if (pings_left_ > 0) --pings_left_;
        } else if constexpr (std::is_same_v<T, proto::disconnect>) {
          got_disconnect_ = true;
        } else if constexpr (std::is_same_v<T, proto::subscribe>) {
          ++subscribes_;
          if (answer_subscribe_) {
            std::vector<proto::reason_code> codes;
            for (const auto& sub : packet.subscriptions) codes.emplace_back(static_cast<std::uint8_t>(sub.max_qos));
            proto::encode_append(proto::suback{.packet_id = packet.packet_id,
                                               .reason_codes = proto::list_view<proto::reason_code>(codes)},
                                 version, out);
            flood_due_ = script_ && script_->flood_bytes > 0;
          }
        } else {
          problems_ += "unexpected " + proto::to_string(p) + "\n";
        }
        if (!out.empty()) send_locked(out);
      },
      p);
}

void fake_broker::send_locked(const std::vector<std::uint8_t>& bytes) {
  std::size_t sent = 0;
  while (conn_fd_ >= 0 && sent < bytes.size()) {
    const ssize_t n = ::send(conn_fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client is gone; its reader notices
    sent += static_cast<std::size_t>(n);
  }
}

void fake_broker::acknowledge_locked() {
  const auto version = version_.value_or(proto::protocol_version::v311);
  const std::uint8_t code = version == proto::protocol_version::v5 ? release_code_ : 0;
  std::vector<std::uint8_t> out;
  while (credit_ > 0 && !held_.empty()) {
    const held_publish h = held_.front();
    held_.pop_front();
    --credit_;
    if (h.qos == proto::qos::exactly_once) {
      proto::encode_append(proto::pubrec{.packet_id = h.packet_id, .reason_code = proto::reason_code{code}}, version, out);
    } else {
      proto::encode_append(proto::puback{.packet_id = h.packet_id, .reason_code = proto::reason_code{code}}, version, out);
    }
  }
  if (!out.empty()) send_locked(out);
}

void fake_broker::release(std::size_t n, std::uint8_t reason_code) {
  {
    std::lock_guard lock(mutex_);
    credit_ += n;
    release_code_ = reason_code;
    acknowledge_locked();
  }
  changed_.notify_all();
}

bool fake_broker::wait_for_publishes(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return publishes_.size() >= n; });
}

std::size_t fake_broker::publish_count() const {
  std::lock_guard lock(mutex_);
  return publishes_.size();
}

std::vector<fake_publish> fake_broker::publishes() const {
  std::lock_guard lock(mutex_);
  return publishes_;
}

std::size_t fake_broker::held() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

std::optional<proto::protocol_version> fake_broker::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

bool fake_broker::sync(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (conn_fd_ < 0) return false;
  const std::uint16_t id = next_probe_id_++;
  if (next_probe_id_ == 0) next_probe_id_ = 1;
  std::vector<std::uint8_t> out;
  proto::encode_append(proto::publish{.topic = "$fake/sync", .payload = "", .qos = proto::qos::at_least_once,
                                      .packet_id = id},
                       version_.value_or(proto::protocol_version::v311), out);
  send_locked(out);
  const auto acked = [&] { return std::find(probe_acks_.begin(), probe_acks_.end(), id) != probe_acks_.end(); };
  changed_.wait_for(lock, timeout, [&] { return acked() || !connected_; });
  return acked();
}

void fake_broker::refuse_publishes(std::optional<std::uint8_t> disconnect_code, refusal_timing timing) {
  std::lock_guard lock(mutex_);
  refuse_publishes_ = true;
  refusal_code_ = disconnect_code;
  refusal_timing_ = timing;
}

void fake_broker::stop_answering(bool connect, bool subscribe) {
  std::lock_guard lock(mutex_);
  answer_connect_ = !connect;
  answer_subscribe_ = !subscribe;
}

std::size_t fake_broker::subscribe_count() const {
  std::lock_guard lock(mutex_);
  return subscribes_;
}

void fake_broker::close_connection() {
  std::lock_guard lock(mutex_);
  if (conn_fd_ >= 0) ::shutdown(conn_fd_, SHUT_RDWR);
}

bool fake_broker::wait_for_client_gone(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return connections_ended_ > 0 && !connected_; });
}

bool fake_broker::got_disconnect() const {
  std::lock_guard lock(mutex_);
  return got_disconnect_;
}

std::size_t fake_broker::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

std::vector<std::uint16_t> fake_broker::pubcomps() const {
  std::lock_guard lock(mutex_);
  return pubcomps_;
}

std::size_t fake_broker::flooded_bytes() const {
  std::lock_guard lock(mutex_);
  return flooded_;
}

bool fake_broker::wait_for_flood_stuck(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return flood_stuck_; });
}

// QoS 1 PUBLISH packets of 7 bytes (topic "t", no payload), so that each costs the client a
// 4-byte PUBACK: the most acknowledgements per byte a broker can make a client owe. Written
// without blocking and never reading again, until flood_bytes are out or the client stops
// taking them for stuck_after.
void fake_broker::flood(int fd) {
  using clock = std::chrono::steady_clock;
  const auto version = version_.value_or(proto::protocol_version::v311);
  std::vector<std::uint8_t> chunk;
  for (std::uint16_t id = 1; id <= 4096; ++id) {
    proto::encode_append(proto::publish{.topic = "t", .payload = "", .qos = proto::qos::at_least_once, .packet_id = id},
                         version, chunk);
  }
  std::size_t offset = 0;
  std::size_t written = 0;
  auto progress = clock::now();
  bool stuck = false;
  while (written < script_->flood_bytes && !stuck) {
    pollfd fds[2] = {{fd, POLLOUT, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, 100) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0 || (fds[0].revents & (POLLERR | POLLHUP)) != 0) return;
    if ((fds[0].revents & POLLOUT) != 0) {
      const auto n = ::send(fd, chunk.data() + offset, chunk.size() - offset, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return;
      if (n > 0) {
        written += static_cast<std::size_t>(n);
        offset = (offset + static_cast<std::size_t>(n)) % chunk.size();
        progress = clock::now();
        std::lock_guard lock(mutex_);
        flooded_ = written;
      }
    }
    stuck = clock::now() - progress >= stuck_after;
  }
  {
    std::lock_guard lock(mutex_);
    flood_stuck_ = stuck;
  }
  changed_.notify_all();
  // Still never reading: wait for the client to go (or the destructor).
  for (;;) {
    pollfd fds[2] = {{fd, POLLRDHUP, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0 || fds[0].revents != 0) return;
  }
}

std::string fake_broker::problems() const {
  std::lock_guard lock(mutex_);
  return problems_;
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
