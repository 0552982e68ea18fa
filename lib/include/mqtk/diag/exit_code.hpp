#pragma once
// The exit codes of every mqtk tool (ARCHITECTURE.md, "Exit codes"). Broker reason codes pass
// through as themselves (1-5 for 3.1.1 CONNACK, 128-162 for 5.0), so scripts written for
// mosquitto_pub/sub keep working.
namespace mqtk::diag {

enum class exit_code : int {
  success = 0,
  timeout = 27,           // -W expired, or an acknowledgement never came
  usage = 64,             // bad option or value
  bad_input = 65,         // a capture or hex dump that is not what it claims
  cannot_open_input = 66, // an input file cannot be opened
  unreachable = 69,       // DNS failure, TCP refused, unreachable, connect timeout
  internal = 70,          // a bug
  connection_lost = 75,   // EOF or RST mid-session with no reason given
  protocol_error = 76,    // the broker sent a malformed or unexpected packet
  tls_failed = 79,        // TLS handshake or certificate verification failed
  websocket_rejected = 80,// WebSocket upgrade refused
  check_failed = 90,      // mqtk-ping findings at error level, mqtk-bench thresholds
};

constexpr int to_int(exit_code c) noexcept { return static_cast<int>(c); }

}  // namespace mqtk::diag
