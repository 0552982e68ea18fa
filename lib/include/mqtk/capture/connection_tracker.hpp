#pragma once
// The per-connection half of mqtk-decode's analysis: follows the MQTT conversation on one TCP
// connection (connect, acks, pings, QoS flows, keepalive, close) and turns it into a
// mqtt_connection_report with findings. Sans-I/O: packet records and close events in, a
// report out. Cross-connection findings (session takeover, will delivery) are the analyzer's.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "mqtk/capture/finding.hpp"
#include "mqtk/capture/mqtt_connection_report.hpp"
#include "mqtk/capture/mqtt_packet_record.hpp"
#include "mqtk/capture/stream_sink.hpp"

namespace mqtk::capture {

// Explains a refusal code for people. Given by the tool (diag/refusal), because the capture
// layer does not depend on diag.
struct refusal_text {
  std::string line;   // "connection refused: not authorized (3.1.1 return code 5) — ..."
  std::string cause;
  std::string fix;
};
using refusal_explainer =
    std::function<refusal_text(std::uint8_t code, proto::protocol_version, proto::packet_type)>;

struct tracker_options {
  refusal_explainer explain;  // may be empty: the reason code's name is used then
  // A packet spread over at least this many frames is reported as large_packet.
  std::size_t large_packet_frames = 8;
};

class connection_tracker {
 public:
  connection_tracker(const stream_info& info, const tracker_options& options);

  void on_packet(const mqtt_packet_record& r);
  void on_gap(flow dir, std::uint64_t missing, std::uint64_t frame, capture_time ts);
  void on_carriage(carriage how, const std::string& detail, std::uint64_t frame, capture_time ts);
  void on_close(flow dir, close_kind how, std::uint64_t frame, capture_time ts);
  void add_finding(finding f);
  // A packet left incomplete in a direction when the connection ended.
  void on_truncated(flow dir, std::size_t buffered, std::uint64_t frame, capture_time ts);

  // True once both directions are closed (or one was reset).
  bool closed() const noexcept { return closed_; }
  // Ends the conversation (at `ts` if it is still open) and computes the closing findings.
  mqtt_connection_report finish(std::uint64_t frame, capture_time ts);

  const mqtt_connection_report& report() const noexcept { return report_; }
  bool client_sent_disconnect() const noexcept { return client_disconnect_; }
  // The will topic and payload, when the CONNECT carried one.
  const std::optional<std::pair<std::string, std::string>>& will() const noexcept { return will_; }
  std::uint32_t will_delay_s() const noexcept { return will_delay_s_; }

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
  void on_connect(const mqtt_packet_record& r, const proto::connect& c);
  void on_connack(const mqtt_packet_record& r, const proto::connack& c);
  void on_publish(const mqtt_packet_record& r, const proto::publish& p);
  void on_ack(const mqtt_packet_record& r, proto::packet_type type, std::uint16_t id);
  void keepalive_findings(capture_time end_ts, std::uint64_t end_frame);

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
  std::optional<std::pair<std::uint64_t, capture_time>> connect_at_;
};

}  // namespace mqtk::capture
