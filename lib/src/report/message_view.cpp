#include "mqtk/report/message_view.hpp"

namespace mqtk::report {

message_view make_message_view(const proto::publish& p, std::chrono::system_clock::time_point at) noexcept {
  return message_view{.topic = p.topic,
                      .payload = p.payload,
                      .qos = p.qos,
                      .retain = p.retain,
                      .dup = p.dup,
                      .packet_id = p.packet_id,
                      .properties = &p.properties,
                      .timestamp = at};
}

}  // namespace mqtk::report
