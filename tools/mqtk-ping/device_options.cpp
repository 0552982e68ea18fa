#include "mqtk-ping/device_options.hpp"

#include <cstdio>
#include <iostream>
#include <iterator>

#include "common/option_values.hpp"

namespace mqtk::tools {
namespace {

std::string hex(unsigned value, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", digits, value);
  return buf;
}

void note_given(CLI::App& app, const std::string& name, bool& flag) {
  if (CLI::Option* opt = app.get_option_no_throw(name)) opt->each([&flag](const std::string&) { flag = true; });
}

}  // namespace

void add_device_options(CLI::App& app, device_options& d) {
  note_given(app, "-k", d.keepalive_given);
  note_given(app, "-V", d.version_given);
  note_given(app, "--id", d.id_given);
  note_given(app, "-I", d.id_given);
  auto* g = app.add_option_group("Device");
  add_value_option(*g, "--device",
                   "Connect the way this client library does by default and warn where the broker or the "
                   "-t/-m message conflicts with it: " + diag::device_profile_names(),
                   "NAME", [&d](const std::string& v) {
                     d.profile = diag::find_device_profile(v);
                     if (!d.profile) {
                       usage_error("--device", "unknown device library '" + v + "' (" + diag::device_profile_names() + ")");
                     }
                   });
  add_value_option(*g, "-t,--topic", "With --device: the topic the device publishes on", "TOPIC",
                   [&d](const std::string& v) {
                     check_topic_name("-t", v);
                     d.topic = v;
                   });
  add_value_option(*g, "-m,--message", "With --device: the payload the device publishes (its size is checked)",
                   "MESSAGE", [&d](const std::string& v) { d.payload = v; });
  g->add_flag_callback("-s,--stdin-file", [&d] { d.payload_from_stdin = true; },
                       "With --device: read the payload from stdin (its size is checked)");
  add_value_option(*g, "-q,--qos", "With --device: the QoS the device publishes at (default 0)", "QOS",
                   [&d](const std::string& v) { d.qos = parse_qos("-q", v); });
  g->add_flag("-r,--retain", d.retain, "With --device: the device publishes retained");
}

void finish_device_options(device_options& d, connection_options& c, int pid) {
  if (!d.profile) {
    if (!d.topic.empty()) usage_error("-t", "is only used with --device");
    if (d.payload || d.payload_from_stdin) usage_error(d.payload ? "-m" : "-s", "is only used with --device");
    if (d.qos != proto::qos::at_most_once) usage_error("-q", "is only used with --device");
    if (d.retain) usage_error("-r", "is only used with --device");
    return;
  }
  if (d.payload && d.payload_from_stdin) usage_error("-s", "cannot be combined with -m");
  if ((d.payload || d.payload_from_stdin) && d.topic.empty()) usage_error("-m", "needs the topic it is published on (-t)");
  if (d.payload_from_stdin) {
    d.payload.emplace(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  const auto& p = *d.profile;
  if (!d.version_given) c.version = p.version;
  if (!d.keepalive_given) c.keepalive = p.keepalive_s;
  if (!d.id_given && c.client_id.empty()) c.client_id = device_client_id(p, pid);
}

std::optional<diag::device_message> device_message_of(const device_options& d) {
  if (!d.profile || !d.payload) return std::nullopt;
  return diag::device_message{.topic = d.topic, .topic_bytes = d.topic.size(), .payload_bytes = d.payload->size(), .qos = d.qos,
                              .retain = d.retain};
}

std::string device_client_id(const diag::device_profile& p, int pid) {
  const auto id = static_cast<unsigned>(pid);
  if (p.name == "esp-idf") return "ESP32_" + hex(id & 0xFFFFFFu, 6);  // "ESP32_%02x%02X%02X"
  if (p.name == "pubsubclient") return "ESP32Client-mqtk" + hex(id & 0xFFFFu, 4);
  if (p.name == "async-mqtt-client") return "esp8266" + hex(id & 0xFFFFFFu, 6);  // "esp8266%06x"
  return std::string(p.name) + "-mqtk" + hex(id & 0xFFFFu, 4);
}

}  // namespace mqtk::tools
