#pragma once
// Test helper: a scripted MQTT "broker" on 127.0.0.1 for the few behaviours a real mosquitto
// cannot show, because it acknowledges faster than anything can be observed: it answers
// CONNECT with CONNACK, and then holds every QoS 1/2 PUBLISH unacknowledged until the test
// releases it. Everything else a publisher needs is answered at once (PUBREL with PUBCOMP,
// PINGREQ with PINGRESP, DISCONNECT by closing). Packets go through our own codec (mqtk::proto).
//
//   mqtk::test::fake_broker fb;
//   ... start mqtk-pub -p fb.port() ...
//   fb.wait_for_publishes(5, 10s);   // five PUBLISH arrived
//   fb.sync(10s);                    // and the client had sent nothing more when it saw this
//   fb.release(1);                   // PUBACK (or PUBREC) the oldest held one
//
// One client connection at a time, served on the helper's own thread; every wait is bounded.
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

class fake_broker {
 public:
  // Listens on 127.0.0.1 on a port the kernel picks; throws std::runtime_error on failure.
  fake_broker();
  ~fake_broker();  // closes the connection and the listener, joins the thread
  fake_broker(const fake_broker&) = delete;
  fake_broker& operator=(const fake_broker&) = delete;

  std::string host() const { return "127.0.0.1"; }
  std::uint16_t port() const { return port_; }

  // Waits until at least `n` PUBLISH packets arrived in all (false on timeout).
  bool wait_for_publishes(std::size_t n, std::chrono::milliseconds timeout);
  std::size_t publish_count() const;
  std::vector<fake_publish> publishes() const;
  // QoS 1/2 publishes received and not acknowledged yet.
  std::size_t held() const;
  // The protocol version of the client's CONNECT, once one arrived.
  std::optional<proto::protocol_version> version() const;

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

 private:
  struct held_publish {
    std::uint16_t packet_id;
    proto::qos qos;
  };

  void serve();
  void serve_connection(int fd);
  void handle_locked(const proto::packet& p);
  void send_locked(const std::vector<std::uint8_t>& bytes);
  void acknowledge_locked();

  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // written by the destructor to end the thread's poll()
  std::uint16_t port_ = 0;
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int conn_fd_ = -1;  // the client's connection, while it lasts
  bool connected_ = false;
  std::size_t connections_ended_ = 0;
  bool got_disconnect_ = false;
  std::optional<proto::protocol_version> version_;
  std::vector<fake_publish> publishes_;
  std::deque<held_publish> held_;
  std::size_t credit_ = 0;
  std::uint8_t release_code_ = 0;
  std::uint16_t next_probe_id_ = 1;
  std::vector<std::uint16_t> probe_acks_;
  std::string problems_;
  bool refuse_publishes_ = false;
  std::optional<std::uint8_t> refusal_code_;
  bool refused_ = false;  // a publish was refused: close the connection
  refusal_timing refusal_timing_ = refusal_timing::at_once;
  bool refusal_pending_ = false;  // on_next_packet: a publish was refused, not yet acted on
  bool answer_connect_ = true;
  bool answer_subscribe_ = true;
  std::size_t subscribes_ = 0;

 public:
  // SUBSCRIBE packets received (answered or not).
  std::size_t subscribe_count() const;
};

}  // namespace mqtk::test
