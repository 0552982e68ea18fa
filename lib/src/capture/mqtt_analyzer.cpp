#include "mqtk/capture/mqtt_analyzer.hpp"

#include <algorithm>
#include <array>

#include "mqtk/capture/mqtt_resync.hpp"

namespace mqtk::capture {

namespace {

constexpr std::size_t index_of(flow d) noexcept { return d == flow::client_to_server ? 0 : 1; }

bool is_header_error(proto::decode_error e) noexcept {
  using proto::decode_error;
  return e == decode_error::remaining_length_too_long ||
         e == decode_error::remaining_length_not_minimal ||
         e == decode_error::reserved_packet_type || e == decode_error::packet_too_large ||
         e == decode_error::invalid_fixed_header_flags;
}

// The protocol level of a CONNECT at the front of `bytes`, from its fixed place (after the
// fixed header and the protocol name "MQTT" or "MQIsdp"); nullopt when the bytes do not hold
// it or it is not a known level.
std::optional<proto::protocol_version> connect_level_of(std::span<const std::uint8_t> bytes) {
  if (bytes.empty() || (bytes[0] >> 4) != 1) return std::nullopt;
  std::size_t i = 1;
  while (i < bytes.size() && i < 5 && (bytes[i] & 0x80)) ++i;
  const std::size_t name_at = i + 1;
  if (name_at + 2 > bytes.size()) return std::nullopt;
  const std::size_t name_len = std::size_t{bytes[name_at]} << 8 | bytes[name_at + 1];
  const std::size_t level_at = name_at + 2 + name_len;
  if (level_at >= bytes.size()) return std::nullopt;
  const std::string_view name(reinterpret_cast<const char*>(bytes.data()) + name_at + 2, name_len);
  const std::uint8_t level = bytes[level_at];
  if (name == "MQTT" && (level == 4 || level == 5)) return static_cast<proto::protocol_version>(level);
  if (name == "MQIsdp" && level == 3) return proto::protocol_version::v31;
  return std::nullopt;
}

}  // namespace

struct mqtt_analyzer::direction_state {
  proto::stream_decoder decoder;
  std::size_t base = 0;          // direction offset at the decoder's last reset
  std::size_t offset = 0;        // bytes of this direction seen so far
  std::size_t packet_start = 0;  // decoder offset of the packet being assembled
  std::vector<std::uint64_t> frames;  // frames that carried the packet being assembled
  bool resyncing = false;
  bool quiet = false;            // since a resync: no packet decoded yet, so errors are the resync's
  bool closed = false;
  std::size_t skip = 0;          // bytes still to drop before the next packet starts
  // The protocol level of a CONNECT being decoded, read from its fixed place: if the rest of
  // the CONNECT does not decode, both directions still know the version.
  std::optional<proto::protocol_version> connect_level;
  // What the receiving side declared (5.0).
  std::uint16_t alias_max = 0;
  std::optional<std::uint32_t> max_packet;
  std::unordered_map<std::uint16_t, std::string> aliases;
};

struct mqtt_analyzer::stream_state {
  stream_state(const stream_info& i, const mqtt_analyzer_options& o)
      : info(i), tracker(i, o.tracker) {
    for (auto& d : dirs) d.decoder.set_lenient(o.lenient);
  }
  stream_info info;
  std::array<direction_state, 2> dirs;
  connection_tracker tracker;
  std::string client_id;
  bool tls = false;
  bool connect_seen = false;
  capture_time connect_ts = 0;
  std::uint64_t last_frame = 0;
  capture_time last_ts = 0;
};

mqtt_analyzer::mqtt_analyzer(mqtt_record_sink& sink, mqtt_analyzer_options options)
    : sink_(sink), options_(std::move(options)) {}

mqtt_analyzer::~mqtt_analyzer() = default;

mqtt_analyzer::stream_state& mqtt_analyzer::stream_for(std::uint64_t stream, std::uint64_t frame,
                                                       capture_time ts) {
  auto it = streams_.find(stream);
  if (it != streams_.end()) return *it->second;
  stream_info info;
  info.stream = stream;
  info.first_frame = frame;
  info.first_time = ts;
  auto s = std::make_unique<stream_state>(info, options_);
  auto& ref = *s;
  streams_.emplace(stream, std::move(s));
  return ref;
}

void mqtt_analyzer::on_stream_open(const stream_info& info) {
  auto s = std::make_unique<stream_state>(info, options_);
  s->last_frame = info.first_frame;
  s->last_ts = info.first_time;
  streams_[info.stream] = std::move(s);
}

void mqtt_analyzer::on_data(std::uint64_t stream, flow dir, std::span<const std::uint8_t> bytes,
                            std::uint64_t frame, capture_time ts) {
  if (!deferred_.empty()) flush_deferred(ts, false);
  if (is_closed(stream)) return;
  auto& s = stream_for(stream, frame, ts);
  s.last_frame = frame;
  s.last_ts = ts;
  if (s.tls || bytes.empty()) return;
  decode(s, dir, bytes, frame, ts);
}

void mqtt_analyzer::decode(stream_state& s, flow dir, std::span<const std::uint8_t> bytes,
                           std::uint64_t frame, capture_time ts) {
  auto& d = s.dirs[index_of(dir)];
  if (!d.decoder.version() && !(dir == flow::client_to_server && (bytes[0] >> 4) == 1)) {
    // No CONNECT to learn from (yet): the broker answers a CONNECT it cannot read 3.1.1-style.
    const auto& other = s.dirs[index_of(dir) ^ 1].decoder;
    d.decoder.set_version(other.version().value_or(
        options_.default_version.value_or(proto::protocol_version::v311)));
  }
  while (!bytes.empty()) {
    if (d.skip) {
      const std::size_t n = std::min(d.skip, bytes.size());
      d.skip -= n;
      d.offset += n;
      bytes = bytes.subspan(n);
      if (d.skip == 0) {
        d.decoder.reset();
        d.base = d.offset;
        d.frames.clear();
      }
      continue;
    }
    if (d.resyncing) {
      const auto start = find_packet_start(
          bytes, 0, d.decoder.version().value_or(proto::protocol_version::v311));
      if (!start) {
        d.offset += bytes.size();
        return;
      }
      d.offset += *start;
      bytes = bytes.subspan(*start);
      d.decoder.reset();
      d.base = d.offset;
      d.frames.clear();
      d.resyncing = false;
    }
    if (d.decoder.buffered() == 0) {
      d.packet_start = d.decoder.stream_offset();
      d.connect_level = dir == flow::client_to_server ? connect_level_of(bytes) : std::nullopt;
    }
    const auto r = d.decoder.put(bytes);
    bytes = bytes.subspan(r.consumed);
    d.offset += r.consumed;
    if (r.state == proto::stream_decoder::status::ready) {
      d.quiet = false;
      emit_packet(s, d, dir, r, frame, ts);
      d.frames.clear();
      continue;
    }
    if (r.state == proto::stream_decoder::status::need_more) {
      if (d.decoder.buffered() > 0 && (d.frames.empty() || d.frames.back() != frame))
        d.frames.push_back(frame);
      return;
    }
    // Malformed. A bad body was consumed whole, so the next packet starts right after it; a
    // bad fixed header leaves the packet's end unknown, so look for the next plausible start.
    const bool header = is_header_error(r.failure.error);
    const std::size_t len = header ? 0 : d.decoder.stream_offset() - d.packet_start;
    if (!d.quiet) emit_malformed(s, d, dir, r.failure, len, frame, ts);
    d.frames.clear();
    if (d.connect_level && !header) {
      // The CONNECT said its version before the fault: CONNACK and what follows are read in it.
      s.dirs[index_of(dir) ^ 1].decoder.set_version(*d.connect_level);
      if (!d.decoder.version()) d.decoder.set_version(*d.connect_level);
    }
    d.connect_level.reset();
    if (header) {
      // Drop at least the byte that started the bad packet, then scan.
      if (r.consumed == 0 && !bytes.empty()) {
        bytes = bytes.subspan(1);
        d.offset += 1;
      }
      d.resyncing = true;
      d.quiet = true;
    } else {
      d.decoder.reset();
      d.base = d.offset;
    }
  }
}

mqtt_packet_record mqtt_analyzer::start_record(stream_state& s, direction_state& d, flow dir, std::size_t len,
                                               std::uint64_t frame, capture_time ts) {
  mqtt_packet_record rec;
  rec.frame = frame;
  if (d.frames.empty()) {
    // The common case, a packet within one frame: no vector push for it.
    single_frame_ = frame;
    rec.frames = std::span<const std::uint64_t>(&single_frame_, 1);
  } else {
    if (d.frames.back() != frame) d.frames.push_back(frame);
    rec.frames = d.frames;
  }
  rec.ts = ts;
  rec.stream = s.info.stream;
  const bool c2s = dir == flow::client_to_server;
  rec.src = c2s ? &s.info.client : &s.info.server;
  rec.dst = c2s ? &s.info.server : &s.info.client;
  rec.dir = dir;
  rec.version = d.decoder.version();
  rec.len = len;
  return rec;
}

void mqtt_analyzer::emit_packet(stream_state& s, direction_state& d, flow dir,
                                const proto::stream_decoder::result& r, std::uint64_t frame,
                                capture_time ts) {
  ++packets_;
  const auto& p = *r.value;
  auto& other = s.dirs[index_of(dir) ^ 1];
  mqtt_packet_record rec = start_record(s, d, dir, r.raw.size(), frame, ts);
  const bool c2s = dir == flow::client_to_server;
  rec.packet = &p;
  rec.raw = r.raw;
  rec.violations = d.decoder.violations();

  const auto type = static_cast<proto::packet_type>(r.raw[0] >> 4);
  if (type == proto::packet_type::connect && c2s) {
    const auto& c = std::get<proto::connect>(p);
    other.decoder.set_version(c.version);
    s.client_id.assign(c.client_id);
    s.connect_seen = true;
    s.connect_ts = ts;
    d.alias_max = 0;
    other.alias_max = static_cast<std::uint16_t>(
        c.properties.number(proto::property_id::topic_alias_maximum).value_or(0));
    if (auto m = c.properties.number(proto::property_id::maximum_packet_size)) other.max_packet = *m;
    if (!s.client_id.empty() && options_.track_connections)
      by_client_id_[s.client_id].push_back({s.info.stream, frame, ts});
  } else if (type == proto::packet_type::connack && !c2s) {
    const auto& c = std::get<proto::connack>(p);
    other.alias_max = static_cast<std::uint16_t>(
        c.properties.number(proto::property_id::topic_alias_maximum).value_or(0));
    if (auto m = c.properties.number(proto::property_id::maximum_packet_size)) other.max_packet = *m;
  }
  rec.client_id = s.client_id;

  if (type == proto::packet_type::publish) {
    const auto& pub = std::get<proto::publish>(p);
    rec.topic = pub.topic;
    if (rec.version == proto::protocol_version::v5) {
      if (auto alias = pub.properties.number(proto::property_id::topic_alias)) {
        const auto a = static_cast<std::uint16_t>(*alias);
        std::optional<diag::topic_alias_case> problem;
        if (a == 0) {
          problem = diag::topic_alias_case::zero;
        } else if (a > d.alias_max) {
          problem = diag::topic_alias_case::above_maximum;
        }
        if (!pub.topic.empty()) {
          if (a != 0) d.aliases[a].assign(pub.topic);
        } else if (auto it = d.aliases.find(a); it != d.aliases.end()) {
          rec.topic = it->second;
        } else if (!problem) {
          problem = diag::topic_alias_case::undefined;
        }
        if (problem && options_.track_connections) s.tracker.on_topic_alias_problem(rec, *problem, a, d.alias_max);
      }
    }
    if (!c2s) watch_publish(s, rec.topic, pub.payload, frame, ts);
  }
  if (d.max_packet && rec.len > *d.max_packet && options_.track_connections) {
    s.tracker.on_packet_too_large(rec, *d.max_packet);
  }
  if (options_.track_connections) s.tracker.on_packet(rec);
  sink_.on_packet(rec);
}

void mqtt_analyzer::emit_malformed(stream_state& s, direction_state& d, flow dir,
                                   const proto::decode_failure& failure, std::size_t len,
                                   std::uint64_t frame, capture_time ts) {
  ++malformed_;
  mqtt_packet_record rec = start_record(s, d, dir, len, frame, ts);
  rec.malformed = proto::decode_failure{failure.error, d.base + failure.offset};
  rec.client_id = s.client_id;
  if (options_.track_connections) s.tracker.on_packet(rec);
  sink_.on_packet(rec);
}

void mqtt_analyzer::watch_publish(const stream_state& s, std::string_view topic,
                                  std::string_view payload, std::uint64_t frame, capture_time ts) {
  if (!options_.track_connections) return;
  bool matched = false;
  for (auto& dr : deferred_) {
    if (dr.tracker.report().stream == s.info.stream || !dr.tracker.is_will(topic, payload)) continue;
    dr.tracker.on_will_published(s.info.stream, frame, ts);
    dr.deadline = 0;  // said: hand the report out now
    matched = true;
  }
  if (matched) flush_deferred(ts, false);
  for (auto& [id, other] : streams_) {
    if (id != s.info.stream && other->tracker.is_will(topic, payload))
      other->tracker.on_will_seen(s.info.stream, frame, ts);
  }
}

void mqtt_analyzer::on_gap(std::uint64_t stream, flow dir, std::uint64_t missing,
                           std::uint64_t frame, capture_time ts) {
  if (is_closed(stream)) return;
  auto& s = stream_for(stream, frame, ts);
  auto& d = s.dirs[index_of(dir)];
  if (options_.track_connections) s.tracker.on_gap(dir, missing, frame, ts);
  d.offset += missing;
  d.frames.clear();
  d.skip = 0;
  d.resyncing = true;
  d.quiet = true;
}

void mqtt_analyzer::on_carriage(std::uint64_t stream, carriage how, const std::string& detail,
                                std::uint64_t frame, capture_time ts) {
  if (is_closed(stream)) return;
  auto& s = stream_for(stream, frame, ts);
  if (how == carriage::tls) s.tls = true;
  if (options_.track_connections) s.tracker.on_carriage(how, detail, frame, ts);
}

void mqtt_analyzer::on_anomaly(std::uint64_t stream, flow dir, const std::string& what, std::uint64_t frame,
                               capture_time ts) {
  if (is_closed(stream) || !options_.track_connections) return;
  stream_for(stream, frame, ts).tracker.on_anomaly(dir, what, frame, ts);
}

void mqtt_analyzer::on_close(std::uint64_t stream, flow dir, close_kind how, std::uint64_t frame,
                             capture_time ts) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  auto& s = *it->second;
  s.last_frame = std::max(s.last_frame, frame);
  s.last_ts = std::max(s.last_ts, ts);
  auto& d = s.dirs[index_of(dir)];
  d.closed = true;
  if (!options_.track_connections) {
    if (how != close_kind::fin || (s.dirs[0].closed && s.dirs[1].closed)) {
      mark_closed(stream);
      streams_.erase(it);
    }
    return;
  }
  if (d.decoder.buffered() > 0 && !s.tls) s.tracker.on_truncated(dir, d.decoder.buffered(), frame, ts);
  s.tracker.on_close(dir, how, frame, ts);
  if (s.tracker.closed()) close_stream(stream, frame, ts);
}

void mqtt_analyzer::close_stream(std::uint64_t stream, std::uint64_t frame, capture_time ts) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  auto& s = *it->second;
  mark_closed(stream);
  s.tracker.finish(frame, ts);

  if (!s.client_id.empty()) {
    // The newest other connection with the same client id that connected after this one.
    auto& seen = by_client_id_[s.client_id];
    std::optional<other_stream_event> newer;
    for (const auto& c : seen) {
      if (c.stream != stream && c.ts >= s.connect_ts && (!newer || c.ts > newer->ts))
        newer = other_stream_event{.stream = c.stream, .frame = c.frame, .ts = c.ts};
    }
    s.tracker.on_same_client_connects(newer);
    std::erase_if(seen, [&](const connect_seen& c) { return c.stream == stream; });
    if (seen.empty()) by_client_id_.erase(s.client_id);
  }

  if (s.tracker.awaits_will()) {
    const capture_time deadline = s.tracker.will_deadline();
    deferred_.push_back({std::move(s.tracker), deadline});
    streams_.erase(it);
    return;
  }
  sink_.on_connection(s.tracker.report());
  streams_.erase(it);
}

void mqtt_analyzer::mark_closed(std::uint64_t stream) {
  if (stream >= closed_.size()) closed_.resize(stream + 1);
  closed_[stream] = true;
}

void mqtt_analyzer::flush_deferred(capture_time now, bool all) {
  auto it = deferred_.begin();
  while (it != deferred_.end()) {
    if (all || it->deadline <= now) {
      auto tracker = std::move(it->tracker);
      it = deferred_.erase(it);
      sink_.on_connection(tracker.report());
    } else {
      ++it;
    }
  }
}

void mqtt_analyzer::finish(std::uint64_t last_frame, capture_time last_ts) {
  std::vector<std::uint64_t> open;
  open.reserve(streams_.size());
  for (const auto& [id, s] : streams_) open.push_back(id);
  std::sort(open.begin(), open.end());
  for (auto id : open) {
    auto it = streams_.find(id);
    if (it == streams_.end()) continue;
    if (!options_.track_connections) {
      streams_.erase(it);
      continue;
    }
    auto& s = *it->second;
    for (std::size_t i = 0; i < 2; ++i) {
      if (s.dirs[i].decoder.buffered() > 0 && !s.tls)
        s.tracker.on_truncated(i == 0 ? flow::client_to_server : flow::server_to_client,
                               s.dirs[i].decoder.buffered(), last_frame, last_ts);
    }
    close_stream(id, last_frame, last_ts);
  }
  flush_deferred(last_ts, true);
}

}  // namespace mqtk::capture
