// libFuzzer target: the whole of mqtk-decode on a capture file: reader, dissector, TCP
// reassembly, carriage detection, the MQTT analyzer with connection tracking and findings, and
// the text and JSON writers of every record and summary. Only "no crash, no hang, no sanitizer
// report" and "every JSON line parses" are checked here; the parts have their own targets.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "mqtk/capture/capture_error.hpp"
#include "mqtk/capture/capture_pipeline.hpp"
#include "mqtk/capture/capture_reader.hpp"
#include "mqtk/capture/mqtt_analyzer.hpp"
#include "mqtk/report/decode_json.hpp"
#include "mqtk/report/decode_text.hpp"

namespace {

using namespace mqtk;

struct writing_sink final : capture::mqtt_record_sink {
  std::string text;
  void on_packet(const capture::mqtt_packet_record& r) override {
    text.clear();
    report::append_decode_record_text(text, r);
    text.clear();
    report::append_decode_record_json(text, r);
    if (!nlohmann::json::accept(text)) std::abort();
  }
  void on_connection(const capture::mqtt_connection_report& c) override {
    text.clear();
    report::append_connection_text(text, c);
    (void)report::decode_connection_json(c).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  writing_sink sink;
  capture::mqtt_analyzer_options options;
  options.track_connections = true;
  capture::mqtt_analyzer analyzer(sink, options);
  capture::capture_pipeline pipeline(analyzer);
  std::uint64_t last = 0;
  capture::capture_time ts = 0;
  try {
    auto reader = capture::capture_reader::from_memory({data, size});
    capture::raw_frame frame;
    while (reader.next(frame)) {
      last = frame.number;
      ts = frame.ts;
      pipeline.feed(frame);
    }
  } catch (const capture::capture_error&) {
  }
  pipeline.finish();
  analyzer.finish(last, ts);
  return 0;
}
