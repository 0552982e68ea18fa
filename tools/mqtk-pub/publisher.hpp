#pragma once
// mqtk-pub's job once its options are parsed: connect, publish every message its payload
// source yields (keeping the in-flight window full), wait for every acknowledgement, and
// disconnect. Returns the exit code of ARCHITECTURE.md.
#include "common/pub_options.hpp"
#include "common/std_streams.hpp"

namespace mqtk::tools {

// `streams`: which standard streams were closed at start (-s/-l with stdin closed: exit 66).
int run_publisher(const pub_options& options, const standard_streams& streams);

}  // namespace mqtk::tools
