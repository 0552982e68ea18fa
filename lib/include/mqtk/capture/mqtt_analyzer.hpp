#pragma once
// mqtk-decode's analysis: takes the capture layer's stream events (stream_sink), runs one MQTT
// stream decoder per direction of each TCP connection, and hands out one record per MQTT
// packet and one report per connection. Sans-I/O and clock-free: events in, records out.
// What counts as a finding is connection_tracker's to say: the analyzer hands each
// connection's tracker the packets, the stream events and what only it can see (the other
// connections, the decoders' topic aliases and size limits).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mqtk/capture/connection_tracker.hpp"
#include "mqtk/capture/mqtt_connection_report.hpp"
#include "mqtk/capture/mqtt_packet_record.hpp"
#include "mqtk/capture/stream_sink.hpp"
#include "mqtk/proto/decoder.hpp"

namespace mqtk::capture {

// Where the analyzer's results go. Records are views valid only during the call.
class mqtt_record_sink {
 public:
  virtual ~mqtt_record_sink() = default;
  virtual void on_packet(const mqtt_packet_record& record) = 0;
  // One per connection, once it has closed (or at finish()); a connection whose will may still
  // be published is held back a little to say so.
  virtual void on_connection(const mqtt_connection_report& report) = 0;
};

struct mqtt_analyzer_options {
  // Version of streams whose CONNECT is not in the capture (3.1.1 when not given).
  std::optional<proto::protocol_version> default_version;
  // Build connection reports (findings, counts). Off, only packet records are produced.
  bool track_connections = true;
  tracker_options tracker;  // what connection_tracker needs to judge (thresholds, windows)
  // Read packets that break a rule but can still be read, with the rule as a violation on the
  // record and a protocol_violation finding, instead of dropping them as malformed.
  bool lenient = true;
};

class mqtt_analyzer final : public stream_sink {
 public:
  mqtt_analyzer(mqtt_record_sink& sink, mqtt_analyzer_options options = {});
  ~mqtt_analyzer() override;

  void on_stream_open(const stream_info& info) override;
  void on_data(std::uint64_t stream, flow dir, std::span<const std::uint8_t> bytes,
               std::uint64_t frame, capture_time ts) override;
  void on_gap(std::uint64_t stream, flow dir, std::uint64_t missing, std::uint64_t frame,
              capture_time ts) override;
  void on_carriage(std::uint64_t stream, carriage how, const std::string& detail,
                   std::uint64_t frame, capture_time ts) override;
  void on_anomaly(std::uint64_t stream, flow dir, const std::string& what, std::uint64_t frame,
                  capture_time ts) override;
  void on_close(std::uint64_t stream, flow dir, close_kind how, std::uint64_t frame,
                capture_time ts) override;

  // The capture ended: closes what is still open and hands out every remaining report.
  void finish(std::uint64_t last_frame, capture_time last_ts);

  std::uint64_t packets() const noexcept { return packets_; }
  std::uint64_t malformed() const noexcept { return malformed_; }
  std::size_t open_streams() const noexcept { return streams_.size(); }

 private:
  struct direction_state;
  struct stream_state;
  // A closed connection whose will the broker may still publish: its report waits.
  struct deferred_report {
    connection_tracker tracker;
    capture_time deadline = 0;
  };
  struct connect_seen {
    std::uint64_t stream = 0;
    std::uint64_t frame = 0;
    capture_time ts = 0;
  };

  stream_state& stream_for(std::uint64_t stream, std::uint64_t frame, capture_time ts);
  void decode(stream_state& s, flow dir, std::span<const std::uint8_t> bytes, std::uint64_t frame,
              capture_time ts);
  // What every record of `dir` carries, packet or malformed: frames, time, endpoints, version.
  mqtt_packet_record start_record(stream_state& s, direction_state& d, flow dir, std::size_t len,
                                  std::uint64_t frame, capture_time ts);
  void emit_packet(stream_state& s, direction_state& d, flow dir,
                   const proto::stream_decoder::result& r, std::uint64_t frame, capture_time ts);
  void emit_malformed(stream_state& s, direction_state& d, flow dir,
                      const proto::decode_failure& failure, std::size_t len, std::uint64_t frame,
                      capture_time ts);
  void watch_publish(const stream_state& s, std::string_view topic, std::string_view payload,
                     std::uint64_t frame, capture_time ts);
  void close_stream(std::uint64_t stream, std::uint64_t frame, capture_time ts);
  void flush_deferred(capture_time now, bool all);
  void mark_closed(std::uint64_t stream);

  mqtt_record_sink& sink_;
  mqtt_analyzer_options options_;
  std::unordered_map<std::uint64_t, std::unique_ptr<stream_state>> streams_;
  // Open connections by client id, for session takeover.
  std::unordered_map<std::string, std::vector<connect_seen>> by_client_id_;
  // Reports of closed connections whose will the broker may still publish.
  std::vector<deferred_report> deferred_;
  // One bit per stream id ever closed, so that a segment arriving after a RST does not
  // start a second, empty report for the same connection.
  std::vector<bool> closed_;
  bool is_closed(std::uint64_t stream) const noexcept {
    return stream < closed_.size() && closed_[stream];
  }
  std::uint64_t packets_ = 0;
  std::uint64_t malformed_ = 0;
  std::uint64_t single_frame_ = 0;
};

}  // namespace mqtk::capture
