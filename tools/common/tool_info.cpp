#include "common/tool_info.hpp"

#include <openssl/crypto.h>
#include <pcap/pcap.h>

#include <boost/version.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "common/option_loader.hpp"
#include "mqtk/version.hpp"

namespace mqtk::tools {

std::string version_text(std::string_view tool_name) {
  // A bug report quotes this: the libraries that decide TLS, capture and parsing behaviour.
  // OpenSSL and libpcap are shared libraries, so their versions are asked at run time.
  std::string pcap = pcap_lib_version();  // "libpcap version 1.10.3 (with TPACKET_V3)"
  if (pcap.starts_with("libpcap version ")) pcap = "libpcap " + pcap.substr(16);
  return fmt::format(
      "{} {} (mqtk: MQTT 3.1, 3.1.1 and 5.0)\n"
      "built with: Boost {}.{}.{}, CLI11 {}, nlohmann/json {}.{}.{}, fmt {}.{}.{}\n"
      "running with: {}, {}",
      tool_name, mqtk::version_string, BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100,
      CLI11_VERSION, NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH,
      FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100, OpenSSL_version(OPENSSL_VERSION), pcap);
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
