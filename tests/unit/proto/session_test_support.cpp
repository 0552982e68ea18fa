#include "session_test_support.hpp"

#include <cstdio>

#include "mqtk/diag/session_close.hpp"
#include "mqtk/proto/decoder.hpp"
#include "mqtk/proto/encoder.hpp"

namespace mqtk::test {
namespace {

using namespace mqtk::proto;

std::string hex(std::uint8_t v) {
  char t[8];
  std::snprintf(t, sizeof t, "0x%02x", static_cast<unsigned>(v));
  return t;
}
std::string hex(proto::reason_code v) { return hex(v.value()); }

std::string when(session_time t, session_time epoch) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - epoch).count();
  return ms % 1000 == 0 ? "@" + std::to_string(ms / 1000) + "s" : "@" + std::to_string(ms) + "ms";
}

std::string message_text(const publish& p) {
  std::string s = std::string(p.topic.empty() ? "''" : p.topic) + " q" + std::to_string(static_cast<int>(p.qos));
  if (p.qos != qos::at_most_once) s += " #" + std::to_string(p.packet_id);
  if (p.dup) s += " dup";
  if (p.retain) s += " retain";
  if (auto alias = p.properties.number(property_id::topic_alias)) s += " alias=" + std::to_string(*alias);
  return s + " '" + std::string(p.payload) + "'";
}

template <class Ack>
std::string ack_text(std::string_view name, const Ack& a) {
  std::string s = "> " + std::string(name) + " #" + std::to_string(a.packet_id);
  if (a.reason_code != proto::reason_code{}) s += " rc=" + hex(a.reason_code);
  return s;
}

std::string codes_text(list_view<proto::reason_code> codes) {
  std::string s = "[";
  for (std::size_t i = 0; i < codes.size(); ++i) s += (i ? "," : "") + hex(codes[i]);
  return s + "]";
}

struct sent_visitor {
    std::string operator()(const connect& c) const {
      return "> CONNECT " + std::string(c.client_id) + " ka=" + std::to_string(c.keep_alive) +
             " clean=" + (c.clean_start ? "1" : "0");
    }
    std::string operator()(const publish& x) const { return "> PUBLISH " + message_text(x); }
    std::string operator()(const puback& x) const { return ack_text("PUBACK", x); }
    std::string operator()(const pubrec& x) const { return ack_text("PUBREC", x); }
    std::string operator()(const pubrel& x) const { return ack_text("PUBREL", x); }
    std::string operator()(const pubcomp& x) const { return ack_text("PUBCOMP", x); }
    std::string operator()(const subscribe& x) const {
      std::string s = "> SUBSCRIBE #" + std::to_string(x.packet_id);
      for (const auto& sub : x.subscriptions) {
        s += " " + std::string(sub.filter) + ":" + std::to_string(static_cast<int>(sub.max_qos));
      }
      return s;
    }
    std::string operator()(const unsubscribe& x) const {
      std::string s = "> UNSUBSCRIBE #" + std::to_string(x.packet_id);
      for (auto f : x.filters) s += " " + std::string(f);
      return s;
    }
    std::string operator()(const pingreq&) const { return "> PINGREQ"; }
    std::string operator()(const disconnect& x) const { return "> DISCONNECT rc=" + hex(x.reason_code); }
    std::string operator()(const auth& x) const { return "> AUTH rc=" + hex(x.reason_code); }
    template <class Other>
    std::string operator()(const Other& x) const {
      return "> unexpected " + std::string(packet_type_name(type_of(packet{x})));
    }
};

std::string sent_text(const packet& p) { return std::visit(sent_visitor{}, p); }

std::string error_text(const boost::system::error_code& ec) {
  if (!ec) return "ok";
  if (ec.category() == session_category()) return std::string(session_error_name(static_cast<session_error>(ec.value())));
  return ec.to_string();
}

}  // namespace

lines render(const action_list& actions, protocol_version version, session_time epoch) {
  lines result;
  for (const action& a : actions) {
    if (auto* s = std::get_if<send_action>(&a)) {
      stream_decoder decoder({.version = version});
      auto input = s->bytes;
      while (!input.empty()) {
        auto r = decoder.put(input);
        input = input.subspan(r.consumed);
        if (r.state == stream_decoder::status::ready) {
          result.push_back(sent_text(*r.value));
        } else {
          result.push_back(r.state == stream_decoder::status::error ? "> undecodable: " + r.failure.message()
                                                                     : "> truncated packet");
          break;
        }
      }
    } else if (auto* t = std::get_if<arm_timer_action>(&a)) {
      result.push_back("arm " + std::string(timer_kind_name(t->kind)) + " " + when(t->deadline, epoch));
    } else if (auto* c = std::get_if<cancel_timer_action>(&a)) {
      result.push_back("cancel " + std::string(timer_kind_name(c->kind)));
    } else if (auto* d = std::get_if<deliver_action>(&a)) {
      result.push_back("deliver " + message_text(d->message));
    } else if (auto* done = std::get_if<complete_action>(&a)) {
      std::string line = "done " + std::to_string(done->id) + " " + error_text(done->error);
      if (done->reason_code != proto::reason_code{}) line += " rc=" + hex(done->reason_code);
      if (!done->reason_codes.empty()) line += " " + codes_text(done->reason_codes);
      result.push_back(line);
    } else if (auto* cl = std::get_if<close_action>(&a)) {
      result.push_back("close " + error_text(cl->error) + " '" + diag::close_message(cl->cause, version) + "'");
    } else if (auto* ca = std::get_if<connack_action>(&a)) {
      result.push_back("connack sp=" + std::string(ca->packet.session_present ? "1" : "0") + " rc=" +
                       hex(ca->packet.reason_code));
    } else if (auto* sd = std::get_if<server_disconnect_action>(&a)) {
      result.push_back("server_disconnect rc=" + hex(sd->packet.reason_code));
    } else if (auto* au = std::get_if<auth_action>(&a)) {
      result.push_back("auth rc=" + hex(au->packet.reason_code));
    } else if (auto* r = std::get_if<packet_received_action>(&a)) {
      result.push_back("< " + std::string(packet_type_name(r->type)) + " " + std::to_string(r->bytes.size()) + "B");
    }
  }
  return result;
}

session_harness::session_harness(protocol_version v, session_options options) : session(options), version(v) {}

session_harness& session_harness::at(std::chrono::milliseconds t) {
  now = epoch + t;
  return *this;
}

lines session_harness::take() {
  lines l = render(out, version, epoch);
  last = &out;
  return l;
}

lines session_harness::connect(const proto::connect& c) {
  out.clear();
  config = c;
  session.connect(config, now, out);
  return take();
}

lines session_harness::up() {
  out.clear();
  session.transport_up(now, out);
  return take();
}

lines session_harness::down() {
  out.clear();
  session.transport_down(now, out);
  return take();
}

lines session_harness::recv(const packet& p) {
  bytes b;
  encode_append(p, version, b);
  return recv_bytes(b);
}

lines session_harness::recv_bytes(const bytes& b) {
  out.clear();
  session.received(b, now, out);
  return take();
}

lines session_harness::expire(timer_kind k) {
  out.clear();
  session.timer_expired(k, now, out);
  return take();
}

lines session_harness::publish(const proto::publish& m) {
  out.clear();
  last_op = session.publish(m, now, out);
  return take();
}

lines session_harness::publish(std::string_view topic, std::string_view payload, qos q, bool retain) {
  return publish(proto::publish{.topic = topic, .payload = payload, .qos = q, .retain = retain});
}

lines session_harness::subscribe(const std::vector<subscription>& subs) {
  out.clear();
  last_op = session.subscribe(proto::subscribe{.subscriptions = subs}, now, out);
  return take();
}

lines session_harness::unsubscribe(const std::vector<std::string_view>& filters) {
  out.clear();
  last_op = session.unsubscribe(proto::unsubscribe{.filters = filters}, now, out);
  return take();
}

lines session_harness::disconnect(std::uint8_t reason_code) {
  out.clear();
  session.disconnect(proto::disconnect{.reason_code = proto::reason_code{reason_code}}, now, out);
  return take();
}

lines session_harness::auth(const proto::auth& a) {
  out.clear();
  session.auth(a, now, out);
  return take();
}

lines session_harness::ping() {
  out.clear();
  session.ping(now, out);
  return take();
}

proto::connect session_harness::default_connect(std::uint16_t keep_alive) const {
  return proto::connect{.version = version, .client_id = "c", .keep_alive = keep_alive, .clean_start = true};
}

lines session_harness::establish(std::uint16_t keep_alive, const std::vector<property>& connack_props,
                                 bool session_present) {
  return establish_with(default_connect(keep_alive), connack_props, session_present);
}

lines session_harness::establish_with(const proto::connect& c, const std::vector<property>& connack_props,
                                      bool session_present) {
  EXPECT_EQ(connect(c), lines{});
  EXPECT_EQ(up(), lines{"> CONNECT " + std::string(c.client_id) + " ka=" + std::to_string(c.keep_alive) +
                        " clean=" + (c.clean_start ? "1" : "0")});
  lines got = recv(connack_ok(session_present, connack_props));
  EXPECT_EQ(session.state(), session_state::connected);
  return got;
}

void run_steps(session_harness& h, const std::vector<step>& steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].input(h), steps[i].expected) << "step " << i << ": " << steps[i].what;
  }
}

proto::connack connack_ok(bool session_present, const std::vector<property>& props) {
  return proto::connack{.session_present = session_present, .reason_code = proto::reason_code{0}, .properties = props};
}

proto::publish incoming(std::string_view topic, std::string_view payload, qos q, std::uint16_t id, bool dup) {
  return proto::publish{.topic = topic, .payload = payload, .qos = q, .dup = dup, .packet_id = id};
}

}  // namespace mqtk::test
