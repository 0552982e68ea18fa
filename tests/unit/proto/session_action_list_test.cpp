// The action list's arena and send coalescing, the packet id pool, and action to_string.
#include "session_test_support.hpp"

#include "mqtk/proto/session_packet_id_pool.hpp"
#include "mqtk/proto/session_slot_ring.hpp"

namespace mqtk::test {
namespace {

using namespace std::chrono_literals;

TEST(session_action_list, adjacent_sends_coalesce) {
  proto::action_list out;
  auto a = out.allocate_bytes(2);
  a[0] = 0xC0;
  a[1] = 0x00;
  out.push_send(a);
  auto b = out.allocate_bytes(2);
  b[0] = 0xE0;
  b[1] = 0x00;
  out.push_send(b);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(std::get<proto::send_action>(out[0]).bytes.size(), 4U);
  out.push(proto::cancel_timer_action{proto::timer_kind::keepalive});
  auto c = out.allocate_bytes(2);
  out.push_send(c);
  EXPECT_EQ(out.size(), 3U) << "a send after another action starts a new one";
}

TEST(session_action_list, copies_survive_growth_and_clear_reuses_memory) {
  proto::action_list out;
  std::string_view first = out.copy(std::string_view("first"));
  std::vector<std::string_view> many;
  for (int i = 0; i < 5000; ++i) many.push_back(out.copy(std::string_view("payload-" + std::to_string(i))));
  EXPECT_EQ(first, "first");
  EXPECT_EQ(many[0], "payload-0");
  EXPECT_EQ(many[4999], "payload-4999");
  auto big = out.allocate_bytes(100'000);  // larger than a block
  EXPECT_EQ(big.size(), 100'000U);
  const auto* before = out.allocate_bytes(1).data();
  out.clear();
  EXPECT_TRUE(out.empty());
  std::string_view again = out.copy(std::string_view("first"));
  EXPECT_EQ(again.data(), first.data()) << "clear() keeps the blocks for reuse";
  (void)before;
}

TEST(session_action_list, to_string_is_one_line) {
  proto::session_time t0{};
  EXPECT_EQ(proto::to_string(proto::arm_timer_action{proto::timer_kind::pingresp, t0 + 1500ms}, t0),
            "arm_timer(pingresp, +1500 ms)");
  proto::complete_action done{.id = 4, .kind = proto::operation_kind::publish,
                              .error = proto::session_error::rejected, .reason_code = proto::reason_code{0x87}};
  EXPECT_EQ(proto::to_string(done), "complete(publish #4, rejected, 0x87)");
  std::uint8_t bytes[] = {0xC0, 0x00, 0x30, 0x03, 0x00, 0x01, 'a'};
  EXPECT_EQ(proto::to_string(proto::send_action{bytes}), "send(PINGREQ,PUBLISH, 7 bytes)");
}

TEST(session_packet_id_pool, allocates_in_order_and_wraps) {
  proto::packet_id_pool pool;
  EXPECT_EQ(pool.allocate(), 1);
  EXPECT_EQ(pool.allocate(), 2);
  pool.release(1);
  EXPECT_EQ(pool.allocate(), 3) << "a released id is not reused at once";
  EXPECT_TRUE(pool.reserve(65535));
  EXPECT_FALSE(pool.reserve(65535));
  EXPECT_FALSE(pool.reserve(0));
  pool.release(65535);
  for (int i = 4; i <= 65535; ++i) ASSERT_EQ(pool.allocate(), i);
  EXPECT_EQ(pool.allocate(), 1) << "wraps past 65535 to the first free id";
  EXPECT_EQ(pool.used(), 65535U);
  EXPECT_EQ(pool.allocate(), std::nullopt) << "all 65535 ids in use";
  pool.release(300);
  EXPECT_EQ(pool.allocate(), 300);
  pool.clear();
  EXPECT_EQ(pool.used(), 0U);
  EXPECT_FALSE(pool.in_use(300));
}

TEST(session_error, every_code_has_a_name_and_a_message) {
  for (int e = 1; e <= static_cast<int>(proto::session_error::cancelled); ++e) {
    auto ec = make_error_code(static_cast<proto::session_error>(e));
    EXPECT_NE(proto::session_error_name(static_cast<proto::session_error>(e)), "unknown") << e;
    EXPECT_FALSE(ec.message().empty());
    EXPECT_STREQ(ec.category().name(), "mqtk.session");
  }
}

}  // namespace
}  // namespace mqtk::test

namespace mqtk::test {
namespace {

TEST(session_slot_ring, fifo_with_front_insert_and_ordered_erase) {
  proto::slot_ring ring;
  for (std::uint32_t i = 0; i < 40; ++i) ring.push_back(i);  // grows past the first capacity
  for (std::uint32_t i = 0; i < 30; ++i) {
    ASSERT_EQ(ring.front(), i);
    ring.pop_front();
  }
  for (std::uint32_t i = 40; i < 60; ++i) ring.push_back(i);  // wraps around the storage
  ring.push_front(99);
  ring.erase(3);  // drops 32
  std::vector<std::uint32_t> got;
  for (std::size_t i = 0; i < ring.size(); ++i) got.push_back(ring[i]);
  std::vector<std::uint32_t> want{99, 30, 31};
  for (std::uint32_t i = 33; i < 60; ++i) want.push_back(i);
  EXPECT_EQ(got, want);
  ring.clear();
  EXPECT_TRUE(ring.empty());
}

}  // namespace
}  // namespace mqtk::test
