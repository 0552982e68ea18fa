#pragma once
// From the tools' parsed options to what the client library takes, and the -d trace that
// pub and sub print on stderr. One place, so that pub, sub, bench and ping connect alike.
#include <string_view>

#include "common/connection_options.hpp"
#include "mqtk/client/client_options.hpp"

namespace mqtk::tools {

// The client options for `o`: a value of its own (the CONNECT configuration is copied into
// options.connect), which may outlive `o`.
client::client_options make_client_options(const connection_options& o, client::reconnect_policy reconnect);

// Adds -d tracing to `options`: one stderr line (through std::clog, which --quiet leaves alone) per packet sent or received, per connect phase
// and per reconnect, prefixed with the tool's name. Passwords are shown by length only.
void add_debug_trace(client::client_options& options, std::string_view tool_name);

}  // namespace mqtk::tools
