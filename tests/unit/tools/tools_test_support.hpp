#pragma once
// Shared by the option tests: an environment that reads no real config file or variable,
// and a check that a load fails as a usage error naming the option.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/option_env.hpp"

namespace mqtk::tools::test {

inline option_env quiet_env() { return option_env{.pid = 4321, .read_config_file = false}; }

// Runs `load` and returns the usage error's text ("" and a test failure if it succeeded).
template <class F>
std::string usage_error_of(F&& load) {
  try {
    load();
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a usage error";
  return {};
}

}  // namespace mqtk::tools::test
