#include "mqtk/proto/decoder.hpp"

#include <algorithm>
#include <cstring>

#include "mqtk/proto/property.hpp"
#include "mqtk/proto/utf8.hpp"

namespace mqtk::proto {
namespace {

constexpr std::uint8_t max_varint_bytes = 4;

// Reads the fields of one packet body. Every read checks bounds; the first failure is kept
// with its offset (from the start of the packet) and makes every later read fail too.
class field_reader {
 public:
  field_reader(std::span<const std::uint8_t> packet, std::size_t start,
               std::vector<decode_failure>* violations = nullptr) noexcept
      : data_(packet.data()), pos_(start), end_(packet.size()), violations_(violations) {}

  std::size_t pos() const noexcept { return pos_; }
  std::size_t end() const noexcept { return end_; }
  std::size_t remaining() const noexcept { return end_ - pos_; }
  bool ok() const noexcept { return !failure_; }
  const decode_failure& failure() const noexcept { return *failure_; }
  const std::uint8_t* data() const noexcept { return data_; }

  bool fail(decode_error e, std::size_t at) noexcept {
    if (!failure_) failure_ = decode_failure{e, at};
    return false;
  }
  // A broken rule that leaves the packet readable: recorded when lenient (returns true, go on),
  // else the failure (returns false).
  bool violation(decode_error e, std::size_t at) {
    if (!violations_) return fail(e, at);
    violations_->push_back(decode_failure{e, at});
    return true;
  }
  void set_end(std::size_t e) noexcept { end_ = e; }
  void replace_error(decode_error e) noexcept { failure_->error = e; }

  bool u8(std::uint8_t& out) noexcept {
    if (remaining() < 1) return fail(decode_error::truncated, pos_);
    out = data_[pos_++];
    return true;
  }
  bool u8(reason_code& out) noexcept {
    std::uint8_t byte = 0;
    if (!u8(byte)) return false;
    out = reason_code{byte};
    return true;
  }
  bool u16(std::uint16_t& out) noexcept {
    if (remaining() < 2) return fail(decode_error::truncated, pos_);
    out = static_cast<std::uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& out) noexcept {
    if (remaining() < 4) return fail(decode_error::truncated, pos_);
    out = static_cast<std::uint32_t>(data_[pos_]) << 24 | static_cast<std::uint32_t>(data_[pos_ + 1]) << 16 |
          static_cast<std::uint32_t>(data_[pos_ + 2]) << 8 | data_[pos_ + 3];
    pos_ += 4;
    return true;
  }
  bool varint(std::uint32_t& out) noexcept {
    std::uint32_t value = 0;
    const std::size_t start = pos_;
    for (std::uint8_t i = 0; i < max_varint_bytes; ++i) {
      if (remaining() < 1) return fail(decode_error::truncated, pos_);
      const std::uint8_t b = data_[pos_++];
      value |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
      if (!(b & 0x80)) {
        if (b == 0 && i > 0) return fail(decode_error::variable_byte_integer_invalid, pos_ - 1);
        out = value;
        return true;
      }
    }
    return fail(decode_error::variable_byte_integer_invalid, start + max_varint_bytes - 1);
  }
  bool rest(std::string_view& out) noexcept {
    out = view(pos_, remaining());
    pos_ = end_;
    return true;
  }
  bool binary(std::string_view& out) noexcept {
    const std::size_t at = pos_;
    std::uint16_t len = 0;
    if (!u16(len)) return false;
    if (len > remaining()) return fail(decode_error::string_too_long, at);
    out = view(pos_, len);
    pos_ += len;
    return true;
  }
  bool utf8(std::string_view& out, bool forbid_wildcards = false) noexcept {
    if (!binary(out)) return false;
    const utf8_fault fault = check_mqtt_utf8(out, forbid_wildcards);
    if (fault.kind == utf8_fault::kind::none) return true;
    if (fault.kind == utf8_fault::kind::wildcard) {
      // Still well-formed text: leniency reads on (and checks the rest of it as UTF-8).
      if (!violation(decode_error::invalid_topic_name, pos_ - out.size() + fault.index)) return false;
      const utf8_fault rest = check_mqtt_utf8(out, false);
      if (rest.kind == utf8_fault::kind::none) return true;
      return fail(rest.kind == utf8_fault::kind::null_character ? decode_error::utf8_null_character
                                                                 : decode_error::invalid_utf8,
                  pos_ - out.size() + rest.index);
    }
    const decode_error e = fault.kind == utf8_fault::kind::null_character ? decode_error::utf8_null_character
                           : fault.kind == utf8_fault::kind::wildcard     ? decode_error::invalid_topic_name
                                                                          : decode_error::invalid_utf8;
    return fail(e, pos_ - out.size() + fault.index);
  }

 private:
  std::string_view view(std::size_t at, std::size_t len) const noexcept {
    return {reinterpret_cast<const char*>(data_) + at, len};
  }

  const std::uint8_t* data_;
  std::size_t pos_;
  std::size_t end_;
  std::optional<decode_failure> failure_;
  std::vector<decode_failure>* violations_;  // non-null when lenient
};

// A property block: variable-byte-integer length, then properties. Each is checked against
// the packet it is in (`scope`), for repeats, and for its value range.
bool read_properties(field_reader& r, property_scope scope, std::vector<property>& out) {
  out.clear();
  const std::size_t length_at = r.pos();
  std::uint32_t length = 0;
  if (!r.varint(length)) return false;
  if (length > r.remaining()) return r.fail(decode_error::property_length_overrun, length_at);
  const std::size_t packet_end = r.end();
  const std::size_t block_end = r.pos() + length;
  r.set_end(block_end);
  std::uint64_t seen = 0;
  while (r.ok() && r.pos() < block_end) {
    const std::size_t at = r.pos();
    std::uint8_t id = 0;
    r.u8(id);
    const property_info* info = find_property_info(id);
    if (!info) {
      r.fail(decode_error::unknown_property, at);
      break;
    }
    if (!(info->scopes & static_cast<std::uint16_t>(scope)) && !r.violation(decode_error::property_not_allowed, at))
      break;
    const bool single = !info->repeatable ||
                        (info->id == property_id::subscription_identifier && scope == property_scope::subscribe);
    if (single && (seen >> id & 1) && !r.violation(decode_error::duplicate_property, at)) break;
    seen |= std::uint64_t{1} << id;
    // Read straight into the list: a property built on the stack and pushed back was copied
    // with 16-byte loads right after narrower stores, the stall the packets had (see decode()).
    // On a failure the packet is refused, so nothing reads the partly filled entry.
    property& p = out.emplace_back();
    p.id = info->id;
    switch (info->type) {
      case property_type::byte: {
        std::uint8_t v = 0;
        r.u8(v);
        p.number = v;
        break;
      }
      case property_type::two_byte_integer: {
        std::uint16_t v = 0;
        r.u16(v);
        p.number = v;
        break;
      }
      case property_type::four_byte_integer: r.u32(p.number); break;
      case property_type::variable_byte_integer: r.varint(p.number); break;
      case property_type::utf8_string: r.utf8(p.value); break;
      case property_type::binary_data: r.binary(p.value); break;
      case property_type::utf8_string_pair:
        if (r.utf8(p.key)) r.utf8(p.value);
        break;
    }
    if (!r.ok()) break;
    if (!property_value_error(info->id, p.number).empty() && !r.violation(decode_error::invalid_property_value, at)) break;
  }
  r.set_end(packet_end);
  if (!r.ok()) {
    // A value that runs past the end of the block is a fault of the block's length.
    const decode_error e = r.failure().error;
    if (e == decode_error::truncated || e == decode_error::string_too_long)
      r.replace_error(decode_error::property_length_overrun);
    return false;
  }
  return true;
}

bool read_packet_id(field_reader& r, std::uint16_t& id) {
  const std::size_t at = r.pos();
  if (!r.u16(id)) return false;
  if (id == 0) return r.violation(decode_error::packet_id_zero, at);
  return true;
}

bool valid_qos(std::uint8_t q) noexcept { return q <= 2; }

class body_decoder {
 public:
  body_decoder(std::span<const std::uint8_t> bytes, std::size_t header_size, protocol_version version,
               decode_scratch& scratch)
      : r_(bytes, header_size, scratch.lenient ? &scratch.violations : nullptr),
        first_(bytes[0]),
        version_(version),
        scratch_(scratch) {}

  std::optional<decode_failure> run(packet& out) {
    if (scratch_.lenient) scratch_.violations.clear();
    decode(out);
    if (r_.ok() && r_.remaining() != 0) r_.fail(decode_error::trailing_bytes, r_.pos());
    if (!r_.ok()) return r_.failure();
    return std::nullopt;
  }

 private:
  bool v5() const noexcept { return version_ == protocol_version::v5; }

  // PUBLISH and its acknowledgements, the packets of the data path, are decoded straight into
  // `out`. Returned by value, each was built on the stack and then copied into `out` as a
  // whole 168-byte variant, its fields read back 16 bytes at a time right after being written
  // in narrower stores (store forwarding fails): that copy was half the time of decoding a
  // 64-byte PUBLISH (perf/codec, BENCHMARKS.md).
  void decode(packet& out) {
    switch (static_cast<packet_type>(first_ >> 4)) {
      case packet_type::connect: out = decode_connect(); return;
      case packet_type::connack: out = decode_connack(); return;
      case packet_type::publish: decode_publish(out.emplace<publish>()); return;
      case packet_type::puback: decode_response(out.emplace<puback>(), property_scope::puback); return;
      case packet_type::pubrec: decode_response(out.emplace<pubrec>(), property_scope::pubrec); return;
      case packet_type::pubrel: decode_response(out.emplace<pubrel>(), property_scope::pubrel); return;
      case packet_type::pubcomp: decode_response(out.emplace<pubcomp>(), property_scope::pubcomp); return;
      case packet_type::subscribe: out = decode_subscribe(); return;
      case packet_type::suback: out = decode_suback(); return;
      case packet_type::unsubscribe: out = decode_unsubscribe(); return;
      case packet_type::unsuback: out = decode_unsuback(); return;
      case packet_type::pingreq: out = pingreq{}; return;
      case packet_type::pingresp: out = pingresp{}; return;
      case packet_type::disconnect: out = decode_disconnect(); return;
      case packet_type::auth: out = decode_auth(); return;
    }
    r_.fail(decode_error::reserved_packet_type, 0);
    out = pingreq{};
  }

  packet decode_connect() {
    connect c;
    std::string_view name;
    if (!r_.utf8(name)) return c;
    const std::size_t level_at = r_.pos();
    std::uint8_t level = 0;
    if (!r_.u8(level)) return c;
    if (name == "MQTT") {
      if (level != 4 && level != 5) {
        r_.fail(decode_error::unsupported_protocol_version, level_at);
        return c;
      }
    } else if (name == "MQIsdp") {
      if (level != 3) {
        r_.fail(decode_error::unsupported_protocol_version, level_at);
        return c;
      }
    } else {
      r_.fail(decode_error::invalid_protocol_name, level_at - name.size() - 2);
      return c;
    }
    c.version = static_cast<protocol_version>(level);
    version_ = c.version;
    const std::size_t flags_at = r_.pos();
    std::uint8_t flags = 0;
    if (!r_.u8(flags) || !r_.u16(c.keep_alive)) return c;
    const bool has_will = flags & 0x04;
    const std::uint8_t will_qos = (flags >> 3) & 3;
    const bool will_retain = flags & 0x20;
    const bool has_password = flags & 0x40;
    const bool has_username = flags & 0x80;
    if (((flags & 0x01) || (!has_will && (will_qos != 0 || will_retain)) ||
         (has_password && !has_username && version_ == protocol_version::v311)) &&
        !r_.violation(decode_error::invalid_connect_flags, flags_at))
      return c;
    if (will_qos == 3) {
      r_.fail(decode_error::invalid_qos, flags_at);
      return c;
    }
    c.clean_start = flags & 0x02;
    if (v5()) {
      if (!read_properties(r_, property_scope::connect, scratch_.properties)) return c;
      c.properties = property_list(scratch_.properties);
    }
    if (!r_.utf8(c.client_id)) return c;
    if (has_will) {
      will_message w{.qos = static_cast<qos>(will_qos), .retain = will_retain};
      if (v5()) {
        if (!read_properties(r_, property_scope::will, scratch_.will_properties)) return c;
        w.properties = property_list(scratch_.will_properties);
      }
      if (!r_.utf8(w.topic, true) || !r_.binary(w.payload)) return c;
      c.will = w;
    }
    if (has_username) {
      std::string_view user;
      if (!r_.utf8(user)) return c;
      c.username = user;
    }
    if (has_password) {
      std::string_view password;
      if (!r_.binary(password)) return c;
      c.password = password;
    }
    return c;
  }

  packet decode_connack() {
    connack c;
    const std::size_t flags_at = r_.pos();
    std::uint8_t flags = 0;
    if (!r_.u8(flags) || !r_.u8(c.reason_code)) return c;
    if ((flags & 0xFE) && !r_.violation(decode_error::invalid_connack_flags, flags_at)) return c;
    c.session_present = flags & 1;
    // A broker answers an unsupported protocol level with a 3.1.1-style two-byte CONNACK
    // (5.0 §3.1.2.2), so a 5.0 CONNACK without a property length is accepted as that.
    if (v5() && r_.remaining() > 0) {
      if (!read_properties(r_, property_scope::connack, scratch_.properties)) return c;
      c.properties = property_list(scratch_.properties);
    }
    return c;
  }

  void decode_publish(publish& p) {
    const std::uint8_t q = (first_ >> 1) & 3;
    if (!valid_qos(q)) {
      r_.fail(decode_error::invalid_qos, 0);
      return;
    }
    p.qos = static_cast<qos>(q);
    p.dup = first_ & 0x08;
    p.retain = first_ & 0x01;
    const std::size_t topic_at = r_.pos();
    if (!r_.utf8(p.topic, true)) return;
    if (q != 0 && !read_packet_id(r_, p.packet_id)) return;
    if (v5()) {
      if (!read_properties(r_, property_scope::publish, scratch_.properties)) return;
      p.properties = property_list(scratch_.properties);
    }
    // An empty topic is allowed only in 5.0 with a topic alias (5.0 §3.3.2.1).
    if (p.topic.empty() && !(v5() && p.properties.find(property_id::topic_alias)) &&
        !r_.violation(decode_error::invalid_topic_name, topic_at))
      return;
    r_.rest(p.payload);
  }

  template <class Response>
  void decode_response(Response& a, property_scope scope) {
    if (!read_packet_id(r_, a.packet_id)) return;
    if (v5() && r_.remaining() > 0) {
      r_.u8(a.reason_code);
      if (r_.remaining() > 0) {
        if (!read_properties(r_, scope, scratch_.properties)) return;
        a.properties = property_list(scratch_.properties);
      }
    }
  }

  packet decode_subscribe() {
    subscribe s;
    if (!read_packet_id(r_, s.packet_id)) return s;
    if (v5()) {
      if (!read_properties(r_, property_scope::subscribe, scratch_.properties)) return s;
      s.properties = property_list(scratch_.properties);
    }
    scratch_.subscriptions.clear();
    if (r_.remaining() == 0) {
      r_.fail(decode_error::no_topic_filters, r_.pos());
      return s;
    }
    while (r_.ok() && r_.remaining() > 0) {
      subscription sub;
      if (!r_.utf8(sub.filter)) break;
      const std::size_t options_at = r_.pos();
      std::uint8_t options = 0;
      if (!r_.u8(options)) break;
      const std::uint8_t reserved_mask = v5() ? 0xC0 : 0xFC;
      if ((options & 3) == 3) {
        r_.fail(decode_error::invalid_qos, options_at);
        break;
      }
      if (((options & reserved_mask) || (v5() && ((options >> 4) & 3) == 3)) &&
          !r_.violation(decode_error::invalid_subscription_options, options_at))
        break;
      sub.max_qos = static_cast<qos>(options & 3);
      if (v5()) {
        sub.no_local = options & 0x04;
        sub.retain_as_published = options & 0x08;
        sub.retain_handling = (options >> 4) & 3;
      }
      scratch_.subscriptions.push_back(sub);
    }
    s.subscriptions = list_view<subscription>(scratch_.subscriptions);
    return s;
  }

  // Copied rather than viewed: the input holds bytes, not reason_code objects.
  list_view<reason_code> rest_as_codes() {
    std::string_view rest;
    r_.rest(rest);
    scratch_.reason_codes.clear();
    for (const char byte : rest) scratch_.reason_codes.emplace_back(static_cast<std::uint8_t>(byte));
    return list_view<reason_code>(scratch_.reason_codes);
  }

  packet decode_suback() {
    suback s;
    if (!read_packet_id(r_, s.packet_id)) return s;
    if (v5()) {
      if (!read_properties(r_, property_scope::suback, scratch_.properties)) return s;
      s.properties = property_list(scratch_.properties);
    }
    s.reason_codes = rest_as_codes();
    return s;
  }

  packet decode_unsubscribe() {
    unsubscribe u;
    if (!read_packet_id(r_, u.packet_id)) return u;
    if (v5()) {
      if (!read_properties(r_, property_scope::unsubscribe, scratch_.properties)) return u;
      u.properties = property_list(scratch_.properties);
    }
    scratch_.filters.clear();
    if (r_.remaining() == 0) {
      r_.fail(decode_error::no_topic_filters, r_.pos());
      return u;
    }
    while (r_.ok() && r_.remaining() > 0) {
      std::string_view filter;
      if (!r_.utf8(filter)) break;
      scratch_.filters.push_back(filter);
    }
    u.filters = list_view<std::string_view>(scratch_.filters);
    return u;
  }

  packet decode_unsuback() {
    unsuback u;
    if (!read_packet_id(r_, u.packet_id)) return u;
    if (v5()) {
      if (!read_properties(r_, property_scope::unsuback, scratch_.properties)) return u;
      u.properties = property_list(scratch_.properties);
      u.reason_codes = rest_as_codes();
    }
    return u;
  }

  packet decode_disconnect() {
    disconnect d;
    if (v5() && r_.remaining() > 0) {
      r_.u8(d.reason_code);
      if (r_.remaining() > 0) {
        if (!read_properties(r_, property_scope::disconnect, scratch_.properties)) return d;
        d.properties = property_list(scratch_.properties);
      }
    }
    return d;
  }

  packet decode_auth() {
    auth a;
    if (!v5()) {
      r_.fail(decode_error::reserved_packet_type, 0);
      return a;
    }
    if (r_.remaining() > 0) {
      r_.u8(a.reason_code);
      if (r_.remaining() > 0) {
        if (!read_properties(r_, property_scope::auth, scratch_.properties)) return a;
        a.properties = property_list(scratch_.properties);
      }
    }
    return a;
  }

  field_reader r_;
  std::uint8_t first_;
  protocol_version version_;
  decode_scratch& scratch_;
};

// The flags each packet type must carry in the low nibble of its first byte (PUBLISH is free).
constexpr bool flags_valid(std::uint8_t first) noexcept {
  const auto type = static_cast<packet_type>(first >> 4);
  const std::uint8_t flags = first & 0x0F;
  switch (type) {
    case packet_type::publish: return true;
    case packet_type::pubrel:
    case packet_type::subscribe:
    case packet_type::unsubscribe: return flags == 0x02;
    default: return flags == 0;
  }
}

}  // namespace

std::variant<std::nullopt_t, fixed_header, decode_failure> parse_fixed_header(
    std::span<const std::uint8_t> bytes, std::uint32_t max_packet_size) {
  if (bytes.empty()) return std::nullopt;
  const std::uint8_t first = bytes[0];
  if ((first >> 4) == 0) return decode_failure{decode_error::reserved_packet_type, 0};
  if (!flags_valid(first)) return decode_failure{decode_error::invalid_fixed_header_flags, 0};
  std::uint32_t length = 0;
  for (std::size_t i = 1; i <= max_varint_bytes; ++i) {
    if (i >= bytes.size()) return std::nullopt;
    const std::uint8_t b = bytes[i];
    length |= static_cast<std::uint32_t>(b & 0x7F) << (7 * (i - 1));
    if (!(b & 0x80)) {
      if (b == 0 && i > 1) return decode_failure{decode_error::remaining_length_not_minimal, i};
      const auto header = static_cast<std::uint8_t>(i + 1);
      if (std::uint64_t{header} + length > max_packet_size) return decode_failure{decode_error::packet_too_large, 1};
      return fixed_header{first, length, header};
    }
  }
  // The fourth length byte still says "more": a fifth would be needed, which MQTT forbids.
  return decode_failure{decode_error::remaining_length_too_long, max_varint_bytes};
}

std::variant<packet, decode_failure> decode_packet(std::span<const std::uint8_t> bytes, protocol_version version,
                                                   decode_scratch& scratch) {
  const auto header = parse_fixed_header(bytes, 0xFFFFFFFFu);
  if (const auto* f = std::get_if<decode_failure>(&header)) return *f;
  const auto* h = std::get_if<fixed_header>(&header);
  if (!h) return decode_failure{decode_error::truncated, bytes.size()};
  const std::size_t total = std::size_t{h->header_size} + h->remaining_length;
  if (bytes.size() < total) return decode_failure{decode_error::truncated, bytes.size()};
  if (bytes.size() > total) return decode_failure{decode_error::trailing_bytes, total};
  packet out;
  if (auto failure = body_decoder(bytes, h->header_size, version, scratch).run(out)) return *failure;
  return out;
}

stream_decoder::stream_decoder(stream_decoder_options options)
    : max_packet_size_(options.max_packet_size), version_(options.version) {
  scratch_.lenient = options.lenient;
}

void stream_decoder::reset() noexcept {
  buffer_.clear();
  needed_ = 0;
  stream_offset_ = 0;
  failed_ = false;
  failure_ = {};
  refused_.reset();
}

byte_buffer stream_decoder::take_assembled() noexcept { return std::move(completed_); }

bool stream_decoder::assembled(const void* p) const noexcept {
  const auto* b = static_cast<const std::uint8_t*>(p);
  return completed_.data() != nullptr && b >= completed_.data() && b < completed_.data() + completed_.size();
}

std::string to_string(const partial_packet& p) {
  const auto type = static_cast<unsigned>(p.first_byte >> 4);
  const std::string name = type == 0 ? std::string("packet of reserved type 0")
                                     : std::string(packet_type_name(static_cast<packet_type>(type)));
  return std::to_string(p.received) + " bytes into a " + std::to_string(p.size) + "-byte " + name;
}

std::optional<partial_packet> stream_decoder::partial() const noexcept {
  if (refused_) return refused_;
  if (failed_ || needed_ == 0 || buffer_.empty()) return std::nullopt;
  return partial_packet{.first_byte = buffer_[0], .size = needed_, .received = buffer_.size()};
}

void stream_decoder::note_refused(std::span<const std::uint8_t> start) {
  const auto header = parse_fixed_header(start, 0xFFFFFFFFu);
  if (const auto* h = std::get_if<fixed_header>(&header)) {
    const std::uint64_t size = std::uint64_t{h->header_size} + h->remaining_length;
    refused_ = partial_packet{.first_byte = h->first_byte, .size = size,
                              .received = static_cast<std::size_t>(std::min<std::uint64_t>(size, start.size()))};
  }
}

stream_decoder::result stream_decoder::fail(decode_failure f, std::size_t consumed) {
  failed_ = true;
  failure_ = f;
  stream_offset_ += consumed;
  result r;
  r.state = status::error;
  r.consumed = consumed;
  r.failure = f;
  return r;
}

stream_decoder::result stream_decoder::finish_packet(std::span<const std::uint8_t> whole, std::size_t header_size,
                                                     std::size_t consumed, std::size_t start) {
  const bool is_connect = (whole[0] >> 4) == static_cast<std::uint8_t>(packet_type::connect);
  if (!version_ && !is_connect) return fail({decode_error::version_unknown, start}, consumed);
  // Decoded in place into current_: the fixed header is already checked, and no temporary
  // variant is built per packet.
  body_decoder body(whole, header_size, version_.value_or(protocol_version::v311), scratch_);
  if (auto f = body.run(current_)) return fail({f->error, start + f->offset}, consumed);
  if (const auto* c = std::get_if<connect>(&current_)) version_ = c->version;
  stream_offset_ += consumed;
  result r;
  r.state = status::ready;
  r.consumed = consumed;
  r.value = &current_;
  r.raw = whole;
  r.packet_offset = start;
  return r;
}

stream_decoder::result stream_decoder::put(std::span<const std::uint8_t> input) {
  if (failed_) {
    result r;
    r.state = status::error;
    r.failure = failure_;
    return r;
  }
  if (buffer_.empty()) {
    // Fast path: a whole packet at the front of the input is decoded in place, without copying.
    const auto header = parse_fixed_header(input, max_packet_size_);
    if (const auto* f = std::get_if<decode_failure>(&header)) {
      if (f->error == decode_error::packet_too_large) note_refused(input);
      return fail({f->error, stream_offset_ + f->offset}, 0);
    }
    if (const auto* h = std::get_if<fixed_header>(&header)) {
      const std::size_t total = std::size_t{h->header_size} + h->remaining_length;
      if (input.size() >= total) return finish_packet(input.first(total), h->header_size, total, stream_offset_);
      needed_ = total;
      header_size_ = h->header_size;
    }
    buffer_.clear();
    buffer_.append(input);
    stream_offset_ += input.size();
    result r;
    r.consumed = input.size();
    return r;
  }

  const std::size_t start = stream_offset_ - buffer_.size();
  std::size_t consumed = 0;
  if (needed_ == 0) {
    // The fixed header itself was split: take one byte at a time until it parses, so that no
    // byte of the next packet is swallowed.
    while (consumed < input.size()) {
      buffer_.push_back(input[consumed++]);
      const auto header = parse_fixed_header(buffer_, max_packet_size_);
      if (const auto* f = std::get_if<decode_failure>(&header)) {
        if (f->error == decode_error::packet_too_large) note_refused(buffer_);
        buffer_.clear();
        return fail({f->error, start + f->offset}, consumed);
      }
      if (const auto* h = std::get_if<fixed_header>(&header)) {
        needed_ = std::size_t{h->header_size} + h->remaining_length;
        header_size_ = h->header_size;
        break;
      }
    }
  }
  if (needed_ != 0) {
    const std::size_t take = std::min(needed_ - buffer_.size(), input.size() - consumed);
    if (buffer_.size() + take > buffer_.capacity()) {
      // Grow with the bytes that arrived (never to what the length field claims before they
      // do), but never past the packet's size: plain doubling would hold up to twice a large
      // packet. byte_buffer grows by realloc, which moves a large block's pages instead of
      // holding the old and the new copy at once.
      buffer_.reserve(std::min(needed_, std::max(buffer_.size() * 2, buffer_.size() + take)));
    }
    buffer_.append(input.subspan(consumed, take));
    consumed += take;
    if (buffer_.size() == needed_) {
      // The packet views into completed_, which stays untouched until the next call (or is
      // handed over by take_assembled()).
      std::swap(completed_, buffer_);
      buffer_.clear();
      // The previous large packet's memory is not kept around for the next one: at most one
      // copy of a large packet is held (the one `current_` views).
      if (buffer_.capacity() > (1u << 20)) buffer_.release();
      needed_ = 0;
      return finish_packet(completed_, header_size_, consumed, start);
    }
  }
  stream_offset_ += consumed;
  result r;
  r.consumed = consumed;
  return r;
}

}  // namespace mqtk::proto
