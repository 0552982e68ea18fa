#pragma once
// Test helpers for the CLI suites that run the built mqtk-pub/mqtk-sub as a user's script
// would: where the tools are, argument lists, and bounded polling (readiness files, the
// broker's log). Every wait has a deadline; none asserts on how long something took.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "support/broker.hpp"
#include "support/process.hpp"

namespace mqtk::test {

std::string str(std::uint16_t port);
// The built executables (tool_path(), i.e. MQTK_TOOLS_DIR or $MQTK_TOOLS_DIR).
std::string pub_tool();
std::string sub_tool();

// Polls `done` every 20 ms until it is true (true) or `timeout` passes (false).
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
bool wait_for_file(const std::filesystem::path& file, std::chrono::milliseconds timeout);

// mosquitto_sub has no readiness signal: its SUBSCRIBE in the broker's log (log_type all,
// broker_options::verbose_log) is one. mosquitto is single-threaded and adds the subscription
// while handling that packet, so a publisher that connects afterwards is never too early.
bool wait_for_subscribe(const broker& b, const std::string& client_id,
                        std::chrono::milliseconds timeout = std::chrono::seconds(15));

std::size_t count_lines(const std::string& s);
// The lines of `s`, without their newlines.
std::vector<std::string> lines_of(const std::string& s);
bool contains(const std::string& haystack, std::string_view needle);

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b);

// The one line a failed tool prints, checked for what every failure line must be: the exit
// code, exactly one line on stderr, and the words that say what failed and why.
void expect_one_error_line(const run_result& r, int exit_code, const std::vector<std::string>& contains);

// "-h HOST -p PORT" of the broker's plain TCP listener.
std::vector<std::string> at(const broker& b);

}  // namespace mqtk::test
