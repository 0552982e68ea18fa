// libFuzzer target: the SOCKS5 client handshake fed an arbitrary proxy. The first byte picks
// the credentials and the host kind; the rest is the proxy's replies, given as the transport
// gives them (bytes_needed() at a time, or in arbitrary pieces). Checks: receive() never takes
// more than it was given, bytes_needed() is 0 exactly when done or failed, and both splits
// end in the same stage with the same count of handshake bytes.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "mqtk/net/socks5_handshake.hpp"

using namespace mqtk::net;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

struct outcome {
  socks5_handshake::stage stage;
  std::size_t taken;
};

outcome run(const socks5_request& req, std::span<const std::uint8_t> in, std::size_t piece) {
  socks5_handshake h(req);
  std::size_t taken = 0;
  while (!h.done() && !h.failed()) {
    (void)h.take_output();
    const std::size_t need = h.bytes_needed();
    check(need > 0);
    if (in.empty()) break;
    const std::size_t n = std::min(in.size(), piece ? piece : need);
    const std::size_t used = h.receive(in.first(n));
    check(used <= n);
    taken += used;
    if (used < n) {
      check(h.done() || h.failed());  // only the tunnel's bytes are left over
    }
    in = in.subspan(used);
    if (used == 0 && !h.done() && !h.failed()) break;
  }
  if (h.done() || h.failed()) check(h.bytes_needed() == 0);
  if (h.done()) (void)h.bound_address();
  return {h.current_stage(), taken};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  socks5_request req;
  req.host = data[0] & 1 ? "broker.example" : (data[0] & 2 ? "::1" : "127.0.0.1");
  req.port = 1883;
  if (data[0] & 4) {
    req.username = "user";
    req.password = data[0] & 8 ? "secret" : "";
  }
  std::span<const std::uint8_t> in(data + 1, size - 1);
  const auto exact = run(req, in, 0);
  const auto pieces = run(req, in, 1 + (data[0] >> 4));
  check(exact.stage == pieces.stage);
  if (exact.stage == socks5_handshake::stage::done) check(exact.taken == pieces.taken);
  return 0;
}
