#include "subscription_memory.hpp"

#include <algorithm>

#include "mqtk/proto/reason_code.hpp"

namespace mqtk::client::detail {

std::vector<remembered_subscription> subscription_memory::copy_of(const proto::subscribe& request) {
  std::vector<remembered_subscription> copy;
  copy.reserve(request.subscriptions.size());
  for (const proto::subscription& s : request.subscriptions) {
    proto::subscription options = s;
    options.filter = {};
    copy.push_back({std::string(s.filter), options});
  }
  return copy;
}

void subscription_memory::remember(const std::vector<remembered_subscription>& requested,
                                   proto::list_view<proto::reason_code> codes, proto::protocol_version version) {
  for (std::size_t i = 0; i < requested.size(); ++i) {
    // A denied filter is not resubscribed after a reconnect.
    if (i < codes.size() && codes[i].is_failure(proto::packet_type::suback, version)) continue;
    const remembered_subscription& s = requested[i];
    auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                           [&](const remembered_subscription& r) { return r.filter == s.filter; });
    if (it == subscriptions_.end()) {
      subscriptions_.push_back(s);
    } else {
      it->options = s.options;
    }
  }
}

void subscription_memory::forget(std::string_view filter) {
  std::erase_if(subscriptions_, [&](const remembered_subscription& s) { return s.filter == filter; });
}

std::vector<proto::subscription> subscription_memory::to_resubscribe() const {
  std::vector<proto::subscription> subs;
  subs.reserve(subscriptions_.size());
  for (const auto& s : subscriptions_) {
    proto::subscription x = s.options;
    x.filter = s.filter;
    subs.push_back(x);
  }
  return subs;
}

}  // namespace mqtk::client::detail
