#pragma once
// localtime_r for the output formatters, remembered for the last second seen: mosquitto's
// time conversions (%I %j %J @X) print local time, and a stream of messages mostly shares its
// second, so this saves a localtime_r (a lock and a time zone check) per message.
#include <ctime>

namespace mqtk::report::detail {

inline const std::tm& local_tm(std::time_t t) {
  thread_local std::time_t cached_second = -1;
  thread_local std::tm cached{};
  if (t != cached_second) {
    localtime_r(&t, &cached);
    cached_second = t;
  }
  return cached;
}

}  // namespace mqtk::report::detail
