#include "mqtk/net/url.hpp"

#include <gtest/gtest.h>

#include "mqtk/net/net_error.hpp"

namespace mqtk::net {
namespace {

connection_target parse_ok(std::string_view url) {
  auto r = parse_url(url);
  EXPECT_TRUE(r.has_value()) << url << ": " << (r.has_value() ? "" : r.error().message());
  return r.has_value() ? *r : connection_target{};
}

url_error parse_err(std::string_view url) {
  auto r = parse_url(url);
  EXPECT_FALSE(r.has_value()) << url << " parsed unexpectedly";
  if (r.has_value()) return url_error{};
  EXPECT_EQ(&r.error().category(), &url_category());
  return static_cast<url_error>(r.error().value());
}

TEST(url, mqtt_with_everything) {
  const auto t = parse_ok("mqtt://alice:s3cret@broker.example.com:1884/sensors/+/temp");
  EXPECT_EQ(t, (connection_target{.scheme = scheme::mqtt,
                                  .host = "broker.example.com",
                                  .port = 1884,
                                  .username = "alice",
                                  .password = "s3cret",
                                  .path_or_topic = "sensors/+/temp"}));
}

TEST(url, default_ports_per_scheme) {
  EXPECT_EQ(parse_ok("mqtt://h/t").port, 1883);
  EXPECT_EQ(parse_ok("mqtts://h/t").port, 8883);
  EXPECT_EQ(parse_ok("ws://h").port, 80);
  EXPECT_EQ(parse_ok("wss://h").port, 443);
  EXPECT_EQ(default_port(scheme::wss), 443);
}

TEST(url, scheme_is_case_insensitive_and_has_aliases) {
  EXPECT_EQ(parse_ok("MQTTS://h").scheme, scheme::mqtts);
  EXPECT_EQ(parse_ok("tcp://h").scheme, scheme::mqtt);
  EXPECT_EQ(parse_ok("ssl://h").scheme, scheme::mqtts);
  EXPECT_EQ(parse_ok("tls://h").scheme, scheme::mqtts);
  EXPECT_EQ(parse_ok("WSS://h").scheme, scheme::wss);
}

TEST(url, topic_keeps_wildcards_hash_and_leading_slash) {
  EXPECT_EQ(parse_ok("mqtt://h/a/#").path_or_topic, "a/#");
  EXPECT_EQ(parse_ok("mqtt://h//abs/topic").path_or_topic, "/abs/topic");
  EXPECT_EQ(parse_ok("mqtt://h:1/a b?c").path_or_topic, "a b?c");
  EXPECT_EQ(parse_ok("mqtt://h").path_or_topic, "");
  EXPECT_EQ(parse_ok("mqtt://h/").path_or_topic, "");
}

TEST(url, websocket_path_defaults_to_mqtt) {
  EXPECT_EQ(parse_ok("ws://h:8080").path_or_topic, "/mqtt");
  EXPECT_EQ(parse_ok("ws://h:8080/").path_or_topic, "/");
  EXPECT_EQ(parse_ok("wss://h/custom/path?token=abc").path_or_topic, "/custom/path?token=abc");
  EXPECT_EQ(parse_ok("ws://h?x=1").path_or_topic, "/mqtt?x=1");
}

TEST(url, ipv6_literals) {
  auto t = parse_ok("mqtt://[::1]:1884/t");
  EXPECT_EQ(t.host, "::1");
  EXPECT_EQ(t.port, 1884);
  t = parse_ok("wss://[2001:db8::17]");
  EXPECT_EQ(t.host, "2001:db8::17");
  EXPECT_EQ(t.port, 443);
  t = parse_ok("mqtt://u:p@[fe80::1%25eth0]:99");
  EXPECT_EQ(t.host, "fe80::1%eth0");
  EXPECT_EQ(t.username, "u");
}

TEST(url, ipv4_and_localhost) {
  EXPECT_EQ(parse_ok("mqtt://127.0.0.1:18830").host, "127.0.0.1");
  EXPECT_EQ(parse_ok("mqtt://localhost").host, "localhost");
}

TEST(url, credentials) {
  auto t = parse_ok("mqtt://user@h");
  EXPECT_EQ(t.username, "user");
  EXPECT_FALSE(t.password.has_value());
  t = parse_ok("mqtt://user:@h");
  EXPECT_EQ(t.password, "");
  t = parse_ok("mqtt://:pw@h");
  EXPECT_EQ(t.username, "");
  EXPECT_EQ(t.password, "pw");
  // Percent-decoding, and an unescaped '@' or ':' inside the password.
  t = parse_ok("mqtt://us%40er:p%3Aw%2F@h");
  EXPECT_EQ(t.username, "us@er");
  EXPECT_EQ(t.password, "p:w/");
  t = parse_ok("mqtt://u:p@ss:w@h:1");
  EXPECT_EQ(t.username, "u");
  EXPECT_EQ(t.password, "p@ss:w");
  EXPECT_EQ(t.host, "h");
  EXPECT_EQ(t.port, 1);
}

TEST(url, an_at_sign_in_the_topic_is_not_user_info) {
  const auto t = parse_ok("mqtt://h/mail@home");
  EXPECT_FALSE(t.username.has_value());
  EXPECT_EQ(t.host, "h");
  EXPECT_EQ(t.path_or_topic, "mail@home");
}

TEST(url, errors_name_the_bad_part) {
  EXPECT_EQ(parse_err(""), url_error::empty);
  EXPECT_EQ(parse_err("broker:1883"), url_error::missing_scheme);
  EXPECT_EQ(parse_err("http://h"), url_error::unknown_scheme);
  EXPECT_EQ(parse_err("mqtt://"), url_error::missing_host);
  EXPECT_EQ(parse_err("mqtt://:1883/t"), url_error::missing_host);
  EXPECT_EQ(parse_err("mqtt://u:p@/t"), url_error::missing_host);
  EXPECT_EQ(parse_err("mqtt://h:"), url_error::bad_port);
  EXPECT_EQ(parse_err("mqtt://h:0"), url_error::bad_port);
  EXPECT_EQ(parse_err("mqtt://h:65536"), url_error::bad_port);
  EXPECT_EQ(parse_err("mqtt://h:12a"), url_error::bad_port);
  EXPECT_EQ(parse_err("mqtt://h:-1"), url_error::bad_port);
  EXPECT_EQ(parse_err("mqtt://[::1"), url_error::bad_ipv6_address);
  EXPECT_EQ(parse_err("mqtt://[zz::1]:1"), url_error::bad_ipv6_address);
  EXPECT_EQ(parse_err("mqtt://[::1]x"), url_error::bad_ipv6_address);
  EXPECT_EQ(parse_err("mqtt://::1:1883"), url_error::bad_ipv6_address);
  EXPECT_EQ(parse_err("mqtt://h st"), url_error::bad_host);
  EXPECT_EQ(parse_err("mqtt://u%zz:p@h"), url_error::bad_percent_encoding);
  EXPECT_EQ(parse_err("mqtt://u:p%4@h"), url_error::bad_percent_encoding);
}

TEST(url, every_error_has_a_message) {
  for (int e = static_cast<int>(url_error::empty); e <= static_cast<int>(url_error::bad_proxy_credentials); ++e) {
    const auto msg = make_error_code(static_cast<url_error>(e)).message();
    EXPECT_FALSE(msg.empty());
    EXPECT_NE(msg, "unknown URL error") << e;
  }
}

TEST(url, to_string_hides_the_password_and_round_trips) {
  const auto t = parse_ok("mqtts://bob:hunter2@[::1]:8884/a/b");
  const auto s = to_string(t);
  EXPECT_EQ(s, "mqtts://bob:****@[::1]:8884/a/b");
  EXPECT_EQ(s.find("hunter2"), std::string::npos);
  const auto w = parse_ok("wss://h:9001/mqtt");
  EXPECT_EQ(to_string(w), "wss://h:9001/mqtt");
  EXPECT_EQ(parse_ok(to_string(w)), w);
  EXPECT_EQ(host_port("::1", 1883), "[::1]:1883");
  EXPECT_EQ(host_port("10.0.0.1", 1883), "10.0.0.1:1883");
}

TEST(url, scheme_properties) {
  EXPECT_TRUE(is_tls(scheme::mqtts));
  EXPECT_TRUE(is_tls(scheme::wss));
  EXPECT_FALSE(is_tls(scheme::ws));
  EXPECT_TRUE(is_websocket(scheme::ws));
  EXPECT_FALSE(is_websocket(scheme::mqtt));
  EXPECT_EQ(to_string(scheme::wss), "wss");
}

TEST(net_error, every_code_has_a_message_and_a_class) {
  for (int e = static_cast<int>(net_error::invalid_target); e <= static_cast<int>(net_error::proxy_handshake_failed); ++e) {
    const boost::system::error_code ec = static_cast<net_error>(e);
    EXPECT_NE(ec.message().find_first_not_of(' '), std::string::npos);
    EXPECT_NE(ec.message(), "unknown network error") << e;
  }
  EXPECT_EQ(classify(net_error::connect_refused), failure_class::unreachable);
  EXPECT_EQ(classify(net_error::dns_failed), failure_class::unreachable);
  EXPECT_EQ(classify(net_error::tls_verify_failed), failure_class::tls);
  EXPECT_EQ(classify(net_error::tls_hostname_mismatch), failure_class::tls);
  EXPECT_EQ(classify(net_error::websocket_upgrade_rejected), failure_class::websocket);
  EXPECT_EQ(classify(net_error::proxy_handshake_failed), failure_class::unreachable);
  EXPECT_EQ(classify({}), failure_class::none);
}

// ---- proxy URLs (--proxy)

socks5_proxy proxy_ok(std::string_view url) {
  auto r = parse_proxy_url(url);
  EXPECT_TRUE(r.has_value()) << url << ": " << (r.has_value() ? "" : r.error().message());
  return r.has_value() ? *r : socks5_proxy{};
}

url_error proxy_err(std::string_view url) {
  auto r = parse_proxy_url(url);
  EXPECT_FALSE(r.has_value()) << url << " parsed unexpectedly";
  if (r.has_value()) return url_error{};
  EXPECT_EQ(&r.error().category(), &url_category());
  return static_cast<url_error>(r.error().value());
}

TEST(proxy_url, host_port_and_default_port) {
  EXPECT_EQ(proxy_ok("socks5h://proxy.example:1081"), (socks5_proxy{.host = "proxy.example", .port = 1081}));
  EXPECT_EQ(proxy_ok("socks5h://127.0.0.1"), (socks5_proxy{.host = "127.0.0.1", .port = 1080}));
  EXPECT_EQ(proxy_ok("SOCKS5H://[::1]:9050/"), (socks5_proxy{.host = "::1", .port = 9050}));
}

TEST(proxy_url, credentials_are_percent_decoded) {
  EXPECT_EQ(proxy_ok("socks5h://bob:s%3Acret@p:1080"),
            (socks5_proxy{.host = "p", .port = 1080, .username = "bob", .password = "s:cret"}));
  const auto user_only = proxy_ok("socks5h://bob@p");
  EXPECT_EQ(user_only.username, "bob");
  EXPECT_FALSE(user_only.password);
  EXPECT_EQ(proxy_ok("socks5h://bob:@p").password, "");
}

TEST(proxy_url, errors_name_the_bad_part) {
  EXPECT_EQ(proxy_err(""), url_error::empty);
  EXPECT_EQ(proxy_err("p:1080"), url_error::not_socks5h);
  EXPECT_EQ(proxy_err("socks5://p:1080"), url_error::not_socks5h);
  EXPECT_EQ(proxy_err("http://p:3128"), url_error::not_socks5h);
  EXPECT_EQ(proxy_err("socks5h://"), url_error::missing_host);
  EXPECT_EQ(proxy_err("socks5h://p:0"), url_error::bad_port);
  EXPECT_EQ(proxy_err("socks5h://p:99999"), url_error::bad_port);
  EXPECT_EQ(proxy_err("socks5h://p/x"), url_error::proxy_has_path);
  EXPECT_EQ(proxy_err("socks5h://::1"), url_error::bad_ipv6_address);
  EXPECT_EQ(proxy_err("socks5h://:pw@p"), url_error::bad_proxy_credentials);
  EXPECT_EQ(proxy_err("socks5h://" + std::string(256, 'u') + "@p"), url_error::bad_proxy_credentials);
  EXPECT_EQ(proxy_err("socks5h://u:" + std::string(256, 'p') + "@p"), url_error::bad_proxy_credentials);
}

TEST(proxy_url, to_string_hides_the_password) {
  const auto p = proxy_ok("socks5h://bob:hunter2@[::1]:1081");
  EXPECT_EQ(to_string(p), "socks5h://bob:****@[::1]:1081");
  EXPECT_EQ(to_string(proxy_ok("socks5h://h")), "socks5h://h:1080");
}

}  // namespace
}  // namespace mqtk::net

namespace mqtk::net {
namespace {

TEST(redact_url_password, hides_the_password_of_a_url_that_did_not_parse) {
  EXPECT_EQ(redact_url_password("mqtt://u:s3cret@h:99999/t"), "mqtt://u:****@h:99999/t");
  EXPECT_EQ(redact_url_password("mqtts://u:p@ss/w@rd@h/t"), "mqtts://u:****@h/t") << "an unencoded @ or / in it";
  EXPECT_EQ(redact_url_password("mqtt://u@h/t"), "mqtt://u@h/t") << "no password, nothing hidden";
  // An '@' in the topic looks like the end of a user info: more is hidden than needed, never less.
  EXPECT_EQ(redact_url_password("mqtt://h:1883/a@b"), "mqtt://h:****@b");
  EXPECT_EQ(redact_url_password("h:1/t"), "h:1/t");
}

}  // namespace
}  // namespace mqtk::net
