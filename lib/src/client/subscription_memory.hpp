#pragma once
// The subscriptions the broker acknowledged, kept so that a reconnect that finds no session
// can subscribe to them again (reconnect_policy::resubscribe).
#include <string>
#include <string_view>
#include <vector>

#include "mqtk/proto/packet.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::client::detail {

// One filter of a request, owned: the caller's views are gone by the time its SUBACK comes.
struct remembered_subscription {
  std::string filter;
  proto::subscription options;  // its filter is empty: it views `filter` only when sent
};

class subscription_memory {
 public:
  // An owned copy of a request's filters, to remember() once acknowledged.
  static std::vector<remembered_subscription> copy_of(const proto::subscribe& request);

  // The broker answered `requested` with `codes` (in request order): the granted filters are
  // remembered (a filter given again replaces its options), the denied ones are not.
  void remember(const std::vector<remembered_subscription>& requested, proto::list_view<proto::reason_code> codes,
                proto::protocol_version version);
  void forget(std::string_view filter);
  bool empty() const noexcept { return subscriptions_.empty(); }
  // The subscriptions to send again; they view this memory, which must outlive their use.
  std::vector<proto::subscription> to_resubscribe() const;

 private:
  std::vector<remembered_subscription> subscriptions_;
};

}  // namespace mqtk::client::detail
