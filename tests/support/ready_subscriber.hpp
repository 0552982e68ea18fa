#pragma once
// An mqtk-sub started in the background that has subscribed (its --ready-file exists) before
// the test publishes: the race-free start of a CLI test, as a user's CI script would do it.
#include <string>
#include <vector>

#include "support/process.hpp"

namespace mqtk::test {

class ready_subscriber {
 public:
  // `args`: mqtk-sub's connection options and filters; -C `count`, -W 20 and --ready-file are
  // added. Waits up to 15 s for the subscription (or for mqtk-sub to end).
  explicit ready_subscriber(const std::vector<std::string>& args, int count = 1);
  bool ready() const { return ready_; }
  // Waits for the end (20 s at most); the exit code, or -1.
  int finish();
  std::string out() const { return proc_.out(); }
  std::string err() const { return proc_.err(); }

 private:
  temp_dir dir_;
  process proc_;
  bool ready_ = false;
};

}  // namespace mqtk::test
