#include "common/option_loader.hpp"

#include <algorithm>
#include <iostream>

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
  std::reverse(words.begin(), words.end());  // CLI11 takes them last-first
  app.parse(words);
}

int run_option_loader(CLI::App& app, const std::function<void()>& load) {
  try {
    load();
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << '\n';
    return 0;
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
