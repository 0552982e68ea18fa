#include "mqtk-ping/explain_command.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mqtk/diag/device_log_explainer.hpp"
#include "mqtk/diag/exit_code.hpp"

namespace mqtk::tools {
namespace {

constexpr const char* tool = "mqtk-ping";

// Text output lists at most this many unrecognised lines; --json lists them all.
constexpr std::size_t unrecognised_shown = 20;

void print_text(const diag::log_explanation_report& r, std::ostream& out) {
  for (const auto& e : r.explanations) {
    out << "line " << e.line_no << ": " << e.line << '\n';
    out << "  " << e.source << ": " << e.code << '\n';
    out << "  means: " << e.meaning << '\n';
    if (e.causes.size() == 1) {
      out << "  cause: " << e.causes.front() << '\n';
    } else if (!e.causes.empty()) {
      // The line alone does not single out one cause: say so and list the candidates.
      out << "  likely causes (the line alone does not say which):\n";
      for (const auto& c : e.causes) out << "    - " << c << '\n';
    }
    if (!e.try_commands.empty()) {
      out << "  reproduce from here:\n";
      for (const auto& t : e.try_commands) out << "    " << t << '\n';
    }
    out << '\n';
  }
  const std::size_t total = r.explanations.size() + r.unrecognised.size();
  if (total == 0) return;  // the stderr line says it all
  out << r.explanations.size() << " of " << total << " line" << (total == 1 ? "" : "s") << " recognised";
  if (r.unrecognised.empty()) {
    out << ".\n";
    return;
  }
  out << "; not recognised (" << r.unrecognised.size() << "):\n";
  std::size_t shown = 0;
  for (const auto& u : r.unrecognised) {
    if (shown++ == unrecognised_shown) {
      out << "  ... and " << r.unrecognised.size() - unrecognised_shown << " more (all are listed with --json)\n";
      break;
    }
    out << "  line " << u.line_no << ": " << u.line << '\n';
  }
}

nlohmann::json to_json(const diag::log_explanation_report& r) {
  nlohmann::json explanations = nlohmann::json::array();
  for (const auto& e : r.explanations) {
    explanations.push_back({{"line_no", e.line_no},
                            {"line", e.line},
                            {"source", e.source},
                            {"code", e.code},
                            {"meaning", e.meaning},
                            {"causes", e.causes},
                            {"try", e.try_commands}});
  }
  nlohmann::json unrecognised = nlohmann::json::array();
  for (const auto& u : r.unrecognised) unrecognised.push_back({{"line_no", u.line_no}, {"line", u.line}});
  return {{"explanations", std::move(explanations)},
          {"unrecognised", std::move(unrecognised)},
          {"recognised_count", r.explanations.size()},
          {"unrecognised_count", r.unrecognised.size()}};
}

}  // namespace

int run_explain_command(const std::string& source, bool json, std::istream& in, std::ostream& out,
                        std::ostream& err, const diag::log_target_hint& hint) {
  std::string text;
  if (source == "-") {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else if (source.size() > 1 && source.front() == '@') {
    const std::string path = source.substr(1);
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      const std::string why = std::strerror(errno);
      err << tool << ": --explain: cannot open " << path << ": " << why
          << " \u2014 check the path, or pass the log with --explain - on stdin\n";
      return diag::to_int(diag::exit_code::cannot_open_input);
    }
    text.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  } else {
    text = source;
  }

  const auto report = diag::explain_device_log(text, hint);
  const bool none = report.explanations.empty();
  const std::string none_line = "--explain: " + diag::nothing_recognised(report.unrecognised.size());
  if (json) {
    auto j = to_json(report);
    if (none) j["error"] = none_line;
    out << j.dump() << '\n';
  } else {
    print_text(report, out);
  }
  if (none) {
    err << tool << ": " << none_line << '\n';
    return diag::to_int(diag::exit_code::bad_input);
  }
  return diag::to_int(diag::exit_code::success);
}

int run_explain_command(const std::string& source, bool json, std::ostream& out, std::ostream& err,
                        const diag::log_target_hint& hint) {
  return run_explain_command(source, json, std::cin, out, err, hint);
}

}  // namespace mqtk::tools
