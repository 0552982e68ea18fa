#pragma once

namespace mqtk::tools {

// Runs mqtk-bench with the process arguments; returns the exit code (ARCHITECTURE.md, "Exit codes").
int bench_main(int argc, char** argv);

}  // namespace mqtk::tools
