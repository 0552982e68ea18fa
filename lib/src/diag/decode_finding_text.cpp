#include "mqtk/diag/decode_finding_text.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <initializer_list>

#include "mqtk/proto/reason_code.hpp"

namespace mqtk::diag {
namespace {

template <class Case>
constexpr finding_text_entry entry(Case which, std::string_view text) {
  return {static_cast<std::uint8_t>(which), text};
}

// The tables, one per finding kind, each in the order of its case enum. A {name} is a place
// for a fact; a kind with one sentence has one entry (case 0).

constexpr std::array malformed_packet_texts{
    entry(0, "malformed packet {direction}: {error} ({error_name}) at stream offset {offset}"),
};
constexpr std::array protocol_violation_texts{
    entry(0, "{type} {direction} breaks a rule but was read: {error} ({error_name}) at packet offset {offset}"),
};
constexpr std::array large_packet_texts{
    entry(0, "{type} of {bytes} bytes {direction} spread over {frames} frames ({first} to {last})"),
};
constexpr std::array subscription_refused_texts{
    entry(0, "SUBACK id {packet_id} refused filter #{filter}: {reason} ({code})"),
};
constexpr std::array no_ping_response_texts{
    entry(no_ping_response_case::next_pingreq,
          "No PING_RESP: PINGREQ at frame {frame} got no PINGRESP before the next PINGREQ"),
    entry(no_ping_response_case::connection_ended,
          "No PING_RESP: PINGREQ at frame {frame} got no PINGRESP before the connection ended ({waited} later)"),
};
constexpr std::array packet_id_reused_texts{
    entry(0, "packet id {packet_id} reused {direction} while its QoS {qos} PUBLISH from frame {frame} was "
             "still in flight ({missing})"),
};
constexpr std::array incomplete_flow_texts{
    entry(0, "QoS {qos} PUBLISH id {packet_id} {direction} (frame {frame}) incomplete: {missing} before the "
             "connection ended"),
};
constexpr std::array capture_gap_texts{
    entry(0, "{bytes} bytes {direction} missing from the capture before frame {frame}; decoding resumed at "
             "the next plausible packet"),
};
constexpr std::array tls_not_decodable_texts{
    entry(0, "the connection is TLS: its MQTT cannot be decoded from the capture"),
    entry(1, "the connection is TLS ({detail}): its MQTT cannot be decoded from the capture"),
};
constexpr std::array truncated_at_close_texts{
    entry(0, "{bytes} bytes of an incomplete packet {direction} when the connection ended"),
};
constexpr std::array transport_anomaly_texts{
    entry(anomaly_case::once, "{what} ({direction})"),
    entry(anomaly_case::repeated, "{what} ({direction}, {times} times)"),
};
constexpr std::array keepalive_texts{
    entry(keepalive_case::broker_enforced,
          "keepalive timeout: the client sent nothing for {silence} with {keepalive}; the broker closed the "
          "connection after {silence} of silence (its real grace; MQTT allows 1.5 × keepalive = {grace})"),
    entry(keepalive_case::capture_ended,
          "keepalive violated: the client sent nothing for {silence} with {keepalive}, more than 1.5 × "
          "keepalive = {grace}; the broker had not closed the connection when the capture ended"),
    entry(keepalive_case::not_enforced,
          "keepalive violated: the client sent nothing for {silence} with {keepalive}, more than 1.5 × "
          "keepalive = {grace}; the broker did not enforce it (its real grace was at least {silence}): the "
          "{closer} closed the connection ({how}) at frame {frame}"),
    entry(keepalive_case::silence_ended,
          "keepalive violated: the client sent nothing for {silence} with {keepalive}, more than 1.5 × "
          "keepalive = {grace}; the silence ended at frame {frame} and the broker did not close the "
          "connection"),
};
// The {keepalive} of keepalive_texts: whose value it was.
constexpr std::array keepalive_value_texts{
    entry(0, "keepalive {seconds} s"),
    entry(1, "keepalive {seconds} s (the broker's Server Keep Alive)"),
};
constexpr std::array no_connack_texts{
    entry(no_connack_case::answer_undecodable,
          "no CONNACK could be read, although the broker sent {packets} packet(s) ({malformed} malformed): its "
          "answer to {connect} is among them but undecodable"),
    entry(no_connack_case::broker_closed,
          "the broker closed the connection ({how}) without a CONNACK: it rejected {connect}"),
    entry(no_connack_case::client_closed,
          "the client closed the connection ({how}) before any CONNACK: either it gave up waiting or the broker "
          "never answered {connect}"),
    entry(no_connack_case::nothing_answered,
          "the connection ended without a CONNACK and nothing from the broker: {connect} was not answered"),
};
// The {connect} of no_connack_texts: what the client sent first.
constexpr std::array connect_texts{
    entry(0, "the client's first packet (malformed)"),
    entry(1, "the CONNECT"),
};
constexpr std::array queued_delivery_texts{
    entry(0, "{messages} message(s) delivered from the persistent session before any SUBSCRIBE (queued while "
             "the client was away)"),
};
constexpr std::array closed_without_disconnect_texts{
    entry(0, "the connection ended ({how} from the {closer}) without a DISCONNECT from the client"),
};
constexpr std::array topic_alias_texts{
    entry(topic_alias_case::zero, "topic alias 0 is not allowed"),
    entry(topic_alias_case::above_maximum,
          "topic alias {alias} is above the receiver's Topic Alias Maximum {maximum}"),
    entry(topic_alias_case::undefined, "topic alias {alias} used with an empty topic before it was defined"),
};
constexpr std::array packet_too_large_texts{
    entry(sender::client, "{type} of {bytes} bytes is larger than the broker's Maximum Packet Size {maximum}"),
    entry(sender::broker, "{type} of {bytes} bytes is larger than the client's Maximum Packet Size {maximum}"),
};
constexpr std::array will_published_texts{
    entry(will_published_case::as_it_ended,
          "the broker published this connection's will on \"{topic}\" to stream {stream} at frame {frame} as "
          "the connection ended"),
    entry(will_published_case::after_it_ended,
          "the broker published this connection's will on \"{topic}\" to stream {stream} at frame {frame} "
          "({after} after the connection ended)"),
};
constexpr std::array session_taken_over_texts{
    entry(takeover_case::by_stream,
          "session taken over: stream {stream} connected with the same client id \"{client_id}\" at frame "
          "{frame} and the broker closed this connection"),
    entry(takeover_case::by_stream_v5,
          "session taken over: stream {stream} connected with the same client id \"{client_id}\" at frame "
          "{frame} and the broker closed this connection (DISCONNECT 0x8E Session taken over)"),
    entry(takeover_case::by_unseen_v5,
          "session taken over: another connection with the same client id \"{client_id}\" took the session "
          "(DISCONNECT 0x8E Session taken over)"),
};
constexpr std::array direction_texts{
    entry(sender::client, "client→broker"),
    entry(sender::broker, "broker→client"),
};
constexpr std::array flow_step_texts{
    entry(0, "no PUBACK"),
    entry(1, "no PUBREC"),
    entry(2, "PUBREC received, no PUBREL"),
    entry(3, "PUBREL sent, no PUBCOMP"),
};

constexpr std::array tables{
    finding_text_table{"malformed_packet", malformed_packet_texts},
    finding_text_table{"protocol_violation", protocol_violation_texts},
    finding_text_table{"large_packet", large_packet_texts},
    finding_text_table{"subscription_refused", subscription_refused_texts},
    finding_text_table{"no_ping_response", no_ping_response_texts},
    finding_text_table{"packet_id_reused", packet_id_reused_texts},
    finding_text_table{"incomplete_flow", incomplete_flow_texts},
    finding_text_table{"capture_gap", capture_gap_texts},
    finding_text_table{"tls_not_decodable", tls_not_decodable_texts},
    finding_text_table{"truncated_at_close", truncated_at_close_texts},
    finding_text_table{"transport_anomaly", transport_anomaly_texts},
    finding_text_table{"keepalive_violated", keepalive_texts},
    finding_text_table{"keepalive_violated/keepalive", keepalive_value_texts},
    finding_text_table{"no_connack", no_connack_texts},
    finding_text_table{"no_connack/connect", connect_texts},
    finding_text_table{"queued_delivery", queued_delivery_texts},
    finding_text_table{"closed_without_disconnect", closed_without_disconnect_texts},
    finding_text_table{"topic_alias_error", topic_alias_texts},
    finding_text_table{"packet_too_large", packet_too_large_texts},
    finding_text_table{"will_published", will_published_texts},
    finding_text_table{"session_taken_over", session_taken_over_texts},
    finding_text_table{"direction", direction_texts},
    finding_text_table{"incomplete_flow/step", flow_step_texts},
};

// Each table holds its cases in enum order, so a case is its index.
constexpr bool in_case_order(std::span<const finding_text_entry> entries) {
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].which != i) return false;
  return true;
}
static_assert(std::all_of(tables.begin(), tables.end(),
                          [](const finding_text_table& t) { return in_case_order(t.entries); }));

template <class Case, std::size_t N>
std::string_view text_of(const std::array<finding_text_entry, N>& table, Case which) noexcept {
  return table[static_cast<std::size_t>(which)].text;
}

struct place {
  std::string_view name;
  std::string value;
};

// The sentence with each {name} replaced by its fact. A place without a fact stays as it is,
// which the tests of every entry would show.
std::string fill(std::string_view text, std::initializer_list<place> places) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find('{', at);
    const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      out.append(text.substr(at));
      break;
    }
    out.append(text.substr(at, open - at));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto* p = std::find_if(places.begin(), places.end(), [&](const place& q) { return q.name == name; });
    if (p == places.end()) {
      out.append(text.substr(open, close - open + 1));
    } else {
      out += p->value;
    }
    at = close + 1;
  }
  return out;
}

std::string number(std::uint64_t n) { return std::to_string(n); }

}  // namespace

std::span<const finding_text_table> all_decode_finding_texts() noexcept { return tables; }

std::string_view direction_text(sender from) noexcept { return text_of(direction_texts, from); }

std::string seconds_text(std::int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(ns) / 1e9);
  return buf;
}

std::string malformed_packet_text(sender from, const proto::decode_failure& failure) {
  return fill(text_of(malformed_packet_texts, 0), {{"direction", std::string(direction_text(from))},
                                                   {"error", failure.message()},
                                                   {"error_name", std::string(proto::decode_error_name(failure.error))},
                                                   {"offset", number(failure.offset)}});
}

std::string protocol_violation_text(proto::packet_type type, sender from, proto::decode_error rule,
                                    std::size_t packet_offset) {
  return fill(text_of(protocol_violation_texts, 0),
              {{"type", std::string(proto::packet_type_name(type))},
               {"direction", std::string(direction_text(from))},
               {"error", proto::make_error_code(rule).message()},
               {"error_name", std::string(proto::decode_error_name(rule))},
               {"offset", number(packet_offset)}});
}

std::string large_packet_text(const large_packet_facts& f) {
  return fill(text_of(large_packet_texts, 0), {{"type", std::string(proto::packet_type_name(f.type))},
                                               {"bytes", number(f.bytes)},
                                               {"direction", std::string(direction_text(f.from))},
                                               {"frames", number(f.frames)},
                                               {"first", number(f.first_frame)},
                                               {"last", number(f.last_frame)}});
}

std::string subscription_refused_text(std::uint16_t packet_id, std::size_t filter_number, proto::reason_code code,
                                      proto::protocol_version version) {
  return fill(text_of(subscription_refused_texts, 0),
              {{"packet_id", number(packet_id)},
               {"filter", number(filter_number)},
               {"reason", std::string(code.name(proto::packet_type::suback, version))},
               {"code", code.hex(proto::hex_case::upper)}});
}

std::string no_ping_response_text(no_ping_response_case which, std::uint64_t pingreq_frame, std::int64_t waited_ns) {
  return fill(text_of(no_ping_response_texts, which), {{"frame", number(pingreq_frame)}, {"waited", seconds_text(waited_ns)}});
}

std::string_view flow_step_text(std::uint8_t qos, std::uint8_t step) noexcept {
  if (qos == 1) return text_of(flow_step_texts, 0);
  return text_of(flow_step_texts, std::min<std::uint8_t>(step, 2) + 1);
}

std::string packet_id_reused_text(const packet_id_reused_facts& f) {
  return fill(text_of(packet_id_reused_texts, 0), {{"packet_id", number(f.packet_id)},
                                                   {"direction", std::string(direction_text(f.from))},
                                                   {"qos", number(f.qos)},
                                                   {"frame", number(f.first_frame)},
                                                   {"missing", std::string(f.missing)}});
}

std::string incomplete_flow_text(const incomplete_flow_facts& f) {
  return fill(text_of(incomplete_flow_texts, 0), {{"qos", number(f.qos)},
                                                  {"packet_id", number(f.packet_id)},
                                                  {"direction", std::string(direction_text(f.from))},
                                                  {"frame", number(f.frame)},
                                                  {"missing", std::string(f.missing)}});
}

std::string capture_gap_text(std::uint64_t missing, sender from, std::uint64_t frame) {
  return fill(text_of(capture_gap_texts, 0),
              {{"bytes", number(missing)}, {"direction", std::string(direction_text(from))}, {"frame", number(frame)}});
}

std::string tls_not_decodable_text(std::string_view detail) {
  return fill(text_of(tls_not_decodable_texts, detail.empty() ? 0 : 1), {{"detail", std::string(detail)}});
}

std::string truncated_at_close_text(std::size_t buffered, sender from) {
  return fill(text_of(truncated_at_close_texts, 0),
              {{"bytes", number(buffered)}, {"direction", std::string(direction_text(from))}});
}

std::string transport_anomaly_text(sender from, std::string_view what, std::uint64_t times) {
  return fill(text_of(transport_anomaly_texts, times > 1 ? anomaly_case::repeated : anomaly_case::once),
              {{"what", std::string(what)}, {"direction", std::string(direction_text(from))}, {"times", number(times)}});
}

std::string keepalive_text(keepalive_case which, const keepalive_facts& f) {
  const std::string keepalive =
      fill(text_of(keepalive_value_texts, f.server_keep_alive ? 1 : 0), {{"seconds", number(f.keepalive_s)}});
  return fill(text_of(keepalive_texts, which), {{"silence", seconds_text(f.silence_ns)},
                                                {"keepalive", keepalive},
                                                {"grace", seconds_text(f.grace_ns)},
                                                {"closer", std::string(f.closer)},
                                                {"how", std::string(f.how)},
                                                {"frame", number(f.frame)}});
}

std::string no_connack_text(no_connack_case which, const no_connack_facts& f) {
  return fill(text_of(no_connack_texts, which), {{"packets", number(f.broker_packets)},
                                                 {"malformed", number(f.broker_malformed)},
                                                 {"connect", std::string(text_of(connect_texts, f.connect_read ? 1 : 0))},
                                                 {"how", std::string(f.how)}});
}

std::string queued_delivery_text(std::uint64_t messages) {
  return fill(text_of(queued_delivery_texts, 0), {{"messages", number(messages)}});
}

std::string closed_without_disconnect_text(std::string_view how, std::string_view closer) {
  return fill(text_of(closed_without_disconnect_texts, 0), {{"how", std::string(how)}, {"closer", std::string(closer)}});
}

std::string topic_alias_text(topic_alias_case which, std::uint16_t alias, std::uint16_t maximum) {
  return fill(text_of(topic_alias_texts, which), {{"alias", number(alias)}, {"maximum", number(maximum)}});
}

std::string packet_too_large_text(proto::packet_type type, std::size_t bytes, sender from, std::uint32_t maximum) {
  return fill(text_of(packet_too_large_texts, from), {{"type", std::string(proto::packet_type_name(type))},
                                                      {"bytes", number(bytes)},
                                                      {"maximum", number(maximum)}});
}

std::string will_published_text(will_published_case which, const will_published_facts& f) {
  return fill(text_of(will_published_texts, which), {{"topic", std::string(f.topic)},
                                                     {"stream", number(f.stream)},
                                                     {"frame", number(f.frame)},
                                                     {"after", seconds_text(f.after_ns)}});
}

std::string session_taken_over_text(takeover_case which, const takeover_facts& f) {
  return fill(text_of(session_taken_over_texts, which),
              {{"client_id", std::string(f.client_id)}, {"stream", number(f.stream)}, {"frame", number(f.frame)}});
}

}  // namespace mqtk::diag
