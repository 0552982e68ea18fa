#pragma once
// mqtk-pub's options: mosquitto_pub 2.0's (-t -m -f -s -l -n -q -r --repeat --repeat-delay)
// over the shared connection options.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/connection_options.hpp"
#include "common/option_env.hpp"
#include "common/payload_source.hpp"

namespace mqtk::tools {

struct pub_options {
  connection_options connection;
  std::string topic;                          // -t (or an mqtt:// URL's topic)
  payload_kind source = payload_kind::none;   // exactly one of -m -f -s -l -n
  std::string message;                        // -m
  std::string file;                           // -f
  proto::qos qos = proto::qos::at_most_once;  // -q
  bool retain = false;                        // -r
  unsigned repeat = 1;                        // --repeat N
  double repeat_delay_s = 0;                  // --repeat-delay S
};

void add_pub_options(CLI::App& app, pub_options& o);
void finish_pub_options(pub_options& o, const option_env& env);
// The files the options name can be read (TLS files, -f): options_file_error otherwise.
void check_pub_files(const pub_options& o);
pub_options parse_pub_options(const std::vector<std::string>& args, const option_env& env);
int load_pub_options(int argc, char** argv, pub_options& out);

}  // namespace mqtk::tools
