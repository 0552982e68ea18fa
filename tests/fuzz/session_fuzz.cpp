// libFuzzer target: the client session state machine (proto::session) after it sent CONNECT,
// fed arbitrary bytes as the broker's. The first bytes choose the protocol version, the split
// of the input into reads, and whether QoS 1/2 publishes are in flight (so acks have something
// to match); timers fire between reads. Besides "no crash, no hang, no sanitizer report" it
// checks that the session never consumes beyond its actions' lifetime (each action list is
// cleared after every step, as the client does).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "mqtk/proto/packet.hpp"
#include "mqtk/proto/session.hpp"

namespace {
using namespace mqtk::proto;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const protocol_version v = data[0] % 3 == 0 ? protocol_version::v31
                             : data[0] % 3 == 1 ? protocol_version::v311
                                                : protocol_version::v5;
  const std::size_t chunk = 1 + data[1] % 64;
  const unsigned publishes = data[2] % 4;
  std::span<const std::uint8_t> input(data + 3, size - 3);

  session s({.max_inflight = 8,
             .pingresp_timeout = std::chrono::seconds(5),
             .connack_timeout = std::chrono::seconds(5),
             .outgoing_topic_alias_maximum = 4,
             .max_incoming_packet_size = 1 << 16,
             .report_received_packets = true});
  action_list out;
  session_time now{};
  s.transport_up(now, out);
  out.clear();
  connect c;
  c.version = v;
  c.client_id = "fuzz";
  c.keep_alive = 30;
  const connect_config config = c;
  s.connect(config, now, out);
  out.clear();
  for (unsigned i = 0; i < publishes; ++i) {
    publish p;
    p.topic = "fuzz/t";
    p.payload = "x";
    p.qos = i % 2 ? qos::exactly_once : qos::at_least_once;
    (void)s.publish(p, now, out);
    out.clear();
  }
  std::size_t step = 0;
  while (!input.empty()) {
    const std::size_t n = std::min(chunk, input.size());
    s.received(input.first(n), now, out);
    out.clear();
    input = input.subspan(n);
    now += std::chrono::seconds(1);
    if (++step % 7 == 0) {
      s.timer_expired(timer_kind::keepalive, now, out);
      out.clear();
    }
    if (s.state() == session_state::connected && step % 5 == 0) {
      publish p;
      p.topic = "fuzz/late";
      p.qos = qos::at_least_once;
      (void)s.publish(p, now, out);
      out.clear();
    }
  }
  s.timer_expired(timer_kind::pingresp, now + std::chrono::seconds(60), out);
  out.clear();
  s.transport_down(now, out);
  out.clear();
  return 0;
}
