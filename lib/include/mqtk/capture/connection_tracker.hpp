#pragma once
// The per-connection half of mqtk-decode's analysis: follows the MQTT conversation on one TCP
// connection (connect, acks, pings, QoS flows, keepalive, close) and turns it into a
// mqtt_connection_report with findings. Sans-I/O: packet records, close events and the
// analyzer's cross-connection evidence (a newer connection with the same client id, the will
// seen on another connection) in, a report out. It is the one place that decides what is a
// finding; the words come from diag/decode_finding_text and diag/refusal.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mqtk/capture/finding.hpp"
#include "mqtk/capture/mqtt_connection_report.hpp"
#include "mqtk/capture/mqtt_packet_record.hpp"
#include "mqtk/capture/stream_sink.hpp"
#include "mqtk/diag/decode_finding_text.hpp"
#include "mqtk/proto/reason_code.hpp"

namespace mqtk::capture {

struct tracker_options {
  // A packet spread over at least this many frames is reported as large_packet.
  std::size_t large_packet_frames = 8;
  // A broker that closes a connection this soon after another connection with the same client
  // id connected is taken to have handed the session over (3.1.1 has no reason code for it);
  // a will PUBLISH seen this soon before the close was published as the connection ended.
  capture_time takeover_window = 2'000'000'000;
  // How long after an ungraceful close (plus the will delay) the broker's will PUBLISH is
  // awaited before the connection's report is handed out without it.
  capture_time will_window = 10'000'000'000;
};

// Something seen on another stream, which only the analyzer (seeing them all) can tell a
// connection's tracker: a newer CONNECT with the same client id, this connection's will.
struct other_stream_event {
  std::uint64_t stream = 0;
  std::uint64_t frame = 0;
  capture_time ts = 0;
};

class connection_tracker {
 public:
  connection_tracker(const stream_info& info, const tracker_options& options);

  void on_packet(const mqtt_packet_record& r);
  void on_gap(flow dir, std::uint64_t missing, std::uint64_t frame, capture_time ts);
  void on_carriage(carriage how, const std::string& detail, std::uint64_t frame, capture_time ts);
  void on_close(flow dir, close_kind how, std::uint64_t frame, capture_time ts);
  // What the TCP or WebSocket layer found odd (stream_sink::on_anomaly); repeats of the same
  // line in the same direction are counted into one finding.
  void on_anomaly(flow dir, const std::string& what, std::uint64_t frame, capture_time ts);
  // A packet left incomplete in a direction when the connection ended.
  void on_truncated(flow dir, std::size_t buffered, std::uint64_t frame, capture_time ts);
  // What the analyzer's per-direction decoding state shows about `r` (5.0 only): a topic alias
  // that breaks the receiver's rules, a packet over the receiver's Maximum Packet Size.
  void on_topic_alias_problem(const mqtt_packet_record& r, diag::topic_alias_case problem, std::uint16_t alias,
                              std::uint16_t maximum);
  void on_packet_too_large(const mqtt_packet_record& r, std::uint32_t maximum);
  // The broker published a message equal to this connection's will (topic and payload) to
  // another stream while this one was still open.
  void on_will_seen(std::uint64_t stream, std::uint64_t frame, capture_time ts);

  // True once both directions are closed (or one was reset).
  bool closed() const noexcept { return closed_; }
  // Ends the conversation (at `ts` if it is still open) and computes the closing findings.
  void finish(std::uint64_t frame, capture_time ts);
  // After finish(): the newest other connection with the same client id that connected after
  // this one (if any). Adds session_taken_over when the close shows a takeover.
  void on_same_client_connects(const std::optional<other_stream_event>& newer);
  // After finish(): true when the broker may still publish this connection's will, so that the
  // report should wait for it until will_deadline(); adds will_published when it already did.
  bool awaits_will();
  capture_time will_deadline() const noexcept;
  // While awaited: the broker published the will to `stream`.
  void on_will_published(std::uint64_t stream, std::uint64_t frame, capture_time ts);

  const mqtt_connection_report& report() const noexcept { return report_; }
  // Whether `topic` and `payload` are this connection's will as its CONNECT gave it (the broker
  // publishes it exactly so: a message on the same topic with another payload is not the will).
  bool is_will(std::string_view topic, std::string_view payload) const noexcept {
    return will_ && will_->first == topic && will_->second == payload;
  }

 private:
  struct inflight {
    std::uint8_t qos = 1;
    std::uint8_t step = 0;  // 0 awaiting PUBACK/PUBREC, 1 awaiting PUBREL, 2 awaiting PUBCOMP
    std::uint64_t frame = 0;
    capture_time ts = 0;
  };
  static std::uint32_t flow_key(flow sender, std::uint16_t id) noexcept {
    return (sender == flow::client_to_server ? 0x10000u : 0u) | id;
  }
  void on_connect(const proto::connect& c);
  void on_connack(const mqtt_packet_record& r, const proto::connack& c);
  void on_publish(const mqtt_packet_record& r, const proto::publish& p);
  void on_ack(const mqtt_packet_record& r, proto::packet_type type, std::uint16_t id);
  void keepalive_findings(capture_time end_ts, std::uint64_t end_frame);
  // The reason code of the DISCONNECT that closed the connection (5.0), if one did.
  std::optional<proto::reason_code> close_reason() const noexcept;
  void add_finding(finding f);
  // A finding about `r` (its frame and time).
  void add_finding(const mqtt_packet_record& r, finding_kind kind, severity level, std::string message);
  void no_connack_finding(capture_time end_ts, std::uint64_t end_frame);
  void closing_flow_findings();

  tracker_options options_;
  mqtt_connection_report report_;
  bool closed_ = false;
  bool fin_[2] = {false, false};
  bool client_disconnect_ = false;
  bool server_disconnect_ = false;
  bool subscribed_ = false;
  std::uint64_t queued_ = 0;
  std::uint64_t queued_frame_ = 0;
  std::optional<std::pair<std::string, std::string>> will_;
  std::uint32_t will_delay_s_ = 0;
  std::uint16_t server_keepalive_ = 0;  // 5.0 CONNACK server keep alive, 0 when absent
  // Keepalive: the client's silences between its packets.
  capture_time last_c2s_ = 0;
  bool have_c2s_ = false;
  capture_time max_idle_ = 0;
  std::uint64_t max_idle_frame_ = 0;
  capture_time max_idle_from_ = 0;
  // Ping: the outstanding PINGREQ.
  std::optional<std::pair<std::uint64_t, capture_time>> ping_;
  std::unordered_map<std::uint32_t, inflight> inflight_;
  // The will published on another stream while this connection was open.
  std::optional<other_stream_event> will_seen_;
  struct anomaly_seen {
    flow dir;
    std::string what;
    std::uint64_t times = 1;
    std::size_t finding = 0;  // its index in report_.findings
  };
  std::vector<anomaly_seen> anomalies_;
};

}  // namespace mqtk::capture
