#include "mqtk-ping/ping_options.hpp"

#include "common/option_loader.hpp"
#include "common/option_values.hpp"
#include "common/tool_info.hpp"

namespace mqtk::tools {
namespace {

// The shared groups' -i (client id) and -c (clean session) would collide with ping(8)'s -i and
// -c: take them out and give their meaning back under long names only.
void remove_shared_option(CLI::App& app, const std::string& name) {
  CLI::Option* opt = app.get_option_no_throw(name);
  if (opt == nullptr) return;
  if (app.remove_option(opt)) return;
  for (CLI::App* group : app.get_subcommands([](CLI::App*) { return true; })) {
    if (group->remove_option(opt)) return;
  }
}

}  // namespace

void add_ping_options(CLI::App& app, ping_options& o) {
  // A URL's topic means nothing to a probe (--roundtrip makes its own unique topic).
  add_connection_options(app, o.connection, {});
  remove_shared_option(app, "-i");
  remove_shared_option(app, "-c");
  auto* g = app.add_option_group("Ping");
  add_value_option(*g, "--id", "Client id (default mqtk_ping_<pid>; -i is the interval here)", "ID",
                   [&o](const std::string& v) {
                     if (v.size() > 65535) usage_error("--id", "client id longer than 65535 bytes");
                     o.connection.client_id = v;
                   });
  g->add_flag_callback("--disable-clean-session", [&o] { o.connection.clean_session = false; },
                       "Ask for a persistent session (mosquitto's -c; -c is the count here)");
  add_value_option(*g, "-c,--count", "PINGREQs to send (default 3; 0: until interrupted)", "COUNT",
                   [&o](const std::string& v) {
                     o.count = static_cast<unsigned>(parse_integer("-c", v, 0, 1'000'000'000));
                     o.count_given = true;
                   });
  add_value_option(*g, "-i,--interval", "Seconds between PINGREQs (default 1)", "SECONDS",
                   [&o](const std::string& v) { o.interval_s = parse_decimal("-i", v, 0.01, 3600); });
  add_value_option(*g, "-W,--timeout", "Seconds to wait for each layer and each PINGRESP (default 5)", "SECONDS",
                   [&o](const std::string& v) { o.timeout_s = parse_decimal("-W", v, 0.1, 3600); });
  g->add_flag("--json", o.json, "Print one JSON report object instead of text");
  auto* c = app.add_option_group("Checks");
  c->add_flag("--versions", o.versions, "Try MQTT 5.0, 3.1.1 and 3.1 and report which the broker accepts");
  c->add_flag("--keepalive-check", o.keepalive_check,
              "Go silent with a short keepalive (5 s, or -k) and measure when the broker drops the connection and whether the will is published");
  c->add_flag("--roundtrip", o.roundtrip, "Subscribe and publish at QoS 0/1/2 to a unique topic; time each");
  c->add_flag("--capabilities", o.capabilities, "Report the broker's limits and supported features");
  add_value_option(*c, "--wait", "Retry until the broker accepts a connection, at most SECONDS; exit 0 then",
                   "SECONDS", [&o](const std::string& v) { o.wait_s = parse_decimal("--wait", v, 0.1, 86400); });
  add_value_option(*c, "--max-connect-ms", "Fail (exit 90) when connecting takes longer", "MS",
                   [&o](const std::string& v) { o.limits.max_connect_ms = parse_decimal("--max-connect-ms", v, 0, 1e9); });
  add_value_option(*c, "--max-rtt-ms", "Fail (exit 90) when the slowest PINGREQ round trip is longer", "MS",
                   [&o](const std::string& v) { o.limits.max_rtt_ms = parse_decimal("--max-rtt-ms", v, 0, 1e9); });
  add_value_option(*c, "--max-loss", "Fail (exit 90) when more than PCT percent of PINGREQs go unanswered", "PCT",
                   [&o](const std::string& v) { o.limits.max_loss_percent = parse_decimal("--max-loss", v, 0, 100); });
  add_value_option(*c, "--explain",
                   "Explain a device's log lines (esp-mqtt, esp-tls/mbedTLS, PubSubClient, arduino-mqtt, "
                   "AsyncMqttClient; mosquitto's log) and how to reproduce each with mqtk-ping: TEXT, - for stdin, or @FILE",
                   "TEXT|-|@FILE", [&o](const std::string& v) { o.explain = v; });
  add_device_options(app, o.device);
}

void finish_ping_options(ping_options& o, const option_env& env) {
  if (o.explain && *o.explain == "-" && o.device.payload_from_stdin) usage_error("-s", "stdin is already --explain's input");
  finish_device_options(o.device, o.connection, env.pid);
  finish_connection_options(o.connection, env, "mqtk_ping_");
  const int modes = int{o.versions} + int{o.keepalive_check} + int{o.roundtrip} + int{o.capabilities};
  if (modes > 1) {
    usage_error("--versions", "--versions, --keepalive-check, --roundtrip and --capabilities run one at a time");
  }
  if (o.wait_s && modes > 0) usage_error("--wait", "cannot be combined with another check");
}

namespace {
constexpr option_spec<ping_options> ping_spec{
    "mqtk-ping", "mqtk_ping",
    "Ping-probe an MQTT broker: staged connect with timings, refusal diagnosis, PINGREQ round trips",
    add_ping_options, finish_ping_options};
}  // namespace

ping_options parse_ping_options(const std::vector<std::string>& args, const option_env& env) {
  return parse_options(ping_spec, args, env);
}

int load_ping_options(int argc, char** argv, ping_options& out) { return load_options(ping_spec, argc, argv, out); }

}  // namespace mqtk::tools
