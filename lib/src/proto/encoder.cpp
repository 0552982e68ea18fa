#include "mqtk/proto/encoder.hpp"

#include <cassert>
#include <cstring>

namespace mqtk::proto {
namespace {

// The packet body is written twice with the same code: once by a writer that only counts (to
// learn the remaining length, which precedes the body), then by one that stores bytes.
struct size_counter {
  std::size_t size = 0;
  void byte(std::uint8_t) noexcept { ++size; }
  void u16(std::uint16_t) noexcept { size += 2; }
  void u32(std::uint32_t) noexcept { size += 4; }
  void varint(std::uint32_t v) noexcept { size += variable_byte_integer_size(v); }
  void raw(std::string_view s) noexcept { size += s.size(); }
  void str(std::string_view s) noexcept { size += 2 + s.size(); }
};

struct byte_writer {
  std::uint8_t* out;
  void byte(std::uint8_t b) noexcept { *out++ = b; }
  void u16(std::uint16_t v) noexcept {
    out[0] = static_cast<std::uint8_t>(v >> 8);
    out[1] = static_cast<std::uint8_t>(v);
    out += 2;
  }
  void u32(std::uint32_t v) noexcept {
    out[0] = static_cast<std::uint8_t>(v >> 24);
    out[1] = static_cast<std::uint8_t>(v >> 16);
    out[2] = static_cast<std::uint8_t>(v >> 8);
    out[3] = static_cast<std::uint8_t>(v);
    out += 4;
  }
  void varint(std::uint32_t v) noexcept { out += write_variable_byte_integer(v, out); }
  void raw(std::string_view s) noexcept {
    if (!s.empty()) std::memcpy(out, s.data(), s.size());
    out += s.size();
  }
  void str(std::string_view s) noexcept {
    assert(s.size() <= 0xFFFF);
    u16(static_cast<std::uint16_t>(s.size()));
    raw(s);
  }
};

template <class W>
void write_property_values(W& w, const property_list& props) {
  for (const property& p : props) {
    w.byte(static_cast<std::uint8_t>(p.id));
    const property_info* info = find_property_info(static_cast<std::uint8_t>(p.id));
    assert(info != nullptr);
    switch (info->type) {
      case property_type::byte: w.byte(static_cast<std::uint8_t>(p.number)); break;
      case property_type::two_byte_integer: w.u16(static_cast<std::uint16_t>(p.number)); break;
      case property_type::four_byte_integer: w.u32(p.number); break;
      case property_type::variable_byte_integer: w.varint(p.number); break;
      case property_type::utf8_string:
      case property_type::binary_data: w.str(p.value); break;
      case property_type::utf8_string_pair:
        w.str(p.key);
        w.str(p.value);
        break;
    }
  }
}

std::uint32_t properties_size(const property_list& props) {
  size_counter c;
  write_property_values(c, props);
  return static_cast<std::uint32_t>(c.size);
}

template <class W>
void write_properties(W& w, const property_list& props) {
  w.varint(properties_size(props));
  write_property_values(w, props);
}

constexpr std::uint8_t fixed_byte(packet_type t, std::uint8_t flags = 0) {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(t) << 4 | flags);
}

std::uint8_t first_byte(const packet& p) {
  if (const auto* pub = std::get_if<publish>(&p)) {
    return fixed_byte(packet_type::publish, static_cast<std::uint8_t>((pub->dup ? 8 : 0) |
                                                                      static_cast<std::uint8_t>(pub->qos) << 1 |
                                                                      (pub->retain ? 1 : 0)));
  }
  const auto t = static_cast<packet_type>(p.index() + 1);  // variant order follows the type numbers
  // PUBREL, SUBSCRIBE and UNSUBSCRIBE have the fixed flags 0b0010 (MQTT 3.1.1 §2.2.2).
  const bool flags_0010 = t == packet_type::pubrel || t == packet_type::subscribe || t == packet_type::unsubscribe;
  return fixed_byte(t, flags_0010 ? 2 : 0);
}

struct body_writer_base {
  protocol_version version;
  bool v5() const noexcept { return version == protocol_version::v5; }
};

template <class W>
struct body_writer : body_writer_base {
  W& w;
  body_writer(W& writer, protocol_version v) : body_writer_base{v}, w(writer) {}

  void operator()(const connect& c) {
    const bool legacy = c.version == protocol_version::v31;
    w.str(legacy ? "MQIsdp" : "MQTT");
    w.byte(static_cast<std::uint8_t>(c.version));
    std::uint8_t flags = 0;
    if (c.clean_start) flags |= 0x02;
    if (c.will) {
      flags |= 0x04;
      flags |= static_cast<std::uint8_t>(static_cast<std::uint8_t>(c.will->qos) << 3);
      if (c.will->retain) flags |= 0x20;
    }
    if (c.password) flags |= 0x40;
    if (c.username) flags |= 0x80;
    w.byte(flags);
    w.u16(c.keep_alive);
    const bool connect_v5 = c.version == protocol_version::v5;
    if (connect_v5) write_properties(w, c.properties);
    w.str(c.client_id);
    if (c.will) {
      if (connect_v5) write_properties(w, c.will->properties);
      w.str(c.will->topic);
      w.str(c.will->payload);
    }
    if (c.username) w.str(*c.username);
    if (c.password) w.str(*c.password);
  }

  void operator()(const connack& c) {
    w.byte(c.session_present ? 1 : 0);
    w.byte(c.reason_code.value());
    if (v5()) write_properties(w, c.properties);
  }

  void operator()(const publish& p) {
    w.str(p.topic);
    if (p.qos != qos::at_most_once) w.u16(p.packet_id);
    if (v5()) write_properties(w, p.properties);
    w.raw(p.payload);
  }

  template <packet_type T>
  void operator()(const publish_response<T>& r) {
    w.u16(r.packet_id);
    if (!v5()) return;
    // Short forms (5.0 §3.4.2.1): the reason code may be left out when it is 0 and there are no
    // properties, and the property length when there are none.
    if (r.reason_code == reason_code::success && r.properties.empty()) return;
    w.byte(r.reason_code.value());
    if (!r.properties.empty()) write_properties(w, r.properties);
  }

  void operator()(const subscribe& s) {
    w.u16(s.packet_id);
    if (v5()) write_properties(w, s.properties);
    for (const subscription& sub : s.subscriptions) {
      w.str(sub.filter);
      std::uint8_t options = static_cast<std::uint8_t>(sub.max_qos);
      if (v5()) {
        if (sub.no_local) options |= 0x04;
        if (sub.retain_as_published) options |= 0x08;
        options |= static_cast<std::uint8_t>((sub.retain_handling & 3) << 4);
      }
      w.byte(options);
    }
  }

  void operator()(const suback& s) {
    w.u16(s.packet_id);
    if (v5()) write_properties(w, s.properties);
    for (reason_code rc : s.reason_codes) w.byte(rc.value());
  }

  void operator()(const unsubscribe& u) {
    w.u16(u.packet_id);
    if (v5()) write_properties(w, u.properties);
    for (std::string_view f : u.filters) w.str(f);
  }

  void operator()(const unsuback& u) {
    w.u16(u.packet_id);
    if (!v5()) return;
    write_properties(w, u.properties);
    for (reason_code rc : u.reason_codes) w.byte(rc.value());
  }

  void operator()(const pingreq&) {}
  void operator()(const pingresp&) {}

  void operator()(const disconnect& d) {
    if (!v5() || (d.reason_code == reason_code::normal_disconnection && d.properties.empty())) return;
    w.byte(d.reason_code.value());
    if (!d.properties.empty()) write_properties(w, d.properties);
  }

  void operator()(const auth& a) {
    if (!v5() || (a.reason_code == reason_code::success && a.properties.empty())) return;
    w.byte(a.reason_code.value());
    if (!a.properties.empty()) write_properties(w, a.properties);
  }
};

std::size_t body_size(const packet& p, protocol_version version) {
  size_counter c;
  std::visit(body_writer<size_counter>{c, version}, p);
  return c.size;
}

}  // namespace

std::size_t variable_byte_integer_size(std::uint32_t value) noexcept {
  if (value < 128) return 1;
  if (value < 16'384) return 2;
  if (value < 2'097'152) return 3;
  return 4;
}

std::size_t write_variable_byte_integer(std::uint32_t value, std::uint8_t* out) noexcept {
  std::size_t n = 0;
  do {
    std::uint8_t b = value & 0x7F;
    value >>= 7;
    if (value) b |= 0x80;
    out[n++] = b;
  } while (value && n < 4);
  return n;
}

std::size_t encoded_size(const packet& p, protocol_version version) {
  const std::size_t body = body_size(p, version);
  return 1 + variable_byte_integer_size(static_cast<std::uint32_t>(body)) + body;
}

std::size_t encode(const packet& p, protocol_version version, std::span<std::uint8_t> out) {
  const std::size_t body = body_size(p, version);
  byte_writer w{out.data()};
  w.byte(first_byte(p));
  w.varint(static_cast<std::uint32_t>(body));
  std::visit(body_writer<byte_writer>{w, version}, p);
  const auto written = static_cast<std::size_t>(w.out - out.data());
  assert(written <= out.size());
  return written;
}

void encode_append(const packet& p, protocol_version version, std::vector<std::uint8_t>& out) {
  const std::size_t body = body_size(p, version);
  const std::size_t start = out.size();
  out.resize(start + 1 + variable_byte_integer_size(static_cast<std::uint32_t>(body)) + body);
  byte_writer w{out.data() + start};
  w.byte(first_byte(p));
  w.varint(static_cast<std::uint32_t>(body));
  std::visit(body_writer<byte_writer>{w, version}, p);
}

}  // namespace mqtk::proto
