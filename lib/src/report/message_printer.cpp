#include "mqtk/report/message_printer.hpp"

namespace mqtk::report {

message_printer::message_printer(printer_options options) : options_(std::move(options)) {
  if (options_.mode == output_mode::format) {
    format_ = message_format::parse(options_.format);
    format_->set_layout(options_.pretty ? json_layout::pretty : json_layout::compact);
  }
}

bool message_printer::append(std::string& out, const message_view& m, std::string* error) const {
  switch (options_.mode) {
    case output_mode::payload:
      if (!m.payload.empty()) {
        out += m.payload;
        if (options_.eol) out += '\n';
      }
      return true;
    case output_mode::verbose:
      if (!m.payload.empty()) {
        out += m.topic;
        out += ' ';
        out += m.payload;
        if (options_.eol) out += '\n';
      } else if (options_.eol) {
        // mosquitto_sub prints nothing at all for an empty payload with -v -N.
        out += m.topic;
        out += " (null)\n";
      }
      return true;
    case output_mode::format: {
      bool ok = format_->append(out, m, error);
      if (options_.eol) out += '\n';
      return ok;
    }
    case output_mode::json:
      append_message_json(out, m, options_.json);
      out += '\n';
      return true;
  }
  return true;
}

}  // namespace mqtk::report
