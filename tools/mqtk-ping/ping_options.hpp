#pragma once
// mqtk-ping's options: the shared connection options (as mqtk-pub/sub), ping(8)'s -c COUNT,
// -i INTERVAL and -W TIMEOUT, the extra checks, and the CI limits. ping(8) habits win where
// they collide with mosquitto's: here -c is the count (the clean-session flag is
// --disable-clean-session only) and -i the interval (the client id is --id; -I stays the id
// prefix).
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/connection_options.hpp"
#include "common/option_env.hpp"
#include "mqtk-ping/device_options.hpp"
#include "mqtk/diag/probe_thresholds.hpp"

namespace mqtk::tools {

struct ping_options {
  connection_options connection;
  unsigned count = 3;            // -c: PINGREQs to send; 0 until interrupted
  double interval_s = 1.0;       // -i: seconds between PINGREQs
  double timeout_s = 5.0;        // -W: connect limit, and wait for each PINGRESP
  bool json = false;             // --json: one report object on stdout
  bool versions = false;         // --versions
  bool keepalive_check = false;  // --keepalive-check
  bool roundtrip = false;        // --roundtrip
  bool capabilities = false;     // --capabilities
  std::optional<double> wait_s;  // --wait: retry until the broker answers, at most this long
  diag::probe_thresholds limits; // --max-connect-ms, --max-rtt-ms, --max-loss
  bool count_given = false;      // -c was on the command line
  device_options device;         // --device, and the -t/-m/-s/-q/-r message it checks
  std::optional<std::string> explain;  // --explain TEXT|-|@FILE: explain device log lines, no network
};

void add_ping_options(CLI::App& app, ping_options& o);
void finish_ping_options(ping_options& o, const option_env& env);
ping_options parse_ping_options(const std::vector<std::string>& args, const option_env& env);
int load_ping_options(int argc, char** argv, ping_options& out);

}  // namespace mqtk::tools
