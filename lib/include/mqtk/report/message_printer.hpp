#pragma once
// What mqtk-sub prints for each message, chosen once from its output options: the payload
// (mosquitto_sub's default), "topic payload" (-v), a -F format, or --json lines. Appends to
// the caller's buffer so that a run of messages costs no allocation once the buffer is warm;
// the caller writes the buffer out (and flushes) when it likes.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mqtk/report/message_format.hpp"
#include "mqtk/report/message_json.hpp"
#include "mqtk/report/message_view.hpp"

namespace mqtk::report {

enum class output_mode {
  payload,  // mosquitto_sub default: the payload and a newline; nothing for an empty payload
  verbose,  // -v: "topic payload\n", or "topic (null)\n" for an empty payload
  format,   // -F FORMAT (overrides -v), newline after it unless -N
  json,     // --json: one object per line (-N does not apply: lines stay lines)
};

struct printer_options {
  output_mode mode = output_mode::payload;
  bool eol = true;                  // false with -N
  bool pretty = false;              // --pretty: %j/%J as cJSON's indented layout
  std::string format;               // for output_mode::format
  message_json_options json;        // for output_mode::json
};

class message_printer {
 public:
  // Throws format_error for a -F format that mosquitto_sub would refuse.
  explicit message_printer(printer_options options);

  // Appends what one message prints. Returns false when -F %J met a payload that is not
  // JSON; `error` (if given) then holds the line mosquitto_sub prints on stderr.
  bool append(std::string& out, const message_view& m, std::string* error = nullptr) const;

  // Takes bytes that would be appended to `out` as they are (the payload of the default output
  // and of -v, a --json line) in place of appending them: the receiver writes out what `out`
  // holds, then the bytes from where they lie, so that a large message is not copied once more
  // on its way out. What follows is appended to `out` after the call. -F always appends.
  using verbatim_writer = std::function<void(std::string_view bytes)>;
  bool append(std::string& out, const message_view& m, std::string* error, const verbatim_writer& verbatim) const;

  const printer_options& options() const noexcept { return options_; }

 private:
  printer_options options_;
  std::optional<message_format> format_;
};

}  // namespace mqtk::report
