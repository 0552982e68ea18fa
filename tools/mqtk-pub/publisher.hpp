#pragma once
// mqtk-pub's job once its options are parsed: connect, publish every message its payload
// source yields (keeping the in-flight window full), wait for every acknowledgement, and
// disconnect. Returns the exit code of DESIGN.md.
#include "common/pub_options.hpp"

namespace mqtk::tools {

int run_publisher(const pub_options& options);

}  // namespace mqtk::tools
