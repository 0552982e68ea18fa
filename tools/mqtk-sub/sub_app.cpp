#include "mqtk-sub/sub_app.hpp"

#include "common/sub_options.hpp"
#include "mqtk-sub/subscriber.hpp"

namespace mqtk::tools {

int sub_main(int argc, char** argv) {
  sub_options options;
  if (int rc = load_sub_options(argc, argv, options); rc >= 0) return rc;
  return run_subscriber(options);
}

}  // namespace mqtk::tools
