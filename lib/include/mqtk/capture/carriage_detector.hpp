#pragma once
// A stream_sink in front of another: looks at the first bytes of each direction to tell plain
// MQTT from TLS and from MQTT over WebSocket, reports the carriage, de-frames WebSocket and
// swallows what is not MQTT (TLS records, HTTP headers, WebSocket control frames). No port
// hints: the bytes decide. An MQTT stream's first byte is never 'G', 'H' or 0x14-0x17 (those
// would be packet types with reserved flags), so plain MQTT passes through at once.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "mqtk/capture/stream_sink.hpp"

namespace mqtk::capture {

struct carriage_limits {
  std::size_t max_handshake = 64u << 10;  // bytes held while reading a ClientHello or HTTP header
};

class carriage_detector final : public stream_sink {
 public:
  explicit carriage_detector(stream_sink& next, carriage_limits limits = {});
  ~carriage_detector() override;

  void on_stream_open(const stream_info& info) override;
  void on_data(std::uint64_t stream, flow dir, std::span<const std::uint8_t> bytes, std::uint64_t frame,
               capture_time ts) override;
  void on_gap(std::uint64_t stream, flow dir, std::uint64_t missing, std::uint64_t frame,
              capture_time ts) override;
  void on_carriage(std::uint64_t stream, carriage how, const std::string& detail, std::uint64_t frame,
                   capture_time ts) override;
  void on_anomaly(std::uint64_t stream, flow dir, const std::string& what, std::uint64_t frame,
                  capture_time ts) override;
  void on_close(std::uint64_t stream, flow dir, close_kind how, std::uint64_t frame, capture_time ts) override;

 private:
  struct connection;
  struct direction;
  struct ws_forwarder;

  void consume(connection& c, int d, std::span<const std::uint8_t> bytes, std::uint64_t frame, capture_time ts);
  void classify(connection& c, int d, std::uint64_t frame, capture_time ts);
  void read_client_hello(connection& c, int d, bool at_end, std::uint64_t frame, capture_time ts);
  void read_http(connection& c, int d, std::uint64_t frame, capture_time ts);
  void start_websocket(connection& c, std::uint64_t frame, capture_time ts);
  void deframe(connection& c, int d, std::span<const std::uint8_t> bytes, std::uint64_t frame, capture_time ts);

  stream_sink& next_;
  carriage_limits limits_;
  std::unordered_map<std::uint64_t, std::unique_ptr<connection>> connections_;
  // The last stream looked up: consecutive events mostly concern the same connection.
  std::uint64_t cached_stream_ = ~std::uint64_t{0};
  connection* cached_ = nullptr;
};

}  // namespace mqtk::capture
