#pragma once
// mqtk-decode: MQTT out of packet captures (pcap, pcapng, live interfaces) and hex dumps, as a
// trace for people, JSON lines for jq, and per-connection findings (--summary).
#include <cstdio>

#include "common/decode_options.hpp"

namespace mqtk::tools {

// Runs with parsed options, writing to `out` and `err`; returns the exit code.
int run_decode(const decode_options& options, std::FILE* out, std::FILE* err);

// Runs mqtk-decode with the process arguments; returns the exit code (ARCHITECTURE.md, "Exit codes").
int decode_main(int argc, char** argv);

}  // namespace mqtk::tools
