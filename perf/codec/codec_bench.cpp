// Codec throughput: decode and encode rate of 64-byte PUBLISH packets on one core, and the
// number of heap allocations per decoded packet in steady state (target: 0).
//
//   cmake --preset perf && cmake --build --preset perf --target mqtk_codec_bench
//   build-perf/perf/mqtk_codec_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "support/allocation_counter.hpp"
#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/encoder.hpp"


namespace {

using namespace mqtk::proto;

// A 64-byte PUBLISH: 2-byte fixed header, topic "sensors/device-0042/temperature" (2+31 bytes),
// packet id for QoS 1, and the payload filling the rest.
publish sample_publish(qos q) {
  static const std::string topic = "sensors/device-0042/temperature";
  static const std::string payload(64, 'x');
  const std::size_t fixed = 2 + 2 + topic.size() + (q == qos::at_most_once ? 0 : 2);
  return publish{.topic = topic,
                 .payload = std::string_view(payload.data(), 64 - fixed),
                 .qos = q,
                 .packet_id = static_cast<std::uint16_t>(q == qos::at_most_once ? 0 : 1)};
}

// The properties a 5.0 sensor publisher typically sets: the payload is UTF-8 JSON that
// expires, and one user property names the device.
const property sensor_properties[] = {
    {.id = property_id::payload_format_indicator, .number = 1},
    {.id = property_id::message_expiry_interval, .number = 3600},
    {.id = property_id::content_type, .value = "application/json"},
    {.id = property_id::user_property, .key = "device", .value = "esp32-042"},
};

std::vector<std::uint8_t> stream_of(const publish& p, protocol_version v, std::size_t count) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < count; ++i) encode_append(p, v, out);
  return out;
}

void decode_stream(benchmark::State& state, const publish& sample, protocol_version v) {
  constexpr std::size_t packets_per_buffer = 4096;
  const auto bytes = stream_of(sample, v, packets_per_buffer);
  if (bytes.size() != packets_per_buffer * encoded_size(sample, v)) state.SkipWithError("size");
  stream_decoder dec({.version = v});
  std::size_t packets = 0;
  std::size_t payload_bytes = 0;
  std::size_t allocations = 0;
  bool warm = false;
  for (auto _ : state) {
    const std::size_t allocations_before = mqtk::test::allocation_count();
    std::span<const std::uint8_t> in(bytes);
    while (!in.empty()) {
      auto r = dec.put(in);
      in = in.subspan(r.consumed);
      if (r.state == stream_decoder::status::ready) {
        payload_bytes += std::get<publish>(*r.value).payload.size();
        ++packets;
      }
    }
    // The first pass grows the decoder's scratch storage; after it, count every allocation.
    if (warm) allocations += mqtk::test::allocation_count() - allocations_before;
    if (!warm) {
      warm = true;
      packets = 0;
    }
  }
  benchmark::DoNotOptimize(payload_bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * packets_per_buffer));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
  state.counters["allocs_per_packet"] =
      packets ? static_cast<double>(allocations) / static_cast<double>(packets) : 0.0;
}

void encode_packets(benchmark::State& state, qos q, protocol_version v) {
  const packet p = sample_publish(q);
  std::vector<std::uint8_t> buffer(encoded_size(p, v) * 1024);
  for (auto _ : state) {
    std::size_t at = 0;
    for (int i = 0; i < 1024; ++i) at += encode(p, v, std::span(buffer).subspan(at));
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 1024));
}

void decode_stream(benchmark::State& state, qos q, protocol_version v) {
  decode_stream(state, sample_publish(q), v);
}

void BM_decode_publish_qos0_v311(benchmark::State& s) { decode_stream(s, qos::at_most_once, protocol_version::v311); }
void BM_decode_publish_qos1_v311(benchmark::State& s) { decode_stream(s, qos::at_least_once, protocol_version::v311); }
void BM_decode_publish_qos0_v5(benchmark::State& s) { decode_stream(s, qos::at_most_once, protocol_version::v5); }
void BM_decode_publish_qos1_v5(benchmark::State& s) { decode_stream(s, qos::at_least_once, protocol_version::v5); }
// The same PUBLISH with sensor_properties (111 bytes): the cost of reading and checking them.
void BM_decode_publish_qos1_v5_properties(benchmark::State& s) {
  publish p = sample_publish(qos::at_least_once);
  p.properties = property_list(std::span<const property>(sensor_properties));
  decode_stream(s, p, protocol_version::v5);
}
void BM_encode_publish_qos0_v311(benchmark::State& s) { encode_packets(s, qos::at_most_once, protocol_version::v311); }
void BM_encode_publish_qos1_v311(benchmark::State& s) { encode_packets(s, qos::at_least_once, protocol_version::v311); }

BENCHMARK(BM_decode_publish_qos0_v311);
BENCHMARK(BM_decode_publish_qos1_v311);
BENCHMARK(BM_decode_publish_qos0_v5);
BENCHMARK(BM_decode_publish_qos1_v5);
BENCHMARK(BM_decode_publish_qos1_v5_properties);
BENCHMARK(BM_encode_publish_qos0_v311);
BENCHMARK(BM_encode_publish_qos1_v311);

}  // namespace

BENCHMARK_MAIN();
