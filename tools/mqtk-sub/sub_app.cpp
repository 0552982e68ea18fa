#include "mqtk-sub/sub_app.hpp"

#include "common/std_streams.hpp"
#include "common/sub_options.hpp"
#include "mqtk-sub/subscriber.hpp"

namespace mqtk::tools {

int sub_main(int argc, char** argv) {
  const standard_streams streams = open_standard_streams();
  sub_options options;
  if (int rc = load_sub_options(argc, argv, options); rc >= 0) return rc;
  return run_subscriber(options, streams);
}

}  // namespace mqtk::tools
