// The SOCKS5 client handshake as a sans-I/O state machine: byte-exact requests (RFC 1928,
// RFC 1929), replies fed whole, byte by byte and split at every point, every error reply, and
// the CONNECT reply's BND.ADDR of each address type skipped without touching the tunnel's bytes.
#include "mqtk/net/socks5_handshake.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "support/bytes.hpp"

namespace mqtk::net {
namespace {

using test::bytes;
using test::from_hex;
using test::from_string;
using test::to_hex;
using stage = socks5_handshake::stage;

bytes cat(std::vector<bytes> parts) {
  bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

socks5_request to_broker(std::string host = "broker.local", std::uint16_t port = 1883) {
  return socks5_request{.host = std::move(host), .port = port};
}
socks5_request with_credentials(std::string user = "bob", std::string password = "secret") {
  auto r = to_broker();
  r.username = std::move(user);
  r.password = std::move(password);
  return r;
}

// Replies of a proxy.
const bytes choose_none = from_hex("05 00");
const bytes choose_password = from_hex("05 02");
const bytes auth_ok = from_hex("01 00");
// Success, bound to 10.0.0.2:40000.
const bytes connected_v4 = from_hex("05 00 00 01 0a 00 00 02 9c 40");

// Requests to the proxy.
const bytes greeting_none = from_hex("05 01 00");
const bytes greeting_both = from_hex("05 02 00 02");
const bytes connect_broker_local = cat({from_hex("05 01 00 03 0c"), from_string("broker.local"), from_hex("07 5b")});
const bytes auth_bob = cat({from_hex("01 03"), from_string("bob"), from_hex("06"), from_string("secret")});

// Feeds `reply` in one piece and checks that all of it was taken.
void feed(socks5_handshake& h, const bytes& reply) {
  EXPECT_EQ(h.receive(reply), reply.size()) << to_hex(reply);
}

// ---- requests, byte for byte

TEST(socks5_handshake, greeting_without_credentials_offers_no_authentication) {
  socks5_handshake h(to_broker());
  EXPECT_EQ(h.current_stage(), stage::method_selection);
  EXPECT_TRUE(h.has_output());
  EXPECT_EQ(to_hex(h.take_output()), to_hex(greeting_none));
  EXPECT_FALSE(h.has_output());
  EXPECT_EQ(h.bytes_needed(), 2u);
  EXPECT_FALSE(h.chosen_method());
}

TEST(socks5_handshake, greeting_with_credentials_offers_both_methods) {
  socks5_handshake h(with_credentials());
  EXPECT_EQ(to_hex(h.take_output()), to_hex(greeting_both));
}

TEST(socks5_handshake, no_authentication_then_connect_by_name) {
  socks5_handshake h(to_broker());
  h.take_output();
  feed(h, choose_none);
  EXPECT_EQ(h.chosen_method(), socks5_method_none);
  EXPECT_EQ(h.current_stage(), stage::connect);
  EXPECT_EQ(to_hex(h.take_output()), to_hex(connect_broker_local));
  EXPECT_EQ(h.bytes_needed(), 2u);
  feed(h, connected_v4);
  EXPECT_TRUE(h.done());
  EXPECT_FALSE(h.error());
  EXPECT_FALSE(h.has_output());
  EXPECT_EQ(h.bytes_needed(), 0u);
  EXPECT_EQ(h.bound_address(), "10.0.0.2:40000");
}

TEST(socks5_handshake, user_name_and_password_then_connect) {
  socks5_handshake h(with_credentials());
  h.take_output();
  feed(h, choose_password);
  EXPECT_EQ(h.current_stage(), stage::authentication);
  EXPECT_EQ(to_hex(h.take_output()), to_hex(auth_bob));
  EXPECT_EQ(h.bytes_needed(), 2u);
  feed(h, auth_ok);
  EXPECT_EQ(h.current_stage(), stage::connect);
  EXPECT_EQ(to_hex(h.take_output()), to_hex(connect_broker_local));
  feed(h, connected_v4);
  EXPECT_TRUE(h.done());
}

TEST(socks5_handshake, user_name_without_password_sends_an_empty_password) {
  auto request = to_broker();
  request.username = "bob";
  socks5_handshake h(request);
  h.take_output();
  feed(h, choose_password);
  EXPECT_EQ(to_hex(h.take_output()), to_hex(cat({from_hex("01 03"), from_string("bob"), from_hex("00")})));
}

TEST(socks5_handshake, proxy_may_skip_authentication_offered) {
  socks5_handshake h(with_credentials());
  h.take_output();
  feed(h, choose_none);
  EXPECT_EQ(to_hex(h.take_output()), to_hex(connect_broker_local));
}

TEST(socks5_handshake, literal_addresses_go_as_addresses) {
  auto connect_request = [](const std::string& host, std::uint16_t port) {
    socks5_handshake h(to_broker(host, port));
    h.take_output();
    h.receive(choose_none);
    return to_hex(h.take_output());
  };
  EXPECT_EQ(connect_request("127.0.0.1", 1883), to_hex(from_hex("05 01 00 01 7f 00 00 01 07 5b")));
  EXPECT_EQ(connect_request("::1", 8883),
            to_hex(from_hex("05 01 00 04 00000000000000000000000000000001 22 b3")));
  EXPECT_EQ(connect_request("2001:db8::2", 443),
            to_hex(from_hex("05 01 00 04 20010db8000000000000000000000002 01 bb")));
  // A zone cannot travel in an address field: the proxy gets the text to resolve.
  EXPECT_EQ(connect_request("fe80::1%lo", 1),
            to_hex(cat({from_hex("05 01 00 03 0a"), from_string("fe80::1%lo"), from_hex("00 01")})));
  // Not quite an address: a name.
  EXPECT_EQ(connect_request("127.0.0.1.nip.io", 65535),
            to_hex(cat({from_hex("05 01 00 03 10"), from_string("127.0.0.1.nip.io"), from_hex("ff ff")})));
}

TEST(socks5_handshake, longest_name_fits_and_longer_fails_before_sending) {
  socks5_handshake fits(to_broker(std::string(255, 'a')));
  fits.take_output();
  fits.receive(choose_none);
  const auto request = fits.take_output();
  ASSERT_EQ(request.size(), 4u + 1 + 255 + 2);
  EXPECT_EQ(request[4], 255);

  socks5_handshake too_long(to_broker(std::string(256, 'a')));
  EXPECT_TRUE(too_long.failed());
  EXPECT_EQ(too_long.error(), socks5_error::host_too_long);
  EXPECT_FALSE(too_long.has_output());
  EXPECT_EQ(too_long.bytes_needed(), 0u);
}

TEST(socks5_handshake, credentials_outside_rfc1929_fail_before_sending) {
  for (auto [user, password] : std::vector<std::pair<std::string, std::string>>{
           {"", "pw"}, {std::string(256, 'u'), "pw"}, {"bob", std::string(256, 'p')}}) {
    socks5_handshake h(with_credentials(user, password));
    EXPECT_EQ(h.error(), socks5_error::invalid_credentials) << user.size() << "/" << password.size();
    EXPECT_FALSE(h.has_output());
  }
  socks5_handshake longest(with_credentials(std::string(255, 'u'), std::string(255, 'p')));
  EXPECT_FALSE(longest.failed());
}

// ---- the proxy says no

socks5_handshake failed_after(const socks5_request& request, const std::vector<bytes>& replies) {
  socks5_handshake h(request);
  for (const auto& r : replies) {
    h.take_output();
    h.receive(r);
  }
  EXPECT_TRUE(h.failed());
  EXPECT_FALSE(h.has_output());
  EXPECT_EQ(h.bytes_needed(), 0u);
  return h;
}

TEST(socks5_handshake, no_acceptable_method) {
  auto h = failed_after(to_broker(), {from_hex("05 ff")});
  EXPECT_EQ(h.error(), socks5_error::no_acceptable_method);
  EXPECT_EQ(h.chosen_method(), socks5_method_no_acceptable);
  EXPECT_EQ(h.current_stage(), stage::failed);
}

TEST(socks5_handshake, a_method_that_was_not_offered) {
  EXPECT_EQ(failed_after(to_broker(), {choose_password}).error(), socks5_error::unexpected_method);
  EXPECT_EQ(failed_after(with_credentials(), {from_hex("05 01")}).error(), socks5_error::unexpected_method);  // GSSAPI
}

TEST(socks5_handshake, wrong_user_name_or_password) {
  // RFC 1929: any status but 0 is a failure (microsocks answers 0x02).
  for (const char* status : {"01 01", "01 02", "01 ff"}) {
    EXPECT_EQ(failed_after(with_credentials(), {choose_password, from_hex(status)}).error(),
              socks5_error::authentication_failed)
        << status;
  }
}

TEST(socks5_handshake, authentication_reply_version) {
  // Some proxies answer the subnegotiation with the SOCKS version: accepted.
  socks5_handshake lenient(with_credentials());
  lenient.take_output();
  feed(lenient, choose_password);
  lenient.take_output();
  feed(lenient, from_hex("05 00"));
  EXPECT_EQ(lenient.current_stage(), stage::connect);
  EXPECT_EQ(failed_after(with_credentials(), {choose_password, from_hex("02 00")}).error(),
            socks5_error::malformed_reply);
}

TEST(socks5_handshake, not_a_socks5_server) {
  EXPECT_EQ(failed_after(to_broker(), {from_hex("04 5a")}).error(), socks5_error::not_socks5);  // SOCKS4
  EXPECT_EQ(failed_after(to_broker(), {from_string("HT")}).error(), socks5_error::not_socks5);  // HTTP
  EXPECT_EQ(failed_after(to_broker(), {from_hex("20 02")}).error(), socks5_error::not_socks5);  // an MQTT CONNACK
  EXPECT_EQ(failed_after(to_broker(), {choose_none, from_hex("04 00")}).error(), socks5_error::not_socks5);
}

TEST(socks5_handshake, every_connect_reply_code_is_its_own_error) {
  const std::vector<std::pair<std::uint8_t, const char*>> codes = {
      {0x01, "general SOCKS server failure"}, {0x02, "connection not allowed by ruleset"},
      {0x03, "network unreachable"},          {0x04, "host unreachable"},
      {0x05, "connection refused"},           {0x06, "TTL expired"},
      {0x07, "command not supported"},        {0x08, "address type not supported"},
  };
  for (const auto& [code, meaning] : codes) {
    socks5_handshake h(to_broker());
    h.take_output();
    feed(h, choose_none);
    h.take_output();
    // The whole failure reply as microsocks sends it; only VER REP belong to the verdict.
    const bytes reply = {0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(h.receive(reply), 2u);
    ASSERT_TRUE(h.failed());
    EXPECT_EQ(h.error(), static_cast<socks5_error>(code));
    EXPECT_EQ(h.error().message(), meaning);
    EXPECT_EQ(socks5_reply_code(h.error()), code);
    EXPECT_EQ(h.bytes_needed(), 0u);
  }
}

TEST(socks5_handshake, unassigned_reply_codes_keep_their_value) {
  for (std::uint8_t code : {0x09, 0x42, 0xff}) {
    auto h = failed_after(to_broker(), {choose_none, bytes{0x05, code}});
    EXPECT_EQ(socks5_reply_code(h.error()), code);
    EXPECT_EQ(h.error().message(), "unassigned reply code");
  }
  EXPECT_FALSE(socks5_reply_code(make_error_code(socks5_error::authentication_failed)));
  EXPECT_FALSE(socks5_reply_code(boost::system::error_code()));
}

TEST(socks5_handshake, unknown_bound_address_type_is_malformed) {
  auto h = failed_after(to_broker(), {choose_none, from_hex("05 00 00 02 00")});
  EXPECT_EQ(h.error(), socks5_error::malformed_reply);
}

TEST(socks5_handshake, every_error_has_a_message) {
  for (int e = static_cast<int>(socks5_error::no_acceptable_method);
       e <= static_cast<int>(socks5_error::invalid_credentials); ++e) {
    const boost::system::error_code ec = static_cast<socks5_error>(e);
    EXPECT_NE(ec.message(), "unknown SOCKS5 error") << e;
    EXPECT_FALSE(ec.message().empty());
  }
  EXPECT_STREQ(socks5_category().name(), "mqtk.socks5");
}

// ---- the CONNECT reply's bound address, and the bytes after it

struct bound_case {
  const char* name;
  bytes reply;
  std::string bound;
};

std::vector<bound_case> bound_cases() {
  return {
      {"ipv4", connected_v4, "10.0.0.2:40000"},
      {"ipv6", from_hex("05 00 00 04 20010db8000000000000000000000009 00 50"), "[2001:db8::9]:80"},
      {"name", cat({from_hex("05 00 00 03 09"), from_string("proxy.lan"), from_hex("04 38")}), "proxy.lan:1080"},
      {"empty name", from_hex("05 00 00 03 00 00 00"), ":0"},
      // RSV is reserved: whatever a proxy puts there is not our business.
      {"ipv4, RSV set", from_hex("05 00 ff 01 7f 00 00 01 00 01"), "127.0.0.1:1"},
  };
}

TEST(socks5_handshake, bound_address_of_each_type_is_skipped_exactly) {
  const bytes tunnel = from_hex("20 02 00 00");  // the broker's CONNACK, right behind the reply
  for (const auto& c : bound_cases()) {
    socks5_handshake h(to_broker());
    h.take_output();
    feed(h, choose_none);
    h.take_output();
    const bytes reply_and_tunnel = cat({c.reply, tunnel});
    EXPECT_EQ(h.receive(reply_and_tunnel), c.reply.size()) << c.name;
    EXPECT_TRUE(h.done()) << c.name;
    EXPECT_EQ(h.bound_address(), c.bound) << c.name;
    EXPECT_EQ(h.receive(tunnel), 0u) << c.name << ": nothing more belongs to the handshake";
  }
}

// Drives a whole conversation, giving each reply to receive() in the pieces `split` makes of
// it, and reading only bytes_needed() at a time as the transport does. Returns everything sent.
bytes converse(const socks5_request& request, const std::vector<bytes>& replies,
               const std::function<std::vector<bytes>(const bytes&)>& split) {
  socks5_handshake h(request);
  bytes sent = h.take_output();
  for (const auto& reply : replies) {
    std::size_t taken = 0;
    for (const auto& piece : split(reply)) {
      // Never more asked for than this reply still holds: an exact read loses no tunnel byte.
      EXPECT_LE(h.bytes_needed(), reply.size() - taken);
      EXPECT_GT(h.bytes_needed(), 0u);
      EXPECT_EQ(h.receive(piece), piece.size());
      taken += piece.size();
    }
    const auto out = h.take_output();
    sent.insert(sent.end(), out.begin(), out.end());
  }
  EXPECT_TRUE(h.done());
  EXPECT_FALSE(h.error()) << h.error().message();
  return sent;
}

TEST(socks5_handshake, replies_split_at_every_byte) {
  for (const auto& c : bound_cases()) {
    const std::vector<bytes> replies = {choose_password, auth_ok, c.reply};
    const bytes whole = converse(with_credentials(), replies, [](const bytes& r) { return std::vector<bytes>{r}; });
    EXPECT_EQ(to_hex(whole), to_hex(cat({greeting_both, auth_bob, connect_broker_local})));
    const bytes one_by_one = converse(with_credentials(), replies, [](const bytes& r) {
      std::vector<bytes> pieces;
      for (auto b : r) pieces.push_back({b});
      return pieces;
    });
    EXPECT_EQ(one_by_one, whole) << c.name;
    // Two pieces, cut at each point of the reply being split (one reply at a time).
    for (std::size_t which = 0; which < replies.size(); ++which) {
      for (std::size_t cut = 1; cut < replies[which].size(); ++cut) {
        const bytes& target = replies[which];
        const bytes split = converse(with_credentials(), replies, [&](const bytes& r) {
          if (&r != &target) return std::vector<bytes>{r};
          return std::vector<bytes>{bytes(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(cut)),
                                    bytes(r.begin() + static_cast<std::ptrdiff_t>(cut), r.end())};
        });
        EXPECT_EQ(split, whole) << c.name << ", reply " << which << " cut at " << cut;
      }
    }
  }
}

TEST(socks5_handshake, replies_arriving_together_are_taken_in_order) {
  // A proxy that answers ahead of time (or a test that feeds everything at once): the
  // requests still come out in order, and the tunnel's bytes are left alone.
  socks5_handshake h(with_credentials());
  bytes sent = h.take_output();
  const bytes replies = cat({choose_password, auth_ok, connected_v4});
  EXPECT_EQ(h.receive(cat({replies, from_hex("20 02 00 00")})), replies.size());
  const auto rest = h.take_output();
  sent.insert(sent.end(), rest.begin(), rest.end());
  EXPECT_TRUE(h.done());
  EXPECT_EQ(to_hex(sent), to_hex(cat({greeting_both, auth_bob, connect_broker_local})));
}

TEST(socks5_handshake, nothing_is_taken_after_the_end) {
  socks5_handshake ok(to_broker());
  ok.take_output();
  feed(ok, choose_none);
  feed(ok, connected_v4);
  EXPECT_EQ(ok.receive(choose_none), 0u);
  EXPECT_TRUE(ok.done());

  auto failed = failed_after(to_broker(), {from_hex("05 ff")});
  EXPECT_EQ(failed.receive(choose_none), 0u);
  EXPECT_EQ(failed.error(), socks5_error::no_acceptable_method);
}

}  // namespace
}  // namespace mqtk::net
