#pragma once
// `mqtk-ping --device NAME`, the part with I/O: after the device-style connect (its protocol
// level, keepalive, clean session and a client id of its form, set by device_options), read the
// broker's limits with a 5.0 CONNECT carrying the device's keepalive, then let
// diag::check_device() judge the library's defaults, the broker and the -t/-m message together.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "mqtk-ping/ping_options.hpp"
#include "mqtk-ping/ping_report.hpp"
#include "mqtk-ping/prober.hpp"

namespace mqtk::tools {

// Adds the warnings to report.findings (errors make mqtk-ping exit 90), the "device" entry to
// report.checks, and prints one line per warning.
boost::asio::awaitable<void> check_device(const ping_options& o, boost::asio::io_context& io, prober& p,
                                          ping_report& r, const ping_output& out, interruption& intr);

}  // namespace mqtk::tools
