#include "mqtk-ping/ping_app.hpp"

#include <iostream>

#include "common/tool_info.hpp"
#include "mqtk-ping/explain_command.hpp"

namespace mqtk::tools {

int ping_main(int argc, char** argv) {
  CLI::App app{"Ping-probe: staged connect with timings, refusal diagnosis and PINGREQ round trips"};
  configure_app(app, "mqtk-ping");
  std::string explain;
  bool json = false;
  app.add_option("--explain", explain, "Explain a device's log lines (TEXT, - for stdin, @FILE)");
  app.add_flag("--json", json, "JSON output");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  if (!explain.empty()) return run_explain_command(explain, json, std::cout, std::cerr);
  return 0;
}

}  // namespace mqtk::tools
