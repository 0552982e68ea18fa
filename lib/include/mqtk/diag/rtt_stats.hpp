#pragma once
// Round-trip statistics as ping(8) prints them: sent, received, loss, and min/avg/max/mdev of
// the round trips (mdev is the standard deviation, sqrt(mean(x^2) - mean(x)^2), as iputils
// computes it). Plain arithmetic: times come in as milliseconds.
#include <cstddef>

namespace mqtk::diag {

class rtt_stats {
 public:
  void sent() noexcept { ++sent_; }
  void received(double rtt_ms) noexcept;

  std::size_t sent_count() const noexcept { return sent_; }
  std::size_t received_count() const noexcept { return received_; }
  // Percentage of sent probes with no answer; 0 when nothing was sent.
  double loss_percent() const noexcept;
  // Meaningful when received_count() > 0; 0 otherwise.
  double min_ms() const noexcept { return received_ ? min_ : 0; }
  double max_ms() const noexcept { return received_ ? max_ : 0; }
  double avg_ms() const noexcept;
  double mdev_ms() const noexcept;

 private:
  std::size_t sent_ = 0;
  std::size_t received_ = 0;
  double min_ = 0;
  double max_ = 0;
  double sum_ = 0;
  double sum_sq_ = 0;
};

}  // namespace mqtk::diag
