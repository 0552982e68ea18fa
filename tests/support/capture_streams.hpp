#pragma once
// Test helper: the TCP payload bytes of a loopback capture, per direction of each connection.
// Deliberately simple (in-order loopback traffic, Ethernet/SLL/raw link types, IPv4/IPv6, no
// loss; retransmitted bytes are dropped by sequence number) so that codec tests do not depend on mqtk's own capture layer, which they help check.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mqtk::test {

struct tcp_direction {
  std::string src;  // "127.0.0.1:50432"
  std::string dst;  // "127.0.0.1:18883"
  std::vector<std::uint8_t> bytes;
  std::vector<std::size_t> segment_sizes;  // payload sizes of the segments, in capture order
};

// Every direction that carried payload, in order of first appearance. Throws on read errors.
std::vector<tcp_direction> read_tcp_directions(const std::filesystem::path& capture);

// tests/data in the repository (or $MQTK_DATA_DIR).
std::filesystem::path data_dir();
std::filesystem::path capture_path(const std::string& name);  // "v311_basic" -> .../v311_basic.pcapng
std::vector<std::string> capture_names();                      // every *.pcapng in captures/, sorted
// The recordings of MQTT straight over TCP: every one but the WebSocket ones (websocket_*),
// whose TCP bytes are WebSocket frames around the MQTT packets.
std::vector<std::string> plain_tcp_capture_names();
bool is_websocket_capture(const std::string& name);

}  // namespace mqtk::test
