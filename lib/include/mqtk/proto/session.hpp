#pragma once
// The MQTT client session as a sans-I/O state machine (3.1, 3.1.1 and 5.0).
//
// Inputs are the caller's requests, bytes received, timer expiries and transport up/down, each
// with the current time; outputs are actions appended to an action_list (send, arm/cancel a
// timer, deliver, complete, close, and CONNACK/DISCONNECT/AUTH events). The driver performs the
// actions in order. Nothing here reads a clock, sleeps, or touches a socket.
//
// The session owns: CONNECT/CONNACK, keep alive, outgoing QoS 1/2 with a packet-id pool and an
// in-flight window (Receive Maximum), incoming QoS 1/2 with exactly-once delivery, SUBSCRIBE and
// UNSUBSCRIBE, topic aliases both ways, Maximum Packet Size both ways, and resending in-flight
// messages after a reconnect that finds the session present.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mqtk/proto/connect_config.hpp"
#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/packet.hpp"
#include "mqtk/proto/session_action.hpp"
#include "mqtk/proto/session_action_list.hpp"
#include "mqtk/proto/session_error.hpp"
#include "mqtk/proto/session_options.hpp"
#include "mqtk/proto/session_packet_id_pool.hpp"
#include "mqtk/proto/session_slot_ring.hpp"

namespace mqtk::proto {

enum class session_state : std::uint8_t {
  down,        // no transport
  up,          // transport up, CONNECT not sent (connect() not called yet)
  connecting,  // CONNECT sent, waiting for CONNACK
  connected,   // CONNACK accepted
};
std::string_view session_state_name(session_state s) noexcept;

// What the broker's CONNACK allows, with the 5.0 defaults for absent properties (and for 3.1.1).
struct server_limits {
  std::uint16_t receive_maximum = 65535;
  std::uint16_t topic_alias_maximum = 0;
  std::uint32_t maximum_packet_size = 268'435'460;
  proto::qos maximum_qos = qos::exactly_once;
  bool retain_available = true;
  bool wildcard_subscription_available = true;
  bool subscription_identifiers_available = true;
  bool shared_subscription_available = true;
  std::optional<std::uint16_t> server_keep_alive;

  friend bool operator==(const server_limits&, const server_limits&) = default;
};

class session {
 public:
  explicit session(session_options options = {});

  // Every input appends to `out` and never clears it: the caller clears the list once it has
  // carried out the actions and no longer needs their views.
  //
  // Requests. Views in the arguments are only read during the call (the session copies or
  // encodes what it keeps).

  // Sets what CONNECT says (sent again on every later reconnect) and sends it if the transport
  // is up and no CONNECT is outstanding. Call before publish/subscribe/unsubscribe: they are
  // encoded in this connect's protocol version (and re-encoded if a later connect() changes it,
  // e.g. falling back from 5.0 to 3.1.1 after "unsupported protocol version").
  // `c` is viewed, not copied: it must stay unchanged and alive until the next connect() or the
  // session's end (the client keeps it in its options), hence no temporaries.
  void connect(const connect_config& c, session_time now, action_list& out);
  void connect(const connect_config&& c, session_time now, action_list& out) = delete;
  // Sends or queues the message. packet_id and dup are chosen by the session. Completes at
  // once for QoS 0 (when written), on PUBACK for QoS 1 and on PUBCOMP (or a failed PUBREC)
  // for QoS 2, or with an error: invalid_request, packet_too_large, qos_not_supported,
  // retain_not_supported, rejected (with the reason code), session_lost, cancelled.
  operation_id publish(const proto::publish& message, session_time now, action_list& out);
  // Completes on SUBACK/UNSUBACK with the per-filter codes; error is `rejected` when any filter
  // failed (reason_code is the first failure). A transport loss before the ack completes with
  // the loss's error: the broker forgets unacknowledged subscribes with the connection.
  operation_id subscribe(const proto::subscribe& request, session_time now, action_list& out);
  operation_id unsubscribe(const proto::unsubscribe& request, session_time now, action_list& out);
  // Sends DISCONNECT and asks for the transport to close. In-flight messages are kept for a
  // later connect() that resumes the session; cancel_all() abandons them.
  void disconnect(const proto::disconnect& d, session_time now, action_list& out);
  // Answers an auth_action (5.0 enhanced authentication), or starts re-authentication.
  void auth(const proto::auth& a, session_time now, action_list& out);
  // Sends a PINGREQ now (mqtk-ping's round trips) unless one is outstanding, with the PINGRESP
  // deadline of the keep alive. Only when connected.
  void ping(session_time now, action_list& out);
  // With session_options::manual_acknowledgement: acknowledges the delivered QoS 1 or 2
  // message `packet_id` (PUBACK, or PUBREC and later PUBCOMP). Ignored when the message is
  // not awaiting an acknowledgement (QoS 0, already acknowledged, or delivered on a connection
  // since lost: a resumed session gets it again).
  void acknowledge(proto::qos q, std::uint16_t packet_id, session_time now, action_list& out);
  // Completes every queued and in-flight operation with `error`.
  void cancel_all(boost::system::error_code error, action_list& out);

  // Events from the driver.
  void transport_up(session_time now, action_list& out);
  void transport_down(session_time now, action_list& out);
  void received(std::span<const std::uint8_t> bytes, session_time now, action_list& out);
  // Expiries that are stale (cancelled or re-armed later) are ignored.
  void timer_expired(timer_kind kind, session_time now, action_list& out);

  session_state state() const noexcept { return state_; }
  protocol_version version() const noexcept { return connect_.version; }
  const server_limits& server() const noexcept { return server_; }
  // In force: the broker's Server Keep Alive when it sent one, else ours. 0 = none.
  std::chrono::seconds keep_alive() const noexcept { return keep_alive_; }
  // The broker-assigned identifier once a CONNACK carried one, else ours.
  std::string_view client_id() const noexcept;
  // Outgoing QoS 1/2 PUBLISH sent and not finished, and requests waiting to be sent.
  std::size_t inflight() const noexcept { return inflight_publishes_; }
  std::size_t queued() const noexcept { return queue_.size(); }
  // A PINGREQ was sent and its PINGRESP has not arrived.
  bool ping_outstanding() const noexcept { return ping_outstanding_; }
  // The broker's packet of which only the start has arrived, or the one refused as too large:
  // what the broker was doing when the connection ended or stalled. Read it before
  // transport_down(), which forgets it.
  std::optional<partial_packet> receiving() const noexcept { return decoder_.partial(); }
  // The same when a wait of `waited` ran out at `now`, with how long before it the last byte
  // came: a driver's own deadline (mqtk-sub's -W) names a broker that trickles or stalled.
  std::optional<packet_in_progress> receiving(session_time now, std::chrono::milliseconds waited) const noexcept;

 private:
  enum class stage : std::uint8_t {
    queued, awaiting_puback, awaiting_pubrec, awaiting_pubcomp, awaiting_suback, awaiting_unsuback
  };
  // A request the broker has not finished with. `bytes` is its encoding with the full topic
  // and no alias (what a resend after reconnect must carry); the packet id is patched in at
  // `id_offset` when one is assigned. Slots and their buffers are reused.
  struct outgoing {
    operation_id op = 0;
    operation_kind kind{};
    stage state = stage::queued;
    std::uint16_t packet_id = 0;
    std::uint32_t id_offset = 0;
    session_time sent_at{};  // when the packet now awaiting its acknowledgement went out
    std::vector<std::uint8_t> bytes;
  };
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  void reencode_requests(protocol_version from, protocol_version to);
  void send_connect(action_list& out);
  void send_packet(const packet& p, action_list& out);
  void send_raw(std::span<const std::uint8_t> bytes, action_list& out);
  void send_publish(const proto::publish& p, action_list& out);
  void transmit_stored_publish(outgoing& s, action_list& out);
  void arm(timer_kind k, session_time deadline, action_list& out);
  void cancel(timer_kind k, action_list& out);
  void cancel_timers(action_list& out);
  void send_pingreq(action_list& out);
  std::chrono::milliseconds pingresp_timeout() const noexcept;

  void store_request(operation_id op, operation_kind kind, const packet& p, std::size_t id_after_header,
                     action_list& out);
  std::uint32_t take_slot();
  void free_slot(std::uint32_t slot);
  void assign_id(outgoing& s, std::uint16_t id);
  void enqueue(std::uint32_t slot, action_list& out);
  void dispatch(action_list& out);
  std::optional<session_error> publish_limit_error(std::uint8_t first_byte, std::size_t size) const;
  std::size_t window() const noexcept;
  std::optional<std::size_t> find_inflight(std::uint16_t id) const noexcept;
  void arm_ack_deadline(action_list& out);
  void ack_deadline_expired(action_list& out);
  // The broker acknowledged in-flight request `inflight_index` with a packet of the wrong type.
  void wrong_ack(std::size_t inflight_index, packet_type got, action_list& out);
  void finish(std::size_t inflight_index, boost::system::error_code error, reason_code code,
              list_view<reason_code> codes, property_list props, action_list& out);
  void complete(operation_id id, operation_kind kind, boost::system::error_code error, action_list& out);

  void handle(const packet& p, action_list& out);
  void on_connack(const connack& c, action_list& out);
  void on_publish(const proto::publish& p, action_list& out);
  void on_puback(const puback& r, action_list& out);
  void on_pubrec(const pubrec& r, action_list& out);
  void on_pubrel(const pubrel& r, action_list& out);
  void on_pubcomp(const pubcomp& r, action_list& out);
  void on_suback(std::uint16_t id, operation_kind kind, list_view<reason_code> codes,
                 property_list props, action_list& out);
  void on_server_disconnect(const proto::disconnect& d, action_list& out);
  void resend_inflight(action_list& out);
  void drop_lost_session(action_list& out);

  // Sends DISCONNECT with `disconnect_code` (5.0, when given), emits close_action and forgets
  // the connection.
  void fail(session_error e, reason_code code, close_cause cause,
            std::optional<reason_code> disconnect_code, action_list& out);
  void lose_connection(boost::system::error_code error, action_list& out);

  session_options options_;

  // What CONNECT says: views into the caller's connect_config (see connect()).
  proto::connect connect_;
  std::string assigned_client_id_;
  bool has_connect_ = false;     // requests are encoded in its version
  bool connect_wanted_ = false;  // send CONNECT whenever the transport comes up

  session_state state_ = session_state::down;
  server_limits server_;
  std::chrono::seconds keep_alive_{0};
  session_time now_{};
  session_time last_send_{};
  session_time last_received_{};  // when the broker's last bytes arrived
  std::array<std::optional<session_time>, timer_kind_count> timers_{};
  bool ping_outstanding_ = false;

  // Incoming direction.
  stream_decoder decoder_;
  std::uint32_t decoder_max_packet_size_ = 0;  // what decoder_ enforces on this connection
  std::uint16_t incoming_receive_maximum_ = 65535;
  std::uint16_t incoming_alias_maximum_ = 0;   // what our CONNECT announced (absent = 0)
  std::vector<std::string> incoming_aliases_;  // index = alias
  std::size_t incoming_alias_bytes_ = 0;       // topic bytes they hold
  packet_id_pool incoming_qos2_;               // QoS 2 ids delivered, PUBREL not yet seen
  // manual_acknowledgement: delivered, not yet acknowledged by the caller.
  packet_id_pool unacknowledged_qos1_;
  packet_id_pool unacknowledged_qos2_;

  // Outgoing direction.
  std::vector<outgoing> slots_;
  std::vector<std::uint32_t> free_slots_;
  slot_ring queue_;     // waiting to be sent, in request order
  slot_ring inflight_;  // sent and not finished, in first-send order
  std::size_t inflight_publishes_ = 0;
  packet_id_pool ids_;
  operation_id next_op_ = 1;
  std::uint16_t outgoing_alias_limit_ = 0;
  std::unordered_map<std::string, std::uint16_t, string_hash, std::equal_to<>> outgoing_aliases_;

  decode_scratch scratch_;             // to re-read a stored PUBLISH when giving it an alias
  std::vector<property> alias_props_;  // its properties plus the alias
};

}  // namespace mqtk::proto
