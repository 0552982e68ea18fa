#include "mqtk-pub/pub_app.hpp"

#include "common/tool_info.hpp"

namespace mqtk::tools {

int pub_main(int argc, char** argv) {
  CLI::App app{"Publish MQTT messages (a drop-in for mosquitto_pub)"};
  configure_app(app, "mqtk-pub");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  return 0;
}

}  // namespace mqtk::tools
