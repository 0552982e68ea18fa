#include "mqtk/bench/run_report.hpp"

#include <gtest/gtest.h>

namespace mqtk::bench {
namespace {

run_report sample(std::uint64_t base) {
  run_report r;
  r.scenario = "pubsub";
  r.connections = {.attempted = 10, .succeeded = 9, .failed = 1, .failed_by_reason = {{"not authorized (0x87)", 1}}};
  r.messages.sent = 1000 * base;
  r.messages.acked = 1000 * base;
  r.messages.delivery = {.received = 990 * base, .duplicated = 0, .out_of_order = 1, .lost = 10 * base};
  r.window = {.duration_s = static_cast<double>(base), .sent = 1000 * base, .acked = 1000 * base, .received = 990 * base};
  for (std::uint64_t i = 1; i <= 100; ++i) r.latency.end_to_end.record(i * 100 * base);
  r.latency.publish_ack.record(5000);
  r.resources = {.cpu_user_s = 1.5, .cpu_sys_s = 0.5, .max_rss_kib = 1000 * base};
  return r;
}

TEST(run_report, merge_adds_counts_and_histograms_and_keeps_the_longest_window) {
  run_report a = sample(1);
  a.merge(sample(2));
  EXPECT_EQ(a.shards, 2u);
  EXPECT_EQ(a.messages.sent, 3000u);
  EXPECT_EQ(a.messages.delivery.lost, 30u);
  EXPECT_EQ(a.connections.failed_by_reason.at("not authorized (0x87)"), 2u);
  EXPECT_EQ(a.window.duration_s, 2.0);
  EXPECT_EQ(a.latency.end_to_end.count(), 200u);
  EXPECT_EQ(a.resources.max_rss_kib, 2000u);
  EXPECT_DOUBLE_EQ(a.resources.cpu_user_s, 3.0);
  histogram both = sample(1).latency.end_to_end;
  both.merge(sample(2).latency.end_to_end);
  EXPECT_EQ(a.latency.end_to_end, both);  // percentiles from merged counts, never averaged
}

TEST(run_report, json_round_trip) {
  const run_report r = sample(3);
  const run_report back = run_report::from_json(nlohmann::json::parse(r.to_json().dump()));
  EXPECT_EQ(back.to_json(), r.to_json());
  EXPECT_EQ(back.latency.end_to_end, r.latency.end_to_end);
  const auto j = r.to_json();
  EXPECT_EQ(j["messages"]["lost"], 30);
  EXPECT_EQ(j["connections"]["by_reason"]["not authorized (0x87)"], 1);
  EXPECT_DOUBLE_EQ(j["latency"]["end_to_end"]["max_ms"].get<double>(), 30.0);
  EXPECT_FALSE(j["latency"].contains("connect_tls"));  // empty histograms are left out
}

TEST(run_report, from_json_rejects_what_is_not_a_report) {
  EXPECT_THROW(run_report::from_json(nlohmann::json::parse(R"({"ts": 1})")), std::invalid_argument);
  EXPECT_THROW(run_report::from_json(nlohmann::json::parse(R"({"scenario": "pub", "messages": {"sent": -1}})")),
               std::invalid_argument);
  EXPECT_THROW(run_report::from_json(nlohmann::json::parse(R"({"scenario": "pub", "latency": {"end_to_end": {}}})")),
               std::invalid_argument);
}

TEST(run_report, text_names_every_figure) {
  const std::string text = to_text(sample(1));
  EXPECT_NE(text.find("1000 sent, 1000 acked"), std::string::npos) << text;
  EXPECT_NE(text.find("10 lost"), std::string::npos) << text;
  EXPECT_NE(text.find("end to end"), std::string::npos) << text;
  EXPECT_NE(text.find("p99.99"), std::string::npos) << text;
  EXPECT_NE(text.find("1 x not authorized (0x87)"), std::string::npos) << text;
}

TEST(gates, each_gate_fails_with_its_figure_and_passes_otherwise) {
  const run_report r = sample(1);  // e2e p99 = 9.9 ms, loss 10/1000, 990 received/s
  EXPECT_TRUE(check(r, {}).empty());
  EXPECT_TRUE(check(r, {.max_p99_ms = 10, .max_loss = 0.02, .min_rate = 900}).empty());
  auto failed = check(r, {.max_p99_ms = 5});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].find("p99 end-to-end latency 9.8"), std::string::npos) << failed[0];
  failed = check(r, {.max_loss = 0.001});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].find("10 of 1000"), std::string::npos) << failed[0];
  failed = check(r, {.min_rate = 1000});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].find("rate 990.0/s (received)"), std::string::npos) << failed[0];
}

TEST(gates, publish_only_runs_use_ack_latency_and_publish_failures) {
  run_report r;
  r.scenario = "pub";
  r.messages.sent = 100;
  r.messages.acked = 99;
  r.messages.publish_failed = 1;
  r.window = {.duration_s = 1, .sent = 100, .acked = 99};
  r.latency.publish_ack.record(20'000);
  auto failed = check(r, {.max_p99_ms = 10, .max_loss = 0, .min_rate = 100});
  ASSERT_EQ(failed.size(), 3u);
  EXPECT_NE(failed[0].find("publish->ack"), std::string::npos);
  EXPECT_NE(failed[1].find("1 of 100"), std::string::npos);
  EXPECT_NE(failed[2].find("(acked)"), std::string::npos);
}

}  // namespace
}  // namespace mqtk::bench
