// SUBSCRIBE/SUBACK and UNSUBSCRIBE/UNSUBACK with per-filter reason codes in the completion.
#include "session_test_support.hpp"

namespace mqtk::test {
namespace {

using proto::protocol_version;
using proto::qos;
using proto::subscription;

TEST(session_subscribe, suback_codes_complete_the_operation) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.subscribe({{.filter = "a/#", .max_qos = qos::at_least_once}, {.filter = "b", .max_qos = qos::exactly_once}}),
            lines{"> SUBSCRIBE #1 a/#:1 b:2"});
  std::vector<proto::reason_code> codes{proto::reason_code{0x01}, proto::reason_code{0x02}};
  EXPECT_EQ(h.recv(proto::suback{.packet_id = 1, .reason_codes = codes}), lines{"done 1 ok [0x01,0x02]"});
}

TEST(session_subscribe, any_failed_filter_rejects_with_first_failure) {
  session_harness h;
  h.establish();
  h.subscribe({{.filter = "a"}, {.filter = "secret/#"}, {.filter = "c"}});
  std::vector<proto::reason_code> codes{proto::reason_code{0x00}, proto::reason_code{0x87}, proto::reason_code{0x8F}};
  EXPECT_EQ(h.recv(proto::suback{.packet_id = 1, .reason_codes = codes}), lines{"done 1 rejected rc=0x87 [0x00,0x87,0x8f]"});
}

TEST(session_subscribe, v311_failure_code_is_0x80) {
  session_harness h(protocol_version::v311);
  h.establish();
  EXPECT_EQ(h.subscribe({{.filter = "a", .max_qos = qos::exactly_once}}), lines{"> SUBSCRIBE #1 a:2"});
  std::vector<proto::reason_code> codes{proto::reason_code{0x80}};
  EXPECT_EQ(h.recv(proto::suback{.packet_id = 1, .reason_codes = codes}), lines{"done 1 rejected rc=0x80 [0x80]"});
}

TEST(session_subscribe, unsuback_v5_carries_codes) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.unsubscribe({"a/#", "b"}), lines{"> UNSUBSCRIBE #1 a/# b"});
  std::vector<proto::reason_code> codes{proto::reason_code{0x00}, proto::reason_code{0x11}};  // 0x11: no subscription existed, not a failure
  EXPECT_EQ(h.recv(proto::unsuback{.packet_id = 1, .reason_codes = codes}), lines{"done 1 ok [0x00,0x11]"});
}

TEST(session_subscribe, unsuback_v311_has_no_codes) {
  session_harness h(protocol_version::v311);
  h.establish();
  EXPECT_EQ(h.unsubscribe({"a"}), lines{"> UNSUBSCRIBE #1 a"});
  EXPECT_EQ(h.recv(proto::unsuback{.packet_id = 1}), lines{"done 1 ok"});
}

TEST(session_subscribe, ack_of_the_wrong_kind_is_a_protocol_error) {
  session_harness h;
  h.establish();
  h.subscribe({{.filter = "a"}});
  std::vector<proto::reason_code> codes{proto::reason_code{0x00}};
  EXPECT_EQ(h.recv(proto::unsuback{.packet_id = 1, .reason_codes = codes}),
            (lines{"> DISCONNECT rc=0x82", "cancel keepalive",
                   "close protocol_error 'the broker answered SUBSCRIBE id 1 with UNSUBACK (expected SUBACK)'",
                   "done 1 protocol_error"}));
}

TEST(session_subscribe, subscribes_share_the_packet_id_pool_with_publishes) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.publish("a", "m", qos::at_least_once), lines{"> PUBLISH a q1 #1 'm'"});
  EXPECT_EQ(h.subscribe({{.filter = "x"}}), lines{"> SUBSCRIBE #2 x:0"});
  EXPECT_EQ(h.unsubscribe({"x"}), lines{"> UNSUBSCRIBE #3 x"});
}

TEST(session_subscribe, unacked_subscribe_fails_when_the_connection_is_lost) {
  session_harness h;
  h.establish();
  h.subscribe({{.filter = "a"}});
  EXPECT_EQ(h.down(), (lines{"cancel keepalive", "done 1 connection_lost"}));
}

TEST(session_subscribe, invalid_subscribe_completes_at_once) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.subscribe({}), lines{"done 1 invalid_request"});
  EXPECT_EQ(h.subscribe({{.filter = "a/#/b"}}), lines{"done 2 invalid_request"});
  EXPECT_EQ(h.unsubscribe({}), lines{"done 3 invalid_request"});
}

TEST(session_subscribe, subscribe_too_large_for_the_broker) {
  session_harness h;
  h.establish(60, {{.id = proto::property_id::maximum_packet_size, .number = 16}});
  EXPECT_EQ(h.subscribe({{.filter = "a/very/long/topic/filter/#"}}), lines{"done 1 packet_too_large"});
}

}  // namespace
}  // namespace mqtk::test
