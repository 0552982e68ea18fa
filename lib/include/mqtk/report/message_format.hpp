#pragma once
// mosquitto_sub's -F FORMAT, compiled once and then applied to every message, producing the
// same bytes as mosquitto_sub 2.0.11 (see mosquitto_sub(1), "OUTPUT FORMAT"):
//   %%  %A %C %D %E %F %I %j %J %l %m %P %p %q %R %r %S %t %U %x %X
//   flags '-' and '0', field width and precision as mosquitto implements them (its quirks
//   included, e.g. a width on %p also truncates, '%-p' pads with as many blanks as bytes),
//   @X (strftime %X of the local receive time, @N nanoseconds, @@), escapes \\ \0 \a \e \n \r
//   \t \v. A format that mosquitto_sub refuses is refused here with the same reason.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mqtk/report/message_view.hpp"
#include "mqtk/report/mosquitto_json.hpp"

namespace mqtk::report {

// A format string mosquitto_sub would refuse; what() is mosquitto's reason without "Error: ",
// e.g. "Invalid format specifier 'z'." or "Incomplete escape specifier.".
class format_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class message_format {
 public:
  // Throws format_error.
  static message_format parse(std::string_view format);

  // Appends the formatted message (no newline: the caller adds it unless -N). Returns false
  // when a %J payload is not JSON; `error` then holds mosquitto's stderr line for it (with
  // its newline) and the rest of the format is still appended, as mosquitto does.
  bool append(std::string& out, const message_view& m, std::string* error = nullptr) const;

  void set_layout(json_layout layout) noexcept { layout_ = layout; }
  // True when the format prints the receive time (%I %j %J %U @X), i.e. needs a timestamp.
  bool uses_time() const noexcept { return uses_time_; }

  // One compiled piece: literal text or one conversion with its flags.
  struct piece {
    enum class kind : std::uint8_t { literal, conversion, strftime, nanoseconds };
    kind what = kind::literal;
    char conversion = 0;  // the character after '%' or '@'
    char align = 0;       // '-' or 0
    char pad = ' ';       // ' ' or '0'
    int width = 0;
    int precision = -1;
    std::uint32_t offset = 0;  // literal: where in text_
    std::uint32_t length = 0;
  };
  const std::vector<piece>& pieces() const noexcept { return pieces_; }

 private:
  std::vector<piece> pieces_;
  std::string text_;  // the literal pieces' bytes, escapes already resolved
  json_layout layout_ = json_layout::compact;
  bool uses_time_ = false;
};

}  // namespace mqtk::report
