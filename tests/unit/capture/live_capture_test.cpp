// live_capture: only what can be checked without capturing traffic (no sockets in unit
// tests): a missing interface is reported as "cannot open", with its name.
#include "mqtk/capture/live_capture.hpp"

#include <gtest/gtest.h>

#include "mqtk/capture/capture_error.hpp"

namespace mqtk::test {
namespace {

TEST(live_capture, missing_interface_cannot_be_opened) {
  try {
    capture::live_capture live({.interface = "mqtk-no-such-if0", .filter = "tcp"});
    FAIL() << "expected capture_error";
  } catch (const capture::capture_error& e) {
    EXPECT_EQ(e.code(), capture::capture_errc::cannot_open);
    EXPECT_NE(std::string(e.what()).find("mqtk-no-such-if0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mqtk::test
