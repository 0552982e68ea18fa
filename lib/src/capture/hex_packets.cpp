#include "mqtk/capture/hex_packets.hpp"

#include <variant>

#include "mqtk/capture/mqtt_resync.hpp"
#include "mqtk/proto/decoder.hpp"

namespace mqtk::capture {

namespace {

flow direction_of(std::uint8_t first_byte) noexcept {
  switch (static_cast<proto::packet_type>(first_byte >> 4)) {
    case proto::packet_type::connack:
    case proto::packet_type::suback:
    case proto::packet_type::unsuback:
    case proto::packet_type::pingresp:
      return flow::server_to_client;
    default:
      return flow::client_to_server;
  }
}

}  // namespace

hex_packets_result decode_hex_packets(std::span<const std::uint8_t> bytes,
                                      std::optional<proto::protocol_version> version,
                                      mqtt_record_sink& sink) {
  hex_packets_result result;
  if (!version) {
    // A CONNECT anywhere in front of the first other packet tells the version.
    if (!bytes.empty() && (bytes[0] >> 4) != 1) {
      result.version_guessed = true;
      version = proto::protocol_version::v311;
    }
  }
  proto::decode_scratch scratch;
  std::uint64_t number = 0;
  std::size_t pos = 0;
  const endpoint none;
  while (pos < bytes.size()) {
    const auto rest = bytes.subspan(pos);
    mqtt_packet_record rec;
    rec.frame = ++number;
    rec.frames = std::span<const std::uint64_t>(&rec.frame, 1);
    rec.src = &none;
    rec.dst = &none;
    rec.dir = direction_of(rest[0]);
    rec.version = version;

    std::optional<proto::decode_failure> failure;
    std::size_t total = 0;
    const auto h = proto::parse_fixed_header(rest, 268'435'455);
    if (const auto* f = std::get_if<proto::decode_failure>(&h)) {
      failure = *f;
    } else if (std::holds_alternative<std::nullopt_t>(h)) {
      failure = proto::decode_failure{proto::decode_error::truncated, rest.size()};
    } else {
      const auto& fh = std::get<proto::fixed_header>(h);
      total = std::size_t{fh.header_size} + fh.remaining_length;
      if (total > rest.size()) {
        // The dump ends inside this packet: say so once and stop.
        ++result.malformed;
        rec.malformed = proto::decode_failure{proto::decode_error::truncated, bytes.size()};
        rec.len = rest.size();
        sink.on_packet(rec);
        break;
      } else {
        auto decoded = proto::decode_packet(rest.first(total),
                                            version.value_or(proto::protocol_version::v311), scratch);
        if (auto* bad = std::get_if<proto::decode_failure>(&decoded)) {
          failure = *bad;
        } else {
          const auto& p = std::get<proto::packet>(decoded);
          if (const auto* c = std::get_if<proto::connect>(&p)) {
            version = c->version;
            rec.version = c->version;
          }
          rec.len = total;
          rec.packet = &p;
          rec.raw = rest.first(total);
          if (const auto* pub = std::get_if<proto::publish>(&p)) rec.topic = pub->topic;
          ++result.packets;
          sink.on_packet(rec);
          pos += total;
          continue;
        }
      }
    }
    ++result.malformed;
    rec.malformed = proto::decode_failure{failure->error, pos + failure->offset};
    rec.len = total;
    sink.on_packet(rec);
    if (total != 0) {
      pos += total;  // the header held: the next packet starts after this one
      continue;
    }
    const auto next = find_packet_start(bytes, pos + 1, version.value_or(proto::protocol_version::v311));
    if (!next) break;
    pos = *next;
  }
  return result;
}

}  // namespace mqtk::capture
