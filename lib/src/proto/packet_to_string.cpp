// to_string and type_of for `packet` (packet.hpp). The text is meant for people (-d output,
// mqtk-decode traces, test failure messages) but is kept stable so that tests and scripts may
// compare it: field order never changes, absent optional fields are omitted, and secrets
// (password, authentication data) are shown by length only.
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "mqtk/proto/packet.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/report/text_escape.hpp"

namespace mqtk::proto {
namespace {

constexpr std::size_t preview_bytes = 32;
constexpr char hex_digits[] = "0123456789ABCDEF";

void append_hex_byte(std::string& out, std::uint8_t b) {
  out += hex_digits[b >> 4];
  out += hex_digits[b & 0x0F];
}

// Binary data: \xNN for every byte outside printable ASCII; backslash and double quote are
// escaped so the text inside the quotes is unambiguous.
void append_escaped_binary(std::string& out, std::string_view s) {
  for (const char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (b < 0x20 || b >= 0x7F) {
      report::append_escaped_byte(out, b);
    } else {
      out += ch;
    }
  }
}

// Strings on the wire are UTF-8, so non-ASCII characters are kept readable; controls (C0 and
// C1) and bytes that are not UTF-8 are escaped as everywhere a peer's string reaches a person.
void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  report::append_display_escaped(out, s, '"');
  out += '"';
}

// Binary data: the first `preview_bytes` bytes, with "..." after the quote when cut.
void append_preview(std::string& out, std::string_view data) {
  out += '"';
  append_escaped_binary(out, data.substr(0, preview_bytes));
  out += '"';
  if (data.size() > preview_bytes) out += "...";
}

// `payload=5 bytes "hello"`; an empty payload is just `payload=0 bytes`.
void append_payload(std::string& out, std::string_view payload) {
  out += "payload=";
  out += std::to_string(payload.size());
  out += payload.size() == 1 ? " byte" : " bytes";
  if (!payload.empty()) {
    out += ' ';
    append_preview(out, payload);
  }
}

// "0x87": a reason code or a property identifier.
void append_code(std::string& out, std::uint8_t code) {
  out += "0x";
  append_hex_byte(out, code);
}

// `rc=0x87 (Not authorized)`, or just `rc=0x87` when the code is not defined for the packet.
void append_reason(std::string& out, reason_code code, packet_type type,
                   protocol_version version) {
  out += "rc=";
  append_code(out, code.value());
  if (const auto name = code.name(type, version); !name.empty()) {
    out += " (";
    out += name;
    out += ')';
  }
}

void append_codes(std::string& out, const list_view<reason_code>& codes) {
  out += "codes=[";
  bool first = true;
  for (const auto code : codes) {
    if (!first) out += ", ";
    first = false;
    append_code(out, code.value());
  }
  out += ']';
}

void append_property(std::string& out, const property& p) {
  const auto* info = find_property_info(static_cast<std::uint8_t>(p.id));
  if (info == nullptr) {
    // Not one of the 27: show the raw identifier and whatever the decoder kept.
    out += "property_";
    append_code(out, static_cast<std::uint8_t>(p.id));
    out += '=';
    out += std::to_string(p.number);
    return;
  }
  out += info->name;
  out += '=';
  switch (info->type) {
    case property_type::byte:
    case property_type::two_byte_integer:
    case property_type::four_byte_integer:
    case property_type::variable_byte_integer:
      out += std::to_string(p.number);
      break;
    case property_type::utf8_string:
      append_quoted(out, p.value);
      break;
    case property_type::binary_data:
      // Authentication data is a credential: its length only, like the password.
      if (p.id == property_id::authentication_data) {
        out += '<';
        out += std::to_string(p.value.size());
        out += " bytes>";
      } else {
        append_preview(out, p.value);
      }
      break;
    case property_type::utf8_string_pair:
      out += '(';
      append_quoted(out, p.key);
      out += ", ";
      append_quoted(out, p.value);
      out += ')';
      break;
  }
}

// `, props=[a=1, b="x"]`, nothing at all when there are none (always the case before 5.0).
void append_properties(std::string& out, const property_list& props) {
  if (props.empty()) return;
  out += ", props=[";
  bool first = true;
  for (const auto& p : props) {
    if (!first) out += ", ";
    first = false;
    append_property(out, p);
  }
  out += ']';
}

void append_flag(std::string& out, std::string_view name, bool value) {
  out += name;
  out += value ? "=1" : "=0";
}

int qos_number(qos q) noexcept { return static_cast<int>(q); }

class formatter {
 public:
  explicit formatter(std::string& out) : out_(out) {}

  void operator()(const connect& p) const {
    out_ += "CONNECT(v=";
    out_ += version_name(p.version);
    out_ += ", client_id=";
    append_quoted(out_, p.client_id);
    out_ += ", keepalive=" + std::to_string(p.keep_alive) + ", ";
    append_flag(out_, "clean", p.clean_start);
    if (p.will) {
      out_ += ", will={topic=";
      append_quoted(out_, p.will->topic);
      out_ += ", qos=" + std::to_string(qos_number(p.will->qos)) + ", ";
      append_flag(out_, "retain", p.will->retain);
      out_ += ", ";
      append_payload(out_, p.will->payload);
      append_properties(out_, p.will->properties);
      out_ += '}';
    }
    if (p.username) {
      out_ += ", username=";
      append_quoted(out_, *p.username);
    }
    if (p.password) {
      // Never the password itself: these lines end up in logs, bug reports and CI output.
      out_ += ", password=<" + std::to_string(p.password->size()) + " bytes>";
    }
    append_properties(out_, p.properties);
    out_ += ')';
  }

  void operator()(const connack& p) const {
    out_ += "CONNACK(";
    append_flag(out_, "session_present", p.session_present);
    out_ += ", ";
    // Return codes 1-5 exist only before 5.0 and 0x80+ only in 5.0, so the code itself tells
    // which table to use; code 0 is named by 5.0 when properties show the packet is 5.0.
    const bool v5 = p.reason_code.is_failure(packet_type::connack, protocol_version::v5) || !p.properties.empty();
    append_reason(out_, p.reason_code, packet_type::connack,
                  v5 ? protocol_version::v5 : protocol_version::v311);
    append_properties(out_, p.properties);
    out_ += ')';
  }

  void operator()(const publish& p) const {
    out_ += "PUBLISH(topic=";
    append_quoted(out_, p.topic);
    out_ += ", qos=" + std::to_string(qos_number(p.qos)) + ", ";
    append_flag(out_, "retain", p.retain);
    out_ += ", ";
    append_flag(out_, "dup", p.dup);
    if (p.qos != qos::at_most_once) out_ += ", id=" + std::to_string(p.packet_id);
    out_ += ", ";
    append_payload(out_, p.payload);
    append_properties(out_, p.properties);
    out_ += ')';
  }

  template <packet_type Type>
  void operator()(const publish_response<Type>& p) const {
    out_ += packet_type_name(Type);
    out_ += "(id=" + std::to_string(p.packet_id);
    // A zero code without properties is the short form, identical to 3.1.1 on the wire.
    if (p.reason_code != reason_code::success || !p.properties.empty()) {
      out_ += ", ";
      append_reason(out_, p.reason_code, Type, protocol_version::v5);
    }
    append_properties(out_, p.properties);
    out_ += ')';
  }

  void operator()(const subscribe& p) const {
    out_ += "SUBSCRIBE(id=" + std::to_string(p.packet_id) + ", subscriptions=[";
    bool first = true;
    for (const auto& s : p.subscriptions) {
      if (!first) out_ += ", ";
      first = false;
      out_ += "{filter=";
      append_quoted(out_, s.filter);
      out_ += ", qos=" + std::to_string(qos_number(s.max_qos));
      // The 5.0 options are shown only when set, so 3.1.1 subscriptions stay short.
      if (s.no_local) out_ += ", no_local=1";
      if (s.retain_as_published) out_ += ", retain_as_published=1";
      if (s.retain_handling != 0) out_ += ", retain_handling=" + std::to_string(s.retain_handling);
      out_ += '}';
    }
    out_ += ']';
    append_properties(out_, p.properties);
    out_ += ')';
  }

  void operator()(const suback& p) const {
    out_ += "SUBACK(id=" + std::to_string(p.packet_id) + ", ";
    append_codes(out_, p.reason_codes);
    append_properties(out_, p.properties);
    out_ += ')';
  }

  void operator()(const unsubscribe& p) const {
    out_ += "UNSUBSCRIBE(id=" + std::to_string(p.packet_id) + ", filters=[";
    bool first = true;
    for (const auto filter : p.filters) {
      if (!first) out_ += ", ";
      first = false;
      append_quoted(out_, filter);
    }
    out_ += ']';
    append_properties(out_, p.properties);
    out_ += ')';
  }

  void operator()(const unsuback& p) const {
    out_ += "UNSUBACK(id=" + std::to_string(p.packet_id);
    if (!p.reason_codes.empty()) {  // 5.0 only
      out_ += ", ";
      append_codes(out_, p.reason_codes);
    }
    append_properties(out_, p.properties);
    out_ += ')';
  }

  void operator()(const pingreq&) const { out_ += "PINGREQ()"; }
  void operator()(const pingresp&) const { out_ += "PINGRESP()"; }

  void operator()(const disconnect& p) const {
    out_ += "DISCONNECT(";
    // As for acks: code 0 without properties is also what 3.1.1 sends (no variable header).
    if (p.reason_code != reason_code::normal_disconnection || !p.properties.empty()) {
      append_reason(out_, p.reason_code, packet_type::disconnect, protocol_version::v5);
      append_properties(out_, p.properties);
    }
    out_ += ')';
  }

  void operator()(const auth& p) const {
    out_ += "AUTH(";
    append_reason(out_, p.reason_code, packet_type::auth, protocol_version::v5);
    append_properties(out_, p.properties);
    out_ += ')';
  }

 private:
  std::string& out_;
};

}  // namespace

// The variant lists the packets in wire order, CONNECT (1) first, so the index gives the type.
static_assert(std::is_same_v<std::variant_alternative_t<0, packet>, connect>);
static_assert(std::is_same_v<std::variant_alternative_t<7, packet>, subscribe>);
static_assert(std::is_same_v<std::variant_alternative_t<14, packet>, auth>);

packet_type type_of(const packet& p) noexcept {
  return static_cast<packet_type>(p.index() + 1);
}

std::string to_string(const packet& p) {
  std::string out;
  std::visit(formatter{out}, p);
  return out;
}

}  // namespace mqtk::proto
