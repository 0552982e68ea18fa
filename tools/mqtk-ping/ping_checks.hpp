#pragma once
// The checks beyond the default run. Each fills report.checks[<name>] and findings, prints its
// text lines, and returns the exit code (or, for the ones that run on the prober's established
// connection, leaves the verdict in the report).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "mqtk-ping/ping_options.hpp"
#include "mqtk-ping/ping_report.hpp"
#include "mqtk-ping/prober.hpp"

namespace mqtk::tools {

// --wait: connects again every half second until a CONNACK accepts (exit 0), a failure that
// waiting cannot cure (bad credentials, TLS verification) or the time limit.
boost::asio::awaitable<int> wait_for_broker(const ping_options& o, boost::asio::io_context& io, prober& p,
                                            ping_report& r, const ping_output& out, interruption& intr);

// --versions: connects as 5.0, 3.1.1 and 3.1; a 3.1.1 refusal is explained by the 5.0 answer.
boost::asio::awaitable<int> check_versions(const ping_options& o, boost::asio::io_context& io, prober& p,
                                           ping_report& r, const ping_output& out, interruption& intr);

// --keepalive-check: a CONNECT with a short keep alive (and a will), then silence; when does the
// broker drop the connection, and is the will published?
boost::asio::awaitable<int> check_keepalive(const ping_options& o, boost::asio::io_context& io, prober& p,
                                            ping_report& r, const ping_output& out, interruption& intr);

// --roundtrip (on the prober's connection): QoS 0/1/2 publish to a unique topic it subscribed,
// acknowledgement and delivery times, retained messages and wildcards.
boost::asio::awaitable<void> check_roundtrip(const ping_options& o, boost::asio::io_context& io, prober& p,
                                             ping_report& r, const ping_output& out, interruption& intr);

// --capabilities (on the prober's connection): limits from the 5.0 CONNACK, else found out.
boost::asio::awaitable<void> check_capabilities(const ping_options& o, boost::asio::io_context& io, prober& p,
                                                ping_report& r, const ping_output& out, interruption& intr);

}  // namespace mqtk::tools
