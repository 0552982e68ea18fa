#pragma once
// mqtk-sub's job once its options are parsed: connect, subscribe, signal readiness, print each
// message as asked, and end on -C, -W, -E, --retained-only or a signal. Reconnects and
// resubscribes after a lost connection, saying so on stderr. Returns the exit code of
// DESIGN.md.
#include "common/sub_options.hpp"

namespace mqtk::tools {

int run_subscriber(const sub_options& options);

}  // namespace mqtk::tools
