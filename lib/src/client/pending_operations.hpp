#pragma once
// The caller's publish, subscribe and unsubscribe requests (and the client's own resubscribes)
// waiting for the session's complete_action, in the order the session numbered them.
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include <boost/system/error_code.hpp>

#include "mqtk/client/client.hpp"
#include "mqtk/proto/session_action.hpp"
#include "subscription_memory.hpp"

namespace mqtk::client::detail {

class pending_operations {
 public:
  // monostate: nobody waits (an internal resubscribe).
  using handler = std::variant<std::monostate, client::publish_handler, client::subscribe_handler>;

  struct operation {
    proto::operation_id id = 0;
    client::executor_type ex;
    handler completion;
    // A subscribe request: what to remember for resubscription once acknowledged.
    std::vector<remembered_subscription> subscriptions;
    bool active = true;
  };

  // `id` is larger than every id added before (the session counts up).
  operation& add(proto::operation_id id, client::executor_type ex, handler h);
  // The operation waiting under `id`; nullptr when none is (finished, or never added).
  operation* find(proto::operation_id id);
  // Posts the operation's completion; it waits no more.
  void finish(operation& op, boost::system::error_code ec, proto::reason_code reason, std::uint16_t packet_id,
              proto::list_view<proto::reason_code> codes);
  // The operation under `id`, if it still waits, completes with `ec` alone.
  void finish(proto::operation_id id, boost::system::error_code ec);
  // Completes every waiting operation with `ec` and forgets them (close()).
  void abort_all(boost::system::error_code ec);
  // Drops finished operations from the front; call after finishing some.
  void compact();

 private:
  std::vector<operation> ops_;  // ordered by id from head_ on
  std::size_t head_ = 0;
};

}  // namespace mqtk::client::detail
