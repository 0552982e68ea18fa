#include "mqtk-sub/sub_app.hpp"

#include "common/tool_info.hpp"

namespace mqtk::tools {

int sub_main(int argc, char** argv) {
  CLI::App app{"Subscribe to MQTT topics and print what arrives (a drop-in for mosquitto_sub)"};
  configure_app(app, "mqtk-sub");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  return 0;
}

}  // namespace mqtk::tools
