#pragma once
// mqtk-sub's job once its options are parsed: connect, subscribe, signal readiness, print each
// message as asked, and end on -C, -W, -E, --retained-only or a signal. Reconnects and
// resubscribes after a lost connection, saying so on stderr. Returns the exit code of
// ARCHITECTURE.md.
#include "common/std_streams.hpp"
#include "common/sub_options.hpp"

namespace mqtk::tools {

// `streams`: which standard streams were closed at start (a closed stdout is exit 74).
int run_subscriber(const sub_options& options, const standard_streams& streams);

}  // namespace mqtk::tools
