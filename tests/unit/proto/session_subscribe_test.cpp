// SUBSCRIBE/SUBACK and UNSUBSCRIBE/UNSUBACK with per-filter reason codes in the completion.
#include "session_test_support.hpp"

namespace mqtk::test {
namespace {

using proto::protocol_version;
using proto::qos;
using proto::subscription;

TEST(SessionSubscribe, SubackCodesCompleteTheOperation) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.subscribe({{.filter = "a/#", .max_qos = qos::at_least_once}, {.filter = "b", .max_qos = qos::exactly_once}}),
            lines{"> SUBSCRIBE #1 a/#:1 b:2"});
  std::vector<std::uint8_t> codes{0x01, 0x02};
  EXPECT_EQ(h.recv(proto::suback{.packet_id = 1, .reason_codes = codes}), lines{"done 1 ok [0x01,0x02]"});
}

TEST(SessionSubscribe, AnyFailedFilterRejectsWithFirstFailure) {
  session_harness h;
  h.establish();
  h.subscribe({{.filter = "a"}, {.filter = "secret/#"}, {.filter = "c"}});
  std::vector<std::uint8_t> codes{0x00, 0x87, 0x8F};
  EXPECT_EQ(h.recv(proto::suback{.packet_id = 1, .reason_codes = codes}), lines{"done 1 rejected rc=0x87 [0x00,0x87,0x8f]"});
}

TEST(SessionSubscribe, V311FailureCodeIs0x80) {
  session_harness h(protocol_version::v311);
  h.establish();
  EXPECT_EQ(h.subscribe({{.filter = "a", .max_qos = qos::exactly_once}}), lines{"> SUBSCRIBE #1 a:2"});
  std::vector<std::uint8_t> codes{0x80};
  EXPECT_EQ(h.recv(proto::suback{.packet_id = 1, .reason_codes = codes}), lines{"done 1 rejected rc=0x80 [0x80]"});
}

TEST(SessionSubscribe, UnsubackV5CarriesCodes) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.unsubscribe({"a/#", "b"}), lines{"> UNSUBSCRIBE #1 a/# b"});
  std::vector<std::uint8_t> codes{0x00, 0x11};  // 0x11: no subscription existed, not a failure
  EXPECT_EQ(h.recv(proto::unsuback{.packet_id = 1, .reason_codes = codes}), lines{"done 1 ok [0x00,0x11]"});
}

TEST(SessionSubscribe, UnsubackV311HasNoCodes) {
  session_harness h(protocol_version::v311);
  h.establish();
  EXPECT_EQ(h.unsubscribe({"a"}), lines{"> UNSUBSCRIBE #1 a"});
  EXPECT_EQ(h.recv(proto::unsuback{.packet_id = 1}), lines{"done 1 ok"});
}

TEST(SessionSubscribe, AckOfTheWrongKindIsAProtocolError) {
  session_harness h;
  h.establish();
  h.subscribe({{.filter = "a"}});
  std::vector<std::uint8_t> codes{0x00};
  EXPECT_EQ(h.recv(proto::unsuback{.packet_id = 1, .reason_codes = codes}),
            (lines{"> DISCONNECT rc=0x82", "cancel keepalive",
                   "close protocol_error 'the broker answered SUBSCRIBE id 1 with UNSUBACK (expected SUBACK)'",
                   "done 1 protocol_error"}));
}

TEST(SessionSubscribe, SubscribesShareThePacketIdPoolWithPublishes) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.publish("a", "m", qos::at_least_once), lines{"> PUBLISH a q1 #1 'm'"});
  EXPECT_EQ(h.subscribe({{.filter = "x"}}), lines{"> SUBSCRIBE #2 x:0"});
  EXPECT_EQ(h.unsubscribe({"x"}), lines{"> UNSUBSCRIBE #3 x"});
}

TEST(SessionSubscribe, UnackedSubscribeFailsWhenTheConnectionIsLost) {
  session_harness h;
  h.establish();
  h.subscribe({{.filter = "a"}});
  EXPECT_EQ(h.down(), (lines{"cancel keepalive", "done 1 connection_lost"}));
}

TEST(SessionSubscribe, InvalidSubscribeCompletesAtOnce) {
  session_harness h;
  h.establish();
  EXPECT_EQ(h.subscribe({}), lines{"done 1 invalid_request"});
  EXPECT_EQ(h.subscribe({{.filter = "a/#/b"}}), lines{"done 2 invalid_request"});
  EXPECT_EQ(h.unsubscribe({}), lines{"done 3 invalid_request"});
}

TEST(SessionSubscribe, SubscribeTooLargeForTheBroker) {
  session_harness h;
  h.establish(60, {{.id = proto::property_id::maximum_packet_size, .number = 16}});
  EXPECT_EQ(h.subscribe({{.filter = "a/very/long/topic/filter/#"}}), lines{"done 1 packet_too_large"});
}

}  // namespace
}  // namespace mqtk::test
