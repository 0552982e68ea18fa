#include "mqtk/report/message_printer.hpp"

namespace mqtk::report {

message_printer::message_printer(printer_options options) : options_(std::move(options)) {
  if (options_.mode == output_mode::format) {
    format_ = message_format::parse(options_.format);
    format_->set_layout(options_.pretty ? json_layout::pretty : json_layout::compact);
  }
}

bool message_printer::append(std::string& out, const message_view& m, std::string* error) const {
  return append(out, m, error, verbatim_writer{});
}

bool message_printer::append(std::string& out, const message_view& m, std::string* error,
                             const verbatim_writer& verbatim) const {
  const auto put_payload = [&] {
    if (verbatim) {
      verbatim(m.payload);
    } else {
      out += m.payload;
    }
  };
  switch (options_.mode) {
    case output_mode::payload:
      if (!m.payload.empty()) {
        put_payload();
        if (options_.eol) out += '\n';
      }
      return true;
    case output_mode::verbose:
      if (!m.payload.empty()) {
        out += m.topic;
        out += ' ';
        put_payload();
        if (options_.eol) out += '\n';
      } else if (options_.eol) {
        // mosquitto_sub prints nothing at all for an empty payload with -v -N.
        out += m.topic;
        out += " (null)\n";
      }
      return true;
    case output_mode::format: {
      // Most formats print the payload once: room for it and the line around it up front,
      // so that the newline after a large payload does not regrow (and copy) the buffer.
      // Reserved memory that a format does not fill is never touched, so costs no RSS.
      if (m.payload.size() >= (std::size_t{64} << 10)) out.reserve(out.size() + m.payload.size() + 4096);
      bool ok = format_->append(out, m, error);
      if (options_.eol) out += '\n';
      return ok;
    }
    case output_mode::json:
      if (verbatim) {
        verbatim(message_json_line(m, options_.json));  // a large line is written from the writer's buffer
      } else {
        append_message_json(out, m, options_.json);
      }
      out += '\n';
      return true;
  }
  return true;
}

}  // namespace mqtk::report
