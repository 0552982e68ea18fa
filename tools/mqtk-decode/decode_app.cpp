#include "mqtk-decode/decode_app.hpp"

#include "common/tool_info.hpp"

namespace mqtk::tools {

int decode_main(int argc, char** argv) {
  CLI::App app{"Decode MQTT from packet captures (pcap, pcapng, live, hex dumps)"};
  configure_app(app, "mqtk-decode");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  return 0;
}

}  // namespace mqtk::tools
