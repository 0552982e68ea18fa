#include "support/ready_subscriber.hpp"

#include <chrono>
#include <filesystem>

#include "support/cli_runner.hpp"

namespace mqtk::test {

using namespace std::chrono_literals;

ready_subscriber::ready_subscriber(const std::vector<std::string>& args, int count)
    : dir_("mqtk-ready-sub"),
      proc_(process_options{.args = concat(concat({sub_tool()}, args), {"-C", std::to_string(count), "-W", "20",
                                                                       "--ready-file", (dir_ / "ready").string()})}) {
  const auto ready_file = dir_ / "ready";
  ready_ = wait_until([&] { return std::filesystem::exists(ready_file) || !proc_.running(); }, 15s) &&
           std::filesystem::exists(ready_file);
}

int ready_subscriber::finish() {
  const auto status = proc_.wait_or_kill(20s);
  return status.exited ? status.exit_code : -1;
}

}  // namespace mqtk::test
