#include "common/run_until_done.hpp"

#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <iostream>

#include "mqtk/diag/exit_code.hpp"

namespace mqtk::tools {

int run_until_done(boost::asio::io_context& io, boost::asio::awaitable<int> job, std::string_view tool) {
  int result = diag::to_int(diag::exit_code::internal);
  boost::asio::co_spawn(io, std::move(job), [&](std::exception_ptr e, int rc) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        std::cerr << tool << ": internal error: " << ex.what() << " (please report)\n";
      }
    } else {
      result = rc;
    }
    io.stop();
  });
  io.run();
  return result;
}

}  // namespace mqtk::tools
