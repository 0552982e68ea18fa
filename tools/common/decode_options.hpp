#pragma once
// mqtk-decode's options, loaded like every tool's (option_loader.hpp): the config
// file ($XDG_CONFIG_HOME/mqtk/mqtk_decode, else ~/.config/mqtk/mqtk_decode) first, then the
// command line, in order, so that the last of an option wins (and the last of a capture file
// and -i, so that a FILE on the command line overrides a config file's -i); one stderr line
// and exit 64 for a bad option or value, naming the option (and the config file's line).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/option_env.hpp"
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

void add_decode_options(CLI::App& app, decode_options& o);
// The checks across options, once all are read.
void finish_decode_options(decode_options& o, const option_env& env);
// For tests: config file words (from env), then `args`. Throws CLI::ParseError.
decode_options parse_decode_options(const std::vector<std::string>& args, const option_env& env);
// For main(): -1 to go on, else the exit code after help, --version or a one-line error.
int load_decode_options(int argc, char** argv, decode_options& out);

}  // namespace mqtk::tools
