#pragma once
// Everything one mqtk-ping run found, in one place: the stages with their timings and details,
// the CONNACK, the PINGREQ round trips, the findings and the verdict. Text lines are printed as
// the run goes; --json prints this object at the end (ARCHITECTURE.md: one report object).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mqtk/diag/probe_finding.hpp"
#include "mqtk/diag/rtt_stats.hpp"

namespace mqtk::tools {

struct ping_stage {
  std::string stage;  // "dns", "tcp", "tls", "websocket", "connack", "probe"
  bool ok = false;
  double ms = 0;
  nlohmann::json details = nlohmann::json::object();
};

struct ping_report {
  std::string target;   // "mqtts://broker.local:8883"
  std::string version;  // "3.1.1"
  std::string client_id;
  std::vector<ping_stage> stages;
  nlohmann::json connack;  // null until a CONNACK arrived
  double connect_ms = 0;   // start to CONNACK
  diag::rtt_stats pings;
  bool pinged = false;     // the ping phase ran (pings{} is in the report)
  std::vector<diag::probe_finding> findings;
  nlohmann::json checks = nlohmann::json::object();  // --versions, --roundtrip, ... results
  std::string result = "ok";  // "ok", "failed", "check_failed", "interrupted"
  int exit_code = 0;
  std::string explanation;  // what failed and why (empty on success)
  std::string hint;         // what to try

  // Sets result, exit code, explanation and hint from a one-line "<what>: <why> — <hint>".
  void fail(int code, const std::string& line, std::string result_word = "failed");
};

nlohmann::json to_json(const ping_report& r);

// "0.21": milliseconds as ping(8) prints them (3 significant digits, at least 2 decimals for
// small values).
std::string format_ms(double ms);

}  // namespace mqtk::tools
