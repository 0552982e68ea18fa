// libFuzzer target: the tools' own option loading from a config file's text
// (~/.config/mqtk/<tool>, mosquitto's option-file format): the text split into option words as
// the loader does, then parsed and cross-checked by mqtk-pub's and mqtk-sub's real option code
// (tools/common: connection, authentication, will, TLS, -D properties, payload and output
// options). Any input must load or fail with an error the loader turns into exit 64
// (CLI::ParseError) or 66 (options_file_error); any other exception would end a tool through
// std::terminate, which libFuzzer reports as a crash. Checks: no word is empty, and what loads
// keeps the invariants the tools rely on.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/connection_options.hpp"
#include "common/option_env.hpp"
#include "common/pub_options.hpp"
#include "common/sub_options.hpp"

using namespace mqtk::tools;

namespace {

void check_connection(const connection_options& c) {
  if (c.client_id.empty() || c.host.empty() || c.effective_port() == 0) std::abort();
  if (c.password && !c.username && c.version != mqtk::proto::protocol_version::v5) std::abort();
}

template <class Parse, class Check>
void load(Parse parse, const std::vector<std::string>& words, Check check) {
  // No config file, variable or real process id: the words are the whole input.
  const option_env env{.pid = 4321, .read_config_file = false};
  try {
    check(parse(words, env));
  } catch (const CLI::ParseError&) {
  } catch (const options_file_error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto words = config_text_args(text);
  for (const auto& w : words) {
    if (w.empty()) std::abort();
  }
  load(parse_pub_options, words, [](const pub_options& o) {
    check_connection(o.connection);
    if (o.topic.empty()) std::abort();
  });
  load(parse_sub_options, words, [](const sub_options& o) {
    check_connection(o.connection);
    if (o.topics.empty() && o.unsubscribe.empty()) std::abort();
  });
  return 0;
}
