#pragma once
// mqtk-decode's default output, for people: one line per MQTT packet with the fields that
// matter, and a short block per connection with --summary.
#include <string>

#include "mqtk/capture/mqtt_connection_report.hpp"
#include "mqtk/capture/mqtt_packet_record.hpp"

namespace mqtk::report {

struct decode_text_options {
  std::size_t payload_preview = 48;  // bytes of payload shown
};

// "    18  22:01:05.500244  s1  client→broker  PUBLISH  topic="a/b" qos=1 id=7 ..." (no newline)
void append_decode_record_text(std::string& out, const capture::mqtt_packet_record& r,
                               const decode_text_options& options = {});

// Several lines, each ending in a newline.
void append_connection_text(std::string& out, const capture::mqtt_connection_report& c);

}  // namespace mqtk::report
