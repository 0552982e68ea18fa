#pragma once
// The steps every tool's option loading shares: the config file's words go before the
// command line's (so the command line overrides them), CLI11 parses them all, and failures
// become one stderr line and an exit code.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/option_env.hpp"
#include "common/security_warnings.hpp"
#include "common/tool_info.hpp"

namespace mqtk::tools {

// The config file's words (when env says to read it), then `args`.
std::vector<std::string> option_words(const option_env& env, std::string_view tool_file,
                                      const std::vector<std::string>& args);

// Parses `words` (in order, without a program name) into `app`.
void parse_words(CLI::App& app, std::vector<std::string> words);

// A bad line in a config file: "<file>:<line>: <what CLI11 or the option's check said>".
class config_line_error : public CLI::ParseError {
 public:
  config_line_error(const std::filesystem::path& file, std::size_t line, const std::string& message);
};

// Checks the config file (when env says to read it) line by line with `parse_line`, which
// parses one line's words into a scratch app, so that a bad option or value is reported with
// its file and line (config_line_error) rather than as if it were on the command line.
void check_config_file(const option_env& env, std::string_view tool_file,
                       const std::function<void(const std::vector<std::string>& words)>& parse_line);

// Runs `load` (which parses and checks); prints help or the version (returns 0), or a
// failure as "<tool>: <message>" (returns 64 for usage errors, 66 for unreadable files).
// Returns -1 when the tool should go on.
int run_option_loader(CLI::App& app, const std::function<void()>& load);

std::vector<std::string> args_of(int argc, char** argv);

// The one-line message for words CLI11 could not place: the option-like ones by name, the
// others only counted, since one may be the value of a misspelt secret option.
std::string unexpected_words_message(const std::vector<std::string>& words);

// --quiet: from here on, error lines written to std::cerr are dropped (the exit code still
// tells). The -d trace goes to std::clog and stays.
void silence_error_output(bool quiet);

// What differs between the tools' option loading: names, and how to add and check options.
// An Options value is built afresh for each config file line that is checked, so `add` must
// not reach beyond the Options it is given.
template <class Options>
struct option_spec {
  std::string_view tool;         // "mqtk-pub"
  std::string_view config_file;  // "mqtk_pub"
  std::string_view description;  // first line of --help
  void (*add)(CLI::App&, Options&);
  void (*finish)(Options&, const option_env&);
  // The input files the options name must be readable (--cafile, -f, ...): run by
  // load_options only, so that parse_options stays free of the file system for tests.
  // Throws options_file_error.
  void (*check_files)(const Options&) = nullptr;
};

// The whole load for tests: config file words (from env), then `args`, then the checks.
// Throws CLI::ParseError (CLI::CallForHelp included) and options_file_error.
template <class Options>
void check_config_file(const option_spec<Options>& spec, const option_env& env) {
  check_config_file(env, spec.config_file, [&spec](const std::vector<std::string>& words) {
    CLI::App line_app{std::string(spec.description)};
    configure_app(line_app, spec.tool);
    Options scratch;
    spec.add(line_app, scratch);
    parse_words(line_app, words);
  });
}

template <class Options>
Options parse_options(const option_spec<Options>& spec, const std::vector<std::string>& args, const option_env& env) {
  check_config_file(spec, env);
  CLI::App app{std::string(spec.description)};
  configure_app(app, spec.tool);
  Options o;
  spec.add(app, o);
  parse_words(app, option_words(env, spec.config_file, args));
  spec.finish(o, env);
  return o;
}

// For main(): the process's arguments into `out`. Returns -1 to go on, or the exit code after
// printing help, the version, or a one-line error (64 usage, 66 unreadable file).
template <class Options>
int load_options(const option_spec<Options>& spec, int argc, char** argv, Options& out) {
  CLI::App app{std::string(spec.description)};
  configure_app(app, spec.tool);
  Options o;
  spec.add(app, o);
  const option_env env = option_env::from_process();
  const int rc = run_option_loader(app, [&] {
    check_config_file(spec, env);
    parse_words(app, option_words(env, spec.config_file, args_of(argc, argv)));
    spec.finish(o, env);
    if (spec.check_files) spec.check_files(o);
  });
  if (rc < 0) {
    // Tools that connect warn about what weakens security (--insecure, a readable password file).
    if constexpr (requires { o.connection; }) print_security_warnings(spec.tool, o.connection);
    out = std::move(o);
  }
  return rc;
}

}  // namespace mqtk::tools
