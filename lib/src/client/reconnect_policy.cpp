#include "mqtk/client/reconnect_policy.hpp"

#include <algorithm>
#include <cmath>

namespace mqtk::client {

std::chrono::milliseconds reconnect_policy::delay(std::uint32_t attempt, double random01) const noexcept {
  const double base = static_cast<double>(initial_delay.count());
  const double cap = static_cast<double>(std::max(max_delay, initial_delay).count());
  // pow() grows past any cap quickly; clamp the exponent so the double never overflows.
  const double exponent = static_cast<double>(std::min<std::uint32_t>(attempt == 0 ? 0 : attempt - 1, 64));
  double d = std::min(base * std::pow(std::max(multiplier, 1.0), exponent), cap);
  const double j = std::clamp(jitter, 0.0, 1.0);
  d *= 1.0 + j * (2.0 * std::clamp(random01, 0.0, 1.0) - 1.0);
  return std::chrono::milliseconds{static_cast<long long>(std::max(d, 0.0))};
}

}  // namespace mqtk::client
