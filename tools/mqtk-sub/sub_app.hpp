#pragma once

namespace mqtk::tools {

// Runs mqtk-sub with the process arguments; returns the exit code (ARCHITECTURE.md, "Exit codes").
int sub_main(int argc, char** argv);

}  // namespace mqtk::tools
