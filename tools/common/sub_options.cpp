#include "common/sub_options.hpp"

#include "common/option_loader.hpp"
#include "common/option_values.hpp"
#include "common/tool_info.hpp"

namespace mqtk::tools {

report::printer_options sub_options::printer() const {
  report::printer_options p;
  // mosquitto: -F overrides -v; --json is mqtk's own and refuses -F (finish_sub_options).
  if (json) {
    p.mode = report::output_mode::json;
  } else if (format) {
    p.mode = report::output_mode::format;
    p.format = *format;
  } else if (verbose) {
    p.mode = report::output_mode::verbose;
  }
  p.eol = eol;
  p.pretty = pretty;
  p.json.embed_json_payload = json_payload;
  return p;
}

void add_sub_options(CLI::App& app, sub_options& o) {
  // -L's topic is one more filter, at its place among the -t filters (mosquitto).
  add_connection_options(app, o.connection, [&o](const std::string& filter) {
    check_topic_filter("-L", filter);
    o.topics.push_back(filter);
  });
  auto* g = app.add_option_group("Subscription");
  add_value_option(*g, "-t,--topic", "Topic filter to subscribe to (repeatable)", "FILTER",
                   [&o](const std::string& v) {
                     check_topic_filter("-t", v);
                     o.topics.push_back(v);
                   });
  add_value_option(*g, "-T,--filter-out", "Do not print messages on topics matching this filter (repeatable)",
                   "FILTER", [&o](const std::string& v) {
                     check_topic_filter("-T", v);
                     o.filter_out.push_back(v);
                   });
  add_value_option(*g, "-U,--unsubscribe", "Unsubscribe from this filter (repeatable)", "FILTER",
                   [&o](const std::string& v) {
                     check_topic_filter("-U", v);
                     o.unsubscribe.push_back(v);
                   });
  add_value_option(*g, "-q,--qos", "Maximum QoS of the subscriptions (default 0)", "QOS",
                   [&o](const std::string& v) { o.qos = parse_qos("-q", v); });
  add_value_option(*g, "-C", "Exit after this many messages", "N", [&o](const std::string& v) {
    o.count = static_cast<unsigned>(parse_integer("-C", v, 1, 0x7FFFFFFF));
  });
  add_value_option(*g, "-W",
                   "Exit after this many seconds (exit 27 if -C was not reached); fractions allowed: 1.5 is 1.5 s "
                   "(mosquitto_sub reads whole seconds)",
                   "SECONDS", [&o](const std::string& v) { o.timeout_s = parse_decimal("-W", v, 0.001, 2147483647); });
  g->add_flag("-E", o.exit_after_subscribe, "Exit once subscribed");
  g->add_flag("-R", o.no_retained, "Do not print stale retained messages");
  g->add_flag("--retained-only", o.retained_only, "Print only retained messages, exit at the first live one");
  g->add_flag("--remove-retained", o.remove_retained, "Clear the retained messages received");
  g->add_flag("--retain-as-published", o.retain_as_published, "Keep the retain flag as published (5.0)");
  g->add_flag("--no-local", o.no_local, "Do not receive this client's own messages (5.0)");
  add_value_option(*g, "--retain-handling", "0 send retained, 1 only for new subscriptions, 2 never (5.0)", "0|1|2",
                   [&o](const std::string& v) {
                     o.retain_handling = static_cast<std::uint8_t>(parse_integer("--retain-handling", v, 0, 2));
                   });
  add_value_option(*g, "--subscription-id", "Subscription identifier, 1-268435455 (5.0)", "N",
                   [&o](const std::string& v) {
                     o.subscription_id = static_cast<std::uint32_t>(parse_integer("--subscription-id", v, 1, 268'435'455));
                   });
  add_value_option(*g, "--random-filter", "Print only this percentage of messages, 0.1-100", "PERCENT",
                   [&o](const std::string& v) { o.random_filter_percent = parse_decimal("--random-filter", v, 0.1, 100); });

  auto* out = app.add_option_group("Output");
  out->add_flag("-v,--verbose", o.verbose, "Print the topic before the payload");
  out->add_flag_callback("-N", [&o] { o.eol = false; }, "Do not add a newline after each message");
  add_value_option(*out, "-F", "Output format (mosquitto_sub's: %t %p %j @H \\n ...)", "FORMAT",
                   [&o](const std::string& v) {
                     try {
                       (void)report::message_format::parse(v);
                     } catch (const report::format_error& e) {
                       usage_error("-F", e.what());
                     }
                     o.format = v;
                   });
  out->add_flag("--pretty", o.pretty, "Indent the JSON of -F %j/%J");
  out->add_flag("--json", o.json, "One JSON object per message (NDJSON)");
  out->add_flag("--json-payload", o.json_payload, "With --json: embed a payload that is JSON as JSON");
  add_value_option(*out, "--ready-fd", "Write \"ready\\n\" to this file descriptor once subscribed", "FD",
                   [&o](const std::string& v) { o.ready_fd = static_cast<int>(parse_integer("--ready-fd", v, 0, 65535)); });
  add_value_option(*out, "--ready-file", "Create this file once subscribed", "PATH",
                   [&o](const std::string& v) { o.ready_file = v; });
}

void finish_sub_options(sub_options& o, const option_env& env) {
  finish_connection_options(o.connection, env, "mqtk_sub_");
  if (o.topics.empty() && o.unsubscribe.empty()) {
    usage_error("-t", "a topic to subscribe to (-t) or unsubscribe from (-U) is required");
  }
  if (o.json_payload) o.json = true;
  if (o.json && o.format) usage_error("--json", "cannot be combined with -F");
  if (o.retained_only && o.no_retained) usage_error("--retained-only", "cannot be combined with -R");
  const bool v5 = o.connection.version == proto::protocol_version::v5;
  if (!v5) {
    if (o.no_local) usage_error("--no-local", "needs MQTT 5.0 (-V 5)");
    if (o.retain_handling) usage_error("--retain-handling", "needs MQTT 5.0 (-V 5)");
    if (o.subscription_id) usage_error("--subscription-id", "needs MQTT 5.0 (-V 5)");
  }
  if (o.subscription_id) {
    for (const auto& p : o.connection.properties) {
      if (p.command == property_command::subscribe && p.id == proto::property_id::subscription_identifier) {
        usage_error("--subscription-id", "the subscription identifier is given twice (--subscription-id and -D "
                                          "subscribe subscription-identifier)");
      }
    }
  }
  // -R is mosquitto's way of asking for retain handling 2 on 5.0.
  if (o.no_retained && o.retain_handling && *o.retain_handling != 2) {
    usage_error("--retain-handling", "contradicts -R (which asks for 2)");
  }
}

namespace {
constexpr option_spec<sub_options> sub_spec{"mqtk-sub", "mqtk_sub", "Subscribe to MQTT topics and print what arrives (a drop-in for mosquitto_sub)",
                                                 add_sub_options, finish_sub_options,
                                                 [](const sub_options& o) { check_connection_files(o.connection); }};
}  // namespace

sub_options parse_sub_options(const std::vector<std::string>& args, const option_env& env) {
  return parse_options(sub_spec, args, env);
}

int load_sub_options(int argc, char** argv, sub_options& out) {
  const int rc = load_options(sub_spec, argc, argv, out);
  if (rc < 0) silence_error_output(out.connection.quiet);
  return rc;
}

}  // namespace mqtk::tools
