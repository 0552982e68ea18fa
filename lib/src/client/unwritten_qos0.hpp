#pragma once
// QoS 0 publishes whose bytes are queued but not yet written. The session finishes a QoS 0
// publish when it hands over the bytes; the caller hears of it once they are written, which
// also keeps a fast publisher from outrunning the socket. Counts are of the client's lifetime.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/system/error_code.hpp>

#include "pending_operations.hpp"

namespace mqtk::client::detail {

class unwritten_qos0 {
 public:
  // `n` bytes were queued for writing.
  void queued(std::size_t n) noexcept { bytes_queued_ += n; }
  bool all_written() const noexcept { return bytes_written_ >= bytes_queued_; }
  // Publish `id` completes once what is queued now has been written.
  void wait(proto::operation_id id) { waiting_.push_back({id, bytes_queued_}); }
  // `n` more bytes were written: completes the publishes whose bytes are all out.
  void written(std::size_t n, pending_operations& ops);
  // The connection ended: what was not written never will be; the publishes still waiting
  // complete with `ec`.
  void fail_all(boost::system::error_code ec, pending_operations& ops);
  // What was queued will not be written (the transport is gone); nobody waits for it now.
  void discard_queued() noexcept { bytes_written_ = bytes_queued_; }
  // Forgets the waiting publishes without completing them (their operations are aborted).
  void clear() noexcept;

 private:
  struct entry {
    proto::operation_id id = 0;
    std::uint64_t until = 0;  // complete once bytes_written_ reaches it
  };
  std::vector<entry> waiting_;
  std::size_t head_ = 0;
  std::uint64_t bytes_queued_ = 0;
  std::uint64_t bytes_written_ = 0;
};

}  // namespace mqtk::client::detail
