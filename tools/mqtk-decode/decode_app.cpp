#include "mqtk-decode/decode_app.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <csignal>

#include "common/std_streams.hpp"
#include "mqtk/capture/capture_error.hpp"
#include "mqtk/capture/capture_pipeline.hpp"
#include "mqtk/capture/capture_reader.hpp"
#include "mqtk/capture/hex_input.hpp"
#include "mqtk/capture/hex_packets.hpp"
#include "mqtk/capture/live_capture.hpp"
#include "mqtk/capture/mqtt_analyzer.hpp"
#include "mqtk/diag/exit_code.hpp"
#include "mqtk/proto/topic.hpp"
#include "mqtk/report/decode_json.hpp"
#include "mqtk/report/decode_text.hpp"

namespace mqtk::tools {

namespace {

constexpr const char* tool = "mqtk-decode";

int fail(std::FILE* err, diag::exit_code code, const std::string& message) {
  std::fprintf(err, "%s: %s\n", tool, message.c_str());
  return diag::to_int(code);
}

// With --json the error is also a line of the output, for scripts that only read stdout.
int fail(const decode_options& o, std::FILE* out, std::FILE* err, diag::exit_code code,
         const std::string& message) {
  if (o.json) {
    nlohmann::ordered_json j;
    j["event"] = "error";
    j["exit_code"] = diag::to_int(code);
    j["message"] = message;
    const auto line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), out);
    std::fflush(out);
  }
  return fail(err, code, message);
}

// Output of records and reports: filters, then text or JSON into a buffer written in large
// chunks (a trace of millions of packets must not pay a write per line).
class output_sink final : public capture::mqtt_record_sink {
 public:
  output_sink(const decode_options& o, std::FILE* out) : options_(o), out_(out) {
    buffer_.reserve(1 << 17);
    for (const auto& t : o.types) {
      if (t == "MALFORMED") {
        types_mask_ |= 1u;
        continue;
      }
      for (unsigned i = 1; i < 16; ++i)
        if (proto::packet_type_name(static_cast<proto::packet_type>(i)) == t) types_mask_ |= 1u << i;
    }
  }
  ~output_sink() override { flush(); }

  void on_packet(const capture::mqtt_packet_record& r) override {
    if (options_.summary_only || !wanted(r)) return;
    if (options_.count && shown_ >= options_.count) return;
    ++shown_;
    if (options_.json) {
      if (options_.nlohmann_packets) {
        report::append_decode_record_json_nlohmann(buffer_, r);
      } else {
        report::append_decode_record_json(buffer_, r);
      }
    } else {
      report::append_decode_record_text(buffer_, r);
    }
    buffer_.push_back('\n');
    if (buffer_.size() >= (1 << 16)) flush();
  }

  void on_connection(const capture::mqtt_connection_report& c) override {
    if (!options_.summary) return;
    if (!options_.client_id.empty() && c.client_id != options_.client_id) return;
    if (options_.json) {
      buffer_ += report::decode_connection_json(c).dump(-1, ' ', false,
                                                        nlohmann::json::error_handler_t::replace);
      buffer_.push_back('\n');
    } else {
      // People read the summaries after the trace, in stream order, not as connections close.
      std::string text;
      report::append_connection_text(text, c);
      summaries_.emplace_back(c.stream, std::move(text));
    }
  }

  void finish() {
    if (!summaries_.empty()) {
      std::stable_sort(summaries_.begin(), summaries_.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      if (!options_.summary_only && shown_) buffer_.push_back('\n');
      for (const auto& [stream, text] : summaries_) buffer_ += text;
      summaries_.clear();
    }
    flush();
  }

  void flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    buffer_.clear();
    std::fflush(out_);
  }

  bool done() const noexcept { return options_.count && shown_ >= options_.count; }

 private:
  bool wanted(const capture::mqtt_packet_record& r) const {
    if (types_mask_) {
      const unsigned bit = r.packet ? 1u << static_cast<unsigned>(proto::type_of(*r.packet)) : 1u;
      if (!(types_mask_ & bit)) return false;
    }
    if (!options_.client_id.empty() && r.client_id != options_.client_id) return false;
    if (!options_.topic.empty()) {
      if (!r.packet) return false;
      if (const auto* p = std::get_if<proto::publish>(r.packet)) {
        const auto topic = r.topic.empty() ? p->topic : r.topic;
        return !topic.empty() && proto::topic_matches(options_.topic, topic);
      }
      if (const auto* s = std::get_if<proto::subscribe>(r.packet)) {
        return std::any_of(s->subscriptions.begin(), s->subscriptions.end(), [&](const auto& sub) {
          return sub.filter == options_.topic;
        });
      }
      if (const auto* u = std::get_if<proto::unsubscribe>(r.packet)) {
        return std::any_of(u->filters.begin(), u->filters.end(),
                           [&](std::string_view f) { return f == options_.topic; });
      }
      return false;
    }
    return true;
  }

  const decode_options& options_;
  std::FILE* out_;
  std::string buffer_;
  std::vector<std::pair<std::uint64_t, std::string>> summaries_;
  std::uint32_t types_mask_ = 0;
  std::uint64_t shown_ = 0;
};

capture::mqtt_analyzer_options analyzer_options(const decode_options& o) {
  capture::mqtt_analyzer_options a;
  a.default_version = o.mqtt_version;
  a.track_connections = o.summary;
  return a;
}

// Hex text is read and decoded line by line: `tail -f log | mqtk-decode --hex -` shows each
// packet when its last line arrives, memory stays bounded on endless input, and a bad line is
// reported on stderr (with its number) and skipped. Exit 65 at the end if any line was bad.
int run_hex(const decode_options& o, std::FILE* out, std::FILE* err) {
  // Longer lines are not hex dumps; they are skipped (and reported) without being held.
  constexpr std::size_t max_line = 1u << 20;
  std::FILE* in = stdin;
  const bool from_stdin = o.input.empty() || o.input == "-";
  if (!from_stdin) {
    in = std::fopen(o.input.c_str(), "rb");
    if (!in) {
      return fail(o, out, err, diag::exit_code::cannot_open_input,
                  "cannot open " + o.input + ": " + std::strerror(errno));
    }
  }
  struct closer {
    std::FILE* f;
    bool own;
    ~closer() {
      if (own) std::fclose(f);
    }
  } close_in{in, !from_stdin};
  const std::string name = from_stdin ? "-" : o.input;

  output_sink sink(o, out);
  capture::hex_packet_stream stream(o.mqtt_version, sink);
  capture::hex_line_parser parser;
  std::vector<std::uint8_t> bytes;
  std::uint64_t bad_lines = 0;
  std::string line;
  bool too_long = false;
  char chunk[1 << 16];

  auto end_line = [&] {
    if (too_long) {
      parser.parse_line({}, bytes);  // counts the line
      std::fprintf(err, "%s: %s:%zu: line longer than %zu bytes: skipped (is this a hex dump?)\n", tool,
                   name.c_str(), parser.line_number(), max_line);
      ++bad_lines;
    } else if (auto e = parser.parse_line(line, bytes)) {
      std::fprintf(err, "%s: %s:%zu:%zu: %s: line skipped (expected hex bytes such as \"10 0c 00 04\", \"0x10,0x0c\" or xxd output)\n",
                   tool, name.c_str(), e->line, e->column, e->message.c_str());
      ++bad_lines;
    } else if (!bytes.empty()) {
      stream.feed(bytes);
      bytes.clear();
      sink.flush();
    }
    line.clear();
    too_long = false;
  };

  bool any_text = false;
  while (!sink.done() && std::fgets(chunk, sizeof chunk, in)) {
    any_text = true;
    std::size_t n = std::strlen(chunk);
    // fgets stops at a NUL it read as well: a line holding NUL bytes is read on as more pieces.
    const bool complete = n > 0 && chunk[n - 1] == '\n';
    if (complete) --n;
    if (!too_long) {
      if (line.size() + n > max_line) {
        too_long = true;
        line.clear();
        line.shrink_to_fit();
      } else {
        line.append(chunk, n);
      }
    }
    if (complete) end_line();
  }
  if (std::ferror(in)) {
    return fail(o, out, err, diag::exit_code::bad_input, "cannot read " + name + ": " + std::strerror(errno));
  }
  if (!line.empty() || too_long) end_line();  // a last line without '\n'
  const auto result = stream.finish();
  sink.finish();
  if (result.packets == 0 && result.malformed == 0 && bad_lines == 0) {
    return fail(o, out, err, diag::exit_code::bad_input,
                name + ":" + std::to_string(any_text ? parser.line_number() : 1) +
                    ":1: no hex bytes in the input (expected hex bytes such as \"10 0c 00 04\", \"0x10,0x0c\" or xxd output)");
  }
  if (result.version_guessed) {
    std::fprintf(err, "%s: note: no CONNECT in the bytes; decoded as MQTT 3.1.1 (use --mqtt-version)\n",
                 tool);
  }
  // Each bad line already has its stderr line; the exit code tells scripts the input was bad.
  if (bad_lines) return diag::to_int(diag::exit_code::bad_input);
  return 0;
}

capture::live_capture* live_running = nullptr;

extern "C" void stop_live(int) {
  if (live_running) live_running->stop();
}

int run_live(const decode_options& o, std::FILE* out, std::FILE* err) {
  output_sink sink(o, out);
  capture::mqtt_analyzer analyzer(sink, analyzer_options(o));
  capture::capture_pipeline pipeline(analyzer);
  std::optional<capture::live_capture> opened;
  try {
    opened.emplace(capture::live_options{.interface = o.interface, .filter = o.bpf});
  } catch (const capture::capture_error& e) {
    // At start-up, live_failed means the BPF filter did not compile: a bad -f value.
    if (e.code() == capture::capture_errc::live_failed)
      return fail(o, out, err, diag::exit_code::usage, std::string("-f: ") + e.what());
    throw;
  }
  auto& live = *opened;
  live_running = &live;
  std::signal(SIGINT, stop_live);
  std::signal(SIGTERM, stop_live);
  capture::raw_frame frame;
  std::uint64_t last_frame = 0;
  capture::capture_time last_ts = 0;
  while (!live.stopped() && !sink.done()) {
    if (!live.next(frame)) {
      sink.flush();
      continue;
    }
    last_frame = frame.number;
    last_ts = frame.ts;
    pipeline.feed(frame);
  }
  live_running = nullptr;
  pipeline.finish();
  analyzer.finish(last_frame, last_ts);
  sink.finish();
  const auto stats = live.stats();
  if (stats.dropped || stats.interface_dropped) {
    std::fprintf(err, "%s: the kernel dropped %llu packets: the trace has gaps\n", tool,
                 static_cast<unsigned long long>(stats.dropped + stats.interface_dropped));
  }
  return 0;
}

int run_file(const decode_options& o, std::FILE* out, std::FILE* err) {
  auto reader = capture::capture_reader::open(o.input.empty() ? "-" : o.input);
  output_sink sink(o, out);
  capture::mqtt_analyzer analyzer(sink, analyzer_options(o));
  capture::capture_pipeline pipeline(analyzer);
  capture::raw_frame frame;
  std::uint64_t last_frame = 0;
  capture::capture_time last_ts = 0;
  try {
    while (!sink.done() && reader.next(frame)) {
      last_frame = frame.number;
      last_ts = frame.ts;
      pipeline.feed(frame);
    }
  } catch (const capture::capture_error&) {
    // What was read so far is still worth showing before the error line.
    pipeline.finish();
    analyzer.finish(last_frame, last_ts);
    sink.finish();
    throw;
  }
  pipeline.finish();
  analyzer.finish(last_frame, last_ts);
  sink.finish();
  if (reader.truncated()) {
    std::fprintf(err, "%s: note: %s ends in the middle of a packet record (cut short?)\n", tool,
                 reader.name().c_str());
  }
  return 0;
}

}  // namespace

int run_decode(const decode_options& o, std::FILE* out, std::FILE* err) {
  try {
    if (o.hex) return run_hex(o, out, err);
    if (!o.interface.empty()) return run_live(o, out, err);
    return run_file(o, out, err);
  } catch (const capture::capture_error& e) {
    const auto code = e.code() == capture::capture_errc::cannot_open ? diag::exit_code::cannot_open_input
                                                                      : diag::exit_code::bad_input;
    return fail(o, out, err, code, e.what());
  } catch (const std::exception& e) {
    return fail(o, out, err, diag::exit_code::internal,
                std::string("internal error: ") + e.what() + " (a bug: please report it)");
  }
}

int decode_main(int argc, char** argv) {
  (void)open_standard_streams();  // fds 0-2 open before anything else takes their numbers
  decode_options options;
  if (int rc = load_decode_options(argc, argv, options); rc >= 0) return rc;
  return run_decode(options, stdout, stderr);
}

}  // namespace mqtk::tools
