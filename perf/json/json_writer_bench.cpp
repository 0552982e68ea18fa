// The JSON writer behind mqtk-sub --json against nlohmann/json, on the same line from the same
// description (src/report/message_record.hpp): a typical sensor message (3.1.1, ~45-byte JSON
// payload), the same with 5.0 properties (content type, binary correlation data, two user
// properties), and a binary payload. Lines per second on one core.
//
//   cmake --preset perf && cmake --build build-perf --target mqtk_json_writer_bench
//   build-perf/perf/mqtk_json_writer_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "mqtk/report/message_json.hpp"

namespace {

using namespace std::string_view_literals;
using mqtk::proto::property;
using mqtk::proto::property_id;
using mqtk::report::message_view;

const std::vector<property> v5_properties{
    property{.id = property_id::content_type, .value = "application/json"},
    property{.id = property_id::correlation_data, .value = "\x9f\x12\x00\xe4\x7a\x01\xff\x30"sv},
    property{.id = property_id::user_property, .key = "trace-id", .value = "4bf92f3577b34da6"},
    property{.id = property_id::user_property, .key = "origin", .value = "gateway-7"},
};
const mqtk::proto::property_list v5_list{v5_properties};

message_view typical(bool v5) {
  return message_view{.topic = "sensors/dev42/temperature",
                      .payload = R"({"seq":123456,"t":21.37,"rh":48,"dev":"esp32-042"})",
                      .qos = mqtk::proto::qos::at_least_once,
                      .packet_id = 4711,
                      .properties = v5 ? &v5_list : nullptr,
                      .timestamp = std::chrono::system_clock::time_point(std::chrono::nanoseconds(1765000000123456789LL))};
}

message_view binary() {
  static const std::string bytes = [] {
    std::string s(64, '\0');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(i * 37 + 128);
    return s;
  }();
  auto m = typical(false);
  m.payload = bytes;
  return m;
}

void fast(benchmark::State& state, const message_view& m) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    mqtk::report::append_message_json(out, m);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes_per_line"] = static_cast<double>(out.size());
}

void nlohmann(benchmark::State& state, const message_view& m) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    out += mqtk::report::message_json(m).dump();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes_per_line"] = static_cast<double>(out.size());
}

BENCHMARK_CAPTURE(fast, typical_v311, typical(false));
BENCHMARK_CAPTURE(nlohmann, typical_v311, typical(false));
BENCHMARK_CAPTURE(fast, typical_v5_properties, typical(true));
BENCHMARK_CAPTURE(nlohmann, typical_v5_properties, typical(true));
BENCHMARK_CAPTURE(fast, binary_payload, binary());
BENCHMARK_CAPTURE(nlohmann, binary_payload, binary());

}  // namespace

BENCHMARK_MAIN();
