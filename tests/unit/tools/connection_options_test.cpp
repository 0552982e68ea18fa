// The connection options shared by mqtk-pub and mqtk-sub (tested through mqtk-sub's loader,
// which is what users run), their cross-checks, secrets and the -d description.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/client_config.hpp"
#include "common/option_loader.hpp"
#include "common/sub_options.hpp"
#include "support/process.hpp"
#include "tools_test_support.hpp"

namespace mqtk::tools {
namespace {

using test::quiet_env;
using test::usage_error_of;

connection_options conn(std::vector<std::string> args, option_env env = quiet_env()) {
  args.insert(args.begin(), {"-t", "x"});
  return parse_sub_options(args, env).connection;
}
std::string conn_error(std::vector<std::string> args, option_env env = quiet_env()) {
  return usage_error_of([&] { (void)conn(std::move(args), env); });
}

TEST(connection_options, host_port_and_socket_options) {
  auto o = conn({"-h", "10.0.0.1", "-p", "1999", "-A", "127.0.0.2", "--nodelay", "-k", "30", "-M", "5"});
  EXPECT_EQ(o.host, "10.0.0.1");
  EXPECT_EQ(o.effective_port(), 1999);
  EXPECT_EQ(o.bind_address, "127.0.0.2");
  EXPECT_TRUE(o.nodelay);
  EXPECT_EQ(o.keepalive, 30);
  EXPECT_EQ(o.max_inflight, 5u);
}

TEST(connection_options, long_names) {
  auto o = conn({"--host", "h", "--port", "2", "--keepalive", "5", "--id", "me", "--username", "u", "--pw", "p",
                 "--protocol-version", "mqttv5", "--debug"});
  EXPECT_EQ(o.host, "h");
  EXPECT_EQ(o.port, 2);
  EXPECT_EQ(o.client_id, "me");
  EXPECT_EQ(o.password, "p");
  EXPECT_EQ(o.version, proto::protocol_version::v5);
  EXPECT_TRUE(o.debug);
}

TEST(connection_options, protocol_versions) {
  EXPECT_EQ(conn({"-V", "31"}).version, proto::protocol_version::v31);
  EXPECT_EQ(conn({"-V", "mqttv31"}).version, proto::protocol_version::v31);
  EXPECT_EQ(conn({"-V", "311"}).version, proto::protocol_version::v311);
  EXPECT_EQ(conn({"-V", "mqttv311"}).version, proto::protocol_version::v311);
  EXPECT_EQ(conn({"-V", "5"}).version, proto::protocol_version::v5);
  EXPECT_NE(conn_error({"-V", "4"}).find("-V"), std::string::npos);
}

TEST(connection_options, later_value_wins) { EXPECT_EQ(conn({"-p", "1", "-p", "2"}).port, 2); }

TEST(connection_options, client_id_prefix_uses_pid) {
  EXPECT_EQ(conn({"-I", "dev-"}).client_id, "dev-4321");
  EXPECT_NE(conn_error({"-i", "a", "-I", "b"}).find("-I"), std::string::npos);
}

TEST(connection_options, clean_session_and_expiry) {
  auto o = conn({"-c", "-i", "keep"});
  EXPECT_FALSE(o.clean_session);
  EXPECT_FALSE(o.session_expiry);  // 3.1.1: no property
  EXPECT_NE(conn_error({"-c"}).find("-c"), std::string::npos);
  auto v5 = conn({"-V", "5", "-c", "-i", "keep"});
  EXPECT_EQ(v5.session_expiry, 0xFFFFFFFFu);  // mosquitto: -c alone keeps the session for ever
  EXPECT_EQ(conn({"-V", "5", "-x", "60"}).session_expiry, 60u);
  EXPECT_EQ(conn({"-V", "5", "-x", "∞", "-i", "a"}).session_expiry, 0xFFFFFFFFu);
  EXPECT_EQ(conn({"-V", "5", "-x", "-1", "-i", "a"}).session_expiry, 0xFFFFFFFFu);
  EXPECT_NE(conn_error({"-V", "5", "-x", "-1"}).find("-x"), std::string::npos);
  EXPECT_NE(conn_error({"-x", "soon"}).find("-x"), std::string::npos);
}

TEST(connection_options, url_sets_everything) {
  auto o = conn({"-L", "mqtts://bob:s3cret@example.com/t"});
  EXPECT_EQ(o.host, "example.com");
  EXPECT_EQ(o.effective_port(), 8883);
  EXPECT_TRUE(o.uses_tls());
  EXPECT_EQ(o.username, "bob");
  EXPECT_EQ(o.password, "s3cret");
  ASSERT_TRUE(o.url);
  EXPECT_EQ(o.url->find("s3cret"), std::string::npos);
  auto ws = conn({"-L", "ws://example.com:9001/mqtt"});
  EXPECT_EQ(ws.transport, transport_kind::websocket);
  EXPECT_EQ(ws.websocket_path, "/mqtt");
  EXPECT_NE(conn_error({"-L", "gopher://a/t"}).find("-L"), std::string::npos);
}

TEST(connection_options, unix_socket) {
  EXPECT_EQ(conn({"--unix", "/run/m.sock"}).unix_socket, "/run/m.sock");
  EXPECT_NE(conn_error({"--unix", "/s", "-h", "x"}).find("--unix"), std::string::npos);
  EXPECT_NE(conn_error({"--unix", "/s", "-p", "1883"}).find("--unix"), std::string::npos);
  EXPECT_NE(conn_error({"--unix", "/s", "--cafile", "ca.pem"}).find("--unix"), std::string::npos);
  EXPECT_NE(conn_error({"--unix", "/s", "--tls-use-os-certs"}).find("--unix"), std::string::npos);
  EXPECT_NE(conn_error({"--unix", "/s", "--proxy", "socks5h://p"}).find("--unix"), std::string::npos);
  EXPECT_NE(conn_error({"--unix", ""}).find("--unix"), std::string::npos);
}

TEST(connection_options, unix_socket_reaches_the_client_options) {
  auto o = conn({"--unix", "/run/m.sock"});
  const auto c = make_client_options(o, client::reconnect_policy{});
  EXPECT_EQ(c.net.unix_socket, "/run/m.sock");
  EXPECT_EQ(c.target.scheme, net::scheme::mqtt);
  EXPECT_EQ(describe(o).find("broker unix:/run/m.sock,"), 0u) << describe(o);
}

TEST(connection_options, will) {
  auto o = conn({"--will-topic", "bye", "--will-payload", "gone", "--will-qos", "1", "--will-retain"});
  EXPECT_EQ(o.will.topic, "bye");
  EXPECT_EQ(o.will.payload, "gone");
  EXPECT_EQ(o.will.qos, proto::qos::at_least_once);
  EXPECT_TRUE(o.will.retain);
  EXPECT_NE(conn_error({"--will-payload", "x"}).find("--will-payload"), std::string::npos);
  EXPECT_NE(conn_error({"--will-retain"}).find("--will-retain"), std::string::npos);
  EXPECT_NE(conn_error({"--will-topic", "a/+"}).find("--will-topic"), std::string::npos);
}

TEST(connection_options, tls) {
  auto o = conn({"--cafile", "ca.pem", "--capath", "/etc/ssl", "--cert", "c.pem", "--key", "k.pem", "--insecure",
                 "--tls-version", "tlsv1.3", "--ciphers", "HIGH", "--tls-alpn", "mqtt", "--tls-use-os-certs"});
  EXPECT_EQ(o.tls.cafile, "ca.pem");
  EXPECT_EQ(o.tls.capath, "/etc/ssl");
  EXPECT_EQ(o.tls.cert, "c.pem");
  EXPECT_EQ(o.tls.key, "k.pem");
  EXPECT_TRUE(o.tls.insecure);
  EXPECT_EQ(o.tls.version, "tlsv1.3");
  EXPECT_EQ(o.tls.ciphers, "HIGH");
  EXPECT_EQ(o.tls.alpn, "mqtt");
  EXPECT_TRUE(o.tls.use_os_certs);
  EXPECT_EQ(o.effective_port(), 8883);  // a CA given and no -p: mosquitto's TLS port
  EXPECT_NE(conn_error({"--cert", "c.pem"}).find("--cert"), std::string::npos);
  EXPECT_NE(conn_error({"--key", "k.pem"}).find("--key"), std::string::npos);
  EXPECT_NE(conn_error({"--tls-version", "sslv3"}).find("--tls-version"), std::string::npos);
}

TEST(connection_options, proxy) {
  EXPECT_EQ(conn({"--proxy", "socks5h://p:1081"}).proxy, (net::socks5_proxy{.host = "p", .port = 1081}));
  EXPECT_EQ(conn({"--proxy", "socks5h://p"}).proxy->port, 1080);
  EXPECT_NE(conn_error({"--proxy", "http://p"}).find("--proxy"), std::string::npos);
  EXPECT_NE(conn_error({"--proxy", "socks5://p"}).find("--proxy"), std::string::npos);
  EXPECT_NE(conn_error({"--proxy", "socks5h://"}).find("--proxy"), std::string::npos);
  // The error does not repeat the URL: it may hold the proxy's password.
  const auto bad = conn_error({"--proxy", "socks5h://bob:hunter2@p:0"});
  EXPECT_NE(bad.find("--proxy"), std::string::npos);
  EXPECT_EQ(bad.find("hunter2"), std::string::npos) << bad;
}

TEST(connection_options, proxy_reaches_the_client_options_and_its_password_is_never_shown) {
  auto o = conn({"--proxy", "socks5h://bob:hunter2@127.0.0.1:1081", "-h", "broker.example", "--cafile", "ca.pem"});
  const auto c = make_client_options(o, client::reconnect_policy{});
  ASSERT_TRUE(c.net.proxy);
  EXPECT_EQ(*c.net.proxy, (net::socks5_proxy{.host = "127.0.0.1", .port = 1081, .username = "bob", .password = "hunter2"}));
  // TLS runs with the broker, through the tunnel.
  EXPECT_EQ(c.target.scheme, net::scheme::mqtts);
  EXPECT_EQ(c.target.host, "broker.example");
  const auto line = describe(o);
  EXPECT_NE(line.find("via SOCKS5 proxy socks5h://bob:****@127.0.0.1:1081"), std::string::npos) << line;
  EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
}

TEST(connection_options, properties_switch_to_v5_in_order) {
  auto o = conn({"-D", "connect", "user-property", "k", "v", "-D", "connect", "session-expiry-interval", "30"});
  EXPECT_EQ(o.version, proto::protocol_version::v5);
  ASSERT_EQ(o.properties.size(), 2u);
  EXPECT_EQ(o.properties[0].key, "k");
  EXPECT_EQ(o.properties[1].number, 30u);
  EXPECT_NE(conn_error({"-D", "connect", "receive-maximum", "5", "-V", "311"}).find("-D"), std::string::npos);
  EXPECT_NE(conn_error({"-D", "connect", "receive-maximum", "70000"}).find("-D"), std::string::npos);
  EXPECT_NE(conn_error({"-D", "will", "content-type", "x"}).find("-D"), std::string::npos);
}

TEST(connection_options, password_from_environment_for_a_named_user) {
  option_env env = quiet_env();
  env.password = "from-env";
  EXPECT_EQ(conn({"-u", "alice"}, env).password, "from-env");
  EXPECT_FALSE(conn({}, env).password);  // no user: the variable is not sent anywhere
  EXPECT_EQ(conn({"-u", "alice", "-P", "cli"}, env).password, "cli");
}

TEST(connection_options, password_file) {
  const std::string file = ::testing::TempDir() + "mqtk_pw_test";
  std::ofstream(file) << "file-secret\r\nsecond line\n";
  EXPECT_EQ(conn({"-u", "a", "--password-file", file}).password, "file-secret");
  EXPECT_NE(conn_error({"-u", "a", "-P", "x", "--password-file", file}).find("--password-file"), std::string::npos);
  EXPECT_THROW(conn({"-u", "a", "--password-file", file + ".missing"}), options_file_error);
}

TEST(connection_options, password_needs_user_before_v5) {
  EXPECT_NE(conn_error({"-P", "x"}).find("-P"), std::string::npos);
  EXPECT_EQ(conn({"-P", "x", "-V", "5"}).password, "x");
}

TEST(connection_options, describe_never_shows_the_password) {
  auto o = conn({"-u", "alice", "-P", "hunter2", "-i", "me"});
  const std::string d = describe(o);
  EXPECT_EQ(d.find("hunter2"), std::string::npos);
  EXPECT_NE(d.find("password (7 bytes)"), std::string::npos);
  EXPECT_NE(d.find("alice"), std::string::npos);
  EXPECT_NE(d.find("mqtt://localhost:1883"), std::string::npos);
}

TEST(connection_options, bad_numbers_name_the_option) {
  EXPECT_NE(conn_error({"-p", "0"}).find("-p"), std::string::npos);
  EXPECT_NE(conn_error({"-p", "65536"}).find("-p"), std::string::npos);
  EXPECT_NE(conn_error({"-p", "18x"}).find("-p"), std::string::npos);
  EXPECT_NE(conn_error({"-k", "4"}).find("-k"), std::string::npos);
  EXPECT_NE(conn_error({"-M", "0"}).find("-M"), std::string::npos);
}

TEST(connection_options, tls_version_range) {
  EXPECT_EQ(conn({"--tls-max-version", "tlsv1.2"}).tls.max_version, "tlsv1.2");
  EXPECT_NE(conn_error({"--tls-max-version", "tlsv1.1"}).find("--tls-max-version"), std::string::npos);
  EXPECT_NE(conn_error({"--tls-version", "tlsv1.3", "--tls-max-version", "tlsv1.2"}).find("no TLS version is left"),
            std::string::npos);
}

TEST(connection_options, unknown_option_is_a_usage_error) {
  EXPECT_FALSE(conn_error({"--no-such-option"}).empty());
}

}  // namespace
}  // namespace mqtk::tools

namespace mqtk::tools {
namespace {

TEST(connection_options_ws_header, headers_are_kept_in_order_and_reach_the_client_options) {
  auto o = conn({"-L", "ws://broker:8080/mqtt", "--ws-header", "Authorization: Bearer t0k3n", "--ws-header",
                 "X-Trace:abc"});
  ASSERT_EQ(o.websocket_headers.size(), 2u);
  EXPECT_EQ(o.websocket_headers[0], (std::pair<std::string, std::string>{"Authorization", "Bearer t0k3n"}));
  EXPECT_EQ(o.websocket_headers[1], (std::pair<std::string, std::string>{"X-Trace", "abc"}));
  const auto options = make_client_options(o, client::reconnect_policy::subscriber());
  EXPECT_EQ(options.target.scheme, net::scheme::ws);
  EXPECT_EQ(options.target.port, 8080);
  EXPECT_EQ(options.target.path_or_topic, "/mqtt");
  EXPECT_EQ(options.net.websocket.headers, o.websocket_headers);
}

TEST(connection_options_ws_header, header_without_a_name_is_a_usage_error) {
  EXPECT_NE(conn_error({"--ws-header", "no colon here"}).find("--ws-header"), std::string::npos);
  EXPECT_NE(conn_error({"--ws-header", ": value"}).find("--ws-header"), std::string::npos);
}

TEST(client_config, url_tls_credentials_and_will_map_to_the_client) {
  auto o = conn({"-L", "mqtts://alice:s3cret@broker.example:8884", "-V", "5", "-x", "600", "--will-topic", "w",
                 "--will-payload", "gone", "--will-qos", "1", "--insecure", "--tls-version", "tlsv1.3"});
  const auto options = make_client_options(o, client::reconnect_policy::publisher());
  EXPECT_EQ(options.target.scheme, net::scheme::mqtts);
  EXPECT_EQ(options.target.host, "broker.example");
  EXPECT_EQ(options.target.port, 8884);
  EXPECT_EQ(options.connect.packet().username, "alice");
  EXPECT_EQ(options.connect.packet().password, "s3cret");
  EXPECT_EQ(options.connect.packet().version, proto::protocol_version::v5);
  EXPECT_EQ(options.connect.packet().properties.number(proto::property_id::session_expiry_interval), 600u);
  ASSERT_TRUE(options.connect.packet().will.has_value());
  EXPECT_EQ(options.connect.packet().will->payload, "gone");
  EXPECT_EQ(options.connect.packet().will->qos, proto::qos::at_least_once);
  EXPECT_EQ(options.net.tls.verify, net::tls_verify::no_hostname);
  EXPECT_EQ(options.net.tls.min_version, net::tls_version::tls1_3);
  EXPECT_FALSE(options.reconnect.enabled);
}

}  // namespace
}  // namespace mqtk::tools

namespace mqtk::tools {
namespace {

using test::quiet_env;
using test::usage_error_of;

connection_options conn2(std::vector<std::string> args, option_env env = quiet_env()) {
  args.insert(args.begin(), {"-t", "x"});
  return parse_sub_options(args, env).connection;
}
std::string conn2_error(std::vector<std::string> args) {
  return usage_error_of([&] { (void)conn2(std::move(args)); });
}

// mosquitto: among -L, -h and -p the last one wins, so a config file's -h/-p (read first) do
// not make a command line's -L a usage error.
TEST(connection_options_order, the_last_of_url_host_and_port_wins) {
  auto a = conn2({"-h", "b", "-p", "1", "-L", "mqtt://a:2/t"});
  EXPECT_EQ(a.host, "a");
  EXPECT_EQ(a.effective_port(), 2);
  auto b = conn2({"-L", "mqtt://a:2/t", "-h", "b", "-p", "1"});
  EXPECT_EQ(b.host, "b");
  EXPECT_EQ(b.effective_port(), 1);
}

TEST(connection_options_order, a_config_file_host_does_not_refuse_a_command_line_url) {
  const auto dir = std::filesystem::temp_directory_path() / ("mqtk_cfg_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "mqtk");
  std::ofstream(dir / "mqtk" / "mqtk_sub") << "-h cfghost\n-p 1999\n";
  option_env env = quiet_env();
  env.read_config_file = true;
  env.xdg_config_home = dir.string();
  auto o = conn2({"-L", "mqtt://urlhost:1884/t"}, env);
  EXPECT_EQ(o.host, "urlhost");
  EXPECT_EQ(o.effective_port(), 1884);
  std::filesystem::remove_all(dir);
}

TEST(connection_options_checks, will_qos_without_will_topic_is_ignored_as_in_mosquitto) {
  auto o = conn2({"--will-qos", "2"});
  EXPECT_TRUE(o.will.topic.empty());
}

TEST(connection_options_checks, bind_address_must_be_an_ip_address) {
  EXPECT_NE(conn2_error({"-A", "notanaddr"}).find("-A"), std::string::npos);
  EXPECT_EQ(conn2({"-A", "::1"}).bind_address, "::1");
}

TEST(connection_options_checks, control_characters_in_client_id_and_user_are_refused) {
  const auto id = conn2_error({"-i", "dev\r"});
  EXPECT_NE(id.find("-i"), std::string::npos);
  EXPECT_NE(id.find("dev\\r"), std::string::npos) << "shown escaped: " << id;
  EXPECT_NE(conn2_error({"-u", "bob\x7f"}).find("-u"), std::string::npos);
  EXPECT_NE(conn2_error({"-u", "bob\xff"}).find("UTF-8"), std::string::npos);
  EXPECT_NE(conn2_error({"-I", "pre\t"}).find("-I"), std::string::npos);
  // A percent-encoded control character in the URL's user name, shown escaped.
  const auto url = conn2_error({"-L", "mqtt://bob%0D:pw@h/t"});
  EXPECT_NE(url.find("bob\\r"), std::string::npos) << url;
}

TEST(connection_options_properties, duplicates_of_single_valued_properties_are_refused) {
  EXPECT_NE(conn2_error({"-D", "connect", "session-expiry-interval", "5", "-D", "connect", "session-expiry-interval",
                         "6"})
                .find("given twice"),
            std::string::npos);
  EXPECT_NE(conn2_error({"-x", "6", "-D", "connect", "session-expiry-interval", "5"}).find("-x"), std::string::npos);
  // user-property repeats; the same property on two packets is two properties.
  auto o = conn2({"-D", "connect", "user-property", "a", "1", "-D", "connect", "user-property", "a", "2", "-D",
                  "connect", "receive-maximum", "5", "-D", "subscribe", "user-property", "a", "3"});
  EXPECT_EQ(o.properties.size(), 4u);
}

TEST(connection_options_properties, empty_values_are_values) {
  auto o = conn2({"-D", "subscribe", "user-property", "trace", "", "-D", "connect", "authentication-method", ""});
  ASSERT_EQ(o.properties.size(), 2u);
  EXPECT_EQ(o.properties[0].key, "trace");
  EXPECT_EQ(o.properties[0].value, "");
  EXPECT_EQ(o.properties[1].value, "");
}

TEST(connection_options_secrets, a_bad_url_is_repeated_without_its_password) {
  const auto msg = conn2_error({"-L", "mqtt://u:s3cret@h:99999/t"});
  EXPECT_NE(msg.find("-L"), std::string::npos);
  EXPECT_EQ(msg.find("s3cret"), std::string::npos) << msg;
  EXPECT_NE(msg.find("u:****@h"), std::string::npos) << msg;
}

TEST(connection_options_secrets, a_malformed_ws_header_is_not_repeated) {
  const auto msg = conn2_error({"--ws-header", "Authorization Bearer T0KEN"});
  EXPECT_NE(msg.find("--ws-header"), std::string::npos);
  EXPECT_EQ(msg.find("T0KEN"), std::string::npos) << msg;
}

TEST(connection_options_secrets, a_ws_header_value_with_a_line_break_names_the_header_but_not_the_value) {
  const auto msg = conn2_error({"--ws-header", "Authorization: Bearer T0KEN\r\nX-Injected: 1"});
  EXPECT_NE(msg.find("--ws-header"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'Authorization'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("T0KEN"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("Injected"), std::string::npos) << msg;
}

TEST(connection_options_secrets, a_ws_header_name_that_is_not_a_token_is_not_repeated) {
  const auto msg = conn2_error({"--ws-header", "Bearer T0KEN: x"});
  EXPECT_NE(msg.find("--ws-header"), std::string::npos) << msg;
  EXPECT_NE(msg.find("header name"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("T0KEN"), std::string::npos) << msg;
}

// /dev/zero, or a binary file named by mistake, has no first line to stop at: reading it whole
// took all memory (std::bad_alloc, a crash).
TEST(connection_options_secrets, a_secret_file_without_a_line_break_in_64_kib_is_refused_unread) {
  mqtk::test::temp_dir dir("mqtk-secret");
  const auto long_line = (dir / "long").string();
  mqtk::test::write_file(long_line, std::string(100'000, 'x'));
  for (const std::string& file : {long_line, std::string("/dev/zero")}) {
    for (const std::string option : {"--password-file", "--psk-file"}) {
      try {
        (void)conn2({"-u", "u", "--psk-identity", "i", option, file});
        ADD_FAILURE() << option << " " << file << " was read";
      } catch (const options_file_error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(option + ": '" + file + "'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("64 KiB"), std::string::npos) << msg;
        EXPECT_EQ(msg.find("xxx"), std::string::npos) << msg;
      }
    }
  }
  const auto fits = (dir / "fits").string();
  mqtk::test::write_file(fits, std::string(60'000, 'x') + "\n");
  EXPECT_EQ(conn2({"-u", "u", "--password-file", fits}).password, std::string(60'000, 'x'));
}

TEST(connection_options_secrets, a_ws_header_value_may_hold_tabs_and_utf8) {
  const auto o = conn2({"--ws-header", "X-Note:\tcaf\xc3\xa9 \tok"});
  ASSERT_EQ(o.websocket_headers.size(), 1u);
  EXPECT_EQ(o.websocket_headers[0].second, "caf\xc3\xa9 \tok");
}

TEST(connection_options_secrets, unexpected_words_are_counted_not_repeated) {
  const auto msg = unexpected_words_message({"--password", "s3cret"});
  EXPECT_NE(msg.find("--password"), std::string::npos);
  EXPECT_EQ(msg.find("s3cret"), std::string::npos) << msg;
}

TEST(connection_options_psk, key_and_identity) {
  auto o = conn2({"--psk", "00a1B2", "--psk-identity", "dev1"});
  EXPECT_EQ(o.tls.psk, std::string("\xa1\xb2", 2)) << "leading zero bytes dropped, as mosquitto does";
  EXPECT_EQ(o.tls.psk_identity, "dev1");
  EXPECT_TRUE(o.uses_tls());
  EXPECT_EQ(o.effective_port(), 8883);
  EXPECT_EQ(describe(o).find("\xa1"), std::string::npos);
}

TEST(connection_options_psk, key_from_the_environment_or_a_file) {
  option_env env = quiet_env();
  env.psk = "c0ffee";
  EXPECT_EQ(conn2({"--psk-identity", "dev1"}, env).tls.psk, "\xc0\xff\xee");
  const auto file = std::filesystem::temp_directory_path() / ("mqtk_psk_" + std::to_string(::getpid()));
  std::ofstream(file) << "beef\r\n";
  EXPECT_EQ(conn2({"--psk-identity", "dev1", "--psk-file", file.string()}).tls.psk, "\xbe\xef");
  std::filesystem::remove(file);
}

TEST(connection_options_psk, errors_never_repeat_the_key) {
  const auto bad = conn2_error({"--psk", "s3cretzz", "--psk-identity", "i"});
  EXPECT_NE(bad.find("--psk"), std::string::npos);
  EXPECT_EQ(bad.find("s3cretzz"), std::string::npos) << bad;
  EXPECT_NE(conn2_error({"--psk", "abcd"}).find("--psk-identity"), std::string::npos);
  EXPECT_NE(conn2_error({"--psk-identity", "i"}).find("--psk-identity"), std::string::npos);
  EXPECT_NE(conn2_error({"--psk", "ab", "--psk-identity", "i", "--cafile", "ca.pem"}).find("--psk"), std::string::npos);
}

TEST(connection_options_files, unreadable_files_are_exit_66_naming_the_file) {
  connection_options o;
  o.tls.cafile = "/nonexistent/ca.pem";
  try {
    check_connection_files(o);
    ADD_FAILURE() << "expected options_file_error";
  } catch (const options_file_error& e) {
    EXPECT_NE(std::string(e.what()).find("--cafile: '/nonexistent/ca.pem'"), std::string::npos) << e.what();
  }
  o.tls.cafile.clear();
  o.tls.cert = std::filesystem::temp_directory_path().string();
  try {
    check_connection_files(o);
    ADD_FAILURE() << "expected options_file_error";
  } catch (const options_file_error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
}

TEST(connection_options_files, a_password_file_that_is_a_directory_is_refused) {
  const auto dir = std::filesystem::temp_directory_path().string();
  try {
    (void)conn2({"-u", "u", "--password-file", dir});
    ADD_FAILURE() << "expected options_file_error";
  } catch (const options_file_error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
}

TEST(connection_options_quiet, nodelay_help_says_it_changes_nothing) {
  CLI::App app;
  configure_app(app, "mqtk-sub");
  sub_options o;
  add_sub_options(app, o);
  EXPECT_NE(app.help().find("mqtk always disables Nagle's algorithm"), std::string::npos);
}

}  // namespace
}  // namespace mqtk::tools
