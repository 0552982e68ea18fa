#include "mqtk-ping/ping_app.hpp"

#include <iostream>

#include <boost/asio/io_context.hpp>

#include "common/run_until_done.hpp"
#include "common/std_streams.hpp"
#include "common/stop_signals.hpp"
#include "mqtk-ping/device_check.hpp"
#include "mqtk-ping/explain_command.hpp"
#include "mqtk-ping/ping_checks.hpp"
#include "mqtk-ping/ping_options.hpp"
#include "mqtk-ping/prober.hpp"
#include "mqtk/diag/exit_code.hpp"
#include "mqtk/diag/probe_thresholds.hpp"

namespace asio = boost::asio;

namespace mqtk::tools {
namespace {

// "0", "33.3": as ping(8) prints the loss.
std::string loss_text(double pct) {
  char b[32];
  std::snprintf(b, sizeof b, pct == static_cast<int>(pct) ? "%.0f" : "%.1f", pct);
  return b;
}

// The ping(8) summary: what was sent and received, and the round trips.
void print_summary(const ping_options& o, const ping_report& r, const ping_output& out) {
  const auto& p = r.pings;
  out.line("");
  out.line("--- " + o.connection.host + " mqtk-ping statistics ---");
  std::string line = std::to_string(p.sent_count()) + " sent, " + std::to_string(p.received_count()) + " received, " +
                     loss_text(p.loss_percent()) + "% loss";
  if (p.received_count() > 0) {
    char b[160];
    std::snprintf(b, sizeof b, ", rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", p.min_ms(), p.avg_ms(), p.max_ms(),
                  p.mdev_ms());
    line += b;
  }
  out.line(line + ", connect " + format_ms(r.connect_ms) + " ms");
}

// The CI limits, once everything is measured: each one exceeded is an error finding, exit 90.
void apply_thresholds(const ping_options& o, ping_report& r, const ping_output& out) {
  auto found = diag::check_thresholds(o.limits, r.connect_ms, r.pings);
  for (auto& f : found) {
    out.line("  check     FAILED " + f.message);
    r.findings.push_back(std::move(f));
  }
  if (r.exit_code == 0 && diag::has_errors(r.findings)) {
    for (const auto& f : r.findings) {
      if (f.level != diag::finding_level::error) continue;
      r.fail(diag::to_int(diag::exit_code::check_failed), "check failed: " + f.message + " \u2014 " + f.hint,
             "check_failed");
      break;
    }
  }
}

asio::awaitable<int> run_ping(const ping_options& o, asio::io_context& io, ping_report& report, const ping_output& out,
                              interruption& intr) {
  prober p(o, io, report, out, intr);
  out.line("MQTK-PING " + o.connection.host + " (" + std::string(proto::version_name(o.connection.version)) +
           ", client id " + o.connection.client_id + ")");
  if (o.versions) co_return co_await check_versions(o, io, p, report, out, intr);
  if (o.keepalive_check) co_return co_await check_keepalive(o, io, p, report, out, intr);
  if (o.wait_s) co_return co_await wait_for_broker(o, io, p, report, out, intr);
  if (o.device.profile) out.line("  connecting as " + std::string(o.device.profile->library) + " does by default");
  if (!co_await p.connect()) {
    if (o.device.profile) co_await check_device(o, io, p, report, out, intr);
    co_return report.exit_code;
  }
  if (o.roundtrip) {
    co_await check_roundtrip(o, io, p, report, out, intr);
  } else if (o.capabilities) {
    co_await check_capabilities(o, io, p, report, out, intr);
  } else {
    co_await p.ping_loop();
    print_summary(o, report, out);
  }
  if (o.device.profile && !intr.requested) co_await check_device(o, io, p, report, out, intr);
  if (report.exit_code == 0 && intr.requested) report.result = "interrupted";
  apply_thresholds(o, report, out);
  co_await p.disconnect();
  if (report.exit_code != 0) std::cerr << "mqtk-ping: " << report.explanation << " \u2014 " << report.hint << '\n';
  co_return report.exit_code;
}

}  // namespace

int ping_main(int argc, char** argv) {
  (void)open_standard_streams();  // fds 0-2 open before anything else takes their numbers
  ping_options options;
  if (int rc = load_ping_options(argc, argv, options); rc >= 0) return rc;
  if (options.explain) {
    const auto& c = options.connection;
    return run_explain_command(*options.explain, options.json, std::cout, std::cerr,
                               {.host = c.host_given ? c.host : std::string(), .port = c.port_given && c.port ? *c.port : 0u});
  }
  asio::io_context io;
  ping_report report;
  const ping_output out(options.json);
  interruption intr;
  const stop_signals signals(io, [&intr](int) {
    intr.requested = true;
    if (intr.stop) intr.stop();
  });
  const int rc = run_until_done(io, run_ping(options, io, report, out, intr), "mqtk-ping");
  if (options.json) std::cout << to_json(report).dump() << '\n' << std::flush;
  return rc;
}

}  // namespace mqtk::tools
