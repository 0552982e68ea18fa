#include "common/pub_options.hpp"

#include "common/option_loader.hpp"
#include "common/option_values.hpp"
#include "common/tool_info.hpp"

namespace mqtk::tools {
namespace {

void set_source(pub_options& o, payload_kind kind, std::string_view option) {
  if (o.source != payload_kind::none) {
    usage_error(option, "only one of -m, -f, -s, -l and -n may be given (one type of message at once)");
  }
  o.source = kind;
}

}  // namespace

void add_pub_options(CLI::App& app, pub_options& o) {
  // -L's topic is the topic, like a -t at that place: the later of the two wins (mosquitto).
  add_connection_options(app, o.connection, [&o](const std::string& topic) {
    check_topic_name("-L", topic);
    o.topic = topic;
  });
  auto* g = app.add_option_group("Publish");
  add_value_option(*g, "-t,--topic", "Topic to publish to", "TOPIC", [&o](const std::string& v) {
    check_topic_name("-t", v);
    o.topic = v;
  });
  add_value_option(*g, "-m,--message", "Message payload", "MESSAGE", [&o](const std::string& v) {
    set_source(o, payload_kind::message, "-m");
    o.message = v;
  });
  add_value_option(*g, "-f,--file", "Send the contents of FILE as the message", "FILE", [&o](const std::string& v) {
    set_source(o, payload_kind::file, "-f");
    o.file = v;
  });
  g->add_flag_callback("-s,--stdin-file", [&o] { set_source(o, payload_kind::stdin_whole, "-s"); },
                       "Send all of stdin as one message");
  g->add_flag_callback("-l,--stdin-line", [&o] { set_source(o, payload_kind::stdin_lines, "-l"); },
                       "Send each line of stdin as a message");
  g->add_flag_callback("-n,--null-message", [&o] { set_source(o, payload_kind::null_message, "-n"); },
                       "Send an empty message");
  add_value_option(*g, "-q,--qos", "QoS (default 0)", "QOS",
                   [&o](const std::string& v) { o.qos = parse_qos("-q", v); });
  g->add_flag("-r,--retain", o.retain, "Retain the message");
  add_value_option(*g, "--repeat", "Publish the message N times (-m, -f, -s, -n)", "N", [&o](const std::string& v) {
    o.repeat = static_cast<unsigned>(parse_integer("--repeat", v, 1, 0x7FFFFFFF));
  });
  add_value_option(*g, "--repeat-delay", "Seconds between repeats (default 0; fractions allowed)", "SECONDS",
                   [&o](const std::string& v) { o.repeat_delay_s = parse_decimal("--repeat-delay", v, 0, 1e9); });
}

void finish_pub_options(pub_options& o, const option_env& env) {
  finish_connection_options(o.connection, env, "mqtk_pub_");
  if (o.topic.empty()) usage_error("-t", "a topic is required (-t or -L mqtt://host/topic)");
  if (o.source == payload_kind::none) usage_error("-m", "a message is required: one of -m, -f, -s, -l or -n");
  if (o.repeat > 1 && o.source == payload_kind::stdin_lines) usage_error("--repeat", "cannot be used with -l");
  // --repeat-delay with one message (or no --repeat) has nothing to delay: accepted, as mosquitto does.
}

void check_pub_files(const pub_options& o) {
  check_connection_files(o.connection);
  if (o.source == payload_kind::file) check_input_file("-f", o.file);
}

namespace {
constexpr option_spec<pub_options> pub_spec{"mqtk-pub", "mqtk_pub", "Publish MQTT messages (a drop-in for mosquitto_pub)",
                                                 add_pub_options, finish_pub_options, check_pub_files};
}  // namespace

pub_options parse_pub_options(const std::vector<std::string>& args, const option_env& env) {
  return parse_options(pub_spec, args, env);
}

int load_pub_options(int argc, char** argv, pub_options& out) {
  const int rc = load_options(pub_spec, argc, argv, out);
  if (rc < 0) silence_error_output(out.connection.quiet);
  return rc;
}

}  // namespace mqtk::tools
