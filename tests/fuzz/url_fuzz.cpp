// libFuzzer target: the -L broker URL and --proxy URL parsers, and the printing of what they
// parsed (password masked). A failure must be an error code, never an exception or a crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mqtk/net/url.hpp"

using namespace mqtk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = net::parse_url(text)) {
    (void)net::to_string(*t);
    (void)net::host_port(t->host, t->port);
  }
  if (auto p = net::parse_proxy_url(text)) (void)net::to_string(*p);
  return 0;
}
