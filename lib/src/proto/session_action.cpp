#include "mqtk/proto/session_action.hpp"

#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/session_error.hpp"

namespace mqtk::proto {
namespace {

std::string relative_ms(session_time t, session_time epoch) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - epoch).count();
  return (ms >= 0 ? "+" : "") + std::to_string(ms) + " ms";
}

std::string error_text(const boost::system::error_code& ec) {
  if (!ec) return "ok";
  if (ec.category() == session_category()) {
    return std::string(session_error_name(static_cast<session_error>(ec.value())));
  }
  return ec.to_string();
}

// Packet names of the packets in a send, read from their fixed headers only.
std::string packet_names(std::span<const std::uint8_t> bytes) {
  std::string names;
  std::size_t i = 0;
  while (i < bytes.size()) {
    auto type = static_cast<unsigned>(bytes[i] >> 4);
    if (!names.empty()) names += ',';
    names += type >= 1 && type <= 15 ? std::string(packet_type_name(static_cast<packet_type>(type)))
                                     : "?";
    std::uint32_t remaining = 0;
    std::size_t j = i + 1;
    for (unsigned shift = 0; j < bytes.size() && shift <= 21; shift += 7) {
      remaining |= static_cast<std::uint32_t>(bytes[j] & 0x7F) << shift;
      if ((bytes[j++] & 0x80) == 0) break;
    }
    i = j + remaining;
  }
  return names;
}

}  // namespace

std::string_view timer_kind_name(timer_kind k) noexcept {
  switch (k) {
    case timer_kind::keepalive: return "keepalive";
    case timer_kind::pingresp: return "pingresp";
    case timer_kind::connack: return "connack";
    case timer_kind::ack: return "ack";
  }
  return "unknown";
}

std::optional<packet_in_progress> receiving_at_deadline(const close_cause& c) noexcept {
  if (const auto* p = std::get_if<closing::no_pingresp>(&c)) return p->receiving;
  if (const auto* p = std::get_if<closing::no_connack>(&c)) return p->receiving;
  if (const auto* p = std::get_if<closing::no_ack>(&c)) return p->receiving;
  return std::nullopt;
}

std::string_view close_cause_name(const close_cause& c) noexcept {
  struct name_of {
    std::string_view operator()(const closing::requested&) const { return "requested"; }
    std::string_view operator()(const closing::no_pingresp&) const { return "no_pingresp"; }
    std::string_view operator()(const closing::no_connack&) const { return "no_connack"; }
    std::string_view operator()(const closing::packet_too_large&) const { return "packet_too_large"; }
    std::string_view operator()(const closing::malformed_packet&) const { return "malformed_packet"; }
    std::string_view operator()(const closing::unexpected_packet&) const { return "unexpected_packet"; }
    std::string_view operator()(const closing::publish_without_topic&) const { return "publish_without_topic"; }
    std::string_view operator()(const closing::topic_alias_above_maximum&) const { return "topic_alias_above_maximum"; }
    std::string_view operator()(const closing::topic_aliases_too_large&) const { return "topic_aliases_too_large"; }
    std::string_view operator()(const closing::topic_alias_unknown&) const { return "topic_alias_unknown"; }
    std::string_view operator()(const closing::no_ack&) const { return "no_ack"; }
    std::string_view operator()(const closing::wrong_ack&) const { return "wrong_ack"; }
    std::string_view operator()(const closing::receive_maximum_exceeded&) const { return "receive_maximum_exceeded"; }
    std::string_view operator()(const closing::refused&) const { return "refused"; }
    std::string_view operator()(const closing::server_disconnect&) const { return "server_disconnect"; }
  };
  return std::visit(name_of{}, c);
}

std::string_view operation_kind_name(operation_kind k) noexcept {
  switch (k) {
    case operation_kind::publish: return "publish";
    case operation_kind::subscribe: return "subscribe";
    case operation_kind::unsubscribe: return "unsubscribe";
  }
  return "unknown";
}

std::string to_string(const action& a, session_time epoch) {
  struct visitor {
    session_time epoch;
    std::string operator()(const send_action& s) const {
      return "send(" + packet_names(s.bytes) + ", " + std::to_string(s.bytes.size()) + " bytes)";
    }
    std::string operator()(const arm_timer_action& t) const {
      return "arm_timer(" + std::string(timer_kind_name(t.kind)) + ", " + relative_ms(t.deadline, epoch) + ")";
    }
    std::string operator()(const cancel_timer_action& t) const {
      return "cancel_timer(" + std::string(timer_kind_name(t.kind)) + ")";
    }
    std::string operator()(const deliver_action& d) const {
      return "deliver(topic=\"" + std::string(d.message.topic) + "\", qos=" +
             std::to_string(static_cast<int>(d.message.qos)) + ", " +
             std::to_string(d.message.payload.size()) + " bytes)";
    }
    std::string operator()(const complete_action& c) const {
      std::string s = "complete(" + std::string(operation_kind_name(c.kind)) + " #" +
                      std::to_string(c.id) + ", " + error_text(c.error);
      if (c.reason_code != reason_code::success) s += ", " + c.reason_code.hex();
      if (!c.reason_codes.empty()) {
        s += ", codes=";
        for (std::size_t i = 0; i < c.reason_codes.size(); ++i) s += (i ? "," : "") + c.reason_codes[i].hex();
      }
      return s + ")";
    }
    std::string operator()(const close_action& c) const {
      return "close(" + error_text(c.error) + ", " + std::string(close_cause_name(c.cause)) + ")";
    }
    std::string operator()(const connack_action& c) const {
      return "connack(session_present=" + std::to_string(c.packet.session_present ? 1 : 0) +
             ", " + c.packet.reason_code.hex() + ")";
    }
    std::string operator()(const server_disconnect_action& d) const {
      return "server_disconnect(" + d.packet.reason_code.hex() + ")";
    }
    std::string operator()(const auth_action& x) const { return "auth(" + x.packet.reason_code.hex() + ")"; }
    std::string operator()(const packet_received_action& r) const {
      return "received(" + std::string(packet_type_name(r.type)) + ", " + std::to_string(r.bytes.size()) + " bytes)";
    }
  };
  return std::visit(visitor{epoch}, a);
}

}  // namespace mqtk::proto
