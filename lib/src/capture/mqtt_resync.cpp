#include "mqtk/capture/mqtt_resync.hpp"

#include <algorithm>
#include <variant>

#include "mqtk/proto/decoder.hpp"

namespace mqtk::capture {

namespace {

// A candidate running past the bytes at hand is taken on trust only up to this size: a bogus
// multi-megabyte length would otherwise swallow the rest of the stream.
constexpr std::uint32_t max_unverified_remaining = 1u << 20;

bool header_ok(std::span<const std::uint8_t> bytes) {
  const auto h = proto::parse_fixed_header(bytes, 268'435'455);
  return !std::holds_alternative<proto::decode_failure>(h);
}

// What can be told about a packet from its fixed header and the start of its body, before
// all of it is at hand: random payload bytes pass a fixed-header check far too often.
bool body_plausible(std::uint8_t first, std::uint32_t rl, std::span<const std::uint8_t> body,
                    proto::protocol_version version) {
  const bool v5 = version == proto::protocol_version::v5;
  switch (first >> 4) {
    case 1: {  // CONNECT: "MQTT" or "MQIsdp"
      static constexpr std::uint8_t mqtt[] = {0, 4, 'M', 'Q', 'T', 'T'};
      static constexpr std::uint8_t mqisdp[] = {0, 6, 'M', 'Q', 'I', 's', 'd', 'p'};
      auto starts = [&](std::span<const std::uint8_t> name) {
        const std::size_t n = std::min(name.size(), body.size());
        return std::equal(name.begin(), name.begin() + static_cast<std::ptrdiff_t>(n), body.begin());
      };
      return rl >= 10 && (starts(mqtt) || starts(mqisdp));
    }
    case 2:  // CONNACK
      return v5 ? rl >= 2 : rl == 2;
    case 3: {  // PUBLISH: a topic length that fits, and a topic that reads as one
      if (rl < 2) return false;
      if (body.size() < 2) return true;
      const std::size_t len = (std::size_t{body[0]} << 8) | body[1];
      if (len + 2 > rl || (len == 0 && !v5)) return false;
      const std::size_t have = std::min(len, body.size() - 2);
      for (std::size_t i = 0; i < have; ++i) {
        const auto c = body[2 + i];
        if (c < 0x20 || c == '+' || c == '#' || c == 0x7f) return false;
      }
      return true;
    }
    case 4: case 5: case 6: case 7:  // PUBACK, PUBREC, PUBREL, PUBCOMP
      return v5 ? rl >= 2 && rl < 65536 : rl == 2;
    case 8: case 10:  // SUBSCRIBE, UNSUBSCRIBE
      return rl >= 5 && (body.size() < 2 || (body[0] | body[1]) != 0);
    case 9:  // SUBACK
      return rl >= 3;
    case 11:  // UNSUBACK
      return v5 ? rl >= 3 : rl == 2;
    case 12: case 13:  // PINGREQ, PINGRESP
      return rl == 0;
    case 14:  // DISCONNECT
      return v5 || rl == 0;
    case 15:  // AUTH
      return v5;
    default:
      return false;
  }
}

}  // namespace

std::optional<std::size_t> find_packet_start(std::span<const std::uint8_t> bytes, std::size_t from,
                                             proto::protocol_version version) {
  proto::decode_scratch scratch;
  for (std::size_t p = from; p < bytes.size(); ++p) {
    if ((bytes[p] >> 4) == 0) continue;
    const auto rest = bytes.subspan(p);
    const auto h = proto::parse_fixed_header(rest, 268'435'455);
    if (std::holds_alternative<proto::decode_failure>(h)) continue;
    if (std::holds_alternative<std::nullopt_t>(h)) return p;  // header cut off by the end
    const auto& fh = std::get<proto::fixed_header>(h);
    const std::size_t total = std::size_t{fh.header_size} + fh.remaining_length;
    if (!body_plausible(rest[0], fh.remaining_length, rest.subspan(fh.header_size), version)) continue;
    if (total > rest.size()) {
      if (fh.remaining_length <= max_unverified_remaining) return p;
      continue;
    }
    const auto decoded = proto::decode_packet(rest.first(total), version, scratch);
    if (std::holds_alternative<proto::decode_failure>(decoded)) continue;
    if (total == rest.size() || header_ok(rest.subspan(total))) return p;
  }
  return std::nullopt;
}

}  // namespace mqtk::capture
