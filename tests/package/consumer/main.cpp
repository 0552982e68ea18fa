// Uses the installed library the way a C++ user would: encodes a CONNECT with the codec,
// decodes it back, and explains a refusal with diag. Prints one line the test checks.
#include <cstdio>
#include <variant>
#include <vector>

#include "mqtk/diag/refusal.hpp"
#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/encoder.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/version.hpp"

int main() {
  namespace proto = mqtk::proto;
  std::vector<std::uint8_t> bytes;
  proto::encode_append(proto::connect{.version = proto::protocol_version::v5, .client_id = "consumer"},
                       proto::protocol_version::v5, bytes);
  proto::decode_scratch scratch;
  const auto decoded = proto::decode_packet(bytes, proto::protocol_version::v5, scratch);
  const auto* packet = std::get_if<proto::packet>(&decoded);
  const auto* connect = packet ? std::get_if<proto::connect>(packet) : nullptr;
  if (!connect || connect->client_id != "consumer") {
    std::fprintf(stderr, "consumer: the CONNECT did not survive a round trip\n");
    return 1;
  }
  const auto line = mqtk::diag::refusal_line(proto::reason_code::not_authorized, proto::protocol_version::v5,
                                            proto::packet_type::connack);
  std::printf("mqtk %s: %zu bytes round-tripped; %s\n", mqtk::version_string, bytes.size(), line.c_str());
  return 0;
}
