#pragma once
// What every tool prints for --version, and the CLI11 set-up every tool shares.
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace mqtk::tools {

std::string version_text(std::string_view tool_name);

// A CLI11 app with mqtk's conventions: --help only (-h is the host, as in mosquitto's tools),
// --version, and usage errors that exit 64.
void configure_app(CLI::App& app, std::string_view tool_name);

// Parses argv; on --help/--version prints and returns 0, on a usage error prints one line to
// stderr and returns 64, otherwise returns -1 to say "go on".
int parse_or_exit(CLI::App& app, int argc, char** argv);

}  // namespace mqtk::tools
