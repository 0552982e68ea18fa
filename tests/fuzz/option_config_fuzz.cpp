// libFuzzer target: the tools' config file (~/.config/mqtk/<tool>, mosquitto's option-file
// format) as the tools read it: the text split into option words, then parsed by CLI11 with
// options of the kinds the tools declare (flags, values, repeated multi-word -D, numbers with
// range checks). Any file must either load or fail with a CLI11 error the loader turns into a
// usage error; never a crash. Checks: no word is empty, and a line's words keep its order.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/option_env.hpp"

using namespace mqtk::tools;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto words = config_text_args(text);
  for (const auto& w : words)
    if (w.empty()) std::abort();

  CLI::App app{"fuzz"};
  app.set_help_flag();  // -h is the host, as in the tools (and mosquitto_pub)
  std::string host, topic, message, url;
  int port = 1883, qos = 0;
  bool retain = false, debug = false;
  std::vector<std::vector<std::string>> properties;
  app.add_option("-h,--host", host);
  app.add_option("-p,--port", port)->check(CLI::Range(1, 65535));
  app.add_option("-t,--topic", topic);
  app.add_option("-m,--message", message);
  app.add_option("-L,--url", url);
  app.add_option("-q,--qos", qos)->check(CLI::Range(0, 2));
  app.add_flag("-r,--retain", retain);
  app.add_flag("-d,--debug", debug);
  app.add_option("-D,--property", properties)->expected(3, 4)->allow_extra_args(false);
  std::reverse(words.begin(), words.end());  // CLI11 takes them last-first
  try {
    app.parse(words);
  } catch (const CLI::Error&) {
  }
  return 0;
}
