#include "mqtk/diag/probe_finding.hpp"

#include <algorithm>

namespace mqtk::diag {

std::string_view finding_level_name(finding_level l) noexcept {
  switch (l) {
    case finding_level::info: return "info";
    case finding_level::warning: return "warning";
    case finding_level::error: return "error";
  }
  return "info";
}

bool has_errors(const std::vector<probe_finding>& findings) noexcept {
  return std::ranges::any_of(findings, [](const probe_finding& f) { return f.level == finding_level::error; });
}

}  // namespace mqtk::diag
