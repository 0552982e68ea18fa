#pragma once
// The steps every tool's option loading shares: the config file's words go before the
// command line's (so the command line overrides them), CLI11 parses them all, and failures
// become one stderr line and an exit code.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/option_env.hpp"

namespace mqtk::tools {

// The config file's words (when env says to read it), then `args`.
std::vector<std::string> option_words(const option_env& env, std::string_view tool_file,
                                      const std::vector<std::string>& args);

// Parses `words` (in order, without a program name) into `app`.
void parse_words(CLI::App& app, std::vector<std::string> words);

// Runs `load` (which parses and checks); prints help or the version (returns 0), or a
// failure as "<tool>: <message>" (returns 64 for usage errors, 66 for unreadable files).
// Returns -1 when the tool should go on.
int run_option_loader(CLI::App& app, const std::function<void()>& load);

std::vector<std::string> args_of(int argc, char** argv);

}  // namespace mqtk::tools
