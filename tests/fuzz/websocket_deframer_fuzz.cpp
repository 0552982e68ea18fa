// libFuzzer target: the WebSocket deframer of mqtk-decode (RFC 6455 frames as a client or a
// broker sent them). Checks: the same payload bytes, controls and problems come out however
// the input is split; control payloads are at most 125 bytes; after a fatal problem nothing
// more comes out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "mqtk/capture/websocket_deframer.hpp"

namespace {

using namespace mqtk::capture;

struct recorder final : websocket_events {
  std::vector<std::uint8_t> payload;
  std::string events;
  bool fatal = false;
  void on_ws_payload(std::span<const std::uint8_t> bytes) override {
    if (fatal) std::abort();
    payload.insert(payload.end(), bytes.begin(), bytes.end());
  }
  void on_ws_control(std::uint8_t opcode, std::span<const std::uint8_t> p) override {
    if (fatal || p.size() > 125) std::abort();
    events += "c" + std::to_string(opcode) + ":" + std::to_string(p.size()) + "@" + std::to_string(payload.size()) + ";";
  }
  void on_ws_problem(const char* what, bool is_fatal) override {
    if (fatal) std::abort();
    events += std::string("p:") + what + (is_fatal ? "!" : "") + "@" + std::to_string(payload.size()) + ";";
    fatal = is_fatal;
  }
};

recorder run(std::span<const std::uint8_t> input, std::size_t chunk) {
  recorder r;
  websocket_deframer d;
  for (std::size_t at = 0; at < input.size(); at += chunk)
    d.feed(input.subspan(at, std::min(chunk, input.size() - at)), r);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::span<const std::uint8_t> input(data + 1, size - 1);
  const auto whole = run(input, input.size() ? input.size() : 1);
  const auto split = run(input, 1 + data[0] % 32);
  if (whole.payload != split.payload || whole.events != split.events || whole.fatal != split.fatal) std::abort();
  return 0;
}
