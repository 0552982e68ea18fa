#pragma once
// The words of mqtk-ping's probes about a failure: the protocol another attempt found on a port
// the first one failed on, a keep-alive the broker stopped answering, and a 3.1.1 refusal asked
// again as 5.0. The prober observes; these tables say it, so that mqtk-ping and any tool that
// learns the same facts print the same findings.
#include <cstdint>
#include <string>
#include <string_view>

#include "mqtk/diag/probe_finding.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::diag {

// What answered when the port was tried again in another protocol.
enum class other_listener {
  plain_mqtt_not_websocket,  // ws:// was asked; a plain CONNECT there gets a CONNACK
  tls,                       // mqtt:// or ws:// was asked; a TLS handshake there succeeds
  http,                      // mqtt:// was asked; a WebSocket upgrade there gets an answer
  plain_mqtt_not_tls,        // TLS was asked; a plain CONNECT there gets a CONNACK
  http_not_tls,              // TLS was asked; a WebSocket upgrade there gets an answer
};

struct other_protocol_found {
  other_listener listener = other_listener::tls;
  std::uint16_t port = 0;
  std::string_view where;                // "host:port", for the URL to use
  bool asked_websocket = false;          // for tls: ws:// was asked, so wss:// is the answer
  std::string_view tls_version;          // for tls: "TLSv1.3"
  std::string_view certificate_subject;  // for tls: the server certificate's subject; may be empty
};

// The error finding "wrong_protocol": what the port speaks, and the URL to use instead.
probe_finding wrong_protocol_finding(const other_protocol_found& e);

// "no PINGRESP from HOST:PORT within 1000 ms: the broker accepted the connection but stopped
// answering — candidates: ...". `waited` is already formatted ("1000").
std::string keepalive_unanswered_line(std::string_view broker, std::string_view waited_ms);

// A 3.1.1 (or 3.1) refusal asked again as 5.0: accepted ("accepted_as_v5"), or refused with a
// reason code that names the cause the 3.1.1 return code folds together ("v5_reason").
probe_finding accepted_as_v5_finding(proto::protocol_version refused_in);
probe_finding v5_reason_finding(proto::reason_code v5_code);
// The same comparison made by the device check: both versions refused ("v5_reason_for_v311_refusal").
probe_finding v5_reason_for_v311_refusal_finding(proto::reason_code v311_code, proto::reason_code v5_code);

}  // namespace mqtk::diag
