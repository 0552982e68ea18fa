#include "mqtk-bench/bench_app.hpp"

#include "common/std_streams.hpp"
#include "mqtk-bench/bench_options.hpp"
#include "mqtk-bench/bench_run.hpp"

namespace mqtk::tools {

int bench_main(int argc, char** argv) {
  (void)open_standard_streams();  // fds 0-2 open before anything else takes their numbers
  bench_options options;
  if (int rc = load_bench_options(argc, argv, options); rc >= 0) return rc;
  return options.scenario == bench_scenario::merge ? run_merge(options) : run_bench(options);
}

}  // namespace mqtk::tools
