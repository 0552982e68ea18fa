#include "mqtk-ping/ping_report.hpp"

#include <cstdio>

namespace mqtk::tools {

void ping_report::fail(int code, const std::string& line, std::string result_word) {
  result = std::move(result_word);
  exit_code = code;
  static constexpr std::string_view dash = " \u2014 ";
  const auto at = line.find(dash);
  explanation = at == std::string::npos ? line : line.substr(0, at);
  hint = at == std::string::npos ? std::string() : line.substr(at + dash.size());
}

std::string format_ms(double ms) {
  char b[32];
  if (ms < 10) {
    std::snprintf(b, sizeof b, "%.2f", ms);
  } else if (ms < 100) {
    std::snprintf(b, sizeof b, "%.1f", ms);
  } else {
    std::snprintf(b, sizeof b, "%.0f", ms);
  }
  return b;
}

namespace {

double round3(double v) { return static_cast<double>(static_cast<long long>(v * 1000 + (v >= 0 ? 0.5 : -0.5))) / 1000; }

}  // namespace

nlohmann::json to_json(const ping_report& r) {
  nlohmann::json j;
  j["target"] = r.target;
  j["version"] = r.version;
  j["client_id"] = r.client_id;
  auto& stages = j["stages"] = nlohmann::json::array();
  for (const auto& s : r.stages) {
    nlohmann::json o = s.details;
    o["stage"] = s.stage;
    o["ok"] = s.ok;
    o["ms"] = round3(s.ms);
    stages.push_back(std::move(o));
  }
  j["connack"] = r.connack;
  j["connect_ms"] = round3(r.connect_ms);
  if (r.pinged) {
    j["pings"] = {{"sent", r.pings.sent_count()},
                  {"received", r.pings.received_count()},
                  {"loss_percent", round3(r.pings.loss_percent())}};
    if (r.pings.received_count() > 0) {
      j["pings"]["rtt_ms"] = {{"min", round3(r.pings.min_ms())},
                              {"avg", round3(r.pings.avg_ms())},
                              {"max", round3(r.pings.max_ms())},
                              {"mdev", round3(r.pings.mdev_ms())}};
    } else {
      j["pings"]["rtt_ms"] = nullptr;
    }
  } else {
    j["pings"] = nullptr;
  }
  auto& findings = j["findings"] = nlohmann::json::array();
  for (const auto& f : r.findings) {
    findings.push_back({{"level", diag::finding_level_name(f.level)},
                        {"code", f.code},
                        {"message", f.message},
                        {"hint", f.hint}});
  }
  if (!r.checks.empty()) j["checks"] = r.checks;
  j["result"] = r.result;
  j["exit_code"] = r.exit_code;
  j["explanation"] = r.explanation;
  j["hint"] = r.hint;
  return j;
}

}  // namespace mqtk::tools
