#pragma once
// Wires the input half of mqtk-decode: raw frames in, stream_sink events out.
// frame -> packet_dissector -> tcp_reassembler -> carriage_detector -> your sink.
#include <cstdint>
#include <memory>
#include <string>

#include "mqtk/capture/capture_reader.hpp"
#include "mqtk/capture/carriage_detector.hpp"
#include "mqtk/capture/packet_dissector.hpp"
#include "mqtk/capture/raw_frame.hpp"
#include "mqtk/capture/stream_sink.hpp"
#include "mqtk/capture/tcp_reassembler.hpp"

namespace mqtk::capture {

struct pipeline_options {
  dissector_limits dissector;
  reassembler_limits reassembler;
  carriage_limits carriage;
};

struct capture_summary {
  std::uint64_t frames = 0;
  bool truncated = false;  // the input ended in the middle of a record
  dissector_stats dissector;
  reassembler_stats reassembler;
};

class capture_pipeline {
 public:
  explicit capture_pipeline(stream_sink& sink, pipeline_options options = {});

  void feed(const raw_frame& frame);
  // The input ended: flush every connection (gaps, capture_end closes).
  void finish();

  capture_summary summary() const;

 private:
  packet_dissector dissector_;
  carriage_detector carriage_;
  tcp_reassembler reassembler_;
  std::uint64_t frames_ = 0;
  bool finished_ = false;
};

// Reads every frame of `reader` through a pipeline into `sink` and finishes it.
// Throws capture_error (bad_input) on a corrupt capture, after the events read so far.
capture_summary read_capture(capture_reader& reader, stream_sink& sink, pipeline_options options = {});
// Opens `path` ("-" for stdin) and reads it; throws capture_error (cannot_open, bad_input).
capture_summary read_capture(const std::string& path, stream_sink& sink, pipeline_options options = {});

}  // namespace mqtk::capture
