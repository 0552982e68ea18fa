#pragma once
// Sans-I/O WebSocket frame parser (RFC 6455) for one direction of a connection. Bytes go in
// in any pieces (a frame header may be split across TCP segments); out come the unmasked
// payload bytes of binary messages, continuation frames included, as they arrive. Control
// frames (ping, pong, close) are reported separately and never mixed into the payload.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace mqtk::capture {

namespace ws_opcode {
inline constexpr std::uint8_t continuation = 0x0;
inline constexpr std::uint8_t text = 0x1;
inline constexpr std::uint8_t binary = 0x2;
inline constexpr std::uint8_t close = 0x8;
inline constexpr std::uint8_t ping = 0x9;
inline constexpr std::uint8_t pong = 0xA;
}  // namespace ws_opcode

class websocket_events {
 public:
  virtual ~websocket_events() = default;
  // Unmasked bytes of a binary message, in order; a frame's payload may come in several calls.
  virtual void on_ws_payload(std::span<const std::uint8_t> bytes) = 0;
  // A whole control frame (ping, pong or close), unmasked.
  virtual void on_ws_control(std::uint8_t opcode, std::span<const std::uint8_t> payload) = 0;
  // Something wrong with the framing. When `fatal`, the deframer has lost the frame boundaries
  // and ignores the rest of the direction.
  virtual void on_ws_problem(const char* what, bool fatal) = 0;
};

class websocket_deframer {
 public:
  void feed(std::span<const std::uint8_t> bytes, websocket_events& events);

  bool failed() const noexcept { return failed_; }
  std::uint64_t frames() const noexcept { return frames_; }

 private:
  bool parse_header(websocket_events& events);
  void end_frame(websocket_events& events);

  std::array<std::uint8_t, 14> header_{};
  std::size_t header_have_ = 0;
  bool in_payload_ = false;
  std::uint64_t remaining_ = 0;
  bool fin_ = false;
  std::uint8_t opcode_ = 0;
  bool masked_ = false;
  std::array<std::uint8_t, 4> mask_{};
  std::size_t mask_at_ = 0;
  // The opcode of the data message in progress (binary or text), 0xFF when none.
  std::uint8_t message_ = 0xFF;
  std::array<std::uint8_t, 125> control_{};
  std::size_t control_have_ = 0;
  std::vector<std::uint8_t> unmasked_;  // reused scratch space: no allocation per frame
  bool failed_ = false;
  std::uint64_t frames_ = 0;
};

}  // namespace mqtk::capture
