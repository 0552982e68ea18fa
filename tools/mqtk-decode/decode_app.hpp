#pragma once
// mqtk-decode: MQTT out of packet captures (pcap, pcapng, live interfaces) and hex dumps, as a
// trace for people, JSON lines for jq, and per-connection findings (--summary).
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "mqtk/proto/types.hpp"

namespace mqtk::tools {

struct decode_options {
  std::string input;           // file, "-" for stdin; empty with --interface
  std::string interface;       // -i: live capture
  std::string bpf;             // -f: live capture filter
  bool json = false;
  bool summary = false;
  bool summary_only = false;   // --summary without the per-packet lines
  bool hex = false;
  std::optional<proto::protocol_version> mqtt_version;
  std::string client_id;       // --client-id: only this client's connections
  std::string topic;           // --topic FILTER: only packets with a matching topic
  std::vector<std::string> types;  // --type: only these packet types (and MALFORMED)
  std::uint64_t count = 0;     // --count: stop after this many packets shown (0: no limit)
  bool nlohmann_packets = false;  // --json-engine=nlohmann: the reference writer, for benchmarks
};

// Runs with parsed options, writing to `out` and `err`; returns the exit code.
int run_decode(const decode_options& options, std::FILE* out, std::FILE* err);

// Runs mqtk-decode with the process arguments; returns the exit code (ARCHITECTURE.md, "Exit codes").
int decode_main(int argc, char** argv);

}  // namespace mqtk::tools
