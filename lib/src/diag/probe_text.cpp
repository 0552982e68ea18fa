#include "mqtk/diag/probe_text.hpp"

#include "mqtk/diag/refusal.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/report/text_escape.hpp"

namespace mqtk::diag {

probe_finding wrong_protocol_finding(const other_protocol_found& e) {
  const std::string port = "port " + std::to_string(e.port);
  const std::string where{e.where};
  probe_finding f{finding_level::error, "wrong_protocol", {}, {}};
  switch (e.listener) {
    case other_listener::plain_mqtt_not_websocket:
      f.message = port + " speaks plain MQTT (a CONNECT there gets a CONNACK), not WebSocket";
      f.hint = "use mqtt://" + where + " (-h/-p without -L ws://), or the broker's WebSocket port";
      break;
    case other_listener::tls:
      f.message = port + " speaks TLS (a TLS handshake there succeeds: " + std::string(e.tls_version) +
                  (e.certificate_subject.empty() ? ""
                                                 : ", certificate " + report::display_escaped(e.certificate_subject, 0)) +
                  ")";
      f.hint = e.asked_websocket ? "use wss://" + where + " with --cafile CA"
                                 : "connect with TLS: --cafile CA (or -L mqtts://" + where + ")";
      break;
    case other_listener::http:
      f.message = port + " speaks HTTP (a WebSocket upgrade there gets an answer)";
      f.hint = "use -L ws://" + where + "/mqtt";
      break;
    case other_listener::plain_mqtt_not_tls:
      f.message = port + " speaks plain MQTT, not TLS (a CONNECT there gets a CONNACK)";
      f.hint = "drop --cafile and use mqtt://" + where + ", or the broker's TLS port (usually 8883)";
      break;
    case other_listener::http_not_tls:
      f.message = port + " speaks plain HTTP/WebSocket, not TLS";
      f.hint = "use -L ws://" + where + "/mqtt, or the broker's TLS port";
      break;
  }
  return f;
}

std::string keepalive_unanswered_line(std::string_view broker, std::string_view waited_ms) {
  return "no PINGRESP from " + std::string(broker) + " within " + std::string(waited_ms) +
         " ms: the broker accepted the connection but stopped answering \u2014 candidates: the broker is "
         "overloaded or stuck, or a firewall or NAT on the path drops the connection's packets; raise -W if "
         "answers are only slow";
}

probe_finding accepted_as_v5_finding(proto::protocol_version refused_in) {
  return {finding_level::info, "accepted_as_v5",
          "the same CONNECT as MQTT 5.0 is accepted: the broker refuses this client only in " +
              std::string(proto::version_name(refused_in)),
          "connect with -V 5"};
}

probe_finding v5_reason_finding(proto::reason_code v5_code) {
  const auto e = explain_refusal(v5_code, proto::protocol_version::v5, proto::packet_type::connack);
  return {finding_level::info, "v5_reason",
          "as MQTT 5.0 the broker says: " + std::string(e.name) + " (" +
              v5_code.hex(proto::hex_case::upper) + "): " + std::string(e.cause),
          std::string(e.fix)};
}

probe_finding v5_reason_for_v311_refusal_finding(proto::reason_code v311_code, proto::reason_code v5_code) {
  const auto e = explain_refusal(v5_code, proto::protocol_version::v5, proto::packet_type::connack);
  return {finding_level::info, "v5_reason_for_v311_refusal",
          "3.1.1 refusal " + std::to_string(v311_code.value()) + " is, in 5.0 terms, " + std::string(e.name) + " (" +
              v5_code.hex(proto::hex_case::upper) + "): " + std::string(e.cause),
          std::string(e.fix)};
}

}  // namespace mqtk::diag
