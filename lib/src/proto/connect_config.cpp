#include "mqtk/proto/connect_config.hpp"

#include <string_view>
#include <utility>

namespace mqtk::proto {

connect_config::connect_config(const connect& c) : packet_(c) {
  std::size_t total = c.client_id.size() + c.username.value_or("").size() + c.password.value_or("").size();
  for (const property& p : c.properties) total += p.key.size() + p.value.size();
  if (c.will) {
    total += c.will->topic.size() + c.will->payload.size();
    for (const property& p : c.will->properties) total += p.key.size() + p.value.size();
  }
  text_.reserve(total);  // no reallocation below: the views handed out stay put
  auto keep = [this](std::string_view s) {
    const std::size_t offset = text_.size();
    text_.insert(text_.end(), s.begin(), s.end());
    return std::string_view(text_.data() + offset, s.size());
  };
  auto keep_all = [&](property_list from, std::vector<property>& to) {
    to.reserve(from.size());
    for (property p : from) {
      p.key = keep(p.key);
      p.value = keep(p.value);
      to.push_back(p);
    }
    return property_list(to);
  };
  packet_.client_id = keep(c.client_id);
  if (c.username) packet_.username = keep(*c.username);
  if (c.password) packet_.password = keep(*c.password);
  packet_.properties = keep_all(c.properties, properties_);
  if (c.will) {
    packet_.will->topic = keep(c.will->topic);
    packet_.will->payload = keep(c.will->payload);
    packet_.will->properties = keep_all(c.will->properties, will_properties_);
  }
}

connect_config& connect_config::operator=(const connect_config& other) {
  // Built beside the old storage: `other` may be this object.
  if (this != &other) *this = connect_config(other);
  return *this;
}

connect_config::connect_config(connect_config&& other) noexcept
    : packet_(std::exchange(other.packet_, connect{})),
      text_(std::move(other.text_)),
      properties_(std::move(other.properties_)),
      will_properties_(std::move(other.will_properties_)) {}

connect_config& connect_config::operator=(connect_config&& other) noexcept {
  if (this != &other) {
    packet_ = std::exchange(other.packet_, connect{});
    text_ = std::move(other.text_);
    properties_ = std::move(other.properties_);
    will_properties_ = std::move(other.will_properties_);
  }
  return *this;
}

}  // namespace mqtk::proto
