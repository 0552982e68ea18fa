#pragma once
// What option loading takes from outside the command line: the environment variables it
// reads, the process id (default client ids), and the per-tool config file
// ($XDG_CONFIG_HOME/mqtk/<tool>, else ~/.config/mqtk/<tool>), so that tests can supply
// their own instead of the process's.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqtk::tools {

struct option_env {
  std::optional<std::string> home;             // $HOME
  std::optional<std::string> xdg_config_home;  // $XDG_CONFIG_HOME
  std::optional<std::string> password;         // $MQTK_PASSWORD
  std::optional<std::string> psk;              // $MQTK_PSK: the TLS-PSK key in hex (a secret)
  int pid = 0;
  bool read_config_file = true;

  static option_env from_process();
};

// Where `tool_file` ("mqtk_sub", "mqtk_pub") lives for `env`; nullopt without HOME and XDG.
std::optional<std::filesystem::path> config_file_path(const option_env& env, std::string_view tool_file);

// The words of a mosquitto-style options file: one option per line, the option then (after
// the first space) its value, which may contain spaces; lines starting with '#' and blank
// lines are skipped. "-D" lines are split on blanks into their 3 or 4 words. A missing file
// gives no words.
std::vector<std::string> config_file_args(const std::filesystem::path& file);
std::vector<std::string> config_text_args(std::string_view text);

// The same, line by line, so that a bad option can be cited by its line number (from 1).
struct config_line {
  std::size_t number = 0;
  std::vector<std::string> words;
};
std::vector<config_line> config_file_lines(const std::filesystem::path& file);
std::vector<config_line> config_text_lines(std::string_view text);

}  // namespace mqtk::tools
