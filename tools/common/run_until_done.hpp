#pragma once
// Runs a tool's main coroutine on its io_context and turns how it ended into an exit code.
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace mqtk::tools {

// Runs `job` on `io` until it completes, then stops `io` (a connected client would otherwise
// keep it busy reading). Returns the coroutine's result, or 70 after one stderr line when it
// threw (a bug: please report).
int run_until_done(boost::asio::io_context& io, boost::asio::awaitable<int> job, std::string_view tool);

}  // namespace mqtk::tools
