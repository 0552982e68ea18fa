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

void hex_packet_stream::feed(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  if (!started_) {
    started_ = true;
    // A CONNECT anywhere in front of the first other packet tells the version.
    if (!version_ && (bytes[0] >> 4) != 1) {
      result_.version_guessed = true;
      version_ = proto::protocol_version::v311;
    }
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  process(false);
}

hex_packets_result hex_packet_stream::finish() {
  process(true);
  return result_;
}

void hex_packet_stream::process(bool at_end) {
  const std::span<const std::uint8_t> bytes(buffer_);
  proto::decode_scratch scratch;
  scratch.lenient = true;  // a dump is read to be understood: rule breaks are annotated
  std::size_t pos = 0;
  const endpoint none;
  while (pos < bytes.size()) {
    const auto rest = bytes.subspan(pos);
    mqtt_packet_record rec;
    rec.frame = number_ + 1;
    rec.frames = std::span<const std::uint64_t>(&rec.frame, 1);
    rec.src = &none;
    rec.dst = &none;
    rec.dir = direction_of(rest[0]);
    rec.version = version_;

    std::optional<proto::decode_failure> failure;
    std::size_t total = 0;
    const auto h = proto::parse_fixed_header(rest, 268'435'455);
    if (const auto* f = std::get_if<proto::decode_failure>(&h)) {
      failure = *f;
    } else if (std::holds_alternative<std::nullopt_t>(h) ||
               std::size_t{std::get<proto::fixed_header>(h).header_size} +
                       std::get<proto::fixed_header>(h).remaining_length >
                   rest.size()) {
      if (!at_end) break;  // the rest of the packet is still to come
      // The dump ends inside this packet: say so once and stop.
      ++number_;
      ++result_.malformed;
      rec.malformed = proto::decode_failure{proto::decode_error::truncated, base_ + bytes.size()};
      rec.len = rest.size();
      sink_.on_packet(rec);
      pos = bytes.size();
      break;
    } else {
      const auto& fh = std::get<proto::fixed_header>(h);
      total = std::size_t{fh.header_size} + fh.remaining_length;
      auto decoded = proto::decode_packet(rest.first(total),
                                          version_.value_or(proto::protocol_version::v311), scratch);
      if (auto* bad = std::get_if<proto::decode_failure>(&decoded)) {
        failure = *bad;
      } else {
        const auto& p = std::get<proto::packet>(decoded);
        if (const auto* c = std::get_if<proto::connect>(&p)) {
          version_ = c->version;
          rec.version = c->version;
        }
        rec.len = total;
        rec.packet = &p;
        rec.raw = rest.first(total);
        rec.violations = scratch.violations;
        if (const auto* pub = std::get_if<proto::publish>(&p)) rec.topic = pub->topic;
        ++number_;
        ++result_.packets;
        sink_.on_packet(rec);
        pos += total;
        continue;
      }
    }
    ++number_;
    ++result_.malformed;
    rec.malformed = proto::decode_failure{failure->error, base_ + pos + failure->offset};
    rec.len = total;
    sink_.on_packet(rec);
    if (total != 0) {
      pos += total;  // the header held: the next packet starts after this one
      continue;
    }
    const auto next = find_packet_start(bytes, pos + 1, version_.value_or(proto::protocol_version::v311));
    // No plausible start in what has arrived: none of these bytes can begin a packet.
    pos = next ? *next : bytes.size();
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(pos));
  base_ += pos;
}

hex_packets_result decode_hex_packets(std::span<const std::uint8_t> bytes,
                                      std::optional<proto::protocol_version> version,
                                      mqtt_record_sink& sink) {
  hex_packet_stream stream(version, sink);
  stream.feed(bytes);
  return stream.finish();
}

}  // namespace mqtk::capture
