// libFuzzer target: the -F output format of mqtk-sub (mosquitto_sub's %-conversions, @-time
// conversions, escapes, widths and precisions). The input is a format, a NUL, then the topic
// and payload of a message it formats. Checks: a format either parses or throws format_error,
// and a parsed one formats any message (JSON payloads or not) without crashing.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "mqtk/proto/property.hpp"
#include "mqtk/report/message_format.hpp"
#include "mqtk/report/message_view.hpp"

using namespace mqtk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const auto nul = all.find('\0');
  const auto format = all.substr(0, nul);
  const auto rest = nul == std::string_view::npos ? std::string_view{} : all.substr(nul + 1);
  const auto split = rest.find('\0');
  report::message_view m;
  m.topic = rest.substr(0, split);
  m.payload = split == std::string_view::npos ? std::string_view{} : rest.substr(split + 1);
  m.qos = static_cast<proto::qos>(size % 3);
  m.retain = size % 2;
  m.packet_id = static_cast<std::uint16_t>(size);
  m.timestamp = std::chrono::system_clock::time_point(std::chrono::nanoseconds(
      static_cast<std::int64_t>(size) * 1'234'567'891));
  try {
    auto f = report::message_format::parse(format);
    std::string out, error;
    (void)f.append(out, m, &error);
    f.set_layout(report::json_layout::pretty);
    out.clear();
    (void)f.append(out, m, &error);
  } catch (const report::format_error&) {
  }
  return 0;
}
