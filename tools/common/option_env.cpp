#include "common/option_env.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mqtk::tools {
namespace {

std::optional<std::string> env_value(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace

option_env option_env::from_process() {
  return option_env{.home = env_value("HOME"),
                    .xdg_config_home = env_value("XDG_CONFIG_HOME"),
                    .password = env_value("MQTK_PASSWORD"),
                    .psk = env_value("MQTK_PSK"),
                    .pid = static_cast<int>(::getpid())};
}

std::optional<std::filesystem::path> config_file_path(const option_env& env, std::string_view tool_file) {
  // An empty XDG_CONFIG_HOME counts as unset (XDG Base Directory specification).
  if (env.xdg_config_home && !env.xdg_config_home->empty()) {
    return std::filesystem::path(*env.xdg_config_home) / "mqtk" / tool_file;
  }
  if (env.home && !env.home->empty()) return std::filesystem::path(*env.home) / ".config" / "mqtk" / tool_file;
  return std::nullopt;
}

std::vector<config_line> config_text_lines(std::string_view text) {
  std::vector<config_line> lines;
  std::size_t pos = 0;
  std::size_t number = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++number;
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    // mosquitto tokenises with strtok(" "): leading spaces go, the option ends at the next
    // space, and the rest of the line (after the spaces that follow) is one value.
    std::size_t start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) continue;
    line.remove_prefix(start);
    std::size_t sp = line.find(' ');
    std::string_view option = line.substr(0, sp);
    auto& args = lines.emplace_back(config_line{.number = number}).words;
    args.emplace_back(option);
    if (sp == std::string_view::npos) continue;
    std::string_view rest = line.substr(sp);
    rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
    if (rest.empty()) continue;
    if (option == "-D" || option == "--property") {
      std::istringstream words{std::string(rest)};
      std::string w;
      while (words >> w) args.push_back(w);
    } else {
      args.emplace_back(rest);
    }
  }
  return lines;
}

std::vector<std::string> config_text_args(std::string_view text) {
  std::vector<std::string> args;
  for (auto& line : config_text_lines(text)) {
    for (auto& w : line.words) args.push_back(std::move(w));
  }
  return args;
}

namespace {

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<std::string> config_file_args(const std::filesystem::path& file) {
  return config_text_args(file_text(file));
}

std::vector<config_line> config_file_lines(const std::filesystem::path& file) {
  return config_text_lines(file_text(file));
}

}  // namespace mqtk::tools
