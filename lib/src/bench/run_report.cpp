#include "mqtk/bench/run_report.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace mqtk::bench {
namespace {

void add(cause_counts& into, const cause_counts& from) {
  for (const auto& [k, v] : from) into[k] += v;
}

struct histogram_field {
  const char* key;
  const char* label;
  histogram run_report::latency_t::*member;
};
constexpr histogram_field histogram_fields[] = {
    {"connect_tcp", "connect: TCP", &run_report::latency_t::connect_tcp},
    {"connect_tls", "connect: TLS handshake", &run_report::latency_t::connect_tls},
    {"connect_connack", "connect: to CONNACK", &run_report::latency_t::connect_connack},
    {"publish_ack", "publish->ack", &run_report::latency_t::publish_ack},
    {"publish_ack_uncorrected", "publish->ack (uncorrected)", &run_report::latency_t::publish_ack_uncorrected},
    {"send_lag", "send lag (late vs schedule)", &run_report::latency_t::send_lag},
    {"end_to_end", "end to end", &run_report::latency_t::end_to_end},
    {"end_to_end_uncorrected", "end to end (uncorrected)", &run_report::latency_t::end_to_end_uncorrected},
};

nlohmann::json summary(const histogram& h) {
  auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
  return {{"count", h.count()},         {"min_ms", ms(h.min())},
          {"p50_ms", ms(h.percentile(50))}, {"p90_ms", ms(h.percentile(90))},
          {"p99_ms", ms(h.percentile(99))}, {"p99_9_ms", ms(h.percentile(99.9))},
          {"p99_99_ms", ms(h.percentile(99.99))}, {"max_ms", ms(h.max())},
          {"mean_ms", h.mean() / 1000.0}, {"histogram", h.to_json()}};
}

std::uint64_t u64(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return 0;
  if (!j[key].is_number_unsigned()) throw std::invalid_argument(std::string("\"") + key + "\" is not a count");
  return j[key].get<std::uint64_t>();
}
double dbl(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return 0;
  if (!j[key].is_number()) throw std::invalid_argument(std::string("\"") + key + "\" is not a number");
  return j[key].get<double>();
}
const nlohmann::json& obj(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!j.contains(key)) return empty;
  if (!j[key].is_object()) throw std::invalid_argument(std::string("\"") + key + "\" is not an object");
  return j[key];
}
cause_counts causes(const nlohmann::json& j, const char* key) {
  cause_counts out;
  for (const auto& [k, v] : obj(j, key).items()) {
    if (!v.is_number_unsigned()) throw std::invalid_argument(std::string("\"") + key + "\" holds a non-count");
    out[k] = v.get<std::uint64_t>();
  }
  return out;
}

}  // namespace

void run_report::merge(const run_report& o) {
  if (scenario.empty()) scenario = o.scenario;
  if (config.is_null()) config = o.config;
  shards += o.shards;
  connections.attempted += o.connections.attempted;
  connections.succeeded += o.connections.succeeded;
  connections.failed += o.connections.failed;
  add(connections.failed_by_reason, o.connections.failed_by_reason);
  connections.lost += o.connections.lost;
  add(connections.lost_by_reason, o.connections.lost_by_reason);
  messages.sent += o.messages.sent;
  messages.acked += o.messages.acked;
  messages.publish_failed += o.messages.publish_failed;
  add(messages.publish_failed_by_reason, o.messages.publish_failed_by_reason);
  messages.late += o.messages.late;
  messages.delivery += o.messages.delivery;
  messages.received_without_header += o.messages.received_without_header;
  window.duration_s = std::max(window.duration_s, o.window.duration_s);
  window.sent += o.window.sent;
  window.acked += o.window.acked;
  window.received += o.window.received;
  window.connected += o.window.connected;
  for (const auto& f : histogram_fields) (latency.*f.member).merge(o.latency.*f.member);
  resources.cpu_user_s += o.resources.cpu_user_s;
  resources.cpu_sys_s += o.resources.cpu_sys_s;
  resources.max_rss_kib = std::max(resources.max_rss_kib, o.resources.max_rss_kib);
}

double run_report::rate(std::uint64_t count) const noexcept {
  return window.duration_s > 0 ? static_cast<double>(count) / window.duration_s : 0.0;
}

nlohmann::json run_report::to_json() const {
  nlohmann::json latency_json = nlohmann::json::object();
  for (const auto& f : histogram_fields) {
    const histogram& h = latency.*f.member;
    if (h.count() != 0) latency_json[f.key] = summary(h);
  }
  return {
      {"scenario", scenario},
      {"shards", shards},
      {"config", config},
      {"connections",
       {{"attempted", connections.attempted},
        {"succeeded", connections.succeeded},
        {"failed", connections.failed},
        {"by_reason", connections.failed_by_reason},
        {"lost", connections.lost},
        {"lost_by_reason", connections.lost_by_reason}}},
      {"messages",
       {{"sent", messages.sent},
        {"acked", messages.acked},
        {"publish_failed", messages.publish_failed},
        {"publish_failed_by_reason", messages.publish_failed_by_reason},
        {"late", messages.late},
        {"received", messages.delivery.received},
        {"lost", messages.delivery.lost},
        {"duplicated", messages.delivery.duplicated},
        {"out_of_order", messages.delivery.out_of_order},
        {"received_without_header", messages.received_without_header}}},
      {"window",
       {{"duration_s", window.duration_s},
        {"sent", window.sent},
        {"acked", window.acked},
        {"received", window.received},
        {"connected", window.connected}}},
      {"rates",
       {{"sent_per_s", rate(window.sent)},
        {"acked_per_s", rate(window.acked)},
        {"received_per_s", rate(window.received)},
        {"connected_per_s", rate(window.connected)}}},
      {"latency", latency_json},
      {"resources",
       {{"cpu_user_s", resources.cpu_user_s}, {"cpu_sys_s", resources.cpu_sys_s}, {"max_rss_kib", resources.max_rss_kib}}},
  };
}

run_report run_report::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("not a JSON object");
  if (!j.contains("scenario") || !j["scenario"].is_string()) {
    throw std::invalid_argument("no \"scenario\": not an mqtk-bench --json report");
  }
  run_report r;
  r.scenario = j["scenario"].get<std::string>();
  r.shards = j.contains("shards") ? u64(j, "shards") : 1;
  if (j.contains("config")) r.config = j["config"];
  const auto& c = obj(j, "connections");
  r.connections = {.attempted = u64(c, "attempted"),
                   .succeeded = u64(c, "succeeded"),
                   .failed = u64(c, "failed"),
                   .failed_by_reason = causes(c, "by_reason"),
                   .lost = u64(c, "lost"),
                   .lost_by_reason = causes(c, "lost_by_reason")};
  const auto& m = obj(j, "messages");
  r.messages = {.sent = u64(m, "sent"),
                .acked = u64(m, "acked"),
                .publish_failed = u64(m, "publish_failed"),
                .publish_failed_by_reason = causes(m, "publish_failed_by_reason"),
                .late = u64(m, "late"),
                .delivery = {.received = u64(m, "received"),
                             .duplicated = u64(m, "duplicated"),
                             .out_of_order = u64(m, "out_of_order"),
                             .lost = u64(m, "lost")},
                .received_without_header = u64(m, "received_without_header")};
  const auto& w = obj(j, "window");
  r.window = {.duration_s = dbl(w, "duration_s"),
              .sent = u64(w, "sent"),
              .acked = u64(w, "acked"),
              .received = u64(w, "received"),
              .connected = u64(w, "connected")};
  const auto& l = obj(j, "latency");
  for (const auto& f : histogram_fields) {
    if (!l.contains(f.key)) continue;
    const auto& block = obj(l, f.key);
    if (!block.contains("histogram")) throw std::invalid_argument(std::string("latency \"") + f.key + "\" has no histogram");
    r.latency.*f.member = histogram::from_json(block["histogram"]);
  }
  const auto& res = obj(j, "resources");
  r.resources = {.cpu_user_s = dbl(res, "cpu_user_s"), .cpu_sys_s = dbl(res, "cpu_sys_s"), .max_rss_kib = u64(res, "max_rss_kib")};
  return r;
}

std::string to_text(const run_report& r) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + '\n'; };
  line(fmt::format("scenario {}{}, measured for {:.3f} s", r.scenario,
                   r.shards > 1 ? fmt::format(" ({} shards merged)", r.shards) : std::string(), r.window.duration_s));
  line(fmt::format("connections: {} attempted, {} succeeded, {} failed, {} lost during the run", r.connections.attempted,
                   r.connections.succeeded, r.connections.failed, r.connections.lost));
  for (const auto& [k, v] : r.connections.failed_by_reason) line(fmt::format("  failed: {} x {}", v, k));
  for (const auto& [k, v] : r.connections.lost_by_reason) line(fmt::format("  lost: {} x {}", v, k));
  const auto& m = r.messages;
  if (r.scenario != "conn") {
    line(fmt::format("messages: {} sent, {} acked, {} publish failures, {} received, {} lost, {} duplicated, {} out of order",
                     m.sent, m.acked, m.publish_failed, m.delivery.received, m.delivery.lost, m.delivery.duplicated,
                     m.delivery.out_of_order));
    for (const auto& [k, v] : m.publish_failed_by_reason) line(fmt::format("  publish failed: {} x {}", v, k));
    if (m.late != 0) {
      line(fmt::format("  {} messages went out more than one interval late: the publishers could not keep up", m.late));
    }
    if (m.received_without_header != 0) line(fmt::format("  {} received without a bench header", m.received_without_header));
    line(fmt::format("rates: {:.1f} sent/s, {:.1f} acked/s, {:.1f} received/s", r.rate(r.window.sent), r.rate(r.window.acked),
                     r.rate(r.window.received)));
  } else {
    line(fmt::format("rate: {:.1f} connections/s", r.rate(r.window.connected)));
  }
  bool header = false;
  for (const auto& f : histogram_fields) {
    const histogram& h = r.latency.*f.member;
    if (h.count() == 0) continue;
    if (!header) {
      line(fmt::format("{:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}", "latency (ms)", "count", "min", "p50",
                       "p90", "p99", "p99.9", "p99.99", "max", "mean"));
      header = true;
    }
    auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
    line(fmt::format("{:<28} {:>9} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f}", f.label, h.count(),
                     ms(h.min()), ms(h.percentile(50)), ms(h.percentile(90)), ms(h.percentile(99)), ms(h.percentile(99.9)),
                     ms(h.percentile(99.99)), ms(h.max()), h.mean() / 1000.0));
  }
  if (header) {
    line("percentiles: nearest rank over the measurement window, from log-linear histograms (<= 1 % error); corrected");
    line("figures count from each message's intended send time (coordinated omission), uncorrected from the actual send");
  }
  line(fmt::format("resources: cpu {:.2f} s user, {:.2f} s sys, max rss {} KiB", r.resources.cpu_user_s, r.resources.cpu_sys_s,
                   r.resources.max_rss_kib));
  return out;
}

std::vector<std::string> check(const run_report& r, const gates& g) {
  std::vector<std::string> failed;
  if (g.max_p99_ms >= 0) {
    const bool e2e = r.latency.end_to_end.count() != 0;
    const histogram& h = e2e ? r.latency.end_to_end : r.latency.publish_ack;
    const double p99 = static_cast<double>(h.percentile(99)) / 1000.0;
    if (h.count() == 0) {
      failed.push_back("no latency samples to check --max-p99-ms against");
    } else if (p99 > g.max_p99_ms) {
      failed.push_back(fmt::format("p99 {} latency {:.3f} ms > --max-p99-ms {}", e2e ? "end-to-end" : "publish->ack", p99,
                                   g.max_p99_ms));
    }
  }
  if (g.max_loss >= 0) {
    const auto& d = r.messages.delivery;
    const bool subscribers = d.received != 0 || d.lost != 0;
    const std::uint64_t lost = subscribers ? d.lost : r.messages.publish_failed;
    const std::uint64_t expected = subscribers ? d.received - d.duplicated + d.lost : r.messages.sent;
    const double loss = expected ? static_cast<double>(lost) / static_cast<double>(expected) : 0.0;
    if (loss > g.max_loss) {
      failed.push_back(fmt::format("loss {:.6f} ({} of {} messages) > --max-loss {}", loss, lost, expected, g.max_loss));
    }
  }
  if (g.min_rate >= 0) {
    const bool subscribers = r.window.received != 0 || r.messages.delivery.lost != 0;
    const double rate = r.scenario == "conn" ? r.rate(r.window.connected)
                                             : r.rate(subscribers ? r.window.received : r.window.acked);
    if (rate < g.min_rate) {
      failed.push_back(fmt::format("rate {:.1f}/s ({}) < --min-rate {}", rate,
                                   r.scenario == "conn" ? "connections" : (subscribers ? "received" : "acked"), g.min_rate));
    }
  }
  return failed;
}

}  // namespace mqtk::bench
