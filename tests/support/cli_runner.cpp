#include "support/cli_runner.hpp"

#include <algorithm>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/process.hpp"

namespace mqtk::test {

std::string str(std::uint16_t port) { return std::to_string(port); }
std::string pub_tool() { return tool_path("mqtk-pub").string(); }
std::string sub_tool() { return tool_path("mqtk-sub").string(); }

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

bool wait_for_file(const std::filesystem::path& file, std::chrono::milliseconds timeout) {
  return wait_until([&] { return std::filesystem::exists(file); }, timeout);
}

bool wait_for_subscribe(const broker& b, const std::string& client_id, std::chrono::milliseconds timeout) {
  return wait_until([&] { return b.log().find("Received SUBSCRIBE from " + client_id) != std::string::npos; },
                    timeout);
}

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool contains(const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; }

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void expect_one_error_line(const run_result& r, int exit_code, const std::vector<std::string>& contains) {
  EXPECT_EQ(r.exit_code(), exit_code) << r.describe();
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  for (const auto& c : contains) EXPECT_NE(r.err.find(c), std::string::npos) << "no '" << c << "' in: " << r.err;
}

std::vector<std::string> at(const broker& b) { return {"-h", b.host(), "-p", str(b.port())}; }

}  // namespace mqtk::test
