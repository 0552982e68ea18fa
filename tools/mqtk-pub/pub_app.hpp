#pragma once

namespace mqtk::tools {

// Runs mqtk-pub with the process arguments; returns the exit code (ARCHITECTURE.md, "Exit codes").
int pub_main(int argc, char** argv);

}  // namespace mqtk::tools
