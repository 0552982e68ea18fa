#include "mqtk-pub/pub_app.hpp"

#include "common/pub_options.hpp"
#include "common/std_streams.hpp"
#include "mqtk-pub/publisher.hpp"

namespace mqtk::tools {

int pub_main(int argc, char** argv) {
  const standard_streams streams = open_standard_streams();
  pub_options options;
  if (int rc = load_pub_options(argc, argv, options); rc >= 0) return rc;
  return run_publisher(options, streams);
}

}  // namespace mqtk::tools
