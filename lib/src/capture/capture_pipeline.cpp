#include "mqtk/capture/capture_pipeline.hpp"

#include "mqtk/capture/capture_error.hpp"

namespace mqtk::capture {

capture_pipeline::capture_pipeline(stream_sink& sink, pipeline_options options)
    : dissector_(options.dissector), carriage_(sink, options.carriage), reassembler_(carriage_, options.reassembler) {}

void capture_pipeline::feed(const raw_frame& frame) {
  ++frames_;
  tcp_segment segment;
  if (dissector_.dissect(frame, segment)) reassembler_.add(segment, frame.number, frame.ts);
}

void capture_pipeline::finish() {
  if (finished_) return;
  finished_ = true;
  reassembler_.finish();
}

capture_summary capture_pipeline::summary() const {
  capture_summary s;
  s.frames = frames_;
  s.dissector = dissector_.stats();
  s.reassembler = reassembler_.stats();
  return s;
}

capture_summary read_capture(capture_reader& reader, stream_sink& sink, pipeline_options options) {
  capture_pipeline pipeline(sink, options);
  raw_frame frame;
  try {
    while (reader.next(frame)) pipeline.feed(frame);
  } catch (const capture_error&) {
    // What was read before the corrupt block is still worth reporting: close it properly.
    pipeline.finish();
    throw;
  }
  pipeline.finish();
  capture_summary s = pipeline.summary();
  s.truncated = reader.truncated();
  return s;
}

capture_summary read_capture(const std::string& path, stream_sink& sink, pipeline_options options) {
  capture_reader reader = capture_reader::open(path);
  return read_capture(reader, sink, options);
}

}  // namespace mqtk::capture
