#pragma once

namespace mqtk::tools {

// Runs mqtk-ping with the process arguments; returns the exit code (ARCHITECTURE.md, "Exit codes").
int ping_main(int argc, char** argv);

}  // namespace mqtk::tools
