#pragma once

namespace mqtk::tools {

// Runs mqtk-decode with the process arguments; returns the exit code (DESIGN.md, "Exit codes").
int decode_main(int argc, char** argv);

}  // namespace mqtk::tools
