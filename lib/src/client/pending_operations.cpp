#include "pending_operations.hpp"

#include <algorithm>
#include <utility>

#include "post_completion.hpp"

namespace mqtk::client::detail {

pending_operations::operation& pending_operations::add(proto::operation_id id, client::executor_type ex, handler h) {
  operation& op = ops_.emplace_back();
  op.id = id;
  op.ex = std::move(ex);
  op.completion = std::move(h);
  return op;
}

pending_operations::operation* pending_operations::find(proto::operation_id id) {
  auto it = std::lower_bound(ops_.begin() + static_cast<std::ptrdiff_t>(head_), ops_.end(), id,
                             [](const operation& op, proto::operation_id v) { return op.id < v; });
  if (it == ops_.end() || it->id != id || !it->active) return nullptr;
  return &*it;
}

void pending_operations::finish(operation& op, boost::system::error_code ec, proto::reason_code reason,
                                std::uint16_t packet_id, proto::list_view<proto::reason_code> codes) {
  op.active = false;
  if (auto* h = std::get_if<client::publish_handler>(&op.completion)) {
    post_completion(op.ex, std::move(*h), ec, publish_result{.reason_code = reason, .packet_id = packet_id});
  } else if (auto* s = std::get_if<client::subscribe_handler>(&op.completion)) {
    subscribe_result r;
    r.reason_codes.assign(codes.begin(), codes.end());
    r.packet_id = packet_id;
    post_completion(op.ex, std::move(*s), ec, std::move(r));
  }
  op.completion = std::monostate{};
}

void pending_operations::finish(proto::operation_id id, boost::system::error_code ec) {
  if (operation* op = find(id)) finish(*op, ec, proto::reason_code{}, 0, {});
}

void pending_operations::abort_all(boost::system::error_code ec) {
  for (std::size_t i = head_; i < ops_.size(); ++i) {
    if (ops_[i].active) finish(ops_[i], ec, proto::reason_code{}, 0, {});
  }
  ops_.clear();
  head_ = 0;
}

void pending_operations::compact() {
  // Finished entries at the front are dropped; the vector keeps its capacity.
  while (head_ < ops_.size() && !ops_[head_].active) ++head_;
  if (head_ == ops_.size()) {
    ops_.clear();
    head_ = 0;
  } else if (head_ > 64 && head_ * 2 > ops_.size()) {
    ops_.erase(ops_.begin(), ops_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

}  // namespace mqtk::client::detail
