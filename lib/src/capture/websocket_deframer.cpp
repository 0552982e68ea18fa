#include "mqtk/capture/websocket_deframer.hpp"

#include <algorithm>

namespace mqtk::capture {
namespace {

std::size_t header_size(const std::uint8_t* h) {
  const std::uint8_t len7 = h[1] & 0x7F;
  return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((h[1] & 0x80) ? 4 : 0);
}

bool is_control(std::uint8_t opcode) { return opcode & 0x8; }

}  // namespace

void websocket_deframer::feed(std::span<const std::uint8_t> bytes, websocket_events& events) {
  while (!bytes.empty() && !failed_) {
    if (!in_payload_) {
      // Gather the two fixed bytes first, then whatever length and mask they announce.
      std::size_t need = header_have_ < 2 ? 2 : header_size(header_.data());
      while (header_have_ < need && !bytes.empty()) {
        const std::size_t take = std::min(need - header_have_, bytes.size());
        std::copy_n(bytes.data(), take, header_.data() + header_have_);
        header_have_ += take;
        bytes = bytes.subspan(take);
        if (header_have_ == 2) need = header_size(header_.data());
      }
      if (header_have_ < need) return;
      if (!parse_header(events)) return;
      if (remaining_ == 0) end_frame(events);
      continue;
    }
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
    const auto chunk = bytes.first(take);
    bytes = bytes.subspan(take);
    remaining_ -= take;
    if (is_control(opcode_)) {
      for (std::size_t i = 0; i < take; ++i) {
        control_[control_have_++] = masked_ ? chunk[i] ^ mask_[mask_at_++ & 3] : chunk[i];
      }
    } else if (message_ == ws_opcode::binary) {
      if (masked_) {
        if (unmasked_.size() < take) unmasked_.resize(take);
        for (std::size_t i = 0; i < take; ++i) unmasked_[i] = chunk[i] ^ mask_[mask_at_++ & 3];
        events.on_ws_payload({unmasked_.data(), take});
      } else {
        events.on_ws_payload(chunk);
      }
    }
    // Text message bytes are skipped: MQTT over WebSocket is binary only.
    if (remaining_ == 0) end_frame(events);
  }
}

bool websocket_deframer::parse_header(websocket_events& events) {
  const std::uint8_t* h = header_.data();
  fin_ = h[0] & 0x80;
  opcode_ = h[0] & 0x0F;
  masked_ = h[1] & 0x80;
  const std::uint8_t len7 = h[1] & 0x7F;
  std::size_t at = 2;
  if (len7 == 126) {
    remaining_ = std::uint64_t{h[2]} << 8 | h[3];
    at = 4;
  } else if (len7 == 127) {
    remaining_ = 0;
    for (int i = 0; i < 8; ++i) remaining_ = remaining_ << 8 | h[2 + i];
    at = 10;
  } else {
    remaining_ = len7;
  }
  if (masked_) std::copy_n(h + at, 4, mask_.begin());
  mask_at_ = 0;
  header_have_ = 0;
  control_have_ = 0;
  ++frames_;

  const char* fatal = nullptr;
  if (h[0] & 0x70) {
    fatal = "WebSocket frame with reserved bits set (a compression extension?): cannot read the payload";
  } else if (remaining_ >> 63) {
    fatal = "WebSocket frame length has the top bit set";
  } else if (is_control(opcode_)) {
    if (opcode_ != ws_opcode::close && opcode_ != ws_opcode::ping && opcode_ != ws_opcode::pong) {
      fatal = "WebSocket frame with a reserved control opcode";
    } else if (!fin_ || remaining_ > 125) {
      fatal = "WebSocket control frame fragmented or longer than 125 bytes";
    }
  } else if (opcode_ == ws_opcode::continuation) {
    if (message_ == 0xFF) fatal = "WebSocket continuation frame without a message to continue";
  } else if (opcode_ == ws_opcode::binary || opcode_ == ws_opcode::text) {
    if (message_ != 0xFF) {
      events.on_ws_problem("WebSocket data frame started before the previous message ended", false);
    }
    message_ = opcode_;
    if (opcode_ == ws_opcode::text) events.on_ws_problem("WebSocket text frame ignored (MQTT uses binary frames)", false);
  } else {
    fatal = "WebSocket frame with a reserved data opcode";
  }
  if (fatal) {
    failed_ = true;
    events.on_ws_problem(fatal, true);
    return false;
  }
  in_payload_ = true;
  return true;
}

void websocket_deframer::end_frame(websocket_events& events) {
  in_payload_ = false;
  if (is_control(opcode_)) {
    events.on_ws_control(opcode_, {control_.data(), control_have_});
  } else if (fin_) {
    message_ = 0xFF;
  }
}

}  // namespace mqtk::capture
