#pragma once
// The phases of a bench run (connect, warm-up, measurement, drain, done) driven from the main
// thread over the workers, and the `merge` command.
#include "mqtk-bench/bench_options.hpp"

namespace mqtk::tools {

// Runs the scenario; prints the report (text or --json) on stdout; returns the exit code
// (ARCHITECTURE.md): 0, 90 for a failed gate, or the failure's code when no connection succeeded.
int run_bench(const bench_options& o);

// Reads the --json reports, merges them, prints the merged report, applies the gates.
int run_merge(const bench_options& o);

}  // namespace mqtk::tools
