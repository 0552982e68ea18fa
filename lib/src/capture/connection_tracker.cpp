#include "mqtk/capture/connection_tracker.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "mqtk/diag/refusal.hpp"
#include "mqtk/proto/reason_code.hpp"

namespace mqtk::capture {

namespace {

constexpr double to_ms(capture_time ns) noexcept { return static_cast<double>(ns) / 1e6; }

constexpr diag::sender sender_of(flow d) noexcept {
  return d == flow::client_to_server ? diag::sender::client : diag::sender::broker;
}

// A refusal (CONNACK) or a server DISCONNECT, explained by the table every tool shares.
finding refusal_finding(finding_kind kind, proto::reason_code code, proto::protocol_version v,
                        proto::packet_type where, std::uint64_t frame, capture_time ts) {
  const auto e = diag::explain_refusal(code, v, where);
  return {.kind = kind,
          .level = severity::error,
          .frame = frame,
          .ts = ts,
          .message = diag::refusal_line(code, v, where),
          .cause = std::string(e.cause),
          .fix = std::string(e.fix)};
}

}  // namespace

connection_tracker::connection_tracker(const stream_info& info, const tracker_options& options)
    : options_(options) {
  report_.stream = info.stream;
  report_.client = info.client;
  report_.server = info.server;
  report_.first_frame = info.first_frame;
  report_.first_ts = info.first_time;
  report_.last_frame = info.first_frame;
  report_.last_ts = info.first_time;
}

std::optional<proto::reason_code> connection_tracker::close_reason() const noexcept {
  return report_.close.reason_code;
}

void connection_tracker::add_finding(finding f) { report_.findings.push_back(std::move(f)); }

void connection_tracker::add_finding(const mqtt_packet_record& r, finding_kind kind, severity level,
                                     std::string message) {
  add_finding({.kind = kind, .level = level, .frame = r.frame, .ts = r.ts, .message = std::move(message)});
}

void connection_tracker::on_packet(const mqtt_packet_record& r) {
  report_.last_frame = r.frame;
  report_.last_ts = r.ts;
  const bool c2s = r.dir == flow::client_to_server;
  (c2s ? report_.c2s_bytes : report_.s2c_bytes) += r.len;
  auto& counts = c2s ? report_.c2s_packets : report_.s2c_packets;
  if (!r.packet) {
    ++counts[0];
    add_finding(r, finding_kind::malformed_packet, severity::error,
                diag::malformed_packet_text(sender_of(r.dir), *r.malformed));
    return;
  }
  const auto type = proto::type_of(*r.packet);
  ++counts[static_cast<std::size_t>(type)];
  for (const auto& v : r.violations) {
    add_finding(r, finding_kind::protocol_violation, severity::warning,
                diag::protocol_violation_text(type, sender_of(r.dir), v.error, v.offset));
  }

  if (c2s) {
    if (have_c2s_ && report_.connect_seen) {
      const capture_time idle = r.ts - last_c2s_;
      if (idle > max_idle_) {
        max_idle_ = idle;
        max_idle_frame_ = r.frame;
        max_idle_from_ = last_c2s_;
      }
    }
    last_c2s_ = r.ts;
    have_c2s_ = true;
  }
  if (r.frames.size() >= options_.large_packet_frames) {
    add_finding(r, finding_kind::large_packet, severity::info,
                diag::large_packet_text({.type = type,
                                         .bytes = r.len,
                                         .from = sender_of(r.dir),
                                         .frames = r.frames.size(),
                                         .first_frame = r.frames.front(),
                                         .last_frame = r.frames.back()}));
  }

  const auto& p = *r.packet;
  switch (type) {
    case proto::packet_type::connect:
      if (c2s) on_connect(std::get<proto::connect>(p));
      break;
    case proto::packet_type::connack:
      on_connack(r, std::get<proto::connack>(p));
      break;
    case proto::packet_type::publish:
      on_publish(r, std::get<proto::publish>(p));
      break;
    case proto::packet_type::puback:
      on_ack(r, type, std::get<proto::puback>(p).packet_id);
      break;
    case proto::packet_type::pubrec:
      on_ack(r, type, std::get<proto::pubrec>(p).packet_id);
      break;
    case proto::packet_type::pubrel:
      on_ack(r, type, std::get<proto::pubrel>(p).packet_id);
      break;
    case proto::packet_type::pubcomp:
      on_ack(r, type, std::get<proto::pubcomp>(p).packet_id);
      break;
    case proto::packet_type::subscribe:
      if (c2s) subscribed_ = true;
      break;
    case proto::packet_type::suback: {
      const auto& s = std::get<proto::suback>(p);
      const auto v = r.version.value_or(proto::protocol_version::v311);
      for (std::size_t i = 0; i < s.reason_codes.size(); ++i) {
        const proto::reason_code code = s.reason_codes[i];
        if (!code.is_failure(proto::packet_type::suback, v)) continue;
        add_finding(r, finding_kind::subscription_refused, severity::warning,
                    diag::subscription_refused_text(s.packet_id, i + 1, code, v));
      }
      break;
    }
    case proto::packet_type::pingreq:
      if (c2s) {
        if (ping_) {
          add_finding({.kind = finding_kind::no_ping_response,
                       .level = severity::warning,
                       .frame = ping_->first,
                       .ts = ping_->second,
                       .message = diag::no_ping_response_text(diag::no_ping_response_case::next_pingreq, ping_->first)});
        }
        ping_ = {r.frame, r.ts};
      }
      break;
    case proto::packet_type::pingresp:
      if (!c2s && ping_) {
        report_.ping_rtt.add(to_ms(r.ts - ping_->second));
        ping_.reset();
      }
      break;
    case proto::packet_type::disconnect: {
      const auto& d = std::get<proto::disconnect>(p);
      const auto v = r.version.value_or(proto::protocol_version::v311);
      if (report_.close.how == close_how::open) {
        report_.close.by = c2s ? closer::client : closer::broker;
        report_.close.how = close_how::disconnect;
        report_.close.frame = r.frame;
        report_.close.ts = r.ts;
        if (v == proto::protocol_version::v5) {
          report_.close.reason_code = d.reason_code;
          report_.close.reason =
              std::string(d.reason_code.name(proto::packet_type::disconnect, v));
        }
      }
      if (c2s) {
        client_disconnect_ = true;
      } else {
        server_disconnect_ = true;
        // Session taken over becomes session_taken_over, which names the new connection.
        const proto::reason_code code = d.reason_code;
        if (code.is_failure(proto::packet_type::disconnect, v) && code != proto::reason_code::session_taken_over) {
          add_finding(refusal_finding(finding_kind::server_disconnect, code, v, proto::packet_type::disconnect,
                                      r.frame, r.ts));
        }
      }
      break;
    }
    default:
      break;
  }
}

void connection_tracker::on_connect(const proto::connect& c) {
  report_.connect_seen = true;
  report_.client_id.assign(c.client_id);
  report_.version = c.version;
  report_.keepalive = c.keep_alive;
  report_.clean_start = c.clean_start;
  if (c.username) report_.username = std::string(*c.username);
  if (c.will) {
    will_ = std::make_pair(std::string(c.will->topic), std::string(c.will->payload));
    report_.will_topic = std::string(c.will->topic);
    will_delay_s_ = c.will->properties.number(proto::property_id::will_delay_interval).value_or(0);
  }
}

void connection_tracker::on_connack(const mqtt_packet_record& r, const proto::connack& c) {
  if (r.dir != flow::server_to_client) return;
  const auto v = report_.version.value_or(r.version.value_or(proto::protocol_version::v311));
  connack_result res;
  res.code = c.reason_code;
  res.name = std::string(c.reason_code.name(proto::packet_type::connack, v));
  res.session_present = c.session_present;
  res.refused = c.reason_code.is_failure(proto::packet_type::connack, v);
  res.frame = r.frame;
  res.ts = r.ts;
  server_keepalive_ = static_cast<std::uint16_t>(
      c.properties.number(proto::property_id::server_keep_alive).value_or(0));
  if (res.refused) {
    auto f = refusal_finding(finding_kind::connection_refused, c.reason_code, v,
                             proto::packet_type::connack, r.frame, r.ts);
    res.explanation = f.message;
    add_finding(std::move(f));
  }
  report_.connack = std::move(res);
}

void connection_tracker::on_publish(const mqtt_packet_record& r, const proto::publish& p) {
  if (r.dir == flow::server_to_client && report_.connack && report_.connack->session_present &&
      !subscribed_) {
    if (queued_ == 0) queued_frame_ = r.frame;
    ++queued_;
  }
  if (p.qos == proto::qos::at_most_once) return;
  const auto key = flow_key(r.dir, p.packet_id);
  auto [it, inserted] = inflight_.try_emplace(key);
  if (!inserted && !p.dup) {
    add_finding(r, finding_kind::packet_id_reused, severity::error,
                diag::packet_id_reused_text({.packet_id = p.packet_id,
                                             .from = sender_of(r.dir),
                                             .qos = it->second.qos,
                                             .first_frame = it->second.frame,
                                             .missing = diag::flow_step_text(it->second.qos, it->second.step)}));
  }
  if (!inserted && p.dup) return;  // a retransmission keeps the original flow's timing
  it->second = inflight{.qos = static_cast<std::uint8_t>(p.qos), .step = 0, .frame = r.frame, .ts = r.ts};
}

void connection_tracker::on_ack(const mqtt_packet_record& r, proto::packet_type type,
                                std::uint16_t id) {
  // PUBREL travels with the PUBLISH; the others travel against it.
  const bool with_publish = type == proto::packet_type::pubrel;
  const flow sender = with_publish ? r.dir
                                   : (r.dir == flow::client_to_server ? flow::server_to_client
                                                                      : flow::client_to_server);
  auto it = inflight_.find(flow_key(sender, id));
  if (it == inflight_.end()) return;
  auto& f = it->second;
  switch (type) {
    case proto::packet_type::puback:
      if (f.qos == 1) {
        report_.qos1_rtt.add(to_ms(r.ts - f.ts));
        inflight_.erase(it);
      }
      break;
    case proto::packet_type::pubrec:
      if (f.qos == 2 && f.step == 0) f.step = 1;
      break;
    case proto::packet_type::pubrel:
      if (f.qos == 2) f.step = 2;
      break;
    case proto::packet_type::pubcomp:
      if (f.qos == 2) {
        report_.qos2_rtt.add(to_ms(r.ts - f.ts));
        inflight_.erase(it);
      }
      break;
    default:
      break;
  }
}

void connection_tracker::on_gap(flow dir, std::uint64_t missing, std::uint64_t frame,
                                capture_time ts) {
  add_finding({.kind = finding_kind::capture_gap,
               .level = severity::warning,
               .frame = frame,
               .ts = ts,
               .message = diag::capture_gap_text(missing, sender_of(dir), frame)});
}

void connection_tracker::on_carriage(carriage how, const std::string& detail, std::uint64_t frame,
                                     capture_time ts) {
  report_.carried = how;
  if (how == carriage::tls) {
    add_finding({.kind = finding_kind::tls_not_decodable,
                 .level = severity::warning,
                 .frame = frame,
                 .ts = ts,
                 .message = diag::tls_not_decodable_text(detail)});
  }
}

void connection_tracker::on_truncated(flow dir, std::size_t buffered, std::uint64_t frame,
                                      capture_time ts) {
  add_finding({.kind = finding_kind::truncated_at_close,
               .level = severity::warning,
               .frame = frame,
               .ts = ts,
               .message = diag::truncated_at_close_text(buffered, sender_of(dir))});
}

void connection_tracker::on_anomaly(flow dir, const std::string& what, std::uint64_t frame, capture_time ts) {
  for (auto& a : anomalies_) {
    if (a.dir == dir && a.what == what) {
      ++a.times;
      report_.findings[a.finding].message = diag::transport_anomaly_text(sender_of(dir), what, a.times);
      return;
    }
  }
  anomalies_.push_back({.dir = dir, .what = what, .times = 1, .finding = report_.findings.size()});
  add_finding({.kind = finding_kind::transport_anomaly,
               .level = severity::warning,
               .frame = frame,
               .ts = ts,
               .message = diag::transport_anomaly_text(sender_of(dir), what, 1)});
}

void connection_tracker::on_topic_alias_problem(const mqtt_packet_record& r, diag::topic_alias_case problem,
                                                std::uint16_t alias, std::uint16_t maximum) {
  add_finding(r, finding_kind::topic_alias_error, severity::error, diag::topic_alias_text(problem, alias, maximum));
}

void connection_tracker::on_packet_too_large(const mqtt_packet_record& r, std::uint32_t maximum) {
  add_finding(r, finding_kind::packet_too_large, severity::error,
              diag::packet_too_large_text(proto::type_of(*r.packet), r.len, sender_of(r.dir), maximum));
}

void connection_tracker::on_will_seen(std::uint64_t stream, std::uint64_t frame, capture_time ts) {
  will_seen_ = other_stream_event{.stream = stream, .frame = frame, .ts = ts};
}

void connection_tracker::on_close(flow dir, close_kind how, std::uint64_t frame, capture_time ts) {
  if (closed_) return;
  const bool first = !fin_[0] && !fin_[1];
  if (report_.close.how == close_how::open || (first && report_.close.how != close_how::disconnect)) {
    report_.close.by = how == close_kind::capture_end
                           ? closer::unknown
                           : (dir == flow::client_to_server ? closer::client : closer::broker);
    report_.close.how = how == close_kind::fin   ? close_how::fin
                        : how == close_kind::rst ? close_how::rst
                                                 : close_how::capture_end;
    report_.close.frame = frame;
    report_.close.ts = ts;
  }
  fin_[dir == flow::client_to_server ? 0 : 1] = true;
  if (frame > report_.last_frame) {
    report_.last_frame = frame;
    report_.last_ts = ts;
  }
  if (how != close_kind::fin || (fin_[0] && fin_[1])) closed_ = true;
}

void connection_tracker::keepalive_findings(capture_time end_ts, std::uint64_t end_frame) {
  if (!report_.connect_seen || !report_.keepalive || *report_.keepalive == 0 || !have_c2s_) return;
  if (report_.connack && report_.connack->refused) return;
  const std::uint16_t ka = server_keepalive_ ? server_keepalive_ : *report_.keepalive;
  const capture_time ka_ns = static_cast<capture_time>(ka) * 1'000'000'000;
  const capture_time grace_ns = ka_ns * 3 / 2;
  // The silence from the client's last packet to the end of the connection counts too: it is
  // the one a keepalive timeout ends.
  const capture_time trailing = client_disconnect_ ? 0 : end_ts - last_c2s_;
  const bool broker_closed = report_.close.by == closer::broker &&
                             (report_.close.how == close_how::fin || report_.close.how == close_how::rst ||
                              (report_.close.how == close_how::disconnect &&
                               close_reason() == proto::reason_code::keep_alive_timeout));
  diag::keepalive_facts facts{.keepalive_s = ka,
                              .server_keep_alive = server_keepalive_ != 0,
                              .silence_ns = trailing,
                              .grace_ns = grace_ns,
                              .closer = closer_name(report_.close.by),
                              .how = close_how_name(report_.close.how),
                              .frame = end_frame};
  if (broker_closed && trailing >= ka_ns) {
    add_finding({.kind = finding_kind::keepalive_violated,
                 .level = severity::error,
                 .frame = end_frame,
                 .ts = end_ts,
                 .message = diag::keepalive_text(diag::keepalive_case::broker_enforced, facts)});
    return;
  }
  const bool trailing_worst = trailing >= max_idle_;
  facts.silence_ns = trailing_worst ? trailing : max_idle_;
  if (facts.silence_ns <= grace_ns) return;
  auto which = diag::keepalive_case::silence_ended;
  if (trailing_worst) {
    which = report_.close.how == close_how::capture_end ? diag::keepalive_case::capture_ended
                                                        : diag::keepalive_case::not_enforced;
  } else {
    facts.frame = max_idle_frame_;
  }
  add_finding({.kind = finding_kind::keepalive_violated,
               .level = severity::error,
               .frame = trailing_worst ? end_frame : max_idle_frame_,
               .ts = trailing_worst ? end_ts : max_idle_from_ + max_idle_,
               .message = diag::keepalive_text(which, facts)});
}

void connection_tracker::no_connack_finding(capture_time end_ts, std::uint64_t end_frame) {
  // Only what the bytes show is claimed: a broker that answered with packets that could not be
  // read did not "reject" anything we know of, and a client that hung up first was not
  // rejected either.
  if (report_.connack || report_.close.how == close_how::capture_end ||
      !(report_.connect_seen || report_.c2s_packets[0] > 0)) {
    return;
  }
  std::uint64_t from_broker = 0;
  for (auto n : report_.s2c_packets) from_broker += n;
  diag::no_connack_facts facts{.connect_read = report_.connect_seen,
                               .broker_packets = from_broker,
                               .broker_malformed = report_.s2c_packets[0],
                               .how = close_how_name(report_.close.how)};
  auto which = diag::no_connack_case::nothing_answered;
  auto level = severity::error;
  if (from_broker > 0) {
    which = diag::no_connack_case::answer_undecodable;
    level = severity::warning;
  } else if (report_.close.by == closer::broker) {
    which = diag::no_connack_case::broker_closed;
  } else if (report_.close.by == closer::client) {
    which = diag::no_connack_case::client_closed;
    level = severity::warning;
  }
  add_finding({.kind = finding_kind::no_connack,
               .level = level,
               .frame = end_frame,
               .ts = end_ts,
               .message = diag::no_connack_text(which, facts)});
}

void connection_tracker::finish(std::uint64_t frame, capture_time ts) {
  if (!closed_) on_close(flow::client_to_server, close_kind::capture_end, frame, ts);
  const capture_time end_ts = report_.close.ts ? report_.close.ts : ts;
  const std::uint64_t end_frame = report_.close.frame ? report_.close.frame : frame;

  no_connack_finding(end_ts, end_frame);
  keepalive_findings(end_ts, end_frame);
  if (ping_) {
    add_finding({.kind = finding_kind::no_ping_response,
                 .level = severity::warning,
                 .frame = ping_->first,
                 .ts = ping_->second,
                 .message = diag::no_ping_response_text(diag::no_ping_response_case::connection_ended, ping_->first,
                                                        end_ts - ping_->second)});
  }
  std::vector<std::pair<std::uint32_t, inflight>> left(inflight_.begin(), inflight_.end());
  std::sort(left.begin(), left.end(),
            [](const auto& a, const auto& b) { return a.second.frame < b.second.frame; });
  for (const auto& [key, f] : left) {
    const flow sender = (key & 0x10000u) ? flow::client_to_server : flow::server_to_client;
    add_finding({.kind = finding_kind::incomplete_flow,
                 .level = severity::warning,
                 .frame = f.frame,
                 .ts = f.ts,
                 .message = diag::incomplete_flow_text({.qos = f.qos,
                                                        .packet_id = static_cast<std::uint16_t>(key & 0xFFFFu),
                                                        .from = sender_of(sender),
                                                        .frame = f.frame,
                                                        .missing = diag::flow_step_text(f.qos, f.step)})});
  }
  if (queued_ > 0) {
    add_finding({.kind = finding_kind::queued_delivery,
                 .level = severity::info,
                 .frame = queued_frame_,
                 .ts = 0,
                 .message = diag::queued_delivery_text(queued_)});
  }
  const bool client_gone = report_.connect_seen && !client_disconnect_ &&
                           !(report_.connack && report_.connack->refused) &&
                           report_.close.how != close_how::capture_end && report_.connack;
  if (client_gone && !server_disconnect_) {
    add_finding({.kind = finding_kind::closed_without_disconnect,
                 .level = severity::warning,
                 .frame = end_frame,
                 .ts = end_ts,
                 .message = diag::closed_without_disconnect_text(close_how_name(report_.close.how),
                                                                 closer_name(report_.close.by))});
  }
  closed_ = true;
}

void connection_tracker::on_same_client_connects(const std::optional<other_stream_event>& newer) {
  const auto& close = report_.close;
  const bool v5_takeover = close.how == close_how::disconnect && close.by == closer::broker &&
                           close_reason() == proto::reason_code::session_taken_over;
  const bool broker_dropped = close.by == closer::broker &&
                              (close.how == close_how::fin || close.how == close_how::rst) && !client_disconnect_;
  const bool in_window = newer && close.ts - newer->ts <= options_.takeover_window;
  if (!v5_takeover && !(broker_dropped && in_window)) return;
  const auto which = !newer ? diag::takeover_case::by_unseen_v5
                     : v5_takeover ? diag::takeover_case::by_stream_v5
                                   : diag::takeover_case::by_stream;
  add_finding({.kind = finding_kind::session_taken_over,
               .level = severity::warning,
               .frame = close.frame,
               .ts = close.ts,
               .message = diag::session_taken_over_text(
                   which, {.client_id = report_.client_id,
                           .stream = newer ? newer->stream : 0,
                           .frame = newer ? newer->frame : 0})});
}

bool connection_tracker::awaits_will() {
  // A DISCONNECT "with will message" asks the broker to publish the will anyway.
  const bool graceful = client_disconnect_ && close_reason() != proto::reason_code::disconnect_with_will_message;
  const bool refused = report_.connack && report_.connack->refused;
  if (!will_ || graceful || refused || !report_.connack) return false;
  if (will_seen_ && report_.close.ts - will_seen_->ts <= options_.takeover_window) {
    add_finding({.kind = finding_kind::will_published,
                 .level = severity::warning,
                 .frame = will_seen_->frame,
                 .ts = will_seen_->ts,
                 .message = diag::will_published_text(
                     diag::will_published_case::as_it_ended,
                     {.topic = will_->first, .stream = will_seen_->stream, .frame = will_seen_->frame})});
    return false;
  }
  return true;
}

capture_time connection_tracker::will_deadline() const noexcept {
  return report_.close.ts + capture_time{will_delay_s_} * 1'000'000'000 + options_.will_window;
}

void connection_tracker::on_will_published(std::uint64_t stream, std::uint64_t frame, capture_time ts) {
  add_finding({.kind = finding_kind::will_published,
               .level = severity::warning,
               .frame = frame,
               .ts = ts,
               .message = diag::will_published_text(diag::will_published_case::after_it_ended,
                                                    {.topic = will_->first,
                                                     .stream = stream,
                                                     .frame = frame,
                                                     .after_ns = ts - report_.close.ts})});
}

}  // namespace mqtk::capture
