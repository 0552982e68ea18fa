#include "mqtk/proto/session.hpp"

#include <algorithm>

#include "mqtk/proto/encoder.hpp"
#include "mqtk/proto/reason_code.hpp"
#include "mqtk/proto/topic.hpp"

namespace mqtk::proto {
namespace {

constexpr std::uint8_t dup_flag = 0x08;
// From this size a payload assembled across reads changes owner instead of being copied: below
// it the copy is cheap and keeps the decoder's buffer (and a stream of messages allocation-free).
constexpr std::size_t adopt_payload_from = 64 * 1024;

std::size_t fixed_header_size(std::span<const std::uint8_t> bytes) noexcept {
  std::size_t i = 1;
  while (i < bytes.size() && (bytes[i] & 0x80) != 0) ++i;
  return i + 1;
}

bool failed(reason_code code, packet_type type, protocol_version v) noexcept {
  return code.is_failure(type, v);
}

}  // namespace

std::string_view session_state_name(session_state s) noexcept {
  switch (s) {
    case session_state::down: return "down";
    case session_state::up: return "up";
    case session_state::connecting: return "connecting";
    case session_state::connected: return "connected";
  }
  return "unknown";
}

session::session(session_options options)
    : options_(options),
      decoder_(stream_decoder_options{.max_packet_size = options.max_incoming_packet_size}),
      decoder_max_packet_size_(options.max_incoming_packet_size) {}

std::string_view session::client_id() const noexcept {
  return assigned_client_id_.empty() ? connect_.client_id : std::string_view(assigned_client_id_);
}

// ---------------------------------------------------------------------------------------------
// Requests

void session::connect(const connect_config& c, session_time now, action_list& out) {
  now_ = now;
  const protocol_version before = connect_.version;
  // A new identity forgets the one the broker assigned to the old one.
  const std::string_view id = c.packet().client_id;
  if (!id.empty() && id != assigned_client_id_) assigned_client_id_.clear();
  connect_ = c.packet();  // views `c`, which the caller keeps (see connect())
  if (has_connect_ && before != connect_.version) reencode_requests(before, connect_.version);
  has_connect_ = true;
  connect_wanted_ = true;
  if (state_ == session_state::up) send_connect(out);
}

void session::reencode_requests(protocol_version from, protocol_version to) {
  std::vector<std::uint8_t> fresh;
  for (outgoing& s : slots_) {
    if (s.bytes.empty()) continue;  // a free slot
    auto decoded = decode_packet(s.bytes, from, scratch_);
    auto* p = std::get_if<packet>(&decoded);
    if (p == nullptr) continue;  // cannot happen: we encoded it
    fresh.resize(encoded_size(*p, to));
    encode(*p, to, fresh);
    std::size_t topic_size = 0;
    if (auto* pub = std::get_if<proto::publish>(p)) topic_size = 2 + pub->topic.size();
    s.bytes.swap(fresh);
    s.id_offset = static_cast<std::uint32_t>(fixed_header_size(s.bytes) + topic_size);
  }
}

operation_id session::publish(const proto::publish& message, session_time now, action_list& out) {
  now_ = now;
  operation_id op = next_op_++;
  auto q = static_cast<std::uint8_t>(message.qos);
  if (q > 2 || !has_connect_ || validate_topic_name(message.topic) != topic_error::none) {
    complete(op, operation_kind::publish, session_error::invalid_request, out);
    return op;
  }
  // The common QoS 0 case goes straight out, without a slot or a copy.
  if (q == 0 && state_ == session_state::connected && queue_.empty()) {
    proto::publish p = message;
    p.dup = false;
    p.packet_id = 0;
    auto first = static_cast<std::uint8_t>(0x30 | (p.retain ? 1 : 0));
    if (auto e = publish_limit_error(first, encoded_size(p, version()))) {
      complete(op, operation_kind::publish, *e, out);
      return op;
    }
    send_publish(p, out);
    complete(op, operation_kind::publish, {}, out);
    return op;
  }
  proto::publish p = message;
  p.dup = false;
  p.packet_id = q == 0 ? 0 : 1;
  store_request(op, operation_kind::publish, p, 2 + p.topic.size(), out);
  return op;
}

operation_id session::subscribe(const proto::subscribe& request, session_time now, action_list& out) {
  now_ = now;
  operation_id op = next_op_++;
  bool valid = has_connect_ && !request.subscriptions.empty();
  for (const subscription& sub : request.subscriptions) {
    valid = valid && validate_topic_filter(sub.filter) == topic_error::none &&
            static_cast<std::uint8_t>(sub.max_qos) <= 2;
  }
  if (!valid) {
    complete(op, operation_kind::subscribe, session_error::invalid_request, out);
    return op;
  }
  proto::subscribe p = request;
  p.packet_id = 1;
  store_request(op, operation_kind::subscribe, p, 0, out);
  return op;
}

operation_id session::unsubscribe(const proto::unsubscribe& request, session_time now, action_list& out) {
  now_ = now;
  operation_id op = next_op_++;
  bool valid = has_connect_ && !request.filters.empty();
  for (std::string_view filter : request.filters) {
    valid = valid && validate_topic_filter(filter) == topic_error::none;
  }
  if (!valid) {
    complete(op, operation_kind::unsubscribe, session_error::invalid_request, out);
    return op;
  }
  proto::unsubscribe p = request;
  p.packet_id = 1;
  store_request(op, operation_kind::unsubscribe, p, 0, out);
  return op;
}

void session::disconnect(const proto::disconnect& d, session_time now, action_list& out) {
  now_ = now;
  connect_wanted_ = false;
  if (state_ == session_state::down) return;
  if (state_ == session_state::connecting || state_ == session_state::connected) {
    send_packet(d, out);
  }
  cancel_timers(out);
  out.push(close_action{.error = {}, .reason_code = d.reason_code, .cause = closing::requested{}});
  lose_connection(session_error::client_disconnected, out);
}

void session::auth(const proto::auth& a, session_time now, action_list& out) {
  now_ = now;
  if (version() != protocol_version::v5) return;
  if (state_ == session_state::connecting || state_ == session_state::connected) send_packet(a, out);
}

void session::ping(session_time now, action_list& out) {
  now_ = now;
  if (state_ != session_state::connected || ping_outstanding_) return;
  send_pingreq(out);
}

void session::send_pingreq(action_list& out) {
  send_packet(pingreq{}, out);
  ping_outstanding_ = true;
  // With keep alive 0 and no configured timeout there is nothing to measure a deadline by.
  if (auto t = pingresp_timeout(); t.count() > 0) arm(timer_kind::pingresp, now_ + t, out);
}

std::chrono::milliseconds session::pingresp_timeout() const noexcept {
  return options_.pingresp_timeout.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(keep_alive_));
}

void session::cancel_all(boost::system::error_code error, action_list& out) {
  if (!error) error = session_error::cancelled;
  auto drop = [&](slot_ring& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::uint32_t slot = list[i];
      outgoing& s = slots_[slot];
      if (s.packet_id != 0) ids_.release(s.packet_id);
      complete(s.op, s.kind, error, out);
      free_slot(slot);
    }
    list.clear();
  };
  drop(inflight_);
  drop(queue_);
  inflight_publishes_ = 0;
}

// ---------------------------------------------------------------------------------------------
// Transport and timers

void session::transport_up(session_time now, action_list& out) {
  now_ = now;
  if (state_ != session_state::down) return;
  state_ = session_state::up;
  if (connect_wanted_) send_connect(out);
}

void session::transport_down(session_time now, action_list& out) {
  now_ = now;
  if (state_ == session_state::down) return;
  cancel_timers(out);
  lose_connection(session_error::connection_lost, out);
}

void session::timer_expired(timer_kind kind, session_time now, action_list& out) {
  now_ = now;
  auto& deadline = timers_[static_cast<std::size_t>(kind)];
  if (!deadline || now < *deadline) return;
  deadline.reset();
  switch (kind) {
    case timer_kind::keepalive: {
      if (state_ != session_state::connected || keep_alive_.count() == 0) return;
      // The timer is not moved on every send (that would cost an action per message): when it
      // fires early relative to the last send, it is simply re-armed from that send.
      session_time due = last_send_ + keep_alive_;
      if (now < due) {
        arm(timer_kind::keepalive, due, out);
      } else if (!ping_outstanding_) {
        send_pingreq(out);
        arm(timer_kind::keepalive, last_send_ + keep_alive_, out);
      } else {
        arm(timer_kind::keepalive, now + keep_alive_, out);
      }
      return;
    }
    case timer_kind::pingresp:
      if (!ping_outstanding_) return;
      fail(session_error::pingresp_timeout, reason_code{},
           closing::no_pingresp{pingresp_timeout(), receiving(now, pingresp_timeout())}, std::nullopt, out);
      return;
    case timer_kind::connack: {
      if (state_ != session_state::connecting) return;
      const auto waited = options_.connack_timeout.value_or(std::chrono::milliseconds{0});
      fail(session_error::connack_timeout, reason_code{}, closing::no_connack{waited, receiving(now, waited)}, std::nullopt, out);
      return;
    }
    case timer_kind::ack:
      ack_deadline_expired(out);
      return;
  }
}

std::optional<packet_in_progress> session::receiving(session_time now, std::chrono::milliseconds waited) const noexcept {
  const auto partial = decoder_.partial();
  if (!partial) return std::nullopt;
  return packet_in_progress{.packet = *partial,
                            .waited = waited,
                            .since_last_byte = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_received_)};
}

void session::received(std::span<const std::uint8_t> bytes, session_time now, action_list& out) {
  now_ = now;
  if (!bytes.empty()) last_received_ = now;
  while (!bytes.empty() &&
         (state_ == session_state::connecting || state_ == session_state::connected)) {
    auto r = decoder_.put(bytes);
    bytes = bytes.subspan(r.consumed);
    if (r.state == stream_decoder::status::need_more) break;
    if (r.state == stream_decoder::status::error) {
      if (r.failure.error == decode_error::packet_too_large) {
        fail(session_error::packet_too_large, reason_code{}, closing::packet_too_large{decoder_.partial(), decoder_max_packet_size_},
             reason_code::packet_too_large, out);
      } else {
        fail(session_error::malformed_packet, reason_code{}, closing::malformed_packet{out.copy(r.failure.message())},
             reason_code::malformed_packet, out);
      }
      return;
    }
    if (options_.report_received_packets) {
      out.push(packet_received_action{.type = type_of(*r.value), .bytes = out.copy(r.raw)});
    }
    handle(*r.value, out);
  }
}

// ---------------------------------------------------------------------------------------------
// Sending

void session::send_connect(action_list& out) {
  const bool v5 = connect_.version == protocol_version::v5;
  std::uint32_t max_in = options_.max_incoming_packet_size;
  incoming_receive_maximum_ = 65535;
  incoming_alias_maximum_ = 0;
  if (v5) {
    if (auto n = connect_.properties.number(property_id::maximum_packet_size)) max_in = *n;
    if (auto n = connect_.properties.number(property_id::receive_maximum)) {
      incoming_receive_maximum_ = static_cast<std::uint16_t>(*n);
    }
    if (auto n = connect_.properties.number(property_id::topic_alias_maximum)) {
      incoming_alias_maximum_ = static_cast<std::uint16_t>(*n);
    }
  }
  decoder_.reset();
  decoder_.set_version(connect_.version);
  decoder_.set_max_packet_size(max_in);
  decoder_max_packet_size_ = max_in;
  // Topic aliases live as long as one network connection, in both directions.
  incoming_aliases_.clear();
  incoming_alias_bytes_ = 0;
  outgoing_aliases_.clear();
  outgoing_alias_limit_ = 0;
  ping_outstanding_ = false;

  proto::connect c = connect_;
  if (!assigned_client_id_.empty()) c.client_id = assigned_client_id_;
  send_packet(c, out);
  state_ = session_state::connecting;
  if (options_.connack_timeout) arm(timer_kind::connack, now_ + *options_.connack_timeout, out);
}

void session::send_packet(const packet& p, action_list& out) {
  auto bytes = out.allocate_bytes(encoded_size(p, version()));
  encode(p, version(), bytes);
  out.push_send(bytes);
  last_send_ = now_;
}

void session::send_raw(std::span<const std::uint8_t> bytes, action_list& out) {
  out.push_send(out.copy(bytes));
  last_send_ = now_;
}

void session::send_publish(const proto::publish& p, action_list& out) {
  if (outgoing_alias_limit_ != 0 && !p.topic.empty() && p.properties.find(property_id::topic_alias) == nullptr) {
    std::uint16_t alias = 0;
    bool known = false;
    if (auto it = outgoing_aliases_.find(p.topic); it != outgoing_aliases_.end()) {
      alias = it->second;
      known = true;
    } else if (outgoing_aliases_.size() < outgoing_alias_limit_) {
      // First come, first served, and never reassigned: later topics go out in full.
      alias = static_cast<std::uint16_t>(outgoing_aliases_.size() + 1);
    }
    if (alias != 0) {
      alias_props_.assign(p.properties.begin(), p.properties.end());
      alias_props_.push_back(property{.id = property_id::topic_alias, .number = alias});
      proto::publish a = p;
      a.properties = property_list(alias_props_);
      if (known) a.topic = {};
      // The alias property adds three bytes, which could push a packet over the limit.
      if (encoded_size(a, version()) <= server_.maximum_packet_size) {
        if (!known) outgoing_aliases_.emplace(std::string(p.topic), alias);
        send_packet(a, out);
        return;
      }
    }
  }
  send_packet(p, out);
}

void session::transmit_stored_publish(outgoing& s, action_list& out) {
  if (outgoing_alias_limit_ != 0) {
    auto decoded = decode_packet(s.bytes, version(), scratch_);
    if (auto* p = std::get_if<packet>(&decoded)) {
      if (auto* pub = std::get_if<proto::publish>(p)) {
        send_publish(*pub, out);
        return;
      }
    }
  }
  send_raw(s.bytes, out);
}

void session::arm(timer_kind k, session_time deadline, action_list& out) {
  timers_[static_cast<std::size_t>(k)] = deadline;
  out.push(arm_timer_action{.kind = k, .deadline = deadline});
}

void session::cancel(timer_kind k, action_list& out) {
  auto& t = timers_[static_cast<std::size_t>(k)];
  if (!t) return;
  t.reset();
  out.push(cancel_timer_action{.kind = k});
}

void session::cancel_timers(action_list& out) {
  cancel(timer_kind::keepalive, out);
  cancel(timer_kind::pingresp, out);
  cancel(timer_kind::connack, out);
  cancel(timer_kind::ack, out);
}

// ---------------------------------------------------------------------------------------------
// Outgoing queue and in-flight window

// Keeps the request's encoding in a slot and queues it. It is encoded with packet id 1 (0 for a
// QoS 0 PUBLISH) so that the bytes are valid; dispatch() patches the real id in at id_offset,
// `id_after_header` bytes past the fixed header.
void session::store_request(operation_id op, operation_kind kind, const packet& p, std::size_t id_after_header,
                            action_list& out) {
  const std::uint32_t slot = take_slot();
  outgoing& s = slots_[slot];
  s.op = op;
  s.kind = kind;
  s.bytes.resize(encoded_size(p, version()));
  encode(p, version(), s.bytes);
  s.id_offset = static_cast<std::uint32_t>(fixed_header_size(s.bytes) + id_after_header);
  enqueue(slot, out);
}

std::uint32_t session::take_slot() {
  if (!free_slots_.empty()) {
    std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void session::free_slot(std::uint32_t slot) {
  outgoing& s = slots_[slot];
  s.state = stage::queued;
  s.packet_id = 0;
  s.bytes.clear();  // keeps the capacity for the next message
  free_slots_.push_back(slot);
}

void session::assign_id(outgoing& s, std::uint16_t id) {
  s.packet_id = id;
  s.bytes[s.id_offset] = static_cast<std::uint8_t>(id >> 8);
  s.bytes[s.id_offset + 1] = static_cast<std::uint8_t>(id & 0xFF);
}

void session::enqueue(std::uint32_t slot, action_list& out) {
  slots_[slot].state = stage::queued;
  queue_.push_back(slot);
  if (state_ == session_state::connected) dispatch(out);
}

std::size_t session::window() const noexcept {
  return std::max<std::size_t>(1, std::min(options_.max_inflight, server_.receive_maximum));
}

std::optional<session_error> session::publish_limit_error(std::uint8_t first_byte, std::size_t size) const {
  auto q = static_cast<std::uint8_t>(first_byte >> 1 & 3);
  if (q > static_cast<std::uint8_t>(server_.maximum_qos)) return session_error::qos_not_supported;
  if ((first_byte & 1) != 0 && !server_.retain_available) return session_error::retain_not_supported;
  if (size > server_.maximum_packet_size) return session_error::packet_too_large;
  return std::nullopt;
}

// Sends from the head of the queue while the window and the id pool allow. Strictly in
// request order: a request that must wait holds back those behind it.
void session::dispatch(action_list& out) {
  while (!queue_.empty() && state_ == session_state::connected) {
    std::uint32_t slot = queue_.front();
    outgoing& s = slots_[slot];
    if (s.kind == operation_kind::publish) {
      if (auto e = publish_limit_error(s.bytes[0], s.bytes.size())) {
        queue_.pop_front();
        complete(s.op, s.kind, *e, out);
        free_slot(slot);
        continue;
      }
      auto q = static_cast<std::uint8_t>(s.bytes[0] >> 1 & 3);
      if (q == 0) {
        queue_.pop_front();
        transmit_stored_publish(s, out);
        complete(s.op, s.kind, {}, out);
        free_slot(slot);
        continue;
      }
      if (inflight_publishes_ >= window()) return;
      auto id = s.packet_id != 0 ? std::optional<std::uint16_t>(s.packet_id) : ids_.allocate();
      if (!id) return;
      queue_.pop_front();
      assign_id(s, *id);
      s.state = q == 1 ? stage::awaiting_puback : stage::awaiting_pubrec;
      s.sent_at = now_;
      inflight_.push_back(slot);
      ++inflight_publishes_;
      transmit_stored_publish(s, out);
      arm_ack_deadline(out);
    } else {
      if (s.bytes.size() > server_.maximum_packet_size) {
        queue_.pop_front();
        complete(s.op, s.kind, session_error::packet_too_large, out);
        free_slot(slot);
        continue;
      }
      auto id = ids_.allocate();
      if (!id) return;
      queue_.pop_front();
      assign_id(s, *id);
      s.state = s.kind == operation_kind::subscribe ? stage::awaiting_suback : stage::awaiting_unsuback;
      s.sent_at = now_;
      inflight_.push_back(slot);
      send_raw(s.bytes, out);
      arm_ack_deadline(out);
    }
  }
}

std::optional<std::size_t> session::find_inflight(std::uint16_t id) const noexcept {
  // Acks come back nearly in order, so the match is almost always at the front. Packet ids are
  // shared by every kind of request, so an id names at most one.
  for (std::size_t i = 0; i < inflight_.size(); ++i) {
    if (slots_[inflight_[i]].packet_id == id) return i;
  }
  return std::nullopt;
}

namespace {

packet_type expected_ack(std::uint8_t stage_first_byte, bool awaiting_pubcomp, operation_kind kind) {
  if (kind == operation_kind::subscribe) return packet_type::suback;
  if (kind == operation_kind::unsubscribe) return packet_type::unsuback;
  if (awaiting_pubcomp) return packet_type::pubcomp;
  return (stage_first_byte >> 1 & 3) == 1 ? packet_type::puback : packet_type::pubrec;
}

// What the request in slot `s` is and which acknowledgement it waits for, for close causes.
closing::awaited_ack awaited_of(std::uint8_t first_byte, bool awaiting_pubcomp, operation_kind kind, std::uint16_t id) {
  closing::awaited_ack a{.packet_id = id, .expected = expected_ack(first_byte, awaiting_pubcomp, kind)};
  if (kind == operation_kind::subscribe) {
    a.request = packet_type::subscribe;
  } else if (kind == operation_kind::unsubscribe) {
    a.request = packet_type::unsubscribe;
  } else if (awaiting_pubcomp) {
    a.request = packet_type::pubrel;
  } else {
    a.request = packet_type::publish;
    a.qos = static_cast<std::uint8_t>(first_byte >> 1 & 3);
  }
  return a;
}

}  // namespace

// One timer for all in-flight requests, armed for the oldest and moved on lazily when it
// fires (as the keep alive's is): re-arming on every acknowledgement would cost an action per
// message.
void session::arm_ack_deadline(action_list& out) {
  if (!options_.ack_timeout || timers_[static_cast<std::size_t>(timer_kind::ack)] || inflight_.empty()) return;
  session_time oldest = slots_[inflight_[0]].sent_at;
  for (std::size_t i = 1; i < inflight_.size(); ++i) oldest = std::min(oldest, slots_[inflight_[i]].sent_at);
  arm(timer_kind::ack, oldest + *options_.ack_timeout, out);
}

void session::ack_deadline_expired(action_list& out) {
  if (state_ != session_state::connected || !options_.ack_timeout || inflight_.empty()) return;
  std::size_t oldest = 0;
  for (std::size_t i = 1; i < inflight_.size(); ++i) {
    if (slots_[inflight_[i]].sent_at < slots_[inflight_[oldest]].sent_at) oldest = i;
  }
  const outgoing& s = slots_[inflight_[oldest]];
  if (now_ < s.sent_at + *options_.ack_timeout) {
    arm(timer_kind::ack, s.sent_at + *options_.ack_timeout, out);
    return;
  }
  const bool releasing = s.state == stage::awaiting_pubcomp;
  fail(session_error::ack_timeout, reason_code{},
       closing::no_ack{awaited_of(s.bytes[0], releasing, s.kind, s.packet_id), *options_.ack_timeout,
                       receiving(now_, *options_.ack_timeout)},
       std::nullopt, out);
}

void session::wrong_ack(std::size_t index, packet_type got, action_list& out) {
  const outgoing& s = slots_[inflight_[index]];
  const bool releasing = s.state == stage::awaiting_pubcomp;
  fail(session_error::protocol_error, reason_code{}, closing::wrong_ack{awaited_of(s.bytes[0], releasing, s.kind, s.packet_id), got},
       reason_code::protocol_error, out);
}

void session::finish(std::size_t index, boost::system::error_code error, reason_code code,
                     list_view<reason_code> codes, property_list props, action_list& out) {
  std::uint32_t slot = inflight_[index];
  inflight_.erase(index);
  outgoing& s = slots_[slot];
  ids_.release(s.packet_id);
  if (s.kind == operation_kind::publish) --inflight_publishes_;
  out.push(complete_action{.id = s.op,
                           .kind = s.kind,
                           .error = error,
                           .reason_code = code,
                           .packet_id = s.packet_id,
                           .reason_codes = codes,
                           .properties = out.copy(props)});
  free_slot(slot);
}

void session::complete(operation_id id, operation_kind kind, boost::system::error_code error, action_list& out) {
  out.push(complete_action{.id = id, .kind = kind, .error = error});
}

// ---------------------------------------------------------------------------------------------
// Receiving

void session::handle(const packet& p, action_list& out) {
  const bool before_connack = state_ == session_state::connecting;
  auto unexpected = [&](packet_type t) {
    fail(session_error::protocol_error, reason_code{}, closing::unexpected_packet{t, before_connack},
         reason_code::protocol_error, out);
  };
  if (auto* c = std::get_if<connack>(&p)) {
    if (!before_connack) return unexpected(packet_type::connack);
    return on_connack(*c, out);
  }
  if (auto* d = std::get_if<proto::disconnect>(&p)) return on_server_disconnect(*d, out);
  if (auto* a = std::get_if<proto::auth>(&p)) {
    out.push(auth_action{proto::auth{.reason_code = a->reason_code, .properties = out.copy(a->properties)}});
    return;
  }
  if (before_connack) return unexpected(static_cast<packet_type>(p.index() + 1));
  if (auto* x = std::get_if<proto::publish>(&p)) return on_publish(*x, out);
  if (auto* x = std::get_if<puback>(&p)) return on_puback(*x, out);
  if (auto* x = std::get_if<pubrec>(&p)) return on_pubrec(*x, out);
  if (auto* x = std::get_if<pubrel>(&p)) return on_pubrel(*x, out);
  if (auto* x = std::get_if<pubcomp>(&p)) return on_pubcomp(*x, out);
  if (auto* x = std::get_if<suback>(&p)) {
    return on_suback(x->packet_id, operation_kind::subscribe, x->reason_codes, x->properties, out);
  }
  if (auto* x = std::get_if<unsuback>(&p)) {
    return on_suback(x->packet_id, operation_kind::unsubscribe, x->reason_codes, x->properties, out);
  }
  if (std::holds_alternative<pingresp>(p)) {
    ping_outstanding_ = false;
    cancel(timer_kind::pingresp, out);
    return;
  }
  // CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ: client-to-server only. The variant's order is
  // the packet type order, starting at CONNECT = 1.
  unexpected(static_cast<packet_type>(p.index() + 1));
}

void session::on_connack(const connack& c, action_list& out) {
  const protocol_version v = version();
  cancel(timer_kind::connack, out);
  out.push(connack_action{connack{.session_present = c.session_present,
                                  .reason_code = c.reason_code,
                                  .properties = out.copy(c.properties)}});
  if (failed(c.reason_code, packet_type::connack, v)) {
    const auto reason = c.properties.string(property_id::reason_string).value_or("");
    fail(session_error::connection_refused, c.reason_code,
         closing::refused{c.reason_code, out.copy(reason)}, std::nullopt, out);
    return;
  }
  state_ = session_state::connected;
  server_ = server_limits{};
  if (v == protocol_version::v5) {
    const property_list& props = c.properties;
    if (auto n = props.number(property_id::receive_maximum)) server_.receive_maximum = static_cast<std::uint16_t>(*n);
    if (auto n = props.number(property_id::topic_alias_maximum)) {
      server_.topic_alias_maximum = static_cast<std::uint16_t>(*n);
    }
    if (auto n = props.number(property_id::maximum_packet_size)) server_.maximum_packet_size = *n;
    if (auto n = props.number(property_id::maximum_qos)) server_.maximum_qos = static_cast<qos>(std::min<std::uint32_t>(*n, 2));
    if (auto n = props.number(property_id::retain_available)) server_.retain_available = *n != 0;
    if (auto n = props.number(property_id::wildcard_subscription_available)) {
      server_.wildcard_subscription_available = *n != 0;
    }
    if (auto n = props.number(property_id::subscription_identifier_available)) {
      server_.subscription_identifiers_available = *n != 0;
    }
    if (auto n = props.number(property_id::shared_subscription_available)) {
      server_.shared_subscription_available = *n != 0;
    }
    if (auto n = props.number(property_id::server_keep_alive)) server_.server_keep_alive = static_cast<std::uint16_t>(*n);
    if (auto id = props.string(property_id::assigned_client_identifier)) assigned_client_id_ = *id;
  }
  keep_alive_ = std::chrono::seconds{server_.server_keep_alive.value_or(connect_.keep_alive)};
  outgoing_alias_limit_ = std::min(options_.outgoing_topic_alias_maximum, server_.topic_alias_maximum);

  if (c.session_present) {
    resend_inflight(out);
  } else {
    incoming_qos2_.clear();
    unacknowledged_qos2_.clear();
    drop_lost_session(out);
  }
  if (keep_alive_.count() != 0) arm(timer_kind::keepalive, last_send_ + keep_alive_, out);
  dispatch(out);
}

// The broker kept our session: everything it has not acknowledged goes again, in the order it
// first went, before any new traffic (MQTT 3.1.1 §4.4, 5.0 §4.4). The new Receive Maximum still
// bounds the PUBLISH resends (5.0 §4.9); those beyond it wait at the head of the queue, keeping
// their packet id and DUP flag. A PUBREL is always resent: its message holds a slot already.
void session::resend_inflight(action_list& out) {
  slot_ring kept;
  std::vector<std::uint32_t> deferred;
  for (std::size_t i = 0; i < inflight_.size(); ++i) {
    std::uint32_t slot = inflight_[i];
    outgoing& s = slots_[slot];
    if (s.kind != operation_kind::publish) continue;  // failed when the connection was lost
    s.sent_at = now_;
    if (s.state == stage::awaiting_pubcomp) {
      send_packet(pubrel{.packet_id = s.packet_id}, out);
      kept.push_back(slot);
      continue;
    }
    s.bytes[0] |= dup_flag;
    if (kept.size() < window()) {
      send_raw(s.bytes, out);
      kept.push_back(slot);
    } else {
      s.state = stage::queued;
      deferred.push_back(slot);
    }
  }
  inflight_ = std::move(kept);
  inflight_publishes_ = inflight_.size();
  for (std::size_t i = deferred.size(); i-- > 0;) queue_.push_front(deferred[i]);
  arm_ack_deadline(out);
}

void session::drop_lost_session(action_list& out) {
  const bool resend = options_.on_lost_session == lost_session_policy::resend_as_new;
  // Completions in original order first; then the survivors go to the front of the queue,
  // walked backwards so that they keep their order.
  for (std::size_t i = 0; i < inflight_.size(); ++i) {
    std::uint32_t slot = inflight_[i];
    outgoing& s = slots_[slot];
    ids_.release(s.packet_id);
    if (s.state == stage::awaiting_pubcomp) {
      // After PUBREC the broker owned the message; its PUBREL has nothing left to release.
      out.push(complete_action{.id = s.op, .kind = s.kind, .packet_id = s.packet_id});
      free_slot(slot);
    } else if (!resend) {
      out.push(complete_action{
          .id = s.op, .kind = s.kind, .error = session_error::session_lost, .packet_id = s.packet_id});
      free_slot(slot);
    }
  }
  for (std::size_t i = inflight_.size(); i-- > 0;) {
    std::uint32_t slot = inflight_[i];
    outgoing& s = slots_[slot];
    if (!resend || s.state == stage::queued) continue;  // freed above
    s.bytes[0] &= static_cast<std::uint8_t>(~dup_flag);
    s.packet_id = 0;
    s.state = stage::queued;
    queue_.push_front(slot);
  }
  inflight_.clear();
  inflight_publishes_ = 0;
  // Resends deferred by the window of an earlier resumed connection sit at the queue's head
  // with their old id: they belong to the lost session too.
  for (std::size_t i = 0; i < queue_.size();) {
    std::uint32_t slot = queue_[i];
    outgoing& s = slots_[slot];
    if (s.kind != operation_kind::publish || s.packet_id == 0) {
      ++i;
      continue;
    }
    ids_.release(s.packet_id);
    if (resend) {
      s.bytes[0] &= static_cast<std::uint8_t>(~dup_flag);
      s.packet_id = 0;
      ++i;
    } else {
      out.push(complete_action{
          .id = s.op, .kind = s.kind, .error = session_error::session_lost, .packet_id = s.packet_id});
      queue_.erase(i);
      free_slot(slot);
    }
  }
}

void session::on_publish(const proto::publish& p, action_list& out) {
  proto::publish m = p;
  if (version() == protocol_version::v5) {
    if (auto alias = p.properties.number(property_id::topic_alias)) {
      // 5.0 §3.3.2.3.4: an alias above the Topic Alias Maximum we announced (none announced:
      // 0) is a protocol error, not something to store. Alias 0 does not decode.
      if (*alias > incoming_alias_maximum_) {
        fail(session_error::topic_alias_invalid, reason_code{},
             closing::topic_alias_above_maximum{*alias, incoming_alias_maximum_},
             reason_code::topic_alias_invalid, out);
        return;
      }
      if (!p.topic.empty()) {
        if (incoming_aliases_.size() <= *alias) incoming_aliases_.resize(*alias + 1);
        std::string& kept = incoming_aliases_[*alias];
        const std::size_t total = incoming_alias_bytes_ - kept.size() + p.topic.size();
        if (total > options_.max_incoming_alias_bytes) {
          fail(session_error::topic_alias_invalid, reason_code{},
               closing::topic_aliases_too_large{total, options_.max_incoming_alias_bytes},
               reason_code::topic_alias_invalid, out);
          return;
        }
        incoming_alias_bytes_ = total;
        kept = std::string(p.topic);  // not assign(): a long topic's buffer is not kept for a short one
      } else if (*alias < incoming_aliases_.size() && !incoming_aliases_[*alias].empty()) {
        m.topic = incoming_aliases_[*alias];
      } else {
        fail(session_error::topic_alias_invalid, reason_code{}, closing::topic_alias_unknown{*alias},
             reason_code::topic_alias_invalid, out);
        return;
      }
    }
  }
  if (m.topic.empty()) {
    fail(session_error::protocol_error, reason_code{}, closing::publish_without_topic{}, reason_code::protocol_error, out);
    return;
  }
  auto deliver = [&] {
    proto::publish d = m;
    d.topic = out.copy(m.topic);
    // A payload the decoder assembled across reads lives in the decoder's own buffer: a large
    // one is handed to the action list as it is, so that a 256 MB message is held once, not
    // twice. A small one, or one viewing the caller's input, is copied into the arena.
    if (m.payload.size() >= adopt_payload_from && decoder_.assembled(m.payload.data())) {
      out.adopt(decoder_.take_assembled());
    } else {
      d.payload = out.copy(m.payload);
    }
    d.properties = out.copy(m.properties);
    out.push(deliver_action{d});
  };
  switch (m.qos) {
    case qos::at_most_once:
      deliver();
      return;
    case qos::at_least_once:
      deliver();
      if (options_.manual_acknowledgement) {
        unacknowledged_qos1_.reserve(m.packet_id);
      } else {
        send_packet(puback{.packet_id = m.packet_id}, out);
      }
      return;
    case qos::exactly_once:
      // Delivered once, on the first PUBLISH; a resend before PUBREL only gets its PUBREC again.
      if (!incoming_qos2_.in_use(m.packet_id)) {
        if (incoming_qos2_.used() >= incoming_receive_maximum_) {
          fail(session_error::receive_maximum_exceeded, reason_code{}, closing::receive_maximum_exceeded{incoming_receive_maximum_},
               reason_code::receive_maximum_exceeded, out);
          return;
        }
        incoming_qos2_.reserve(m.packet_id);
        deliver();
        if (options_.manual_acknowledgement) {
          unacknowledged_qos2_.reserve(m.packet_id);
          return;
        }
      }
      // A resend of a message the caller has not acknowledged yet waits for it too.
      if (unacknowledged_qos2_.in_use(m.packet_id)) return;
      send_packet(pubrec{.packet_id = m.packet_id}, out);
      return;
  }
}

void session::acknowledge(proto::qos q, std::uint16_t packet_id, session_time now, action_list& out) {
  now_ = now;
  if (state_ != session_state::connected) return;
  if (q == qos::at_least_once && unacknowledged_qos1_.in_use(packet_id)) {
    unacknowledged_qos1_.release(packet_id);
    send_packet(puback{.packet_id = packet_id}, out);
  } else if (q == qos::exactly_once && unacknowledged_qos2_.in_use(packet_id)) {
    unacknowledged_qos2_.release(packet_id);
    send_packet(pubrec{.packet_id = packet_id}, out);
  }
}

void session::on_puback(const puback& r, action_list& out) {
  auto i = find_inflight(r.packet_id);
  // An ack for an id we do not hold is most likely a duplicate after a resend: ignore it.
  if (!i) return;
  if (slots_[inflight_[*i]].state != stage::awaiting_puback) return wrong_ack(*i, packet_type::puback, out);
  bool bad = failed(r.reason_code, packet_type::puback, version());
  finish(*i, bad ? make_error_code(session_error::rejected) : boost::system::error_code{}, r.reason_code, {},
         r.properties, out);
  dispatch(out);
}

void session::on_pubrec(const pubrec& r, action_list& out) {
  auto i = find_inflight(r.packet_id);
  if (!i) {
    // 5.0 §4.3.3: answer so the broker can drop its state.
    send_packet(pubrel{.packet_id = r.packet_id,
                       .reason_code = version() == protocol_version::v5 ? reason_code::packet_identifier_not_found
                                                                        : reason_code::success},
                out);
    return;
  }
  outgoing& s = slots_[inflight_[*i]];
  if (s.state == stage::awaiting_pubrec && failed(r.reason_code, packet_type::pubrec, version())) {
    finish(*i, session_error::rejected, r.reason_code, {}, r.properties, out);
    dispatch(out);
    return;
  }
  if (s.state != stage::awaiting_pubrec && s.state != stage::awaiting_pubcomp) {
    return wrong_ack(*i, packet_type::pubrec, out);
  }
  // A repeated PUBREC (awaiting_pubcomp) gets its PUBREL again.
  if (s.state == stage::awaiting_pubrec) s.sent_at = now_;
  s.state = stage::awaiting_pubcomp;
  send_packet(pubrel{.packet_id = r.packet_id}, out);
}

void session::on_pubrel(const pubrel& r, action_list& out) {
  reason_code code = reason_code::success;
  if (incoming_qos2_.in_use(r.packet_id)) {
    incoming_qos2_.release(r.packet_id);
  } else if (version() == protocol_version::v5) {
    code = reason_code::packet_identifier_not_found;
  }
  send_packet(pubcomp{.packet_id = r.packet_id, .reason_code = code}, out);
}

void session::on_pubcomp(const pubcomp& r, action_list& out) {
  auto i = find_inflight(r.packet_id);
  if (!i) return;
  if (slots_[inflight_[*i]].state != stage::awaiting_pubcomp) return wrong_ack(*i, packet_type::pubcomp, out);
  bool bad = failed(r.reason_code, packet_type::pubcomp, version());
  finish(*i, bad ? make_error_code(session_error::rejected) : boost::system::error_code{}, r.reason_code, {},
         r.properties, out);
  dispatch(out);
}

void session::on_suback(std::uint16_t id, operation_kind kind, list_view<reason_code> codes,
                        property_list props, action_list& out) {
  auto i = find_inflight(id);
  if (!i) return;
  const packet_type type = kind == operation_kind::subscribe ? packet_type::suback : packet_type::unsuback;
  if (slots_[inflight_[*i]].kind != kind) return wrong_ack(*i, type, out);
  std::optional<reason_code> first_failure;
  for (reason_code code : codes) {
    if (!first_failure && failed(code, type, version())) first_failure = code;
  }
  auto copied = out.copy(codes.span());
  finish(*i, first_failure ? make_error_code(session_error::rejected) : boost::system::error_code{},
         first_failure.value_or(reason_code{}), list_view<reason_code>(copied), props, out);
  dispatch(out);
}

void session::on_server_disconnect(const proto::disconnect& d, action_list& out) {
  out.push(server_disconnect_action{
      proto::disconnect{.reason_code = d.reason_code, .properties = out.copy(d.properties)}});
  const auto reason = d.properties.string(property_id::reason_string).value_or("");
  fail(session_error::server_disconnected, d.reason_code,
       closing::server_disconnect{d.reason_code, out.copy(reason)}, std::nullopt, out);
}

// ---------------------------------------------------------------------------------------------
// Closing

void session::fail(session_error e, reason_code code, close_cause cause,
                   std::optional<reason_code> disconnect_code, action_list& out) {
  if (disconnect_code && version() == protocol_version::v5) {
    send_packet(proto::disconnect{.reason_code = *disconnect_code}, out);
  }
  cancel_timers(out);
  out.push(close_action{.error = e,
                        .reason_code = disconnect_code.value_or(code),
                        .cause = cause});
  lose_connection(e, out);
}

void session::lose_connection(boost::system::error_code error, action_list& out) {
  state_ = session_state::down;
  // A QoS 1 message not acknowledged comes again if the session is resumed, and is delivered
  // again then (at least once); an unacknowledged QoS 2 one stays reserved, so that its resend
  // is not delivered twice and the caller's late acknowledgement still answers it.
  unacknowledged_qos1_.clear();
  ping_outstanding_ = false;
  cancel_timers(out);
  decoder_.reset();
  // The broker forgets an unacknowledged SUBSCRIBE or UNSUBSCRIBE with the connection; only
  // PUBLISH and PUBREL are resent on a resumed session.
  for (std::size_t i = 0; i < inflight_.size();) {
    std::uint32_t slot = inflight_[i];
    outgoing& s = slots_[slot];
    if (s.kind == operation_kind::publish) {
      ++i;
      continue;
    }
    inflight_.erase(i);
    ids_.release(s.packet_id);
    complete(s.op, s.kind, error, out);
    free_slot(slot);
  }
}

}  // namespace mqtk::proto
