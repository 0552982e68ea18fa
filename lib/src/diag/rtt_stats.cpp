#include "mqtk/diag/rtt_stats.hpp"

#include <algorithm>
#include <cmath>

namespace mqtk::diag {

void rtt_stats::received(double rtt_ms) noexcept {
  if (received_ == 0) {
    min_ = max_ = rtt_ms;
  } else {
    min_ = std::min(min_, rtt_ms);
    max_ = std::max(max_, rtt_ms);
  }
  ++received_;
  sum_ += rtt_ms;
  sum_sq_ += rtt_ms * rtt_ms;
}

double rtt_stats::loss_percent() const noexcept {
  if (sent_ == 0) return 0;
  const std::size_t lost = sent_ > received_ ? sent_ - received_ : 0;
  return 100.0 * static_cast<double>(lost) / static_cast<double>(sent_);
}

double rtt_stats::avg_ms() const noexcept { return received_ ? sum_ / static_cast<double>(received_) : 0; }

double rtt_stats::mdev_ms() const noexcept {
  if (received_ == 0) return 0;
  const double avg = avg_ms();
  // Rounding can make the difference slightly negative for equal samples.
  return std::sqrt(std::max(0.0, sum_sq_ / static_cast<double>(received_) - avg * avg));
}

}  // namespace mqtk::diag
