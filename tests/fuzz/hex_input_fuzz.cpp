// libFuzzer target: mqtk-decode --hex. Arbitrary text through the line parser and the packet
// stream. Checks: the whole-text parser and the line-by-line parser agree; packets decoded from
// the bytes fed in pieces equal those decoded from all of them at once; error messages hold no
// terminal control bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mqtk/capture/hex_input.hpp"
#include "mqtk/capture/hex_packets.hpp"
#include "mqtk/proto/packet.hpp"

namespace {

using namespace mqtk::capture;

struct collecting_sink final : mqtt_record_sink {
  std::vector<std::string> seen;
  void on_packet(const mqtt_packet_record& r) override {
    if (r.packet) {
      seen.push_back(to_string(*r.packet));
    } else {
      seen.push_back("malformed " + std::to_string(static_cast<int>(r.malformed->error)) + "@" +
                     std::to_string(r.malformed->offset));
    }
  }
  void on_connection(const mqtt_connection_report&) override {}
};

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t chunk = 1 + data[0] % 16;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  // Line by line, skipping bad lines, as the tool does.
  hex_line_parser parser;
  std::vector<std::uint8_t> good;
  bool any_error = false;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const auto line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (auto e = parser.parse_line(line, good)) {
      any_error = true;
      for (char c : e->message) {
        const auto u = static_cast<unsigned char>(c);
        check(u >= 0x20 && u != 0x7f);
      }
    }
  }
  const auto whole = parse_hex_input(text);
  if (!any_error && !good.empty()) {
    check(std::holds_alternative<std::vector<std::uint8_t>>(whole));
    check(std::get<std::vector<std::uint8_t>>(whole) == good);
  } else {
    check(std::holds_alternative<hex_input_error>(whole));
  }

  collecting_sink at_once, pieces;
  decode_hex_packets(good, std::nullopt, at_once);
  hex_packet_stream stream(std::nullopt, pieces);
  for (std::size_t at = 0; at < good.size(); at += chunk)
    stream.feed(std::span<const std::uint8_t>(good).subspan(at, std::min(chunk, good.size() - at)));
  stream.finish();
  // Resynchronisation after garbage may pick another start when it sees less of the input, so
  // only inputs without malformed stretches must agree exactly.
  bool clean = true;
  for (const auto& s : at_once.seen) clean = clean && !s.starts_with("malformed");
  if (clean) check(at_once.seen == pieces.seen);
  return 0;
}
