#pragma once
// One observation of a probe (mqtk-ping, and the checks added to it): a level, a stable code
// for scripts, a message and what to do. Findings at error level make mqtk-ping exit 90.
#include <string>
#include <string_view>
#include <vector>

namespace mqtk::diag {

enum class finding_level { info, warning, error };

// "info", "warning", "error": the spelling used in JSON.
std::string_view finding_level_name(finding_level l) noexcept;

struct probe_finding {
  finding_level level = finding_level::info;
  std::string code;     // snake_case, stable: "max_rtt_exceeded", "keepalive_not_enforced"
  std::string message;  // what was observed, with the figures
  std::string hint;     // what to do; may be empty

  friend bool operator==(const probe_finding&, const probe_finding&) = default;
};

bool has_errors(const std::vector<probe_finding>& findings) noexcept;

}  // namespace mqtk::diag
