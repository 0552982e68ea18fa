#pragma once
// `mqtk-ping --explain TEXT|-|@FILE`: explain a device's own log lines (diag/device_log_explainer)
// and say which mqtk-ping runs reproduce each failure from here. No network: this only reads.
#include <iosfwd>
#include <string>

#include "mqtk/diag/device_log_explainer.hpp"

namespace mqtk::tools {

// `source` is the log text itself, "-" to read it from `in`, or "@FILE" to read FILE. Prints a
// human explanation (or one JSON object with `json`) on `out`. Returns 0 when at least one line
// was recognised, 65 when none was (one line on `err` says so), 66 when FILE cannot be read.
// `hint` is the broker named with -h/-p, used in the suggested commands instead of the log's.
int run_explain_command(const std::string& source, bool json, std::istream& in, std::ostream& out,
                        std::ostream& err, const diag::log_target_hint& hint = {});
// The same, reading "-" from std::cin.
int run_explain_command(const std::string& source, bool json, std::ostream& out, std::ostream& err,
                        const diag::log_target_hint& hint = {});

}  // namespace mqtk::tools
