#pragma once
// What a device's own log says, explained: the table behind `mqtk-ping --explain`. It knows the
// lines MQTT client libraries on microcontrollers print when they cannot reach or stay on a
// broker (esp-mqtt, esp-tls and mbedTLS on ESP-IDF, PubSubClient's state(), arduino-mqtt's
// lastError()/returnCode(), AsyncMqttClient's disconnect reasons), and mosquitto's log lines about
// such a client (the broker's side of the same failure), and, for each, says what it
// means, what usually causes it, and which mqtk-ping run reproduces it from a workstation.
//
// Sans-I/O: text in, explanations out. Lines it does not know are reported as not recognised,
// never guessed at.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mqtk::diag {

struct log_explanation {
  std::size_t line_no = 0;          // 1-based, in the text given
  std::string line;                 // the line as printed (colour codes and CR removed)
  std::string source;               // "esp-mqtt", "esp-tls", "mbedtls", "pubsubclient", ...
  std::string code;                 // the library's own name for it: "MQTT_CONNECT_FAILED (-2)"
  std::string meaning;              // one sentence: what the library is saying
  std::vector<std::string> causes;  // one when the line singles it out, else the candidates
  std::vector<std::string> try_commands;  // mqtk-ping runs that reproduce it from here

  friend bool operator==(const log_explanation&, const log_explanation&) = default;
};

struct unrecognised_line {
  std::size_t line_no = 0;
  std::string line;

  friend bool operator==(const unrecognised_line&, const unrecognised_line&) = default;
};

struct log_explanation_report {
  std::vector<log_explanation> explanations;
  std::vector<unrecognised_line> unrecognised;  // non-blank lines no entry matched
  // Where the log says the device was connecting to, when it does ("HOST" and no port when it
  // does not); the suggested commands use it.
  std::string host = "HOST";
  unsigned port = 0;
  bool tls = false;  // the log shows TLS in use (mqtts://, wss://, esp-tls/mbedTLS lines)
};

// Explains every line of `text` (LF or CRLF separated). Robust to ESP-IDF's log prefix
// ("E (12345) TAG: "), ANSI colour codes, and serial-monitor or bracketed timestamps.
log_explanation_report explain_device_log(std::string_view text);

// The same, with the broker the user names (mqtk-ping -h/-p): it wins over what the log says.
struct log_target_hint {
  std::string host;   // empty: take it from the log
  unsigned port = 0;  // 0: take it from the log
};
log_explanation_report explain_device_log(std::string_view text, const log_target_hint& hint);

// Why nothing could be explained, and what to paste instead: "none of the 2 lines given is a
// line mqtk knows — paste the device's E/W lines around the failure (...)". `lines_given` is
// the number of non-blank lines read (report.unrecognised.size() when nothing matched).
std::string nothing_recognised(std::size_t lines_given);

// The message part of one log line with colour codes, CR, timestamps and the ESP-IDF
// "L (ticks) TAG: " prefix removed, and the tag it carried ("" when none): for tests and for
// callers that want to show a line the way the explainer read it.
struct cleaned_log_line {
  std::string tag;
  std::string message;
  std::string printable;  // the whole line without colour codes and CR
};
cleaned_log_line clean_log_line(std::string_view raw);

}  // namespace mqtk::diag
