#pragma once
// mqtk-sub's options: mosquitto_sub 2.0's (-t -T -U -q -C -W -E -R --retained-only
// --remove-retained --retain-as-published -v -N -F --pretty --random-filter) plus mqtk's own
// (--no-local --retain-handling --subscription-id --json --json-payload --ready-fd
// --ready-file), over the shared connection options.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/connection_options.hpp"
#include "common/option_env.hpp"
#include "mqtk/report/message_printer.hpp"

namespace mqtk::tools {

struct sub_options {
  connection_options connection;
  std::vector<std::string> topics;           // -t (repeatable), plus an mqtt:// URL's topic
  std::vector<std::string> filter_out;       // -T: do not print messages on these
  std::vector<std::string> unsubscribe;      // -U
  proto::qos qos = proto::qos::at_most_once; // -q
  std::optional<unsigned> count;             // -C: exit after this many messages
  std::optional<double> timeout_s;           // -W: exit after this many seconds (fractions allowed)
  bool exit_after_subscribe = false;         // -E
  bool no_retained = false;                  // -R: do not print stale retained messages
  bool retained_only = false;                // --retained-only
  bool remove_retained = false;              // --remove-retained
  bool retain_as_published = false;          // --retain-as-published
  bool no_local = false;                     // --no-local (5.0)
  std::optional<std::uint8_t> retain_handling;      // --retain-handling 0|1|2 (5.0)
  std::optional<std::uint32_t> subscription_id;     // --subscription-id N (5.0)
  bool verbose = false;                      // -v
  bool eol = true;                           // -N clears it
  std::optional<std::string> format;         // -F
  bool pretty = false;                       // --pretty
  double random_filter_percent = 100.0;      // --random-filter: print this share of messages
  bool json = false;                         // --json
  bool json_payload = false;                 // --json-payload (implies --json)
  std::optional<int> ready_fd;               // --ready-fd N: write "ready\n" once subscribed
  std::string ready_file;                    // --ready-file PATH: create it once subscribed

  // What the output layer needs, from -v/-N/-F/--pretty/--json/--json-payload.
  report::printer_options printer() const;
};

void add_sub_options(CLI::App& app, sub_options& o);
// Cross-option checks and defaults; throws CLI::ValidationError naming the option.
void finish_sub_options(sub_options& o, const option_env& env);

// The whole load for tests: config file words (from env), then `args` (without the program
// name), then the checks. Throws CLI::ParseError (CLI::CallForHelp included) and
// options_file_error.
sub_options parse_sub_options(const std::vector<std::string>& args, const option_env& env);

// For main(): parses the process arguments into `out`. Returns -1 to go on, or the exit code
// after printing help, the version, or a one-line error (64 usage, 66 unreadable file).
int load_sub_options(int argc, char** argv, sub_options& out);

}  // namespace mqtk::tools
