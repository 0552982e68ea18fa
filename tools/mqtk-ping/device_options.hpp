#pragma once
// mqtk-ping's --device options: which client library to connect like (diag/device_profile), and
// the message such a device would publish (-t, -m, -s, -q, -r), whose size and QoS are checked
// against the library's buffer and limits. Plain data and CLI11 wiring; no socket here.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/connection_options.hpp"
#include "mqtk/diag/device_profile.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::tools {

struct device_options {
  std::optional<diag::device_profile> profile;  // --device NAME
  std::string topic;                            // -t: the topic the device publishes on
  std::optional<std::string> payload;           // -m, or stdin with -s
  bool payload_from_stdin = false;              // -s
  proto::qos qos = proto::qos::at_most_once;    // -q
  bool retain = false;                          // -r
  // What the command line set itself, so that the profile does not override it.
  bool keepalive_given = false;                 // -k
  bool id_given = false;                        // --id / -I
  bool version_given = false;                   // -V
};

// Adds --device, -t, -m, -s, -q and -r (group "Device"), and notes when -k, -V or the client id
// options are used. Call after the connection options were added.
void add_device_options(CLI::App& app, device_options& d);

// Cross-option checks (-t/-m/-s/-q/-r need --device; -m and -s exclude each other), reads -s's
// stdin, and gives `c` the profile's protocol level, keepalive and a client id of its form
// where the command line did not set them. Call before finish_connection_options().
void finish_device_options(device_options& d, connection_options& c, int pid);

// The message as the device would publish it; nullopt without -m/-s.
std::optional<diag::device_message> device_message_of(const device_options& d);

// A client id of the library's default form that no real device has (it carries our pid), so
// the probe never takes a device's session over: "ESP32_00a1b2", "ESP32Client-mqtk1a2b", ...
std::string device_client_id(const diag::device_profile& p, int pid);

}  // namespace mqtk::tools
