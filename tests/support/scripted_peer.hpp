#pragma once
// Test helper: a TCP server on 127.0.0.1 that answers by script, for what no real broker does
// (refuse with each 5.0 code, DISCONNECT with a Server Reference, stop answering PINGREQ, drop
// right after CONNACK) and for listeners that are not brokers at all (accept and never answer,
// an HTTP server answering 404). Every connection gets the same script, in turn; one thread,
// bounded waits, everything closed by the destructor.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace mqtk::test {

struct peer_script {
  // Sent once the client's first bytes arrive (a CONNACK, an HTTP response); empty: say nothing.
  std::vector<std::uint8_t> reply;
  // Sent right after `reply` (e.g. a DISCONNECT), then the connection is closed if non-empty.
  std::vector<std::uint8_t> then_send;
  // Close the connection right after `reply` (a drop after CONNACK).
  bool close_after_reply = false;
  // PINGRESPs to send for the PINGREQs that follow (then silence); -1: answer every one.
  int pings_to_answer = -1;
};

class scripted_peer {
 public:
  explicit scripted_peer(peer_script script);
  ~scripted_peer();
  scripted_peer(const scripted_peer&) = delete;
  scripted_peer& operator=(const scripted_peer&) = delete;

  std::uint16_t port() const { return port_; }
  std::size_t connections() const { return connections_; }

 private:
  void serve();
  void serve_connection(int fd);

  peer_script script_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> connections_{0};
  std::thread thread_;
};

// A port on 127.0.0.1 whose SYNs go unanswered, as behind a firewall that drops them: a
// listener with a full accept queue that never accepts (Linux drops further SYNs then).
class unanswered_port {
 public:
  unanswered_port();
  ~unanswered_port();
  unanswered_port(const unanswered_port&) = delete;
  unanswered_port& operator=(const unanswered_port&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int listen_fd_ = -1;
  std::vector<int> fillers_;
  std::uint16_t port_ = 0;
};

// A 5.0 CONNACK with `reason` and, when given, a Server Reference and a Reason String.
std::vector<std::uint8_t> v5_connack(std::uint8_t reason, const std::string& server_reference = {},
                                     const std::string& reason_string = {});
// A 5.0 DISCONNECT likewise.
std::vector<std::uint8_t> v5_disconnect(std::uint8_t reason, const std::string& server_reference = {},
                                        const std::string& reason_string = {});
// A 3.1.1 CONNACK with return code `code`.
std::vector<std::uint8_t> v311_connack(std::uint8_t code);
std::vector<std::uint8_t> bytes_of(const std::string& text);

}  // namespace mqtk::test
