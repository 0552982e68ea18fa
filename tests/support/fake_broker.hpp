#pragma once
// Test helper: the one scripted fake peer, on 127.0.0.1, for the behaviours a real mosquitto
// cannot show: it acknowledges faster than anything can be observed, and no real broker
// misbehaves on purpose.
//
// Without a script it is a broker that answers CONNECT with CONNACK and then holds every QoS
// 1/2 PUBLISH unacknowledged until the test releases it. Everything else a publisher needs is
// answered at once (PUBREL with PUBCOMP, PINGREQ with PINGRESP, SUBSCRIBE with SUBACK,
// DISCONNECT by closing). Packets go through our own codec (mqtk::proto).
//
//   mqtk::test::fake_broker fb;
//   ... start mqtk-pub -p fb.port() ...
//   fb.wait_for_publishes(5, 10s);   // five PUBLISH arrived
//   fb.sync(10s);                    // and the client had sent nothing more when it saw this
//   fb.release(1);                   // PUBACK (or PUBREC) the oldest held one
//
// With a peer_script it answers the client's first bytes with the script's raw bytes instead
// (a refusal, an HTTP response, a CONNACK followed by a hostile packet, or nothing at all), and
// then goes on as the broker above within the script's limits.
//
// One client connection at a time, served on the helper's own thread, each with the same
// script; every wait is bounded.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mqtk/proto/packet.hpp"

namespace mqtk::test {

// An owned copy of a PUBLISH the fake broker received.
struct fake_publish {
  std::string topic;
  std::string payload;
  proto::qos qos = proto::qos::at_most_once;
  bool dup = false;
  std::uint16_t packet_id = 0;
};

struct peer_script {
  // Sent once the client's first bytes arrive, in place of the CONNACK (a CONNACK with a
  // chosen code, an HTTP response, a CONNACK and then hostile packets); empty: say nothing.
  std::vector<std::uint8_t> reply;
  // Sent right after `reply` (e.g. a DISCONNECT); then our side stops writing.
  std::vector<std::uint8_t> then_send;
  // Close the connection once `reply` is out (a drop after CONNACK, a packet cut short).
  bool close_after_reply = false;
  // `reply` goes out one byte per interval (a broker that trickles); 0: all at once.
  std::chrono::milliseconds byte_interval{0};
  // PINGRESPs to send for the PINGREQs that follow (then silence); -1: answer every one.
  int pings_to_answer = -1;
  // Answer every QoS 1/2 PUBLISH at once with this packet type (PUBACK, PUBREC or PUBCOMP,
  // right or wrong) instead of holding it.
  std::optional<proto::packet_type> answer_publishes_with;
  // After the SUBACK: send QoS 1 PUBLISH packets up to this many bytes as fast as the client
  // takes them, and never read again (its PUBACKs pile up on its side). 0: no flood.
  std::size_t flood_bytes = 0;
};

class fake_broker {
 public:
  // Listens on 127.0.0.1 on a port the kernel picks; throws std::runtime_error on failure.
  fake_broker();
  explicit fake_broker(peer_script script);
  ~fake_broker();  // closes the connection and the listener, joins the thread
  fake_broker(const fake_broker&) = delete;
  fake_broker& operator=(const fake_broker&) = delete;

  std::string host() const { return "127.0.0.1"; }
  std::uint16_t port() const { return port_; }
  // Connections accepted so far.
  std::size_t connections() const;

  // Waits until at least `n` PUBLISH packets arrived in all (false on timeout).
  bool wait_for_publishes(std::size_t n, std::chrono::milliseconds timeout);
  std::size_t publish_count() const;
  std::vector<fake_publish> publishes() const;
  // QoS 1/2 publishes received and not acknowledged yet.
  std::size_t held() const;
  // The protocol version of the client's CONNECT, once one arrived.
  std::optional<proto::protocol_version> version() const;
  // Packet ids of the PUBCOMPs the client sent (answers to a PUBREL of ours).
  std::vector<std::uint16_t> pubcomps() const;

  // Allows `n` more acknowledgements: the oldest held publishes are acknowledged now (PUBACK,
  // or PUBREC for QoS 2) with `reason_code` (5.0 only; 3.1.1 acks carry none), and when fewer
  // than `n` are held the rest are spent on the next publishes as they arrive.
  void release(std::size_t n = 1, std::uint8_t reason_code = 0);

  // A round trip through the client: sends it a QoS 1 PUBLISH (topic "$fake/sync") and waits
  // for its PUBACK. A client writes its packets in order, so when this returns true every
  // packet the client sent before it handled the probe has been read here: counting after a
  // sync shows what the client had sent at that moment, with no sleeping and hoping.
  bool sync(std::chrono::milliseconds timeout);

  // When a refusal takes effect: at once, or when the client's next packet arrives (a broker
  // whose verdict comes after the client already sent more, e.g. the DISCONNECT right behind a
  // QoS 0 PUBLISH: what makes a refusal easy to miss).
  enum class refusal_timing { at_once, on_next_packet };
  // From now on, a PUBLISH is refused as a broker refuses one it cannot accept (a topic with
  // control characters, a duplicate property): with a DISCONNECT carrying `disconnect_code`
  // first when given and the client speaks 5.0, then closing the connection.
  void refuse_publishes(std::optional<std::uint8_t> disconnect_code = std::nullopt,
                        refusal_timing timing = refusal_timing::at_once);
  // From now on, CONNECT and SUBSCRIBE get no answer (a broker that hangs).
  void stop_answering(bool connect, bool subscribe);

  // Ends the client's connection without a DISCONNECT, as a broker that goes away.
  void close_connection();
  // Waits until the client's connection ended (its DISCONNECT, EOF or reset).
  bool wait_for_client_gone(std::chrono::milliseconds timeout);
  // The client sent DISCONNECT before it closed.
  bool got_disconnect() const;
  // Anything the fake broker could not make sense of (decode failures), for test messages.
  std::string problems() const;

  // SUBSCRIBE packets received (answered or not).
  std::size_t subscribe_count() const;

  // peer_script::flood_bytes: bytes of PUBLISH written so far, and whether the flood is
  // stuck (nothing more could be written for `stuck_after`): the client stopped reading.
  std::size_t flooded_bytes() const;
  bool wait_for_flood_stuck(std::chrono::milliseconds timeout);
  static constexpr std::chrono::milliseconds stuck_after{3000};

 private:
  struct held_publish {
    std::uint16_t packet_id;
    proto::qos qos;
  };

  void start();
  void serve();
  void serve_connection(int fd);
  void handle_locked(const proto::packet& p);
  void send_locked(const std::vector<std::uint8_t>& bytes);
  void acknowledge_locked();
  void flood(int fd);

  std::optional<peer_script> script_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // written by the destructor to end the thread's poll()
  std::uint16_t port_ = 0;
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int conn_fd_ = -1;  // the client's connection, while it lasts
  bool connected_ = false;
  std::size_t connections_ = 0;
  std::size_t connections_ended_ = 0;
  bool got_disconnect_ = false;
  std::optional<proto::protocol_version> version_;
  std::vector<fake_publish> publishes_;
  std::deque<held_publish> held_;
  std::size_t credit_ = 0;
  std::uint8_t release_code_ = 0;
  std::uint16_t next_probe_id_ = 1;
  std::vector<std::uint16_t> probe_acks_;
  std::vector<std::uint16_t> pubcomps_;
  std::string problems_;
  bool refuse_publishes_ = false;
  std::optional<std::uint8_t> refusal_code_;
  bool refused_ = false;  // a publish was refused: close the connection
  refusal_timing refusal_timing_ = refusal_timing::at_once;
  bool refusal_pending_ = false;  // on_next_packet: a publish was refused, not yet acted on
  bool answer_connect_ = true;
  bool answer_subscribe_ = true;
  std::size_t subscribes_ = 0;
  int pings_left_ = -1;        // of this connection
  bool flood_due_ = false;     // the SUBACK went out: flood now
  std::size_t flooded_ = 0;
  bool flood_stuck_ = false;
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

// Packets for scripts.
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
