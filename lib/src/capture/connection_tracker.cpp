#include "mqtk/capture/connection_tracker.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "mqtk/proto/reason_code.hpp"

namespace mqtk::capture {

namespace {

constexpr double to_ms(capture_time ns) noexcept { return static_cast<double>(ns) / 1e6; }

std::string seconds_text(capture_time ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(ns) / 1e9);
  return buf;
}

std::string code_label(std::uint8_t code, proto::protocol_version v) {
  if (v == proto::protocol_version::v5) return "5.0 reason code " + proto::reason_code_hex(code, proto::hex_case::upper);
  return std::string(proto::version_name(v)) + " return code " + std::to_string(code);
}

const char* step_text(std::uint8_t qos, std::uint8_t step) {
  if (qos == 1) return "no PUBACK";
  switch (step) {
    case 0: return "no PUBREC";
    case 1: return "PUBREC received, no PUBREL";
    default: return "PUBREL sent, no PUBCOMP";
  }
}

const char* dir_text(flow d) {
  return d == flow::client_to_server ? "client→broker" : "broker→client";
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

void connection_tracker::add_finding(finding f) { report_.findings.push_back(std::move(f)); }

void connection_tracker::on_packet(const mqtt_packet_record& r) {
  report_.last_frame = r.frame;
  report_.last_ts = r.ts;
  const bool c2s = r.dir == flow::client_to_server;
  (c2s ? report_.c2s_bytes : report_.s2c_bytes) += r.len;
  auto& counts = c2s ? report_.c2s_packets : report_.s2c_packets;
  if (!r.packet) {
    ++counts[0];
    add_finding({.kind = finding_kind::malformed_packet,
                 .level = severity::error,
                 .frame = r.frame,
                 .ts = r.ts,
                 .message = std::string("malformed packet ") + dir_text(r.dir) + ": " +
                            r.malformed->message() + " (" +
                            std::string(proto::decode_error_name(r.malformed->error)) +
                            ") at stream offset " + std::to_string(r.malformed->offset)});
    return;
  }
  const auto type = proto::type_of(*r.packet);
  ++counts[static_cast<std::size_t>(type)];
  for (const auto& v : r.violations) {
    add_finding({.kind = finding_kind::protocol_violation,
                 .level = severity::warning,
                 .frame = r.frame,
                 .ts = r.ts,
                 .message = std::string(proto::packet_type_name(type)) + " " + dir_text(r.dir) +
                            " breaks a rule but was read: " + proto::make_error_code(v.error).message() + " (" +
                            std::string(proto::decode_error_name(v.error)) + ") at packet offset " +
                            std::to_string(v.offset)});
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
    add_finding({.kind = finding_kind::large_packet,
                 .level = severity::info,
                 .frame = r.frame,
                 .ts = r.ts,
                 .message = std::string(proto::packet_type_name(type)) + " of " +
                            std::to_string(r.len) + " bytes " + dir_text(r.dir) + " spread over " +
                            std::to_string(r.frames.size()) + " frames (" +
                            std::to_string(r.frames.front()) + " to " +
                            std::to_string(r.frames.back()) + ")"});
  }

  const auto& p = *r.packet;
  switch (type) {
    case proto::packet_type::connect:
      if (c2s) on_connect(r, std::get<proto::connect>(p));
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
        const auto code = s.reason_codes[i];
        if (!proto::is_failure(code, proto::packet_type::suback, v)) continue;
        add_finding({.kind = finding_kind::subscription_refused,
                     .level = severity::warning,
                     .frame = r.frame,
                     .ts = r.ts,
                     .message = "SUBACK id " + std::to_string(s.packet_id) + " refused filter #" +
                                std::to_string(i + 1) + ": " +
                                std::string(proto::reason_code_name(code, proto::packet_type::suback, v)) +
                                " (" + proto::reason_code_hex(code, proto::hex_case::upper) + ")"});
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
                       .message = "No PING_RESP: PINGREQ at frame " + std::to_string(ping_->first) +
                                  " got no PINGRESP before the next PINGREQ"});
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
              std::string(proto::reason_code_name(d.reason_code, proto::packet_type::disconnect, v));
        }
      }
      if (c2s) {
        client_disconnect_ = true;
      } else {
        server_disconnect_ = true;
        if (d.reason_code >= 0x80) {
          finding f{.kind = finding_kind::server_disconnect,
                    .level = severity::error,
                    .frame = r.frame,
                    .ts = r.ts,
                    .message = "broker sent DISCONNECT " + proto::reason_code_hex(d.reason_code, proto::hex_case::upper) + " (" +
                               std::string(proto::reason_code_name(d.reason_code,
                                                                   proto::packet_type::disconnect, v)) +
                               ")"};
          if (options_.explain) {
            auto t = options_.explain(d.reason_code, v, proto::packet_type::disconnect);
            f.message = std::move(t.line);
            f.cause = std::move(t.cause);
            f.fix = std::move(t.fix);
          }
          if (d.reason_code != 0x8E) add_finding(std::move(f));  // 0x8E: the analyzer says more
        }
      }
      break;
    }
    default:
      break;
  }
}

void connection_tracker::on_connect(const mqtt_packet_record& r, const proto::connect& c) {
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
  connect_at_ = {r.frame, r.ts};
}

void connection_tracker::on_connack(const mqtt_packet_record& r, const proto::connack& c) {
  if (r.dir != flow::server_to_client) return;
  const auto v = report_.version.value_or(r.version.value_or(proto::protocol_version::v311));
  connack_result res;
  res.code = c.reason_code;
  res.name = std::string(proto::reason_code_name(c.reason_code, proto::packet_type::connack, v));
  res.session_present = c.session_present;
  res.refused = proto::is_failure(c.reason_code, proto::packet_type::connack, v);
  res.frame = r.frame;
  res.ts = r.ts;
  server_keepalive_ = static_cast<std::uint16_t>(
      c.properties.number(proto::property_id::server_keep_alive).value_or(0));
  if (res.refused) {
    finding f{.kind = finding_kind::connection_refused,
              .level = severity::error,
              .frame = r.frame,
              .ts = r.ts,
              .message = "connection refused: " + res.name + " (" + code_label(c.reason_code, v) + ")"};
    if (options_.explain) {
      auto t = options_.explain(c.reason_code, v, proto::packet_type::connack);
      f.message = std::move(t.line);
      f.cause = std::move(t.cause);
      f.fix = std::move(t.fix);
    }
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
    add_finding({.kind = finding_kind::packet_id_reused,
                 .level = severity::error,
                 .frame = r.frame,
                 .ts = r.ts,
                 .message = "packet id " + std::to_string(p.packet_id) + " reused " + dir_text(r.dir) +
                            " while its QoS " + std::to_string(it->second.qos) +
                            " PUBLISH from frame " + std::to_string(it->second.frame) +
                            " was still in flight (" + step_text(it->second.qos, it->second.step) + ")"});
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
               .message = std::to_string(missing) + " bytes " + dir_text(dir) +
                          " missing from the capture before frame " + std::to_string(frame) +
                          "; decoding resumed at the next plausible packet"});
}

void connection_tracker::on_carriage(carriage how, const std::string& detail, std::uint64_t frame,
                                     capture_time ts) {
  report_.carried = how;
  if (how == carriage::tls) {
    add_finding({.kind = finding_kind::tls_not_decodable,
                 .level = severity::warning,
                 .frame = frame,
                 .ts = ts,
                 .message = "the connection is TLS" + (detail.empty() ? std::string() : " (" + detail + ")") +
                            ": its MQTT cannot be decoded from the capture"});
  }
}

void connection_tracker::on_truncated(flow dir, std::size_t buffered, std::uint64_t frame,
                                      capture_time ts) {
  add_finding({.kind = finding_kind::truncated_at_close,
               .level = severity::warning,
               .frame = frame,
               .ts = ts,
               .message = std::to_string(buffered) + " bytes of an incomplete packet " + dir_text(dir) +
                          " when the connection ended"});
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
                              (report_.close.how == close_how::disconnect && report_.close.reason_code == 0x8D));
  const std::string ka_text = "keepalive " + std::to_string(ka) + " s" +
                              (server_keepalive_ ? " (the broker's Server Keep Alive)" : "");
  if (broker_closed && trailing >= ka_ns) {
    add_finding({.kind = finding_kind::keepalive_violated,
                 .level = severity::error,
                 .frame = end_frame,
                 .ts = end_ts,
                 .message = "keepalive timeout: the client sent nothing for " + seconds_text(trailing) +
                            " with " + ka_text + "; the broker closed the connection after " +
                            seconds_text(trailing) + " of silence (its real grace; MQTT allows 1.5 × keepalive = " +
                            seconds_text(grace_ns) + ")"});
    return;
  }
  const bool trailing_worst = trailing >= max_idle_;
  const capture_time worst = trailing_worst ? trailing : max_idle_;
  if (worst <= grace_ns) return;
  std::string msg = "keepalive violated: the client sent nothing for " + seconds_text(worst) + " with " +
                    ka_text + ", more than 1.5 × keepalive = " + seconds_text(grace_ns) + "; ";
  if (trailing_worst) {
    if (report_.close.how == close_how::capture_end) {
      msg += "the broker had not closed the connection when the capture ended";
    } else {
      msg += "the broker did not enforce it (its real grace was at least " + seconds_text(trailing) +
             "): the " + std::string(closer_name(report_.close.by)) + " closed the connection (" +
             std::string(close_how_name(report_.close.how)) + ") at frame " + std::to_string(end_frame);
    }
  } else {
    msg += "the silence ended at frame " + std::to_string(max_idle_frame_) +
           " and the broker did not close the connection";
  }
  add_finding({.kind = finding_kind::keepalive_violated,
               .level = severity::error,
               .frame = trailing_worst ? end_frame : max_idle_frame_,
               .ts = trailing_worst ? end_ts : max_idle_from_ + max_idle_,
               .message = std::move(msg)});
}

mqtt_connection_report connection_tracker::finish(std::uint64_t frame, capture_time ts) {
  if (!closed_) on_close(flow::client_to_server, close_kind::capture_end, frame, ts);
  const capture_time end_ts = report_.close.ts ? report_.close.ts : ts;
  const std::uint64_t end_frame = report_.close.frame ? report_.close.frame : frame;

  // No CONNACK. Only what the bytes show is claimed: a broker that answered with packets that
  // could not be read did not "reject" anything we know of, and a client that hung up first
  // was not rejected either.
  if (!report_.connack && report_.close.how != close_how::capture_end &&
      (report_.connect_seen || report_.c2s_packets[0] > 0)) {
    std::uint64_t from_broker = 0;
    for (auto n : report_.s2c_packets) from_broker += n;
    const std::string connect_text =
        report_.connect_seen ? "the CONNECT" : "the client's first packet (malformed)";
    finding f{.kind = finding_kind::no_connack, .level = severity::error, .frame = end_frame, .ts = end_ts};
    if (from_broker > 0) {
      f.level = severity::warning;
      f.message = "no CONNACK could be read, although the broker sent " + std::to_string(from_broker) +
                  " packet(s) (" + std::to_string(report_.s2c_packets[0]) +
                  " malformed): its answer to " + connect_text + " is among them but undecodable";
    } else if (report_.close.by == closer::broker) {
      f.message = "the broker closed the connection (" + std::string(close_how_name(report_.close.how)) +
                  ") without a CONNACK: it rejected " + connect_text;
    } else if (report_.close.by == closer::client) {
      f.level = severity::warning;
      f.message = "the client closed the connection (" + std::string(close_how_name(report_.close.how)) +
                  ") before any CONNACK: either it gave up waiting or the broker never answered " +
                  connect_text;
    } else {
      f.message = "the connection ended without a CONNACK and nothing from the broker: " + connect_text +
                  " was not answered";
    }
    add_finding(std::move(f));
  }
  keepalive_findings(end_ts, end_frame);
  if (ping_) {
    add_finding({.kind = finding_kind::no_ping_response,
                 .level = severity::warning,
                 .frame = ping_->first,
                 .ts = ping_->second,
                 .message = "No PING_RESP: PINGREQ at frame " + std::to_string(ping_->first) +
                            " got no PINGRESP before the connection ended (" +
                            seconds_text(end_ts - ping_->second) + " later)"});
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
                 .message = "QoS " + std::to_string(f.qos) + " PUBLISH id " +
                            std::to_string(key & 0xFFFFu) + " " + dir_text(sender) + " (frame " +
                            std::to_string(f.frame) + ") incomplete: " + step_text(f.qos, f.step) +
                            " before the connection ended"});
  }
  if (queued_ > 0) {
    add_finding({.kind = finding_kind::queued_delivery,
                 .level = severity::info,
                 .frame = queued_frame_,
                 .ts = 0,
                 .message = std::to_string(queued_) +
                            " message(s) delivered from the persistent session before any "
                            "SUBSCRIBE (queued while the client was away)"});
  }
  const bool client_gone = report_.connect_seen && !client_disconnect_ &&
                           !(report_.connack && report_.connack->refused) &&
                           report_.close.how != close_how::capture_end && report_.connack;
  if (client_gone && !server_disconnect_) {
    add_finding({.kind = finding_kind::closed_without_disconnect,
                 .level = severity::warning,
                 .frame = end_frame,
                 .ts = end_ts,
                 .message = "the connection ended (" + std::string(close_how_name(report_.close.how)) +
                            " from the " + std::string(closer_name(report_.close.by)) +
                            ") without a DISCONNECT from the client"});
  }
  closed_ = true;
  return report_;
}

}  // namespace mqtk::capture
