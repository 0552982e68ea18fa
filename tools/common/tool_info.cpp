#include "common/tool_info.hpp"

#include <iostream>

#include "mqtk/diag/exit_code.hpp"
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << '\n';
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << app.get_name() << ": " << e.what() << " (see " << app.get_name() << " --help)\n";
    return diag::to_int(diag::exit_code::usage);
  }
  return -1;
}

}  // namespace mqtk::tools
