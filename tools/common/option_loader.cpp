#include "common/option_loader.hpp"

#include <algorithm>
#include <iostream>
#include <streambuf>

#include "common/connection_options.hpp"
#include "mqtk/diag/exit_code.hpp"

namespace mqtk::tools {

std::vector<std::string> option_words(const option_env& env, std::string_view tool_file,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> words;
  if (env.read_config_file) {
    if (auto path = config_file_path(env, tool_file)) words = config_file_args(*path);
  }
  words.insert(words.end(), args.begin(), args.end());
  return words;
}

void parse_words(CLI::App& app, std::vector<std::string> words) {
  // CLI11 2.1 classifies an empty word as the name of an (unnamed) option group, so an empty
  // -D value after the first word would end -D's words early (and inside an option group, a
  // small test of it never returned). A stand-in replaces such words here, and -D's callback
  // turns it back into "" (property_option.hpp).
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] != "-D" && words[i] != "--property") continue;
    const std::size_t count = i + 2 < words.size() && words[i + 2] == "user-property" ? 4 : 3;
    for (std::size_t k = i + 1; k <= i + count && k < words.size(); ++k) {
      if (words[k].empty()) words[k] = empty_property_word;
    }
    i += count;
  }
  std::reverse(words.begin(), words.end());  // CLI11 takes them last-first
  app.parse(words);
}

config_line_error::config_line_error(const std::filesystem::path& file, std::size_t line, const std::string& message)
    : CLI::ParseError("ConfigLineError", file.string() + ":" + std::to_string(line) + ": " + message,
                      CLI::ExitCodes::ValidationError) {}

void check_config_file(const option_env& env, std::string_view tool_file,
                       const std::function<void(const std::vector<std::string>& words)>& parse_line) {
  if (!env.read_config_file) return;
  const auto path = config_file_path(env, tool_file);
  if (!path) return;
  for (const auto& line : config_file_lines(*path)) {
    try {
      parse_line(line.words);
    } catch (const CLI::Success&) {
      throw;  // --help or --version in the file: as on the command line
    } catch (const CLI::ExtrasError&) {
      // The line's own words: the option by name, its value (maybe a secret) only counted.
      throw config_line_error(*path, line.number, unexpected_words_message(line.words));
    } catch (const CLI::ParseError& e) {
      throw config_line_error(*path, line.number, e.what());
    }
  }
}

std::string unexpected_words_message(const std::vector<std::string>& words) {
  std::string options;
  std::size_t others = 0;
  for (const auto& w : words) {
    if (w.size() > 1 && w.front() == '-') {
      options += (options.empty() ? "" : " ") + w;
    } else {
      ++others;
    }
  }
  std::string out = "unexpected argument(s)";
  if (!options.empty()) out += ": " + options;
  if (others > 0) {
    out += (options.empty() ? ": " : " and ") + std::to_string(others) +
           " value(s) not repeated here (a misspelt option's value may be a secret)";
  }
  return out + "; a value with spaces needs quotes";
}

void silence_error_output(bool quiet) {
  if (!quiet) return;
  // A stream buffer that drops everything: std::cerr's error lines go, std::clog's -d trace
  // (a separate buffer on the same stderr) stays.
  struct null_buffer : std::streambuf {
    int overflow(int c) override { return traits_type::not_eof(c); }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
  };
  static null_buffer null;
  std::cerr.rdbuf(&null);
}

int run_option_loader(CLI::App& app, const std::function<void()>& load) {
  try {
    load();
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    // --help-all (mqtk-bench): every scenario's options, as the man page lists them.
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << '\n';
    return 0;
  } catch (const CLI::ExtrasError&) {
    // CLI11's own text repeats every extra word, and a word after a misspelt option (a config
    // file's "--password s3cret") may be a secret.
    std::cerr << app.get_name() << ": " << unexpected_words_message(app.remaining()) << " (see " << app.get_name()
              << " --help)\n";
    return diag::to_int(diag::exit_code::usage);
  } catch (const CLI::ParseError& e) {
    std::cerr << app.get_name() << ": " << e.what() << " (see " << app.get_name() << " --help)\n";
    return diag::to_int(diag::exit_code::usage);
  } catch (const options_file_error& e) {
    std::cerr << app.get_name() << ": " << e.what() << '\n';
    return diag::to_int(diag::exit_code::cannot_open_input);
  }
  return -1;
}

std::vector<std::string> args_of(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return args;
}

}  // namespace mqtk::tools
