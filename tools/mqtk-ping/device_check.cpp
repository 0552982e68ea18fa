#include "mqtk-ping/device_check.hpp"

#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mqtk/client/client.hpp"
#include "mqtk/diag/device_profile.hpp"
#include "mqtk/diag/ping_check_text.hpp"

namespace asio = boost::asio;

namespace mqtk::tools {
namespace {

// The protocol maxima: a server_limits field at this value was not announced.
constexpr std::uint32_t no_packet_limit = 268'435'460;

diag::finding_level finding_level_of(diag::device_warning_level l) {
  switch (l) {
    case diag::device_warning_level::info: return diag::finding_level::info;
    case diag::device_warning_level::warning: return diag::finding_level::warning;
    case diag::device_warning_level::error: return diag::finding_level::error;
  }
  return diag::finding_level::warning;
}

void read_limits(const proto::server_limits& limits, diag::broker_facts& f) {
  f.server_keep_alive = limits.server_keep_alive;
  if (limits.maximum_packet_size < no_packet_limit) f.maximum_packet_size = limits.maximum_packet_size;
  if (limits.maximum_qos != proto::qos::exactly_once) f.maximum_qos = static_cast<std::uint8_t>(limits.maximum_qos);
  if (!limits.retain_available) f.retain_available = false;
}

// A 5.0 CONNECT with the device's keepalive: brokers announce Server Keep Alive only to 5.0
// clients (mosquitto only when the asked keepalive is above its max_keepalive), and the other
// limits (Maximum Packet Size, Maximum QoS, Retain Available) only in a 5.0 CONNACK.
asio::awaitable<bool> probe_v5_limits(const ping_options& o, asio::io_context& io, prober& p, diag::broker_facts& f,
                                      interruption& intr) {
  auto opts = p.base_options();
  const std::string id = o.connection.client_id + "-v5";
  opts.connect.edit([&](proto::connect& c) {
    c.version = proto::protocol_version::v5;
    c.client_id = id;
    c.keep_alive = o.connection.keepalive;
  });
  client::client c(io.get_executor(), opts);
  intr.stop = [&c] { c.close(); };
  auto [ec, res] = co_await c.async_connect(asio::as_tuple(asio::use_awaitable));
  intr.stop = nullptr;
  if (ec) {
    if (ec == proto::session_error::connection_refused) f.refused_versions.push_back(proto::protocol_version::v5);
    co_return false;
  }
  f.accepted_versions.push_back(proto::protocol_version::v5);
  read_limits(c.session().server(), f);
  co_await c.async_disconnect(asio::as_tuple(asio::use_awaitable));
  co_return true;
}

nlohmann::json facts_json(const diag::broker_facts& f) {
  nlohmann::json j = nlohmann::json::object();
  if (f.device_connack) j["device_connack"] = f.device_connack->value();
  if (f.server_keep_alive) j["server_keep_alive"] = *f.server_keep_alive;
  if (f.maximum_packet_size) j["maximum_packet_size"] = *f.maximum_packet_size;
  if (f.maximum_qos) j["maximum_qos"] = *f.maximum_qos;
  if (f.retain_available) j["retain_available"] = *f.retain_available;
  if (f.connect_ms) j["connect_ms"] = *f.connect_ms;
  if (f.round_trip_ms) j["round_trip_ms"] = *f.round_trip_ms;
  return j;
}

}  // namespace

asio::awaitable<void> check_device(const ping_options& o, asio::io_context& io, prober& p, ping_report& r,
                                   const ping_output& out, interruption& intr) {
  const auto& profile = *o.device.profile;
  diag::broker_facts facts;
  if (!r.connack.is_null()) facts.device_connack = proto::reason_code{r.connack.value("reason_code", std::uint8_t{0})};
  const bool device_accepted = facts.device_connack == proto::reason_code::connection_accepted;
  if (device_accepted) {
    facts.accepted_versions.push_back(o.connection.version);
    facts.connect_ms = r.connect_ms;
    if (r.pings.received_count() > 0) facts.round_trip_ms = r.pings.max_ms();
  } else if (facts.device_connack) {
    facts.refused_versions.push_back(o.connection.version);
  }
  bool probed = false;
  if (o.connection.version == proto::protocol_version::v5 && device_accepted) {
    // The device itself spoke 5.0: its own CONNACK carried the limits.
    read_limits(p.client().session().server(), facts);
    probed = true;
  } else if (facts.device_connack && !intr.requested) {
    // Only a broker that answered CONNECT is worth a second one (and a refusal of the device's
    // level is explained by whether 5.0 is accepted).
    probed = co_await probe_v5_limits(o, io, p, facts, intr);
  }
  const auto message = device_message_of(o.device);
  // Judge what was actually sent: -V and -k on the command line override the library's defaults.
  auto effective = profile;
  effective.version = o.connection.version;
  effective.keepalive_s = o.connection.keepalive;
  const auto warnings = diag::check_device(effective, facts, message);

  out.line("");
  out.line("--- device: " + diag::describe_device(profile) + " ---");
  if (!facts.device_connack)
    out.line("  " + std::string(diag::device_check_gap_note(diag::device_check_gap::no_connack)));
  else if (!probed)
    out.line("  " + std::string(diag::device_check_gap_note(diag::device_check_gap::no_v5_connack)));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& w : warnings) {
    const std::string level(diag::level_name(w.level));
    out.line("  " + level + std::string(level.size() < 8 ? 8 - level.size() : 1, ' ') + w.message + " \u2014 " + w.hint);
    list.push_back({{"level", level}, {"code", w.code}, {"message", w.message}, {"hint", w.hint}});
    r.findings.push_back({finding_level_of(w.level), w.code, w.message, w.hint});
  }
  nlohmann::json j = {{"name", profile.name},
                      {"library", profile.library},
                      {"defaults",
                       {{"version", proto::version_name(profile.version)},
                        {"keepalive_s", profile.keepalive_s},
                        {"clean_session", profile.clean_session},
                        {"client_id_form", profile.client_id_form},
                        {"buffer_bytes", profile.buffer_bytes},
                        {"response_timeout_ms", profile.response_timeout_ms},
                        {"reconnect_ms", profile.reconnect_ms},
                        {"max_publish_qos", profile.max_publish_qos},
                        {"source", profile.defaults_source}}},
                      {"connected_as",
                       {{"version", proto::version_name(o.connection.version)},
                        {"keepalive_s", o.connection.keepalive},
                        {"clean_session", o.connection.clean_session},
                        {"client_id", o.connection.client_id}}},
                      {"broker", facts_json(facts)},
                      {"warnings", std::move(list)}};
  if (message) {
    j["message"] = {{"topic_bytes", message->topic_bytes},
                    {"payload_bytes", message->payload_bytes},
                    {"qos", static_cast<int>(message->qos)},
                    {"retain", message->retain},
                    {"device_packet_bytes", diag::device_publish_bytes(profile, *message)}};
  }
  r.checks["device"] = std::move(j);
}

}  // namespace mqtk::tools
