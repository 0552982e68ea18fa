#include "common/decode_options.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "common/option_loader.hpp"
#include "common/option_values.hpp"
#include "mqtk/proto/topic.hpp"

namespace mqtk::tools {
namespace {

constexpr std::string_view packet_types_hint = "CONNECT, CONNACK, PUBLISH, ..., AUTH, MALFORMED";

bool is_packet_type_name(std::string_view name) {
  if (name == "MALFORMED") return true;
  for (unsigned i = 1; i < 16; ++i)
    if (proto::packet_type_name(static_cast<proto::packet_type>(i)) == name) return true;
  return false;
}

// --type PUBLISH,puback: upper-cased names, each checked.
std::vector<std::string> parse_types(std::string_view text) {
  std::vector<std::string> types;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    std::string t(text.substr(at, comma - at));
    for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!is_packet_type_name(t)) {
      usage_error("--type", "unknown packet type \"" + printable(t) + "\" (" + std::string(packet_types_hint) + ")");
    }
    types.push_back(std::move(t));
    at = comma + 1;
  }
  return types;
}

proto::protocol_version parse_mqtt_version(std::string_view text) {
  if (text == "3" || text == "3.1") return proto::protocol_version::v31;
  if (text == "4" || text == "3.1.1") return proto::protocol_version::v311;
  if (text == "5" || text == "5.0") return proto::protocol_version::v5;
  usage_error("--mqtt-version", "'" + printable(text) + "' is not an MQTT version (3.1, 3.1.1 or 5)");  // past the check: a bug
}

// A failure that concerns no one option: its message is the whole line.
[[noreturn]] void usage_line(std::string message) { throw CLI::ValidationError(std::move(message)); }

}  // namespace

void add_decode_options(CLI::App& app, decode_options& o) {
  const auto* file = add_value_option(
      app, "input", "Capture file (pcap or pcapng), or - for standard input; with --hex a text file of hex bytes",
      "FILE", [&o](const std::string& v) { o.input = v; });
  const auto* interface = add_value_option(app, "-i,--interface",
                                           "Capture live from this interface (needs capture permission)", "IFACE",
                                           [&o](const std::string& v) { o.interface = v; });
  // The capture source: the last of a file (or -) and -i wins, so that a FILE on the command line
  // replaces a config file's -i. CLI11 runs a positional's callback only after all the options,
  // so the order is read from the parse.
  app.parse_complete_callback([&app, &o, file, interface] {
    const auto& order = app.parse_order();
    const auto last = std::find_if(order.rbegin(), order.rend(),
                                   [&](const CLI::Option* opt) { return opt == file || opt == interface; });
    if (last == order.rend()) return;
    (*last == file ? o.interface : o.input).clear();
  });
  add_value_option(app, "-f,--filter", "BPF filter for live capture, e.g. \"tcp port 1883\"", "FILTER",
                   [&o](const std::string& v) { o.bpf = v; });
  app.add_flag_callback("--json", [&o] { o.json = true; }, "One JSON object per MQTT packet (NDJSON)");
  app.add_flag_callback("--summary", [&o] { o.summary = true; }, "Add one summary per TCP connection, with findings");
  app.add_flag_callback("--summary-only", [&o] { o.summary_only = true; },
                        "Only the per-connection summaries (implies --summary)");
  app.add_flag_callback("--hex", [&o] { o.hex = true; },
                        "The input is MQTT bytes as hex text (device log, xxd, hexdump -C)");
  // The choices in --help, for the completions.
  add_value_option(app, "--mqtt-version", "Protocol version when no CONNECT is present: 3.1, 3.1.1 or 5", "VERSION",
                   [&o](const std::string& v) { o.mqtt_version = parse_mqtt_version(v); })
      ->check(CLI::IsMember({"3", "3.1", "4", "3.1.1", "5", "5.0"}));
  add_value_option(app, "--client-id", "Only connections of this client id", "ID",
                   [&o](const std::string& v) { o.client_id = v; });
  add_value_option(app, "--topic", "Only packets whose topic matches this filter (+ and # allowed)", "FILTER",
                   [&o](const std::string& v) {
                     if (const auto e = proto::validate_topic_filter(v); e != proto::topic_error::none) {
                       usage_error("--topic", "\"" + printable(v) + "\" is not a valid topic filter: " +
                                                  std::string(proto::topic_error_message(e)));
                     }
                     o.topic = v;
                   });
  add_value_option(app, "--type", "Only these packet types, comma separated (PUBLISH,CONNACK,MALFORMED,...)",
                   "TYPES", [&o](const std::string& v) { o.types = parse_types(v); });
  add_value_option(app, "--count", "Stop after this many packets shown", "N", [&o](const std::string& v) {
    o.count = static_cast<std::uint64_t>(parse_integer("--count", v, 0, std::numeric_limits<std::int64_t>::max()));
  });
  add_value_option(app, "--json-engine", "JSON writer for packet lines (benchmarking): fast or nlohmann", "ENGINE",
                   [&o](const std::string& v) {
                     // Checked here: CLI11 leaves a hidden option's name out of its own messages.
                     if (v != "fast" && v != "nlohmann") usage_error("--json-engine", "'" + printable(v) + "' is not fast or nlohmann");
                     o.nlohmann_packets = v == "nlohmann";
                   })
      ->group("");
}

void finish_decode_options(decode_options& o, const option_env&) {
  if (o.summary_only) o.summary = true;
  if (o.interface.empty() && o.input.empty() && !o.hex) {
    usage_line("give a capture file (or - for standard input), -i IFACE for a live capture, or --hex");
  }
  if (o.hex && !o.interface.empty()) usage_error("--hex", "reads a file or standard input, not a live capture (-i)");
  if (!o.bpf.empty() && o.interface.empty()) usage_error("-f", "applies to live capture: add -i IFACE");
}

namespace {
constexpr option_spec<decode_options> decode_spec{
    "mqtk-decode", "mqtk_decode", "Decode MQTT from packet captures (pcap, pcapng, live, hex dumps)",
    add_decode_options, finish_decode_options};
}  // namespace

decode_options parse_decode_options(const std::vector<std::string>& args, const option_env& env) {
  return parse_options(decode_spec, args, env);
}

int load_decode_options(int argc, char** argv, decode_options& out) {
  return load_options(decode_spec, argc, argv, out);
}

}  // namespace mqtk::tools
