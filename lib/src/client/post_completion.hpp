#pragma once
// How the client completes an operation: never inside its own processing (a coroutine resumed
// there could call back into the client while an action list is being interpreted), always
// posted to the handler's executor.
#include <utility>

#include <boost/asio/post.hpp>

#include "mqtk/client/client.hpp"

namespace mqtk::client::detail {

template <class Handler, class... Args>
void post_completion(client::executor_type ex, Handler handler, Args... args) {
  boost::asio::post(ex, [h = std::move(handler), ... a = std::move(args)]() mutable { std::move(h)(std::move(a)...); });
}

}  // namespace mqtk::client::detail
