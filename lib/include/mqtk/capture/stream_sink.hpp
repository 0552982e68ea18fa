#pragma once
// The seam between capture input (pcap/pcapng/live, link layers, IP, TCP reassembly, WebSocket
// de-framing) and MQTT analysis. The reader pushes what happened on each TCP connection, in
// capture order; the analyzer runs one MQTT stream decoder per direction over the bytes.
#include <cstdint>
#include <span>
#include <string>

namespace mqtk::capture {

// Nanoseconds since the Unix epoch, as recorded by the capture.
using capture_time = std::int64_t;

struct endpoint {
  std::string address;  // "127.0.0.1", "::1"
  std::uint16_t port = 0;
  friend bool operator==(const endpoint&, const endpoint&) = default;
};

// Which way bytes flow. The client is the side that sent the SYN; for a stream that starts
// mid-conversation, the side whose port is not a known broker port (or, failing that, the side
// with the higher port) until the analyzer learns better from a CONNECT.
enum class flow { client_to_server, server_to_client };

// How the MQTT bytes of a connection are carried.
enum class carriage { tcp, websocket, tls };

struct stream_info {
  std::uint64_t stream = 0;  // numbered from 0 in order of first appearance, as tshark's tcp.stream
  endpoint client;
  endpoint server;
  bool saw_syn = false;  // false when the capture starts mid-conversation
  std::uint64_t first_frame = 0;
  capture_time first_time = 0;
};

enum class close_kind { fin, rst, capture_end };

class stream_sink {
 public:
  virtual ~stream_sink() = default;

  virtual void on_stream_open(const stream_info& info) = 0;
  // In-order payload bytes of one direction (after reassembly; after unmasking and de-framing
  // for WebSocket). `frame` (1-based, as tshark numbers frames) is the frame that delivered
  // the last of these bytes. Bytes of one frame may come in several calls.
  virtual void on_data(std::uint64_t stream, flow dir, std::span<const std::uint8_t> bytes,
                       std::uint64_t frame, capture_time ts) = 0;
  // `missing` bytes were never captured before the next data in this direction.
  virtual void on_gap(std::uint64_t stream, flow dir, std::uint64_t missing, std::uint64_t frame,
                      capture_time ts) = 0;
  // The stream turned out to be WebSocket (after an HTTP Upgrade) or TLS (a ClientHello).
  virtual void on_carriage(std::uint64_t stream, carriage how, const std::string& detail,
                           std::uint64_t frame, capture_time ts) = 0;
  // Something about the TCP layer worth reporting (a retransmission with different bytes,
  // a zero-window probe, ...). `what` is one line for people.
  virtual void on_anomaly(std::uint64_t stream, flow dir, const std::string& what,
                          std::uint64_t frame, capture_time ts) = 0;
  virtual void on_close(std::uint64_t stream, flow dir, close_kind how, std::uint64_t frame,
                        capture_time ts) = 0;
};

}  // namespace mqtk::capture
