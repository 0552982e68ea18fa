#include "mqtk-ping/ping_app.hpp"

#include "common/std_streams.hpp"
#include "common/tool_info.hpp"

namespace mqtk::tools {

int ping_main(int argc, char** argv) {
  (void)open_standard_streams();  // fds 0-2 open before anything else takes their numbers
  CLI::App app{"Ping-probe: staged connect with timings, refusal diagnosis and PINGREQ round trips"};
  configure_app(app, "mqtk-ping");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  return 0;
}

}  // namespace mqtk::tools
