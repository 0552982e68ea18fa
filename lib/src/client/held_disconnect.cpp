#include "held_disconnect.hpp"

#include <span>

namespace mqtk::client::detail {

void held_disconnect::hold(const proto::disconnect& d) {
  properties_.clear();
  strings_.clear();
  for (proto::property p : d.properties) {
    p.key = strings_.emplace_back(p.key);
    p.value = strings_.emplace_back(p.value);
    properties_.push_back(p);
  }
  packet_ = d;
  packet_.properties = proto::property_list(std::span<const proto::property>(properties_));
}

}  // namespace mqtk::client::detail
