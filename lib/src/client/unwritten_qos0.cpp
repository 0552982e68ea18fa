#include "unwritten_qos0.hpp"

namespace mqtk::client::detail {

void unwritten_qos0::written(std::size_t n, pending_operations& ops) {
  bytes_written_ += n;
  while (head_ < waiting_.size() && waiting_[head_].until <= bytes_written_) {
    ops.finish(waiting_[head_].id, {});
    ++head_;
  }
  if (head_ == waiting_.size()) clear();
  ops.compact();
}

void unwritten_qos0::fail_all(boost::system::error_code ec, pending_operations& ops) {
  for (std::size_t i = head_; i < waiting_.size(); ++i) ops.finish(waiting_[i].id, ec);
  clear();
  ops.compact();
}

void unwritten_qos0::clear() noexcept {
  waiting_.clear();
  head_ = 0;
}

}  // namespace mqtk::client::detail
