// connect_config owns what a proto::connect views: the CONNECT a client resends on every
// reconnect must not depend on the lifetime of the strings it was built from.
#include "mqtk/proto/connect_config.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mqtk/proto/encoder.hpp"

namespace mqtk::proto {
namespace {

// A CONNECT with every kind of view, built from strings that die with the returned config's
// source: what it owns is then the only copy.
connect_config config_from_temporaries() {
  std::string id = "device-1";
  std::string user = "alice";
  std::string pass = "s3cret";
  std::string will_topic = "devices/1/status";
  std::string will_payload = "offline";
  std::string key = "site";
  std::string value = "lab";
  std::vector<property> props = {{.id = property_id::user_property, .key = key, .value = value},
                                 {.id = property_id::session_expiry_interval, .number = 600}};
  std::vector<property> will_props = {{.id = property_id::content_type, .value = value}};
  connect_config c = connect{.version = protocol_version::v5,
                             .client_id = id,
                             .keep_alive = 30,
                             .clean_start = false,
                             .will = will_message{.topic = will_topic,
                                                  .payload = will_payload,
                                                  .qos = qos::at_least_once,
                                                  .retain = true,
                                                  .properties = property_list(will_props)},
                             .username = user,
                             .password = pass,
                             .properties = property_list(props)};
  // Overwrite the sources before they go: a config that still viewed them would show this.
  for (std::string* s : {&id, &user, &pass, &will_topic, &will_payload, &key, &value}) s->assign(s->size(), '#');
  return c;
}

std::vector<std::uint8_t> encoded(const connect_config& c) {
  std::vector<std::uint8_t> bytes;
  encode_append(c.packet(), c.packet().version, bytes);
  return bytes;
}

void expect_the_device_connect(const connect& p) {
  EXPECT_EQ(p.client_id, "device-1");
  EXPECT_EQ(p.username, "alice");
  EXPECT_EQ(p.password, "s3cret");
  EXPECT_EQ(p.keep_alive, 30);
  EXPECT_FALSE(p.clean_start);
  ASSERT_EQ(p.properties.size(), 2u);
  EXPECT_EQ(p.properties[0].key, "site");
  EXPECT_EQ(p.properties[0].value, "lab");
  EXPECT_EQ(p.properties.number(property_id::session_expiry_interval), 600u);
  ASSERT_TRUE(p.will.has_value());
  EXPECT_EQ(p.will->topic, "devices/1/status");
  EXPECT_EQ(p.will->payload, "offline");
  EXPECT_EQ(p.will->properties.string(property_id::content_type), "lab");
}

TEST(connect_config, keeps_every_string_after_the_source_is_gone) {
  expect_the_device_connect(config_from_temporaries().packet());
}

TEST(connect_config, a_copy_owns_its_own_strings) {
  auto original = std::make_optional(config_from_temporaries());
  const connect_config copy = *original;
  const auto bytes = encoded(copy);
  original.reset();
  expect_the_device_connect(copy.packet());
  EXPECT_EQ(encoded(copy), bytes);
}

TEST(connect_config, a_move_hands_the_strings_over) {
  connect_config from = config_from_temporaries();
  const auto bytes = encoded(from);
  const connect_config to = std::move(from);
  expect_the_device_connect(to.packet());
  EXPECT_EQ(encoded(to), bytes);
  EXPECT_EQ(from.packet(), connect{});  // NOLINT(bugprone-use-after-move): left empty, not dangling
}

TEST(connect_config, edit_may_keep_viewing_the_old_strings) {
  connect_config c = config_from_temporaries();
  c.edit([](connect& p) { p.will.reset(); });  // p still views c's storage while it is replaced
  EXPECT_FALSE(c.packet().will.has_value());
  EXPECT_EQ(c.packet().client_id, "device-1");
  EXPECT_EQ(c.packet().username, "alice");
  EXPECT_EQ(c.packet().properties[0].value, "lab");
}

TEST(connect_config, self_assignment_keeps_the_strings) {
  connect_config c = config_from_temporaries();
  const connect_config& same = c;
  c = same;
  expect_the_device_connect(c.packet());
}

}  // namespace
}  // namespace mqtk::proto
