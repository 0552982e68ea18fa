// The device-log table behind `mqtk-ping --explain`, one case per entry, over real log lines.
//
// Where the lines come from (copied here; the tests read nothing outside the repository):
// - the ESP-IDF MQTT FAQ (esp-faq, protocols/mqtt): "W (4211) MQTT_CLIENT: Connection refused,
//   not authorized" and the three lines after it, "mqtt_client: No PING_RESP, disconnected";
// - device logs quoted in public READMEs and issues (esp-tls DNS/select/connect failures,
//   transport_base codes, esp-mqtt's example error printout, certificate bundle failures,
//   Arduino-ESP32's ssl_client, an ESPHome-prefixed esp-mqtt EOF, 256dpi/esp-mqtt's lwmqtt call);
// - esp-mqtt mqtt_client.c's ESP_LOGE/ESP_LOGW format strings, filled in the way the firmware
//   prints them (tick counts and __func__ where the format has them);
// - PubSubClient's examples ("failed, rc=" state() " try again in 5 seconds") and its state
//   #defines; lwmqtt's lwmqtt_err_t; AsyncMqttClientDisconnectReason.
#include "mqtk/diag/device_log_explainer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mqtk::diag {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool any_contains(const std::vector<std::string>& items, std::string_view needle) {
  return std::ranges::any_of(items, [&](const std::string& s) { return contains(s, needle); });
}

struct table_case {
  const char* name;
  const char* line;
  const char* source;
  const char* code;        // substring of the code
  const char* meaning;     // substring of the meaning
  const char* cause;       // substring of one cause
  const char* try_option;  // substring of one suggested command ("" when none is suggested)
};

void PrintTo(const table_case& c, std::ostream* os) { *os << c.name; }

class device_log_table : public ::testing::TestWithParam<table_case> {};

TEST_P(device_log_table, explains_the_line) {
  const table_case& c = GetParam();
  const auto report = explain_device_log(c.line);
  ASSERT_EQ(report.explanations.size(), 1u) << c.line;
  EXPECT_TRUE(report.unrecognised.empty());
  const auto& e = report.explanations.front();
  EXPECT_EQ(e.line_no, 1u);
  EXPECT_EQ(e.source, c.source);
  EXPECT_TRUE(contains(e.code, c.code)) << e.code;
  EXPECT_TRUE(contains(e.meaning, c.meaning)) << e.meaning;
  EXPECT_TRUE(any_contains(e.causes, c.cause)) << c.cause;
  if (std::string_view(c.try_option).empty()) {
    EXPECT_TRUE(e.try_commands.empty());
  } else {
    ASSERT_FALSE(e.try_commands.empty());
    EXPECT_TRUE(any_contains(e.try_commands, c.try_option)) << e.try_commands.front();
    for (const auto& cmd : e.try_commands) EXPECT_TRUE(cmd.starts_with("mqtk-ping -h ")) << cmd;
  }
}

// clang-format off
const table_case esp_mqtt_cases[] = {
  {"seed_not_authorized", "W (4211) MQTT_CLIENT: Connection refused, not authorized",
   "esp-mqtt", "not authorized", "return code 5", "password_file", "-u USER"},
  {"bad_username", "W (5123) mqtt_client: Connection refused, bad username or password",
   "esp-mqtt", "bad username or password", "return code 4", "username/password", "-u USER"},
  {"server_unavailable", "W (5123) mqtt_client: Connection refused, server unavailable",
   "esp-mqtt", "server unavailable", "return code 3", "not ready", "--wait"},
  {"bad_protocol", "W (5123) mqtt_client: Connection refused, bad protocol",
   "esp-mqtt", "bad protocol", "return code 1", "protocol level", "--versions"},
  {"unknown_reason", "W (5123) mqtt_client: Connection refused, Unknow reason",
   "esp-mqtt", "Unknow reason", "no text for", "identifier rejected", "--id "},
  {"seed_error_mqtt_connected", "I (4217) MQTT_CLIENT: Error MQTT Connected",
   "esp-mqtt", "Error MQTT Connected", "CONNECT/CONNACK", "refused the CONNECT", "--versions"},
  {"seed_reconnect_after", "I (4222) MQTT_CLIENT: Reconnect after 10000 ms",
   "esp-mqtt", "Reconnect after 10000 ms", "10000 ms", "just before", ""},
  {"seed_sending_connect", "I (19361) MQTT_CLIENT: Sending MQTT CONNECT message, type: 1, id: 0000",
   "esp-mqtt", "Sending MQTT CONNECT", "not an error", "TCP/TLS worked", "mqtk-ping -h HOST"},
  {"faq_no_ping_resp", "mqtt_client: No PING_RESP, disconnected",
   "esp-mqtt", "No PING_RESP", "no PINGRESP", "max_keepalive", "--keepalive-check -k 120"},
  {"no_ping_resp_prefixed", "E (7261234) mqtt_client: No PING_RESP, disconnected",
   "esp-mqtt", "No PING_RESP", "keepalive", "NAT", "-c 10"},
  {"cant_send_ping", "E (120000) mqtt_client: Can't send ping, disconnected",
   "esp-mqtt", "Can't send ping", "already gone", "Wi-Fi", "--keepalive-check"},
  {"error_transport_connect", "E (618) mqtt_client: Error transport connect",
   "esp-mqtt", "Error transport connect", "before any MQTT", "esp-tls", "mqtk-ping -h HOST"},
  {"esphome_eof", "[20:04:30.324][D][esp-idf:000][mqtt_task]: E (15263) mqtt_client: "
                  "esp_mqtt_handle_transport_read_error: transport_read(): EOF",
   "esp-mqtt", "transport_read(): EOF", "closed the connection", "same client id", "--id DEVICE_CLIENT_ID"},
  {"esphome_errno_119", "[20:04:30.324][D][esp-idf:000][mqtt_task]: E (15264) mqtt_client: "
                        "esp_mqtt_handle_transport_read_error: transport_read() error: errno=119",
   "esp-mqtt", "EINPROGRESS (119)", "reading from the broker failed", "stale errno", ""},
  {"connack_receive_failed", "E (12034) mqtt_client: esp_mqtt_connect: mqtt_message_receive() returned -2",
   "esp-mqtt", "returned -2", "waiting for CONNACK", "protocol level", "--versions"},
  {"connack_timeout", "E (22034) mqtt_client: esp_mqtt_connect: mqtt_message_receive() returned 0",
   "esp-mqtt", "returned 0", "no CONNACK arrived", "not an MQTT listener", "mqtk-ping -h HOST"},
  {"too_big", "E (30211) mqtt_client: mqtt_message_receive: message is too big, insufficient buffer size",
   "esp-mqtt", "message is too big", "1024 bytes", "SUBACK", "--device esp-idf"},
  {"invalid_msg_type", "E (4210) mqtt_client: Invalid MSG_TYPE response: 4, read_len: 4",
   "esp-mqtt", "Invalid MSG_TYPE response: 4", "not a CONNACK", "HTTP", "mqtk-ping -h HOST"},
  {"write_timeout", "E (91000) mqtt_client: Writing didn't complete in specified timeout: errno=119",
   "esp-mqtt", "Writing didn't complete", "send buffer stayed full", "ACKs", "-c 10"},
  {"write_failed", "E (91000) mqtt_client: Writing failed: errno=104",
   "esp-mqtt", "Writing failed", "writing a packet", "already closed", "-c 10"},
  {"losing_qos0", "W (1000) mqtt_client: Publish: Losing qos0 data when client not connected",
   "esp-mqtt", "Losing qos0", "does not queue QoS 0", "connection is down", "mqtk-ping -h HOST"},
  {"not_connected", "E (9000) mqtt_client: Client has not connected",
   "esp-mqtt", "Client has not connected", "MQTT_EVENT_CONNECTED", "esp_mqtt_client_start", ""},
  {"parse_uri", "E (700) mqtt_client: Error parse uri = broker.local:1883",
   "esp-mqtt", "Error parse uri", "broker.local:1883", "scheme", "mqtk-ping -h HOST"},
  {"network_timeout", "E (5000) mqtt_client: mqtt_process_receive: Network timeout while reading MQTT message",
   "esp-mqtt", "Network timeout", "did not come", "packet loss", "-c 10"},
  {"poll_read_error", "E (5000) mqtt_client: Poll read error: 104, aborting connection",
   "esp-mqtt", "Poll read error", "dropped the connection", "Wi-Fi lost", "mqtk-ping -h HOST"},
  {"mqtt5_subscribe_check", "I (5000) mqtt_client: MQTT5 subscribe check fail: QoS 2 not accepted by broker ",
   "esp-mqtt", "MQTT5 subscribe check fail", "QoS 2", "max_qos", "--capabilities"},
  {"mqtt5_publish_check", "I (5000) mqtt_client: MQTT5 publish check fail",
   "esp-mqtt", "MQTT5 publish check fail", "broker announced", "Receive Maximum", "--capabilities"},
  {"ssl_config_plain_scheme", "W (500) mqtt_client: SSL related configs set, but the URI scheme specifies a "
                              "non-SSL scheme, scheme = mqtt",
   "esp-mqtt", "non-SSL scheme", "TLS is not used", "mqtts://", "--cafile"},
  {"mqtt_connect_failed", "E (5230) mqtt_client: MQTT connect failed",
   "esp-mqtt", "MQTT connect failed", "CONNECT/CONNACK", "no CONNACK within the network timeout", "--versions"},
  {"null_id_clean_session", "E (300) mqtt_client: Clean Session flag must be true if client has a null id",
   "esp-mqtt", "null id", "empty client id requires a clean session", "set_null_client_id", "--id \"\""},
  {"no_valid_transport", "E (300) mqtt_client: There are no transports valid, stop mqtt client, config scheme = wss",
   "esp-mqtt", "no transports valid", "built without", "CONFIG_MQTT_TRANSPORT_WEBSOCKET", ""},
  {"cant_send_ping_write", "E (120000) mqtt_client: Error sending ping",
   "esp-mqtt", "Can't send ping", "already gone", "closed the connection", "--keepalive-check"},
  {"mqtt5_not_enabled", "E (300) mqtt_client: Please first enable MQTT_PROTOCOL_5 feature in menuconfig",
   "esp-mqtt", "MQTT_PROTOCOL_5", "built without it", "sdkconfig", "--versions"},
};

const table_case esp_tls_cases[] = {
  {"dns", "E (3364) esp-tls: couldn't get hostname for :worldtimeapi.org: getaddrinfo() returns 202, addrinfo=0x0",
   "esp-tls", "getaddrinfo() returns 202", "worldtimeapi.org", "DNS", "-h worldtimeapi.org"},
  {"transport_dns_code", "E (3374) transport_base: Failed to open a new connection: 32769",
   "transport_base", "ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME", "resolved", "mistyped", "mqtk-ping -h HOST"},
  {"select_timeout", "E (13733) esp-tls: [sock=54] select() timeout",
   "esp-tls", "select() timeout", "timed out", "firewall", "mqtk-ping -h HOST"},
  {"transport_timeout_code", "E (13734) TRANSPORT_BASE: Failed to open a new connection: 32774",
   "transport_base", "ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT", "timed out", "drops the SYN", "mqtk-ping -h HOST"},
  {"delayed_connect_reset", "E (618) esp-tls: [sock=54] delayed connect error: Connection reset by peer",
   "esp-tls", "Connection reset by peer", "TCP connection to the broker failed", "RST", "mqtk-ping -h HOST"},
  {"transport_connect_code", "E (618) transport_base: Failed to open a new connection: 32772",
   "transport_base", "ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST", "TCP connection", "nothing listens", "mqtk-ping"},
  {"host_unreachable", "E (15544) esp-tls: [sock=42] connect() error: Host is unreachable",
   "esp-tls", "Host is unreachable", "failed: Host is unreachable", "no route", "mqtk-ping -h HOST"},
  {"no_socket", "E esp-tls: Failed to create socket (family 2 socktype 1 protocol 0)",
   "esp-tls", "Failed to create socket", "no free socket", "CONFIG_LWIP_MAX_SOCKETS", ""},
  {"transport_socket_code", "E transport_base: Failed to open a new connection: 32770",
   "transport_base", "ESP_ERR_ESP_TLS_CANNOT_CREATE_SOCKET", "no socket", "sockets are in use", ""},
  {"open_failed", "E (210281) esp-tls: Failed to open new connection",
   "esp-tls", "Failed to open new connection", "summarises", "preceding", "mqtk-ping -h HOST"},
  {"open_failed_timeout", "esp-tls: Failed to open new connection in specified timeout",
   "esp-tls", "in specified timeout", "did not finish", "slow", "mqtk-ping -h HOST"},
  {"transport_open_failed", "E (210281) TRANSPORT_BASE: Failed to open a new connection",
   "transport_base", "Failed to open a new connection", "could not connect", "preceding", "mqtk-ping"},
  {"handshake_2700", "esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2700",
   "esp-tls", "MBEDTLS_ERR_X509_CERT_VERIFY_FAILED (-0x2700)", "did not verify", "clock", "--cafile ca.pem"},
  {"verify_failed", "esp-tls-mbedtls: Failed to verify peer certificate!",
   "esp-tls", "Failed to verify peer certificate", "did not verify", "clock", "--cafile ca.pem"},
  {"handshake_3000", "esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x3000",
   "esp-tls", "MBEDTLS_ERR_X509_FATAL_ERROR (-0x3000)", "verify callback", "certificate bundle", "--cafile"},
  {"bundle_no_root", "esp-x509-crt-bundle: No matching trusted root certificate found",
   "esp-x509-crt-bundle", "No matching trusted root", "bundle", "self-signed CA", "--cafile ca.pem"},
  {"bundle_verify_failed", "esp-x509-crt-bundle: Failed to verify certificate",
   "esp-x509-crt-bundle", "Failed to verify certificate", "-0x3000", "not in the bundle", "--cafile"},
  {"handshake_7780", "E (1234) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x7780",
   "esp-tls", "MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE (-0x7780)", "fatal TLS alert", "require_certificate", "--cert"},
  {"handshake_0050", "E (60906) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x0050",
   "esp-tls", "MBEDTLS_ERR_NET_CONN_RESET (-0x0050)", "reset by the peer", "firewall", "-c 10"},
  {"handshake_7280_example", "E (731521) example: mbedtls_ssl_handshake returned -0x7280",
   "esp-tls", "MBEDTLS_ERR_SSL_CONN_EOF (-0x7280)", "closed the connection", "plain-MQTT port", "-p 1883"},
  {"no_verification_option", "E (5577) esp-tls-mbedtls: No server verification option set in esp_tls_cfg_t "
                             "structure. Check esp_tls API reference",
   "esp-tls", "No server verification option", "without any way to verify", "crt_bundle_attach", "--cafile"},
  {"set_config_8017", "E (5577) esp-tls-mbedtls: Failed to set client configurations, returned [0x8017] "
                      "(ESP_ERR_MBEDTLS_SSL_SETUP_FAILED)",
   "esp-tls", "ESP_ERR_MBEDTLS_SSL_SETUP_FAILED (0x8017)", "could not be set up", "configuration", ""},
  {"create_ssl_handle", "E (5586) esp-tls: create_ssl_handle failed",
   "esp-tls", "create_ssl_handle failed", "TLS context", "heap", "--cafile"},
  {"ws_error_connecting", "transport_ws: Error connecting to host generativelanguage.googleapis.com:443",
   "transport_ws", "Error connecting to host", "generativelanguage.googleapis.com:443", "esp-tls",
   "-h generativelanguage.googleapis.com -p 443"},
};

const table_case example_report_cases[] = {
  {"esp_tls_8004", "E (628) mqtt_client_cpp: Last error reported from esp-tls: 0x8004",
   "esp-tls", "ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST (0x8004)", "TCP connection", "RST", "mqtk-ping"},
  {"socket_errno_0x68", "E (628) mqtt_client_cpp: Last error captured as transport's socket errno: 0x68",
   "lwip", "ECONNRESET (104)", "Connection reset by peer", "firewall", "-c 10"},
  {"errno_string", "I (638) mqtt_client_cpp: Last errno string (Connection reset by peer)",
   "lwip", "ECONNRESET", "Connection reset by peer", "plain port", "mqtk-ping -h HOST"},
  {"old_esp_tls_801a", "Last error code reported from esp-tls: 0x801a",
   "esp-tls", "ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED (0x801A)", "handshake failed", "tls stack", "--cafile"},
  {"old_stack_2700", "Last tls stack error number: 0x2700",
   "mbedtls", "MBEDTLS_ERR_X509_CERT_VERIFY_FAILED (-0x2700)", "did not verify", "IP address", "--insecure"},
  {"captured_errno_abort", "E (9120) mqtt_example: Last captured errno : 113 (Software caused connection abort)",
   "lwip", "ECONNABORTED (113)", "Software caused connection abort", "Wi-Fi dropped", "-c 10"},
  {"captured_errno_refused", "E (9120) mqtt_example: Last captured errno : 111 (Connection refused)",
   "lwip", "ECONNREFUSED (111)", "Connection refused", "nothing listens", "mqtk-ping -h HOST"},
  {"esp_tls_cert_parse", "E (700) mqtt_example: Last error reported from esp-tls: 0x8015",
   "esp-tls", "ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED (0x8015)", "did not parse", "terminating NUL", "--cert"},
  {"esp_tls_key_parse", "E (700) mqtt_example: Last error reported from esp-tls: 0x8019",
   "esp-tls", "ESP_ERR_MBEDTLS_PK_PARSE_KEY_FAILED (0x8019)", "private key did not parse", "wrong format", "--key"},
  {"errno_timed_out", "I (700) mqtt_example: Last errno string (Connection timed out)",
   "lwip", "ETIMEDOUT (116)", "Connection timed out", "unreachable", "mqtk-ping -h HOST"},
  {"captured_errno_success", "Last captured errno : 0 (Success)",
   "esp-mqtt example", "errno 0", "no socket error", "TLS stack error", "mqtk-ping -h HOST"},
  {"esphome_fin_8008", "[20:04:30.324][E][mqtt.idf:169]: Last error code reported from esp-tls: 0x8008",
   "esp-tls", "ESP_ERR_ESP_TLS_TCP_CLOSED_FIN (0x8008)", "closed the TCP connection", "duplicate client id",
   "--keepalive-check"},
  {"connection_refused_code", "E (700) mqtt_example: Connection refused error: 0x5",
   "esp-mqtt", "return code 5", "not authorized", "allow_anonymous", "-u USER"},
};

// Every mbedTLS code the table holds, as esp-tls prints a failed handshake.
const table_case mbedtls_code_cases[] = {
  {"net_socket_failed", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x0042",
   "esp-tls", "MBEDTLS_ERR_NET_SOCKET_FAILED (-0x0042)", "open a socket", "no route", "mqtk-ping -h HOST"},
  {"net_connect_failed", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x0044",
   "esp-tls", "MBEDTLS_ERR_NET_CONNECT_FAILED (-0x0044)", "TCP connection", "nothing listens", "mqtk-ping -h HOST"},
  {"net_recv_failed", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x004C",
   "esp-tls", "MBEDTLS_ERR_NET_RECV_FAILED (-0x004C)", "reading from the socket", "reset the connection", "-c 10"},
  {"net_send_failed", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x004E",
   "esp-tls", "MBEDTLS_ERR_NET_SEND_FAILED (-0x004E)", "sending on the socket", "Wi-Fi", "-c 10"},
  {"net_unknown_host", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x0052",
   "esp-tls", "MBEDTLS_ERR_NET_UNKNOWN_HOST (-0x0052)", "did not resolve", "mDNS", "mqtk-ping -h HOST"},
  {"x509_invalid_format", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2180",
   "esp-tls", "MBEDTLS_ERR_X509_INVALID_FORMAT (-0x2180)", "not valid DER/PEM", "terminating NUL", "--cert"},
  {"x509_unknown_format", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2780",
   "esp-tls", "MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT (-0x2780)", "neither DER nor PEM", "DER blob", "--key"},
  {"pk_invalid_format", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x3D00",
   "esp-tls", "MBEDTLS_ERR_PK_KEY_INVALID_FORMAT (-0x3D00)", "private key", "wrong file", "--key"},
  {"ssl_timeout", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x6800",
   "esp-tls", "MBEDTLS_ERR_SSL_TIMEOUT (-0x6800)", "timed out", "too slow", "--cafile"},
  {"invalid_record", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x7200",
   "esp-tls", "MBEDTLS_ERR_SSL_INVALID_RECORD (-0x7200)", "not a TLS record", "plain-MQTT port", "-p 1883"},
  {"ca_chain_required", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x7680",
   "esp-tls", "MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED (-0x7680)", "no CA certificate", "verification but no CA", "--cafile"},
  {"unexpected_message", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x7700",
   "esp-tls", "MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE (-0x7700)", "out of order", "middlebox", "--cafile"},
  {"peer_close_notify", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x7880",
   "esp-tls", "MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY (-0x7880)", "close_notify", "duplicate client id", "--cafile"},
  {"alloc_failed", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x7F00",
   "esp-tls", "MBEDTLS_ERR_SSL_ALLOC_FAILED (-0x7F00)", "allocate memory", "heap exhausted", ""},
  {"bad_certificate", "E (100) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x7A00",
   "esp-tls", "BAD_CERTIFICATE (-0x7A00)", "certificate message", "MBEDTLS_SSL_IN_CONTENT_LEN", "--cafile"},
};

const table_case mbedtls_cases[] = {
  {"arduino_ssl_client", "[E][ssl_client.cpp:33] _handle_error(): [start_ssl_client():199]: (-9984) X509 - "
                         "Certificate verification failed, e.g. CRL, CA or signature check failed",
   "mbedtls", "MBEDTLS_ERR_X509_CERT_VERIFY_FAILED (-0x2700) = -9984", "did not verify", "clock", "--cafile"},
  {"arduino_start_ssl_client", "[ 30653][E][WiFiClientSecure.cpp:144] connect(): start_ssl_client: -9984",
   "mbedtls", "-9984", "did not verify", "expired", "--insecure"},
  {"mbedtls_strerror", "E (731531) example: Last error was: -0x7280 - SSL - The connection indicated an EOF",
   "mbedtls", "MBEDTLS_ERR_SSL_CONN_EOF", "closed the connection during TLS", "ClientHello", "--cafile"},
};

const table_case pubsubclient_cases[] = {
  {"rc_minus_2", "Attempting MQTT connection...failed, rc=-2 try again in 5 seconds",
   "pubsubclient", "MQTT_CONNECT_FAILED (-2)", "no MQTT was exchanged", "Wi-Fi not connected", "--device pubsubclient"},
  {"rc_minus_4", "Attempting MQTT connection...failed, rc=-4 try again in 5 seconds",
   "pubsubclient", "MQTT_CONNECTION_TIMEOUT (-4)", "socket timeout (15 s)", "loop()", "--keepalive-check"},
  {"rc_minus_3", "failed, rc=-3 try again in 5 seconds",
   "pubsubclient", "MQTT_CONNECTION_LOST (-3)", "broke while connected", "same client id", "--id DEVICE_CLIENT_ID"},
  {"rc_minus_1", "failed, rc=-1 try again in 5 seconds",
   "pubsubclient", "MQTT_DISCONNECTED (-1)", "disconnected cleanly", "disconnect()", ""},
  {"rc_1", "failed, rc=1 try again in 5 seconds",
   "pubsubclient", "MQTT_CONNECT_BAD_PROTOCOL (1)", "return code 1", "3.1", "--versions"},
  {"rc_2", "failed, rc=2 try again in 5 seconds",
   "pubsubclient", "MQTT_CONNECT_BAD_CLIENT_ID (2)", "identifier rejected", "client id", "--id "},
  {"rc_3", "failed, rc=3 try again in 5 seconds",
   "pubsubclient", "MQTT_CONNECT_UNAVAILABLE (3)", "server unavailable", "not ready", "--wait"},
  {"rc_4", "failed, rc=4 try again in 5 seconds",
   "pubsubclient", "MQTT_CONNECT_BAD_CREDENTIALS (4)", "bad username or password", "password_file", "-u USER"},
  {"rc_5_capital", "Failed, rc=5 Try again in 5 seconds",
   "pubsubclient", "MQTT_CONNECT_UNAUTHORIZED (5)", "not authorized", "allow_anonymous", "-u USER"},
  {"rc_minus_5_fork", "failed, rc=-5 try again in 5 seconds",
   "pubsubclient", "MQTT_TLS_BAD_SERVER_CREDENTIALS (-5)", "forks", "fingerprint", "--device pubsubclient"},
  {"state_name", "MQTT state: MQTT_CONNECTION_TIMEOUT",
   "pubsubclient", "MQTT_CONNECTION_TIMEOUT (-4)", "did not answer in time", "loop()", "-c 10"},
};

const table_case arduino_mqtt_cases[] = {
  {"tinamous_denied", "Error: -10, Return Code: 5",
   "arduino-mqtt", "LWMQTT_CONNECTION_DENIED (-10), returnCode 5", "not authorized", "password_file", "-u USER"},
  {"esp_mqtt_lwmqtt_publish", "E (146844) esp_mqtt: lwmqtt_publish: -9",
   "arduino-mqtt", "LWMQTT_MISSING_OR_WRONG_PACKET (-9)", "did not come", "closed the connection", "--device arduino-mqtt"},
  {"buffer_too_short", "lastError: -1",
   "arduino-mqtt", "LWMQTT_BUFFER_TOO_SHORT (-1)", "128 bytes", "client(512)", "-m PAYLOAD"},
  {"network_timeout", "mqtt.lastError() = -4",
   "arduino-mqtt", "LWMQTT_NETWORK_TIMEOUT (-4)", "1000 ms", "setTimeout", "-c 10"},
  {"failed_connect_name", "connect failed: LWMQTT_NETWORK_FAILED_CONNECT",
   "arduino-mqtt", "LWMQTT_NETWORK_FAILED_CONNECT (-3)", "could not connect", "DNS", "--device arduino-mqtt"},
  {"pong_timeout", "lastError: -13",
   "arduino-mqtt", "LWMQTT_PONG_TIMEOUT (-13)", "no PINGRESP", "10 s keepalive", "--keepalive-check"},
  {"varnum_overflow", "lastError: -2",
   "arduino-mqtt", "LWMQTT_VARNUM_OVERFLOW (-2)", "malformed", "not an MQTT listener", "--device arduino-mqtt"},
  {"failed_read", "lastError: -5",
   "arduino-mqtt", "LWMQTT_NETWORK_FAILED_READ (-5)", "reading from the network failed", "closed", "--device arduino-mqtt"},
  {"failed_write", "lastError: -6",
   "arduino-mqtt", "LWMQTT_NETWORK_FAILED_WRITE (-6)", "writing to the network failed", "Wi-Fi", "--device arduino-mqtt"},
  {"return_code_name", "connect failed: LWMQTT_BAD_USERNAME_OR_PASSWORD",
   "arduino-mqtt", "LWMQTT_BAD_USERNAME_OR_PASSWORD", "return code 4", "password_file", "-u USER"},
  {"failed_subscription", "lastError: -11",
   "arduino-mqtt", "LWMQTT_FAILED_SUBSCRIPTION (-11)", "SUBACK 0x80", "ACL", "--device arduino-mqtt"},
};

const table_case async_mqtt_client_cases[] = {
  {"tcp_disconnected", "Disconnected from MQTT. reason: TCP_DISCONNECTED",
   "async-mqtt-client", "TCP_DISCONNECTED", "TCP connection closed", "duplicate client id", "--device async-mqtt-client"},
  {"not_authorized", "Disconnected from MQTT. reason: MQTT_NOT_AUTHORIZED",
   "async-mqtt-client", "MQTT_NOT_AUTHORIZED", "return code 5", "password_file", "-u USER"},
  {"malformed_credentials", "Disconnected from MQTT. reason: MQTT_MALFORMED_CREDENTIALS",
   "async-mqtt-client", "MQTT_MALFORMED_CREDENTIALS", "return code 4", "username/password", "-u USER"},
  {"not_enough_space", "Disconnected from MQTT. reason: ESP8266_NOT_ENOUGH_SPACE",
   "async-mqtt-client", "ESP8266_NOT_ENOUGH_SPACE", "did not fit the TCP send buffer", "will message", ""},
  {"identifier_rejected", "Disconnected from MQTT. reason: MQTT_IDENTIFIER_REJECTED",
   "async-mqtt-client", "MQTT_IDENTIFIER_REJECTED", "return code 2", "client id", "--id "},
  {"bad_fingerprint", "Disconnected from MQTT. reason: TLS_BAD_FINGERPRINT",
   "async-mqtt-client", "TLS_BAD_FINGERPRINT", "fingerprint", "renewed", "--cafile"},
};
// The broker's side, as mosquitto 2.0.11 logged it in this project's own runs (both of its
// timestamp formats).
const table_case mosquitto_cases[] = {
  {"exceeded_timeout", "1796534982: Client ab has exceeded timeout, disconnecting.",
   "mosquitto", "has exceeded timeout", "1.5 times its keepalive", "loop()", "--keepalive-check"},
  {"takeover", "2026-12-06T06:22:43: Client twin already connected, closing old connection.",
   "mosquitto", "already connected", "session take-over", "same client id", "--id twin"},
  {"not_authorised", "1796538219: Client <unknown> disconnected, not authorised.",
   "mosquitto", "not authorised", "return code 5", "password_file", "-u USER"},
  {"denied_publish", "1796538219: Denied PUBLISH from auto-E1E6DB01-4B55-9236-3229-BEBDA30380FB (d0, q1, r0, m1, "
                     "'other/a', ... (1 bytes))",
   "mosquitto", "Denied PUBLISH", "publish on 'other/a'", "acl_file", "--roundtrip"},
  {"too_high_qos", "1796538070: Too high QoS in PUBLISH from auto-CC0D191B-09E4-0732-3731-AC744E2B7144, disconnecting.",
   "mosquitto", "Too high QoS", "max_qos", "cannot know the limit", "--capabilities"},
  {"oversize", "1796538075: Client auto-D53FB599-1EFB-9D4B-941F-A9613375E705 disconnected due to oversize packet.",
   "mosquitto", "oversize packet", "larger than the broker accepts", "max_packet_size", "--capabilities"},
  {"closed_connection", "1796538126: Client dev closed its connection.",
   "mosquitto", "closed its connection", "without sending DISCONNECT", "TLS handshake", "--cafile"},
  {"bad_socket_qos", "1796538070: Bad socket read/write on client auto-CC0D191B-09E4-0732-3731-AC744E2B7144: "
                     "Requested QoS not supported on server.",
   "mosquitto", "Bad socket read/write", "Requested QoS not supported", "max_qos", "--capabilities"},
  {"bad_socket_unknown", "1796538220: Bad socket read/write on client auto-3B727541-D4DF-B84C-92BA-EBE16AC483EE: "
                         "Unknown error.",
   "mosquitto", "Unknown error", "failed", "retain_available", "--capabilities"},
};
// clang-format on

std::string case_name(const ::testing::TestParamInfo<table_case>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(esp_mqtt, device_log_table, ::testing::ValuesIn(esp_mqtt_cases), case_name);
INSTANTIATE_TEST_SUITE_P(esp_tls, device_log_table, ::testing::ValuesIn(esp_tls_cases), case_name);
INSTANTIATE_TEST_SUITE_P(example_report, device_log_table, ::testing::ValuesIn(example_report_cases), case_name);
INSTANTIATE_TEST_SUITE_P(mbedtls_codes, device_log_table, ::testing::ValuesIn(mbedtls_code_cases), case_name);
INSTANTIATE_TEST_SUITE_P(mbedtls, device_log_table, ::testing::ValuesIn(mbedtls_cases), case_name);
INSTANTIATE_TEST_SUITE_P(pubsubclient, device_log_table, ::testing::ValuesIn(pubsubclient_cases), case_name);
INSTANTIATE_TEST_SUITE_P(arduino_mqtt, device_log_table, ::testing::ValuesIn(arduino_mqtt_cases), case_name);
INSTANTIATE_TEST_SUITE_P(mosquitto, device_log_table, ::testing::ValuesIn(mosquitto_cases), case_name);
INSTANTIATE_TEST_SUITE_P(async_mqtt_client, device_log_table, ::testing::ValuesIn(async_mqtt_client_cases), case_name);

// --- reading real logs as pasted ---------------------------------------------------------------

TEST(device_log_explainer, seed_faq_log_line_by_line) {
  // The ESP-IDF FAQ's log, verbatim: the example's own event line is not a library line.
  const auto report = explain_device_log(
      "W (4211) MQTT_CLIENT: Connection refused, not authorized\n"
      "I (4217) MQTT_CLIENT: Error MQTT Connected\n"
      "I (4222) MQTT_CLIENT: Reconnect after 10000 ms\n"
      "I (4228) MQTT_EXAMPLE: MQTT_EVENT_DISCONNECTED\n"
      "I (19361) MQTT_CLIENT: Sending MQTT CONNECT message, type: 1, id: 0000\n");
  ASSERT_EQ(report.explanations.size(), 4u);
  EXPECT_EQ(report.explanations[0].line_no, 1u);
  EXPECT_EQ(report.explanations[3].line_no, 5u);
  ASSERT_EQ(report.unrecognised.size(), 1u);
  EXPECT_EQ(report.unrecognised[0].line_no, 4u);
  EXPECT_EQ(report.unrecognised[0].line, "I (4228) MQTT_EXAMPLE: MQTT_EVENT_DISCONNECTED");
}

TEST(device_log_explainer, ansi_colours_and_crlf_do_not_hide_a_line) {
  const auto report = explain_device_log(
      "\x1b[0;31mE (618) mqtt_client: Error transport connect\x1b[0m\r\n"
      "\x1b[0;33mW (4211) MQTT_CLIENT: Connection refused, not authorized\x1b[0m\r\n");
  ASSERT_EQ(report.explanations.size(), 2u);
  EXPECT_EQ(report.explanations[0].line, "E (618) mqtt_client: Error transport connect");
  EXPECT_EQ(report.explanations[1].code, "Connection refused, not authorized");
  EXPECT_TRUE(report.unrecognised.empty());
}

TEST(device_log_explainer, serial_monitor_timestamps_are_skipped) {
  const auto report = explain_device_log("12:01:02.345 -> Attempting MQTT connection...failed, rc=-2 try again in 5 seconds\n"
                                         "[ 30639][E][ssl_client.cpp:37] _handle_error(): (-9984) X509 - Certificate "
                                         "verification failed\n");
  ASSERT_EQ(report.explanations.size(), 2u);
  EXPECT_EQ(report.explanations[0].source, "pubsubclient");
  EXPECT_EQ(report.explanations[1].source, "mbedtls");
}

TEST(device_log_explainer, idf_system_time_prefix) {
  const auto c = clean_log_line("E (12:34:56.789) mqtt_client: No PING_RESP, disconnected");
  EXPECT_EQ(c.tag, "mqtt_client");
  EXPECT_EQ(c.message, "No PING_RESP, disconnected");
}

TEST(device_log_explainer, unknown_lines_are_listed_not_guessed) {
  const auto report = explain_device_log(
      "I (1234) wifi:connected with MyAP, aid = 1, channel 6\n"
      "\n"
      "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\n"
      "failed to read sensor -2\n");
  EXPECT_TRUE(report.explanations.empty());
  ASSERT_EQ(report.unrecognised.size(), 3u);  // the blank line is not counted
  EXPECT_EQ(report.unrecognised[0].line_no, 1u);
  EXPECT_EQ(report.unrecognised[1].line_no, 3u);
  EXPECT_EQ(report.unrecognised[2].line_no, 4u);
}

TEST(device_log_explainer, a_hex_number_without_tls_context_is_not_read_as_mbedtls) {
  const auto report = explain_device_log("I (100) app: sensor id -0x2700 ready\n");
  EXPECT_TRUE(report.explanations.empty());
  EXPECT_EQ(report.unrecognised.size(), 1u);
}

TEST(device_log_explainer, commands_use_the_host_and_port_the_log_names) {
  const auto report = explain_device_log(
      "I (1200) mqtt_example: connecting to mqtts://broker.example.com:8883\n"
      "E (5000) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2700\n");
  EXPECT_EQ(report.host, "broker.example.com");
  EXPECT_EQ(report.port, 8883u);
  EXPECT_TRUE(report.tls);
  ASSERT_EQ(report.explanations.size(), 1u);
  EXPECT_EQ(report.explanations[0].try_commands.front(),
            "mqtk-ping -h broker.example.com -p 8883 --cafile ca.pem");
}

TEST(device_log_explainer, the_broker_named_by_the_user_wins) {
  const auto report = explain_device_log(
      "I (1200) mqtt_example: connecting to mqtts://broker.example.com:8883\n"
      "E (5000) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2700\n",
      log_target_hint{.host = "test.local", .port = 8884});
  ASSERT_EQ(report.explanations.size(), 1u);
  EXPECT_EQ(report.explanations[0].try_commands.front(), "mqtk-ping -h test.local -p 8884 --cafile ca.pem");
}

TEST(device_log_explainer, a_whole_tls_failure_sequence) {
  // A real esp-mqtt sequence from a project README: all but the event name are recognised.
  const auto report = explain_device_log(
      "esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2700\n"
      "esp-tls-mbedtls: Failed to verify peer certificate!\n"
      "esp-tls: Failed to open new connection\n"
      "transport_base: Failed to open a new connection\n"
      "mqtt_client: Error transport connect\n"
      "MQTT_EVENT_ERROR\n"
      "Last error code reported from esp-tls: 0x801a\n"
      "Last tls stack error number: 0x2700\n"
      "Last captured errno : 0 (Success)\n");
  EXPECT_EQ(report.explanations.size(), 8u);
  ASSERT_EQ(report.unrecognised.size(), 1u);
  EXPECT_EQ(report.unrecognised[0].line, "MQTT_EVENT_ERROR");
  EXPECT_TRUE(report.tls);
}

TEST(device_log_explainer, empty_input_has_nothing) {
  const auto report = explain_device_log("");
  EXPECT_TRUE(report.explanations.empty());
  EXPECT_TRUE(report.unrecognised.empty());
}

TEST(nothing_recognised, counts_the_lines_and_says_what_to_paste) {
  const std::string paste =
      " \u2014 paste the device's E/W lines around the failure (esp-mqtt, esp-tls/mbedTLS, PubSubClient state(), "
      "arduino-mqtt lastError(), AsyncMqttClient reasons, mosquitto's log)";
  EXPECT_EQ(nothing_recognised(0), "the input has no log lines" + paste);
  EXPECT_EQ(nothing_recognised(1), "the one line given is not a line mqtk knows" + paste);
  EXPECT_EQ(nothing_recognised(2), "none of the 2 lines given is a line mqtk knows" + paste);
}

}  // namespace
}  // namespace mqtk::diag
