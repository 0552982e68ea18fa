#include "common/tool_info.hpp"

#include "common/option_loader.hpp"
#include "mqtk/version.hpp"

namespace mqtk::tools {

std::string version_text(std::string_view tool_name) {
  return std::string(tool_name) + " " + mqtk::version_string + " (mqtk: MQTT 3.1, 3.1.1 and 5.0)";
}

void configure_app(CLI::App& app, std::string_view tool_name) {
  app.name(std::string(tool_name));
  app.set_help_flag();  // -h is --host in mosquitto's tools and ours
  app.set_help_flag("--help", "Print this help and exit");
  app.set_version_flag("--version", version_text(tool_name));
}

int parse_or_exit(CLI::App& app, int argc, char** argv) {
  return run_option_loader(app, [&] { app.parse(argc, argv); });
}

}  // namespace mqtk::tools
