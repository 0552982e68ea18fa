#include "mqtk/diag/device_log_explainer.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <regex>
#include <string>

// The texts below quote the libraries' own log strings and constants (esp-mqtt mqtt_client.c,
// ESP-IDF esp-tls, mbedTLS error headers, PubSubClient.h, lwmqtt.h, AsyncMqttClient.hpp); the
// explanations and the mqtk-ping runs are ours. Codes whose meaning changed between library
// versions are either left out or explained with the version named.
namespace mqtk::diag {
namespace {

// --- line cleaning ----------------------------------------------------------------------------

std::string strip_ansi_and_cr(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\x1b') {
      // CSI sequence: ESC [ parameters final-byte. ESP-IDF colours every line this way.
      std::size_t j = i + 1;
      if (j < raw.size() && raw[j] == '[') {
        ++j;
        while (j < raw.size() && !(raw[j] >= '@' && raw[j] <= '~')) ++j;
      }
      i = j;
      continue;
    }
    if (c == '\r') continue;
    out.push_back(c);
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

const std::regex& idf_prefix() {
  // "E (12345) TAG: msg" and "E (12:34:56.789) TAG: msg" (CONFIG_LOG_TIMESTAMP_SOURCE_SYSTEM),
  // anywhere in the line: serial monitors and ESPHome put their own prefixes in front.
  static const std::regex re(R"((?:^|[\s\]>:])([EWIDV]) \((?:\d+|[\d:.]+)\) ([A-Za-z0-9_.\-]+): (.*)$)");
  return re;
}

const std::regex& bare_level_prefix() {
  // "E esp-tls: msg" (log timestamps disabled).
  static const std::regex re(R"(^([EWIDV]) ([A-Za-z0-9_.\-]+): (.*)$)");
  return re;
}

const std::regex& leading_timestamp() {
  // "[20:04:30.324]", "20:04:30.324 -> " (Arduino serial monitor), "2026-12-06T05:21:48.123Z ",
  // "[  1234.567]".
  // mosquitto's own: "1796534982: " and "2026-12-06T06:22:43: " (log_timestamp_format).
  static const std::regex re(
      R"(^(?:\[[0-9:.\s]+\]\s*|\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\s*->\s*|\d{4}-\d{2}-\d{2}[T ][0-9:.]+Z?:?\s+|\d{9,11}:\s+)+)");
  return re;
}

// Tags that also appear without a level letter in pasted logs ("esp-tls-mbedtls: ...").
constexpr std::array<std::string_view, 11> known_tags = {
    "mqtt_client", "MQTT_CLIENT", "esp-tls", "esp-tls-mbedtls", "esp-x509-crt-bundle", "transport_base",
    "TRANSPORT_BASE", "transport_ws", "TRANS_SSL", "TRANS_TCP", "esp_mqtt"};

}  // namespace

cleaned_log_line clean_log_line(std::string_view raw) {
  cleaned_log_line out;
  out.printable = strip_ansi_and_cr(raw);
  std::string s = std::regex_replace(out.printable, leading_timestamp(), "",
                                     std::regex_constants::format_first_only);
  std::smatch m;
  if (std::regex_search(s, m, idf_prefix())) {
    out.tag = m[2].str();
    out.message = m[3].str();
    return out;
  }
  if (std::regex_match(s, m, bare_level_prefix())) {
    out.tag = m[2].str();
    out.message = m[3].str();
    return out;
  }
  for (std::string_view tag : known_tags) {
    if (s.size() > tag.size() + 1 && s.compare(0, tag.size(), tag) == 0 && s[tag.size()] == ':') {
      out.tag = std::string(tag);
      std::size_t start = tag.size() + 1;
      while (start < s.size() && s[start] == ' ') ++start;
      out.message = s.substr(start);
      return out;
    }
  }
  out.message = s;
  return out;
}

namespace {

// --- where the device was connecting to -------------------------------------------------------

struct target {
  std::string host = "HOST";
  unsigned port = 0;
  bool tls = false;
};

void learn_target(const cleaned_log_line& l, target& t) {
  static const std::regex uri(R"((mqtts?|wss?)://(?:[^@/\s]*@)?(\[[^\]]+\]|[A-Za-z0-9_.\-]+)(?::(\d{1,5}))?)");
  static const std::regex no_host(R"(couldn't get hostname for :([^:\s]+):)");
  static const std::regex to_host(R"(Error connecting to host ([A-Za-z0-9_.\-]+):(\d{1,5}))");
  std::smatch m;
  const std::string& s = l.printable;
  if (std::regex_search(s, m, uri)) {
    t.host = m[2].str();
    if (m[3].matched) t.port = static_cast<unsigned>(std::stoul(m[3].str()));
    if (m[1].str() == "mqtts" || m[1].str() == "wss") t.tls = true;
  } else if (std::regex_search(s, m, no_host)) {
    t.host = m[1].str();
  } else if (std::regex_search(s, m, to_host)) {
    t.host = m[1].str();
    t.port = static_cast<unsigned>(std::stoul(m[2].str()));
  }
  if (l.tag.starts_with("esp-tls-mbedtls") || l.tag == "esp-x509-crt-bundle" || l.tag == "TRANS_SSL" ||
      s.find("mbedtls_ssl_") != std::string::npos || s.find("ssl_client") != std::string::npos)
    t.tls = true;
}

// --- the suggested runs -----------------------------------------------------------------------

// mqtk-ping command lines in terms of what the log told us. Kept as plain strings: they are
// shown to people and copied into a shell.
struct commands {
  const target& t;

  std::string base(bool tls) const {
    std::string cmd = "mqtk-ping -h " + t.host;
    unsigned port = t.port;
    if (port == 0 && tls) port = 8883;
    if (port != 0) cmd += " -p " + std::to_string(port);
    if (tls) cmd += " --cafile ca.pem";
    return cmd;
  }
  std::string plain(std::string_view extra = {}) const { return join(base(t.tls), extra); }
  std::string tls(std::string_view extra = {}) const { return join(base(true), extra); }
  std::string no_tls(std::string_view extra = {}) const {
    target copy = t;
    copy.tls = false;
    if (copy.port == 8883 || copy.port == 0) copy.port = 1883;
    return join(commands{copy}.base(false), extra);
  }
  static std::string join(std::string cmd, std::string_view extra) {
    if (!extra.empty()) {
      cmd += ' ';
      cmd += extra;
    }
    return cmd;
  }
};

using causes_t = std::vector<std::string>;
using tries_t = std::vector<std::string>;

struct entry {
  std::string source;
  std::string code;
  std::string meaning;
  causes_t causes;
  tries_t tries;
};

// --- shared explanations ----------------------------------------------------------------------

// A 3.1.1 CONNACK return code, as every library reports it in its own words.
std::optional<entry> connack_entry(int rc, std::string source, std::string code, const commands& c) {
  entry e{std::move(source), std::move(code), {}, {}, {}};
  switch (rc) {
    case 1:
      e.meaning = "the broker refused the connection: unacceptable protocol version (CONNACK return code 1)";
      e.causes = {"the broker does not speak the protocol level the device sent (for example a 3.1-only or "
                  "5.0-only listener, or a device built for MQTT 3.1 talking to a broker that wants 3.1.1)"};
      e.tries = {c.plain("--versions")};
      return e;
    case 2:
      e.meaning = "the broker refused the connection: identifier rejected (CONNACK return code 2)";
      e.causes = {"the client id is empty, too long or has characters the broker does not allow",
                  "the broker requires a client id prefix or a registered id (cloud brokers often do)"};
      e.tries = {c.plain("--id ESP32_a1b2c3"), c.plain("--id \"\"")};
      return e;
    case 3:
      e.meaning = "the broker refused the connection: server unavailable (CONNACK return code 3)";
      e.causes = {"the broker accepted TCP but its MQTT service is not ready (starting up, overloaded, "
                  "or a bridge/cluster node that lost its backend)"};
      e.tries = {c.plain("--wait 30")};
      return e;
    case 4:
      e.meaning = "the broker refused the connection: bad username or password (CONNACK return code 4)";
      e.causes = {"the username/password the device sends do not match the broker's (mosquitto: "
                  "password_file entry, or allow_anonymous false with no username sent)"};
      e.tries = {c.plain("-u USER -P PASSWORD")};
      return e;
    case 5:
      e.meaning = "the broker refused the connection: not authorized (CONNACK return code 5)";
      e.causes = {"the broker did not accept the credentials, or this user/client id is not allowed to "
                  "connect (mosquitto: password_file, allow_anonymous false, or a plugin's ACL)"};
      e.tries = {c.plain("-u USER -P PASSWORD"), c.plain("-u USER -P PASSWORD --id DEVICE_CLIENT_ID")};
      return e;
    default:
      return std::nullopt;
  }
}

struct mbedtls_code {
  int value;  // negative, as mbedTLS returns it
  std::string_view name;
  std::string_view meaning;
};

// From mbedTLS's net_sockets.h, ssl.h, x509.h and pk.h (2.x and 3.x agree on these values;
// codes whose name changed between the two, like -0x7800, are left out).
constexpr std::array<mbedtls_code, 20> mbedtls_codes = {{
    {-0x0042, "MBEDTLS_ERR_NET_SOCKET_FAILED", "failed to open a socket"},
    {-0x0044, "MBEDTLS_ERR_NET_CONNECT_FAILED", "the TCP connection to the server/port failed"},
    {-0x004C, "MBEDTLS_ERR_NET_RECV_FAILED", "reading from the socket failed"},
    {-0x004E, "MBEDTLS_ERR_NET_SEND_FAILED", "sending on the socket failed"},
    {-0x0050, "MBEDTLS_ERR_NET_CONN_RESET", "the connection was reset by the peer"},
    {-0x0052, "MBEDTLS_ERR_NET_UNKNOWN_HOST", "the host name did not resolve to an address"},
    {-0x2180, "MBEDTLS_ERR_X509_INVALID_FORMAT", "a certificate is not valid DER/PEM"},
    {-0x2700, "MBEDTLS_ERR_X509_CERT_VERIFY_FAILED", "the server's certificate did not verify"},
    {-0x2780, "MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT", "a certificate is neither DER nor PEM"},
    {-0x3000, "MBEDTLS_ERR_X509_FATAL_ERROR",
     "certificate verification failed fatally (the chain is too long or the verify callback, such "
     "as ESP-IDF's certificate bundle, rejected it)"},
    {-0x3D00, "MBEDTLS_ERR_PK_KEY_INVALID_FORMAT", "the private key is not in a format mbedTLS reads"},
    {-0x6800, "MBEDTLS_ERR_SSL_TIMEOUT", "the TLS operation timed out"},
    {-0x7200, "MBEDTLS_ERR_SSL_INVALID_RECORD", "the peer sent something that is not a TLS record"},
    {-0x7280, "MBEDTLS_ERR_SSL_CONN_EOF", "the peer closed the connection during TLS"},
    {-0x7680, "MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED", "no CA certificate was configured but verification needs one"},
    {-0x7700, "MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE", "the peer sent a TLS message out of order"},
    {-0x7780, "MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE", "the server sent a fatal TLS alert and ended the handshake"},
    {-0x7880, "MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY", "the peer closed the TLS session (close_notify)"},
    {-0x7F00, "MBEDTLS_ERR_SSL_ALLOC_FAILED", "mbedTLS could not allocate memory for the TLS session"},
    {-0x7A00, "MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE / BAD_CERTIFICATE",
     "the certificate message in the handshake could not be processed"},
}};

const mbedtls_code* find_mbedtls(int value) {
  for (const auto& c : mbedtls_codes)
    if (c.value == value) return &c;
  return nullptr;
}

std::string hex_code(int value) {
  char buf[16];
  auto v = static_cast<unsigned>(value < 0 ? -value : value);
  std::snprintf(buf, sizeof buf, "%s0x%04X", value < 0 ? "-" : "", v);
  return buf;
}

entry mbedtls_entry(const mbedtls_code& m, const commands& c) {
  entry e{"mbedtls", std::string(m.name) + " (" + hex_code(m.value) + ")", std::string(m.meaning), {}, {}};
  switch (m.value) {
    case -0x2700:
      e.causes = {"the device's CA certificate is not the one that signed the broker's certificate "
                  "(self-signed broker, a new CA, or only the leaf pinned and since renewed)",
                  "the device clock is not set (1970): every certificate looks not yet valid until SNTP syncs",
                  "the broker's certificate has expired or names another host than the one the device dials",
                  "the device dials an IP address: mbedTLS 2.x (Arduino-ESP32 2.x, ESP-IDF 4.x) matches only "
                  "DNS names in the certificate, not IP entries"};
      e.tries = {c.tls(), c.tls("--insecure")};
      break;
    case -0x3000:
      e.causes = {"no root in ESP-IDF's certificate bundle matches the broker's chain (private CA, or a "
                  "bundle built with the 'common' subset): set broker.verification.certificate to the CA",
                  "the chain the broker sends is longer than mbedTLS allows"};
      e.tries = {c.tls()};
      break;
    case -0x7780:
      e.causes = {"the broker requires a client certificate (mosquitto: require_certificate true) and "
                  "the device sent none or one it does not trust",
                  "no cipher suite or TLS version in common (old firmware, TLS 1.3-only broker)",
                  "the SNI host name the device sends is not one the server serves"};
      e.tries = {c.tls("--cert client.crt --key client.key"), c.tls("--tls-version tlsv1.2")};
      break;
    case -0x7280:
    case -0x7200:
      e.causes = {"TLS spoken to a plain-MQTT port (1883): the broker reads the ClientHello as a broken "
                  "CONNECT and closes",
                  "a firewall, proxy or load balancer in between closed the connection",
                  "the broker limits connections and dropped this one"};
      e.tries = {c.tls(), c.no_tls()};
      break;
    case -0x0050:
    case -0x004C:
    case -0x004E:
      e.causes = {"the broker or something in between (firewall, NAT, load balancer) reset the connection",
                  "Wi-Fi dropped or roamed during the exchange"};
      e.tries = {c.plain("-c 10")};
      break;
    case -0x0044:
    case -0x0042:
      e.causes = {"nothing listens on that host/port, or a firewall drops the SYN",
                  "the device has no route to the broker (Wi-Fi not up yet, wrong network)"};
      e.tries = {c.plain()};
      break;
    case -0x0052:
      e.causes = {"the broker's host name does not resolve from the device's network (typo, DNS server "
                  "from DHCP not reachable, mDNS .local name without mDNS)"};
      e.tries = {c.plain()};
      break;
    case -0x7680:
      e.causes = {"TLS is on with verification but no CA certificate (nor the bundle) was given to the client"};
      e.tries = {c.tls()};
      break;
    case -0x7F00:
      e.causes = {"heap exhausted: a TLS session needs tens of kilobytes (enable dynamic buffers or "
                  "reduce MBEDTLS_SSL_IN_CONTENT_LEN)"};
      break;
    case -0x6800:
      e.causes = {"the broker (or the network) is too slow for the configured timeout"};
      e.tries = {c.tls()};
      break;
    case -0x7880:
      e.causes = {"the broker ended the TLS session on purpose: it dropped the client after a refused or "
                  "invalid CONNECT, a duplicate client id, or its own connection limits"};
      e.tries = {c.tls()};
      break;
    case -0x7A00:
      e.causes = {"the broker's certificate chain uses a key or signature algorithm the device's mbedTLS "
                  "was built without (Ed25519, RSA-PSS, a curve not enabled)",
                  "the chain is larger than the device's TLS input buffer (MBEDTLS_SSL_IN_CONTENT_LEN)"};
      e.tries = {c.tls()};
      break;
    case -0x7700:
      e.causes = {"the peer does not follow the TLS handshake mbedTLS expects: a proxy or middlebox in "
                  "between, or a server asking for renegotiation"};
      e.tries = {c.tls()};
      break;
    default:
      e.causes = {"the certificate or key given to the device is not what mbedTLS expects (wrong file, "
                  "PEM without its terminating NUL, or a DER blob passed as PEM)"};
      e.tries = {c.tls("--cert client.crt --key client.key")};
      break;
  }
  return e;
}

struct esp_tls_code {
  int value;
  std::string_view name;
  std::string_view meaning;
};

// ESP-IDF esp_tls_errors.h. 0x8001-0x8005 have kept their values; the rest are the current
// numbering (older releases numbered codes above 0x8005 differently).
constexpr std::array<esp_tls_code, 11> esp_tls_codes = {{
    {0x8001, "ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME", "the broker's host name could not be resolved"},
    {0x8002, "ESP_ERR_ESP_TLS_CANNOT_CREATE_SOCKET", "no socket could be created"},
    {0x8003, "ESP_ERR_ESP_TLS_UNSUPPORTED_PROTOCOL_FAMILY", "the address family is not supported"},
    {0x8004, "ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST", "the TCP connection to the broker failed"},
    {0x8005, "ESP_ERR_ESP_TLS_SOCKET_SETOPT_FAILED", "a socket option could not be set"},
    {0x8006, "ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT", "the TCP connection timed out"},
    {0x8008, "ESP_ERR_ESP_TLS_TCP_CLOSED_FIN", "the broker closed the TCP connection (FIN)"},
    {0x8015, "ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED", "a certificate given to the client did not parse"},
    {0x8017, "ESP_ERR_MBEDTLS_SSL_SETUP_FAILED", "the TLS session could not be set up"},
    {0x8019, "ESP_ERR_MBEDTLS_PK_PARSE_KEY_FAILED", "the client's private key did not parse"},
    {0x801A, "ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED", "the TLS handshake failed"},
}};

std::optional<entry> esp_tls_entry(int value, const commands& c) {
  const esp_tls_code* found = nullptr;
  for (const auto& k : esp_tls_codes)
    if (k.value == value) found = &k;
  if (found == nullptr) return std::nullopt;
  entry e{"esp-tls", std::string(found->name) + " (" + hex_code(value) + ")", std::string(found->meaning), {}, {}};
  switch (value) {
    case 0x8001:
      e.causes = {"the host name is mistyped or only resolves on another network",
                  "Wi-Fi is connected but has no working DNS server yet (DHCP)",
                  "a .local (mDNS) name without the mDNS component"};
      e.tries = {c.plain()};
      break;
    case 0x8002:
      e.causes = {"all lwIP sockets are in use (CONFIG_LWIP_MAX_SOCKETS, 10 by default): other clients "
                  "or leaked connections hold them"};
      break;
    case 0x8004:
      e.causes = {"nothing listens on that port (broker down, wrong port), so the broker's host answers with RST",
                  "the host is unreachable from the device's network (routing, VLAN, firewall)"};
      e.tries = {c.plain()};
      break;
    case 0x8006:
      e.causes = {"a firewall silently drops the SYN (no RST comes back)",
                  "the host is down or the address is wrong",
                  "the network is slow and the connect timeout (esp-mqtt network.timeout_ms, 10 s) too short"};
      e.tries = {c.plain()};
      break;
    case 0x8008:
      e.causes = {"the broker closed the connection: it refused this client (mosquitto closes on a bad "
                  "CONNECT, a duplicate client id takes over, max_connections reached) or its keepalive expired"};
      e.tries = {c.plain(), c.plain("--keepalive-check")};
      break;
    case 0x801A:
      e.causes = {"see the TLS stack error logged with it (the 'tls stack' line): certificate "
                  "verification (-0x2700/-0x3000), a fatal alert from the broker (-0x7780), or the "
                  "connection closing during the handshake (-0x7280)"};
      e.tries = {c.tls()};
      break;
    case 0x8015:
    case 0x8019:
      e.causes = {"the certificate/key buffer is not PEM with a terminating NUL (pass cert_len 0 for PEM "
                  "strings) or is in the wrong format"};
      e.tries = {c.tls("--cert client.crt --key client.key")};
      break;
    default:
      e.causes = {"a local TLS configuration problem on the device; the esp-tls lines before this one say which"};
      break;
  }
  return e;
}

// newlib's errno values (ESP-IDF's C library), only those that show up on MQTT connections.
std::optional<entry> errno_entry(int value, std::string_view text, const commands& c) {
  struct known { int v; std::string_view name; std::string_view meaning; };
  static constexpr std::array<known, 7> table = {{
      {104, "ECONNRESET", "Connection reset by peer"},
      {111, "ECONNREFUSED", "Connection refused"},
      {113, "ECONNABORTED", "Software caused connection abort"},
      {116, "ETIMEDOUT", "Connection timed out"},
      {118, "EHOSTUNREACH", "Host is unreachable"},
      {119, "EINPROGRESS", "Operation now in progress"},
      {128, "ENOTCONN", "Socket is not connected"},
  }};
  const known* k = nullptr;
  for (const auto& t : table)
    if ((value != 0 && t.v == value) || (!text.empty() && text == t.meaning)) k = &t;
  if (k == nullptr) return std::nullopt;
  entry e{"lwip", std::string(k->name) + " (" + std::to_string(k->v) + ")",
          "the socket error was \"" + std::string(k->meaning) + "\"", {}, {}};
  switch (k->v) {
    case 104:
      e.causes = {"the broker (or a firewall/NAT in between) reset the connection",
                  "TLS spoken to a plain port or plain MQTT to a TLS port, which the broker answers by closing"};
      e.tries = {c.plain(), c.plain("-c 10")};
      break;
    case 111:
      e.causes = {"nothing listens on that port on the broker's host (broker down, wrong port)"};
      e.tries = {c.plain()};
      break;
    case 116:
    case 118:
      e.causes = {"the broker's address is unreachable from the device's network, or a firewall drops the packets"};
      e.tries = {c.plain()};
      break;
    case 113:
      e.causes = {"lwIP aborted the connection itself: Wi-Fi dropped or the stack ran out of memory"};
      e.tries = {c.plain("-c 10")};
      break;
    case 128:
      e.causes = {"the socket was used after the connection had already closed; the error before this line is the cause"};
      break;
    default:
      e.causes = {"a stale errno: esp-mqtt prints errno after EOF too, so the EOF or TLS line next to it is what happened"};
      break;
  }
  return e;
}

// --- the line matchers ------------------------------------------------------------------------

bool contains(std::string_view s, std::string_view needle) { return s.find(needle) != std::string_view::npos; }

int to_int(const std::string& digits, int base = 10) {
  int v = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  bool neg = false;
  if (first != last && *first == '-') {
    neg = true;
    ++first;
  }
  if (base == 16 && last - first > 2 && first[0] == '0' && (first[1] == 'x' || first[1] == 'X')) first += 2;
  std::from_chars(first, last, v, base);
  return neg ? -v : v;
}

bool is_esp_mqtt_tag(const std::string& tag) { return tag == "mqtt_client" || tag == "MQTT_CLIENT"; }

std::optional<entry> match_esp_mqtt(const cleaned_log_line& l, const commands& c) {
  const std::string& m = l.message;
  const bool tagged = is_esp_mqtt_tag(l.tag);
  // Connection refusals: the only place esp-mqtt names the CONNACK code.
  static const std::array<std::pair<std::string_view, int>, 4> refusals = {{
      {"Connection refused, bad protocol", 1},
      {"Connection refused, server unavailable", 3},
      {"Connection refused, bad username or password", 4},
      {"Connection refused, not authorized", 5},
  }};
  for (const auto& [text, rc] : refusals)
    if (contains(m, text)) return connack_entry(rc, "esp-mqtt", std::string(text), c);
  if (contains(m, "Connection refused, Unknow reason")) {
    entry e{"esp-mqtt", "Connection refused, Unknow reason",
            "the broker refused the connection with a CONNACK return code esp-mqtt has no text for", {}, {}};
    e.causes = {"return code 2, identifier rejected: esp-mqtt 3.1.1 prints no text for it (client id "
                "empty, too long, or not allowed by the broker)",
                "a code outside 1-5 from a non-conforming broker"};
    e.tries = {c.plain("--id ESP32_a1b2c3")};
    return e;
  }
  if (contains(m, "No PING_RESP, disconnected")) {
    entry e{"esp-mqtt", "No PING_RESP, disconnected",
            "esp-mqtt sent PINGREQ and no PINGRESP came back within the keepalive interval, so it dropped "
            "the connection", {}, {}};
    e.causes = {"the broker or a NAT/firewall dropped the idle connection before the keepalive "
                "(esp-mqtt pings at half the keepalive, 120 s by default: idle timeouts below ~60 s kill it)",
                "Wi-Fi lost packets or went to sleep (modem sleep) long enough to miss the answer",
                "the broker's max_keepalive is lower than the device's keepalive"};
    e.tries = {c.plain("--keepalive-check -k 120"), c.plain("-c 10")};
    return e;
  }
  if (contains(m, "Can't send ping, disconnected") || contains(m, "Error sending ping")) {
    entry e{"esp-mqtt", "Can't send ping, disconnected",
            "writing the PINGREQ to the socket failed: the connection was already gone", {}, {}};
    e.causes = {"the broker or the network closed the connection while the device was idle",
                "Wi-Fi disconnected"};
    e.tries = {c.plain("--keepalive-check -k 120")};
    return e;
  }
  if (contains(m, "Error transport connect")) {
    entry e{"esp-mqtt", "Error transport connect",
            "the TCP (or TLS, or WebSocket) connection to the broker failed before any MQTT was sent", {}, {}};
    e.causes = {"DNS, TCP or TLS failed: the esp-tls / transport_base lines just before this one say which",
                "wrong URI scheme or port (mqtts:// to 1883, mqtt:// to 8883)"};
    e.tries = {c.plain()};
    return e;
  }
  if (contains(m, "MQTT connect failed") || contains(m, "Error MQTT Connected")) {
    entry e{"esp-mqtt", contains(m, "Error MQTT Connected") ? "Error MQTT Connected" : "MQTT connect failed",
            "the transport came up but the MQTT CONNECT/CONNACK exchange did not succeed", {}, {}};
    e.causes = {"the broker refused the CONNECT (a 'Connection refused, ...' line says why)",
                "no CONNACK within the network timeout (10 s by default): the broker closed the "
                "connection or is not an MQTT listener (e.g. a WebSocket or TLS port)"};
    e.tries = {c.plain(), c.plain("--versions")};
    return e;
  }
  static const std::regex receive_rc(R"(mqtt_message_receive\(\) returned (-?\d+))");
  std::smatch sm;
  if (std::regex_search(m, sm, receive_rc)) {
    const int rc = to_int(sm[1].str());
    const bool connecting = contains(m, "esp_mqtt_connect");
    entry e{"esp-mqtt", "mqtt_message_receive() returned " + std::to_string(rc), {}, {}, {}};
    if (rc == 0 || rc == -1) {
      e.meaning = connecting ? "no CONNACK arrived within the network timeout (10 s by default)"
                             : "a packet did not arrive in full within the network timeout";
      e.causes = {"the port is not an MQTT listener, or the broker waits for something else (TLS, WebSocket)",
                  "the broker is overloaded or the network very slow"};
    } else {
      e.meaning = connecting ? "the connection failed or was closed while waiting for CONNACK"
                             : "reading from the broker failed or the broker closed the connection";
      e.causes = {"the broker closed the connection after CONNECT: it rejected the protocol level "
                  "(a 5.0 CONNECT to a 3.1.1-only broker or the reverse), the client id, or the packet",
                  "the network reset the connection"};
    }
    e.tries = {c.plain(), c.plain("--versions")};
    return e;
  }
  if (contains(m, "transport_read(): EOF")) {
    entry e{"esp-mqtt", "transport_read(): EOF", "the broker closed the connection (TCP FIN)", {}, {}};
    e.causes = {"another client connected with the same client id and took the session over",
                "the broker's keepalive timer expired (it waits 1.5x the device's keepalive), or it enforces "
                "a max_keepalive lower than the device's keepalive",
                "the device published or subscribed where the broker's ACL forbids it, on a broker that "
                "disconnects for that (AWS IoT Core does; mosquitto drops such publishes silently)",
                "a packet larger than the broker's message_size_limit / Maximum Packet Size"};
    e.tries = {c.plain("--id DEVICE_CLIENT_ID"), c.plain("--keepalive-check -k 120"), c.plain("--capabilities")};
    return e;
  }
  static const std::regex read_errno(R"(transport_read\(\) error: errno=(\d+))");
  if (std::regex_search(m, sm, read_errno)) {
    const int v = to_int(sm[1].str());
    if (auto e = errno_entry(v, {}, c)) {
      e->source = "esp-mqtt";
      e->code = "transport_read() error: errno=" + sm[1].str() + " (" + e->code + ")";
      e->meaning = "reading from the broker failed; " + e->meaning;
      return e;
    }
    entry e{"esp-mqtt", "transport_read() error: errno=" + sm[1].str(),
            "reading from the broker failed with socket error " + sm[1].str(), {}, {}};
    e.causes = {"the connection was closed or reset; the line before (EOF or a TLS error) is the cause"};
    e.tries = {c.plain()};
    return e;
  }
  if (contains(m, "Writing failed: errno=") || contains(m, "Writing didn't complete in specified timeout")) {
    const bool timeout = contains(m, "timeout");
    entry e{"esp-mqtt", timeout ? "Writing didn't complete in specified timeout" : "Writing failed",
            timeout ? "a packet could not be written within the network timeout: the send buffer stayed full"
                    : "writing a packet to the socket failed",
            {}, {}};
    e.causes = {"the broker stopped reading or the TCP path lost its ACKs (lwIP's send buffer is full "
                "until the peer acknowledges)",
                "the connection is already closed"};
    e.tries = {c.plain("-c 10")};
    return e;
  }
  if (contains(m, "message is too big, insufficient buffer size")) {
    entry e{"esp-mqtt", "message is too big, insufficient buffer size",
            "the broker sent a packet larger than the client's receive buffer (buffer.size, 1024 bytes "
            "by default) that esp-mqtt cannot split", {}, {}};
    e.causes = {"a PUBLISH whose topic (plus header) does not fit the buffer, or a non-PUBLISH packet "
                "(SUBACK for many filters, a 5.0 CONNACK/DISCONNECT with large properties) larger than it"};
    e.tries = {c.plain("--device esp-idf --capabilities")};
    return e;
  }
  static const std::regex invalid_type(R"(Invalid MSG_TYPE response: (\d+))");
  if (std::regex_search(m, sm, invalid_type)) {
    entry e{"esp-mqtt", "Invalid MSG_TYPE response: " + sm[1].str(),
            "the first packet after CONNECT was not a CONNACK (packet type " + sm[1].str() + ")", {}, {}};
    e.causes = {"the port is not an MQTT listener (an HTTP or WebSocket port answers with text)",
                "a proxy or captive portal answered instead of the broker"};
    e.tries = {c.plain()};
    return e;
  }
  if (contains(m, "Network timeout while reading MQTT message")) {
    entry e{"esp-mqtt", "Network timeout while reading MQTT message",
            "a packet started arriving but the rest did not come within the network timeout", {}, {}};
    e.causes = {"packet loss or a stalled path (weak Wi-Fi)", "a broker that stalls mid-packet"};
    e.tries = {c.plain("-c 10")};
    return e;
  }
  static const std::regex poll_error(R"(Poll read error: (\d+), aborting connection)");
  if (std::regex_search(m, sm, poll_error)) {
    entry e{"esp-mqtt", "Poll read error", "polling the socket failed, so esp-mqtt dropped the connection", {}, {}};
    e.causes = {"the socket was closed underneath the client (Wi-Fi lost, interface down)"};
    e.tries = {c.plain()};
    return e;
  }
  if (contains(m, "Publish: Losing qos0 data when client not connected")) {
    entry e{"esp-mqtt", "Publish: Losing qos0 data when client not connected",
            "the application published at QoS 0 while disconnected; esp-mqtt does not queue QoS 0, so "
            "the message was dropped", {}, {}};
    e.causes = {"the connection is down (see the earlier error) and the application keeps publishing"};
    e.tries = {c.plain()};
    return e;
  }
  if (contains(m, "Client has not connected")) {
    entry e{"esp-mqtt", "Client has not connected",
            "subscribe/unsubscribe was called before MQTT_EVENT_CONNECTED", {}, {}};
    e.causes = {"the application subscribes right after esp_mqtt_client_start() instead of in the "
                "MQTT_EVENT_CONNECTED handler"};
    return e;
  }
  static const std::regex parse_uri(R"(Error parse uri = (.*))");
  if (std::regex_search(m, sm, parse_uri)) {
    entry e{"esp-mqtt", "Error parse uri", "the broker URI could not be parsed: " + sm[1].str(), {}, {}};
    e.causes = {"the URI lacks a scheme (mqtt://, mqtts://, ws://, wss://) or has stray characters"};
    e.tries = {c.plain()};
    return e;
  }
  if (contains(m, "Please first enable MQTT_PROTOCOL_5 feature in menuconfig")) {
    entry e{"esp-mqtt", "MQTT_PROTOCOL_5 not enabled",
            "the application asked for MQTT 5.0 but the firmware was built without it", {}, {}};
    e.causes = {"CONFIG_MQTT_PROTOCOL_5 is off in sdkconfig"};
    e.tries = {c.plain("--versions")};
    return e;
  }
  static const std::regex sub_check(R"(MQTT5 subscribe check fail: QoS (\d) not accepted by broker)");
  if (std::regex_search(m, sm, sub_check)) {
    entry e{"esp-mqtt", "MQTT5 subscribe check fail",
            "the broker's CONNACK announced a Maximum QoS below the QoS " + sm[1].str() +
                " the application subscribed with, so esp-mqtt did not send the SUBSCRIBE", {}, {}};
    e.causes = {"the broker limits QoS (mosquitto: max_qos)"};
    e.tries = {c.plain("-V 5 --capabilities")};
    return e;
  }
  if (contains(m, "MQTT5 publish check fail")) {
    entry e{"esp-mqtt", "MQTT5 publish check fail",
            "esp-mqtt refused to send a PUBLISH that breaks a limit the broker announced in CONNACK", {}, {}};
    e.causes = {"QoS above the broker's Maximum QoS", "retain set while the broker says Retain Available = 0",
                "more unacknowledged QoS>0 messages than the broker's Receive Maximum"};
    e.tries = {c.plain("-V 5 --capabilities")};
    return e;
  }
  if (contains(m, "Clean Session flag must be true if client has a null id")) {
    entry e{"esp-mqtt", "Clean Session flag must be true if client has a null id",
            "an empty client id requires a clean session (MQTT 3.1.1 section 3.1.3.1)", {}, {}};
    e.causes = {"set_null_client_id together with disable_clean_session"};
    e.tries = {c.plain("--id \"\"")};
    return e;
  }
  if (contains(m, "SSL related configs set, but the URI scheme specifies a non-SSL scheme") ||
      contains(m, "SSL related configs set, but the transport protocol is a non-SSL scheme")) {
    entry e{"esp-mqtt", "SSL related configs set, but ... non-SSL scheme",
            "certificates were configured but the URI/transport is plain TCP, so TLS is not used", {}, {}};
    e.causes = {"mqtt:// used where mqtts:// was meant (or ws:// for wss://)"};
    e.tries = {c.tls()};
    return e;
  }
  if (contains(m, "There are no transports valid, stop mqtt client")) {
    entry e{"esp-mqtt", "There are no transports valid",
            "the URI's scheme names a transport the firmware was built without", {}, {}};
    e.causes = {"wss:// or ws:// with CONFIG_MQTT_TRANSPORT_WEBSOCKET off, or mqtts:// without SSL support"};
    return e;
  }
  static const std::regex reconnect(R"(^Reconnect after (\d+) ms)");
  if (tagged && std::regex_search(m, sm, reconnect)) {
    entry e{"esp-mqtt", "Reconnect after " + sm[1].str() + " ms",
            "the connection failed or dropped; esp-mqtt retries after " + sm[1].str() +
                " ms (network.reconnect_timeout_ms, 10000 by default)", {}, {}};
    e.causes = {"the error logged just before this line"};
    return e;
  }
  static const std::regex sending_connect(R"(^Sending MQTT CONNECT message, type: (\d+), id: ([0-9A-Fa-f]+))");
  if (tagged && std::regex_search(m, sm, sending_connect)) {
    entry e{"esp-mqtt", "Sending MQTT CONNECT message",
            "the transport is up and esp-mqtt is sending CONNECT (this is progress, not an error)", {}, {}};
    e.causes = {"if the next line is an error, TCP/TLS worked and the broker's answer to CONNECT is the problem"};
    e.tries = {c.plain()};
    return e;
  }
  return std::nullopt;
}

std::optional<entry> match_esp_tls(const cleaned_log_line& l, const commands& c) {
  const std::string& m = l.message;
  std::smatch sm;
  static const std::regex no_host(R"(couldn't get hostname for :([^:]*): getaddrinfo\(\) returns (\d+))");
  if (std::regex_search(m, sm, no_host)) {
    entry e{"esp-tls", "getaddrinfo() returns " + sm[2].str(),
            "the device could not resolve the broker's name \"" + sm[1].str() + "\"", {}, {}};
    e.causes = {"the name is mistyped or only exists on another network (split DNS, a .local name)",
                "Wi-Fi is up but DNS is not (no DNS server from DHCP, or the connection started before an IP was assigned)"};
    e.tries = {c.plain()};
    return e;
  }
  static const std::regex select_timeout(R"(\[sock=(\d+)\] select\(\) timeout)");
  if (std::regex_search(m, sm, select_timeout)) {
    entry e{"esp-tls", "select() timeout", "the TCP connection to the broker timed out (no answer to the SYN)", {}, {}};
    e.causes = {"a firewall drops the packets silently", "the broker's host is down or the address is wrong",
                "the device's network cannot route to the broker (guest Wi-Fi isolation, IPv6-only path)"};
    e.tries = {c.plain()};
    return e;
  }
  static const std::regex connect_error(R"(\[sock=(\d+)\] (?:delayed )?connect\(\) error: (.*))");
  static const std::regex delayed_error(R"(\[sock=(\d+)\] delayed connect error: (.*))");
  if (std::regex_search(m, sm, connect_error) || std::regex_search(m, sm, delayed_error)) {
    const std::string why = sm[2].str();
    entry e{"esp-tls", "connect() error: " + why, "the TCP connection to the broker failed: " + why, {}, {}};
    if (why == "Connection refused")
      e.causes = {"nothing listens on that port (broker down or wrong port)"};
    else if (why == "Connection reset by peer")
      e.causes = {"nothing listens on that port (the host answered the SYN with RST)",
                  "a firewall rejects the connection"};
    else if (why == "Host is unreachable" || why == "Network is unreachable")
      e.causes = {"no route from the device's network to the broker's address (wrong subnet, IPv6 "
                  "link-local without scope, guest Wi-Fi isolation)"};
    else
      e.causes = {"the network or the broker's host refused the connection"};
    e.tries = {c.plain()};
    return e;
  }
  static const std::regex create_socket(R"(Failed to create socket \(family (\d+) socktype (\d+) protocol (\d+)\))");
  if (std::regex_search(m, sm, create_socket)) {
    entry e{"esp-tls", "Failed to create socket", "lwIP had no free socket for the connection", {}, {}};
    e.causes = {"all sockets are in use (CONFIG_LWIP_MAX_SOCKETS, 10 by default): too many parallel "
                "connections, or connections that are never closed"};
    return e;
  }
  if (contains(m, "Failed to open new connection in specified timeout")) {
    entry e{"esp-tls", "Failed to open new connection in specified timeout",
            "TCP+TLS set-up did not finish within the timeout", {}, {}};
    e.causes = {"a slow or lossy network, or a TLS handshake slower than the timeout (RSA-4096 chains on "
                "a single-core chip)", "a firewall dropping the connection"};
    e.tries = {c.plain()};
    return e;
  }
  if (contains(m, "Failed to open new connection")) {
    entry e{"esp-tls", "Failed to open new connection",
            "esp-tls could not establish the connection; this line summarises the error logged just before it", {}, {}};
    e.causes = {"DNS, TCP or TLS failure: see the preceding esp-tls / esp-tls-mbedtls line"};
    e.tries = {c.plain()};
    return e;
  }
  if (contains(m, "create_ssl_handle failed")) {
    entry e{"esp-tls", "create_ssl_handle failed", "the TLS context could not be created", {}, {}};
    e.causes = {"no way to verify the server was configured (no CA, no bundle) or a certificate/key did not parse",
                "not enough heap for TLS"};
    e.tries = {c.tls()};
    return e;
  }
  static const std::regex handshake(R"(mbedtls_ssl_handshake returned (-0x[0-9A-Fa-f]+))");
  if (std::regex_search(m, sm, handshake)) {
    const int v = to_int(sm[1].str(), 16);
    if (const auto* k = find_mbedtls(v)) {
      entry e = mbedtls_entry(*k, c);
      e.source = "esp-tls";
      e.meaning = "the TLS handshake failed: " + e.meaning;
      return e;
    }
    return std::nullopt;
  }
  if (contains(m, "Failed to verify peer certificate!")) {
    entry e{"esp-tls", "Failed to verify peer certificate!",
            "the broker's certificate did not verify against the CA the device trusts", {}, {}};
    e.causes = {"wrong or outdated CA on the device (self-signed broker, renewed chain)",
                "the device clock is not set yet (certificates look not yet valid)",
                "the certificate names another host than the one dialled"};
    e.tries = {c.tls(), c.tls("--insecure")};
    return e;
  }
  if (contains(m, "No matching trusted root certificate found")) {
    entry e{"esp-x509-crt-bundle", "No matching trusted root certificate found",
            "no root certificate in ESP-IDF's certificate bundle signed the broker's chain", {}, {}};
    e.causes = {"the broker uses a private or self-signed CA: give the device that CA instead of the bundle",
                "the bundle was built with the 'common' subset and the broker's root is not in it",
                "the chain relies on a cross-signed root the bundle lacks"};
    e.tries = {c.tls()};
    return e;
  }
  if (l.tag == "esp-x509-crt-bundle" && contains(m, "Failed to verify certificate")) {
    entry e{"esp-x509-crt-bundle", "Failed to verify certificate",
            "the certificate bundle's verify callback rejected the broker's chain (mbedTLS then reports -0x3000)", {}, {}};
    e.causes = {"see 'No matching trusted root certificate found' before it: the root is not in the bundle"};
    e.tries = {c.tls()};
    return e;
  }
  if (contains(m, "No server verification option set in esp_tls_cfg_t structure")) {
    entry e{"esp-tls", "No server verification option set",
            "TLS was requested without any way to verify the server (no CA, no bundle, no PSK)", {}, {}};
    e.causes = {"broker.verification.certificate / crt_bundle_attach not set for an mqtts:// or wss:// URI"};
    e.tries = {c.tls()};
    return e;
  }
  static const std::regex set_config(R"(returned \[0x([0-9A-Fa-f]{4})\])");
  if (contains(m, "Failed to set client configurations") && std::regex_search(m, sm, set_config)) {
    if (auto e = esp_tls_entry(to_int(sm[1].str(), 16), c)) return e;
  }
  static const std::regex open_code(R"(Failed to open a new connection: (\d+))");
  if (std::regex_search(m, sm, open_code)) {
    const int v = to_int(sm[1].str());
    if (auto e = esp_tls_entry(v, c)) {
      e->source = "transport_base";
      e->code += " = " + sm[1].str();
      return e;
    }
  }
  if (contains(m, "Failed to open a new connection")) {
    entry e{"transport_base", "Failed to open a new connection",
            "the transport (TCP/TLS) could not connect; the esp-tls line before it says why", {}, {}};
    e.causes = {"DNS, TCP or TLS failure: see the preceding esp-tls line"};
    e.tries = {c.plain()};
    return e;
  }
  static const std::regex ws_host(R"(Error connecting to host ([^:\s]+):(\d+))");
  if (std::regex_search(m, sm, ws_host)) {
    entry e{l.tag.empty() ? "transport" : l.tag, "Error connecting to host",
            "the transport could not connect to " + sm[1].str() + ":" + sm[2].str(), {}, {}};
    e.causes = {"DNS, TCP or TLS failure: see the preceding esp-tls line"};
    e.tries = {c.plain()};
    return e;
  }
  return std::nullopt;
}

// The error printout of esp-mqtt's examples (log_error_if_nonzero and its older form), which
// most applications copied into their event handler.
std::optional<entry> match_example_report(const cleaned_log_line& l, const commands& c) {
  const std::string& m = l.message;
  std::smatch sm;
  static const std::regex esp_tls_err(R"(Last error (?:code )?reported from esp-tls: 0x([0-9A-Fa-f]+))");
  if (std::regex_search(m, sm, esp_tls_err)) return esp_tls_entry(to_int(sm[1].str(), 16), c);
  static const std::regex stack_err(
      R"((?:Last error reported from tls stack|Last tls stack error number): 0x([0-9A-Fa-f]+))");
  if (std::regex_search(m, sm, stack_err)) {
    // The example prints the magnitude; mbedTLS codes are negative.
    if (const auto* k = find_mbedtls(-to_int(sm[1].str(), 16))) return mbedtls_entry(*k, c);
    return std::nullopt;
  }
  static const std::regex sock_errno(R"(Last error captured as transport's socket errno: 0x([0-9A-Fa-f]+))");
  if (std::regex_search(m, sm, sock_errno)) return errno_entry(to_int(sm[1].str(), 16), {}, c);
  static const std::regex captured(R"(Last captured errno : (\d+) \(([^)]*)\))");
  static const std::regex errno_string(R"(Last errno string \(([^)]*)\))");
  const bool has_captured = std::regex_search(m, sm, captured);
  if (has_captured || std::regex_search(m, sm, errno_string)) {
    const std::string number = has_captured ? sm[1].str() : std::string();
    const std::string text = has_captured ? sm[2].str() : sm[1].str();
    if (number == "0" || text == "Success") {
      entry e{"esp-mqtt example", "errno 0 (Success)",
              "no socket error was recorded: the connection failed above the socket (DNS, TLS, or MQTT)", {}, {}};
      e.causes = {"the esp-tls code and the TLS stack error printed with it name the failure"};
      e.tries = {c.plain()};
      return e;
    }
    return errno_entry(has_captured ? to_int(number) : 0, text, c);
  }
  static const std::regex refused(R"(Connection refused error: 0x([0-9A-Fa-f]+))");
  if (std::regex_search(m, sm, refused)) {
    const int rc = to_int(sm[1].str(), 16);
    return connack_entry(rc, "esp-mqtt", "MQTT_ERROR_TYPE_CONNECTION_REFUSED, return code " + std::to_string(rc), c);
  }
  return std::nullopt;
}

// mbedTLS codes anywhere else: Arduino-ESP32's WiFiClientSecure ("(-9984) X509 - ..."), mbedTLS's
// own strerror ("-0x7280 - SSL - The connection indicated an EOF"), and esp-tls-style prints.
std::optional<entry> match_mbedtls_anywhere(const cleaned_log_line& l, const commands& c) {
  const std::string& s = l.printable;
  const bool tls_context = contains(s, "mbedtls") || contains(s, "ssl") || contains(s, "SSL") ||
                           contains(s, "X509") || contains(s, "x509") || contains(s, "tls") ||
                           contains(s, "NET - ") || contains(s, "handshake");
  if (!tls_context) return std::nullopt;
  std::smatch sm;
  static const std::regex hex(R"((-0x[0-9A-Fa-f]{4}))");
  if (std::regex_search(s, sm, hex)) {
    if (const auto* k = find_mbedtls(to_int(sm[1].str(), 16))) return mbedtls_entry(*k, c);
  }
  static const std::regex dec(R"(\((-\d{2,5})\)|start_ssl_client: (-\d{2,5}))");
  if (std::regex_search(s, sm, dec)) {
    const std::string value = sm[1].matched ? sm[1].str() : sm[2].str();
    if (const auto* k = find_mbedtls(to_int(value))) {
      entry e = mbedtls_entry(*k, c);
      e.code += " = " + value;
      return e;
    }
  }
  return std::nullopt;
}

struct pubsub_state {
  int value;
  std::string_view name;
};
constexpr std::array<pubsub_state, 11> pubsub_states = {{
    {-4, "MQTT_CONNECTION_TIMEOUT"}, {-3, "MQTT_CONNECTION_LOST"}, {-2, "MQTT_CONNECT_FAILED"},
    {-1, "MQTT_DISCONNECTED"}, {0, "MQTT_CONNECTED"}, {1, "MQTT_CONNECT_BAD_PROTOCOL"},
    {2, "MQTT_CONNECT_BAD_CLIENT_ID"}, {3, "MQTT_CONNECT_UNAVAILABLE"}, {4, "MQTT_CONNECT_BAD_CREDENTIALS"},
    {5, "MQTT_CONNECT_UNAUTHORIZED"}, {-5, "MQTT_TLS_BAD_SERVER_CREDENTIALS"},
}};

std::optional<entry> pubsub_entry(int v, const commands& c) {
  const pubsub_state* st = nullptr;
  for (const auto& p : pubsub_states)
    if (p.value == v) st = &p;
  if (st == nullptr) return std::nullopt;
  const std::string code = std::string(st->name) + " (" + std::to_string(v) + ")";
  if (v >= 1) return connack_entry(v, "pubsubclient", code, c);
  entry e{"pubsubclient", code, {}, {}, {}};
  switch (v) {
    case -4:
      e.meaning = "the broker did not answer in time: no CONNACK within the socket timeout (15 s), or no "
                  "PINGRESP within the keepalive (15 s) after a PINGREQ";
      e.causes = {"loop() is not called often enough (delay() in loop, blocking sensor code), so the "
                  "keepalive lapses",
                  "the broker or network drops the idle connection",
                  "TLS/TCP reached something that is not an MQTT broker, which never answers CONNECT"};
      e.tries = {c.plain("--device pubsubclient --keepalive-check"), c.plain("-c 10")};
      break;
    case -3:
      e.meaning = "the network connection broke while connected";
      e.causes = {"the broker closed the connection (another client with the same client id, keepalive "
                  "expired, a packet it refused)", "Wi-Fi dropped"};
      e.tries = {c.plain("--device pubsubclient --id DEVICE_CLIENT_ID"), c.plain("--device pubsubclient --keepalive-check")};
      break;
    case -2:
      e.meaning = "the network connection (TCP, or TLS with WiFiClientSecure) to the broker failed; no MQTT was exchanged";
      e.causes = {"wrong host or port, or the broker is down", "DNS does not resolve the broker's name",
                  "Wi-Fi not connected yet when connect() was called",
                  "with WiFiClientSecure: the TLS handshake failed (no CA set, wrong CA, or the clock not set)"};
      e.tries = {c.plain("--device pubsubclient"), c.tls("--device pubsubclient")};
      break;
    case -1:
      e.meaning = "the client is disconnected cleanly (disconnect() was called, or it never connected)";
      e.causes = {"the application called disconnect(), or connect() has not been called yet"};
      break;
    case -5:
      e.meaning = "the TLS server credentials were rejected (this state exists only in some PubSubClient forks)";
      e.causes = {"the broker's certificate or fingerprint does not match what the device trusts"};
      e.tries = {c.tls("--device pubsubclient")};
      break;
    default:
      e.meaning = "connected (state 0)";
      e.causes = {"not an error"};
      break;
  }
  return e;
}

std::optional<entry> match_pubsubclient(const cleaned_log_line& l, const commands& c) {
  const std::string& s = l.message;
  std::smatch sm;
  for (const auto& p : pubsub_states) {
    // The names are PubSubClient's #defines (AsyncMqttClient's reasons are spelled differently);
    // MQTT_CONNECTED alone is not worth a line.
    if (p.value != 0 && contains(s, p.name)) return pubsub_entry(p.value, c);
  }
  // The "reconnect()" sketch every PubSubClient example carries: "failed, rc=-2 try again in 5 seconds".
  static const std::regex rc(R"((?:failed|Failed|FAILED)[^=]*\brc\s*=\s*(-?\d+))");
  if (std::regex_search(s, sm, rc)) return pubsub_entry(to_int(sm[1].str()), c);
  static const std::regex state(R"((?:client|mqtt|mqttClient|pubsub)\w*\.state\(\)\s*[:=]?\s*(-?\d+))",
                                std::regex::icase);
  if (std::regex_search(s, sm, state)) return pubsub_entry(to_int(sm[1].str()), c);
  return std::nullopt;
}

struct lwmqtt_error {
  int value;
  std::string_view name;
};
// lwmqtt's lwmqtt_err_t as arduino-mqtt 2.x ships it.
constexpr std::array<lwmqtt_error, 13> lwmqtt_errors = {{
    {-1, "LWMQTT_BUFFER_TOO_SHORT"}, {-2, "LWMQTT_VARNUM_OVERFLOW"}, {-3, "LWMQTT_NETWORK_FAILED_CONNECT"},
    {-4, "LWMQTT_NETWORK_TIMEOUT"}, {-5, "LWMQTT_NETWORK_FAILED_READ"}, {-6, "LWMQTT_NETWORK_FAILED_WRITE"},
    {-7, "LWMQTT_REMAINING_LENGTH_OVERFLOW"}, {-8, "LWMQTT_REMAINING_LENGTH_MISMATCH"},
    {-9, "LWMQTT_MISSING_OR_WRONG_PACKET"}, {-10, "LWMQTT_CONNECTION_DENIED"}, {-11, "LWMQTT_FAILED_SUBSCRIPTION"},
    {-12, "LWMQTT_SUBACK_ARRAY_OVERFLOW"}, {-13, "LWMQTT_PONG_TIMEOUT"},
}};

std::optional<entry> lwmqtt_entry(int v, const commands& c) {
  const lwmqtt_error* k = nullptr;
  for (const auto& e : lwmqtt_errors)
    if (e.value == v) k = &e;
  if (k == nullptr) return std::nullopt;
  entry e{"arduino-mqtt", std::string(k->name) + " (" + std::to_string(v) + ")", {}, {}, {}};
  switch (v) {
    case -1:
      e.meaning = "a packet did not fit the client's buffer (128 bytes by default for MQTTClient)";
      e.causes = {"a publish whose topic + payload + header exceeds the buffer: construct MQTTClient "
                  "client(512) (or larger)", "an incoming message larger than the read buffer"};
      e.tries = {c.plain("--device arduino-mqtt -t TOPIC -m PAYLOAD")};
      break;
    case -3:
      e.meaning = "the network client could not connect to the broker (TCP, or TLS with a secure client)";
      e.causes = {"wrong host/port or broker down", "DNS failure", "TLS failure with WiFiClientSecure/SSLClient"};
      e.tries = {c.plain("--device arduino-mqtt")};
      break;
    case -4:
      e.meaning = "the broker did not answer within the command timeout (1000 ms by default)";
      e.causes = {"the round trip to the broker (or its TLS handshake) is longer than 1 s: raise it with "
                  "setTimeout()/setOptions()", "the broker dropped the request"};
      e.tries = {c.plain("--device arduino-mqtt -c 10")};
      break;
    case -5:
    case -6:
      e.meaning = v == -5 ? "reading from the network failed" : "writing to the network failed";
      e.causes = {"the connection was closed by the broker or lost (Wi-Fi)"};
      e.tries = {c.plain("--device arduino-mqtt")};
      break;
    case -9:
      e.meaning = "the packet the client waited for (CONNACK, SUBACK, PUBACK) did not come, or another came";
      e.causes = {"the broker closed the connection instead of answering (it rejected the CONNECT or the "
                  "packet)", "the port is not an MQTT listener"};
      e.tries = {c.plain("--device arduino-mqtt")};
      break;
    case -10:
      e.meaning = "the broker refused the connection; returnCode() gives the CONNACK return code";
      e.causes = {"bad credentials (return code 4), not authorized (5), identifier rejected (2)"};
      e.tries = {c.plain("--device arduino-mqtt -u USER -P PASSWORD")};
      break;
    case -11:
      e.meaning = "the broker rejected the subscription (SUBACK 0x80)";
      e.causes = {"the ACL does not allow this user to subscribe to that filter", "an invalid topic filter"};
      e.tries = {c.plain("--device arduino-mqtt -u USER -P PASSWORD")};
      break;
    case -13:
      e.meaning = "no PINGRESP arrived for the keepalive PINGREQ";
      e.causes = {"loop() not called often enough for the 10 s keepalive", "the broker or network dropped the connection"};
      e.tries = {c.plain("--device arduino-mqtt --keepalive-check")};
      break;
    default:
      e.meaning = "the byte stream from the broker was malformed or did not fit (" + std::string(k->name) + ")";
      e.causes = {"a corrupted stream (not an MQTT listener) or a message larger than the buffer"};
      e.tries = {c.plain("--device arduino-mqtt")};
      break;
  }
  return e;
}

std::optional<entry> match_arduino_mqtt(const cleaned_log_line& l, const commands& c) {
  const std::string& s = l.message;
  std::smatch sm;
  for (const auto& k : lwmqtt_errors)
    if (contains(s, k.name)) return lwmqtt_entry(k.value, c);
  // esp-mqtt by 256dpi (lwmqtt on ESP-IDF): "E (146844) esp_mqtt: lwmqtt_publish: -9".
  static const std::regex lw_call(R"(lwmqtt_\w+: (-\d+))");
  if (std::regex_search(s, sm, lw_call)) return lwmqtt_entry(to_int(sm[1].str()), c);
  static const std::regex last_error(R"(last\s*error(?:\(\))?\s*[:=]?\s*(-\d+))", std::regex::icase);
  static const std::regex return_code(R"(return\s*code(?:\(\))?\s*[:=]?\s*(\d+))", std::regex::icase);
  std::smatch rc;
  const bool has_rc = std::regex_search(s, rc, return_code);
  static const std::regex error_and_code(R"(^Error: (-\d+), Return Code)");
  if (std::regex_search(s, sm, last_error) || std::regex_search(s, sm, error_and_code)) {
    const int v = to_int(sm[1].str());
    if (v == -10 && has_rc) {
      if (auto e = connack_entry(to_int(rc[1].str()), "arduino-mqtt",
                                 "LWMQTT_CONNECTION_DENIED (-10), returnCode " + rc[1].str(), c))
        return e;
    }
    return lwmqtt_entry(v, c);
  }
  static const std::array<std::pair<std::string_view, int>, 5> names = {{
      {"LWMQTT_UNACCEPTABLE_PROTOCOL", 1}, {"LWMQTT_IDENTIFIER_REJECTED", 2}, {"LWMQTT_SERVER_UNAVAILABLE", 3},
      {"LWMQTT_BAD_USERNAME_OR_PASSWORD", 4}, {"LWMQTT_NOT_AUTHORIZED", 5},
  }};
  for (const auto& [name, v] : names)
    if (contains(s, name)) return connack_entry(v, "arduino-mqtt", std::string(name), c);
  return std::nullopt;
}

std::optional<entry> match_async_mqtt_client(const cleaned_log_line& l, const commands& c) {
  const std::string& s = l.message;
  struct reason { std::string_view name; int connack; };
  static constexpr std::array<reason, 8> reasons = {{
      {"TCP_DISCONNECTED", 0}, {"MQTT_UNACCEPTABLE_PROTOCOL_VERSION", 1}, {"MQTT_IDENTIFIER_REJECTED", 2},
      {"MQTT_SERVER_UNAVAILABLE", 3}, {"MQTT_MALFORMED_CREDENTIALS", 4}, {"MQTT_NOT_AUTHORIZED", 5},
      {"ESP8266_NOT_ENOUGH_SPACE", 6}, {"TLS_BAD_FINGERPRINT", 7},
  }};
  for (const auto& r : reasons) {
    if (!contains(s, r.name)) continue;
    const std::string code = "AsyncMqttClientDisconnectReason::" + std::string(r.name);
    if (r.connack >= 1 && r.connack <= 5) return connack_entry(r.connack, "async-mqtt-client", code, c);
    entry e{"async-mqtt-client", code, {}, {}, {}};
    if (r.connack == 0) {
      e.meaning = "the TCP connection closed (AsyncMqttClient reports every network-level loss this way)";
      e.causes = {"the broker is unreachable or refused the TCP connection",
                  "the broker closed the connection (duplicate client id, keepalive expired, refused packet)",
                  "Wi-Fi dropped"};
      e.tries = {c.plain("--device async-mqtt-client"), c.plain("--device async-mqtt-client --keepalive-check")};
    } else if (r.connack == 6) {
      e.meaning = "the CONNECT packet did not fit the TCP send buffer, so the client closed the connection";
      e.causes = {"a very long will message, username/password or client id"};
    } else {
      e.meaning = "the broker's TLS certificate fingerprint matched none of the ones given to addServerFingerprint()";
      e.causes = {"the broker's certificate was renewed (fingerprints change with every certificate)"};
      e.tries = {c.tls("--device async-mqtt-client")};
    }
    return e;
  }
  return std::nullopt;
}

// mosquitto's log lines about one client: the broker's side of the same failure. Observed from
// mosquitto 2.0.11 except "Socket error on client", which is its lib/loop.c wording.
std::optional<entry> match_mosquitto(const cleaned_log_line& l, const commands& c) {
  const std::string& m = l.message;
  std::smatch sm;
  static const std::regex timeout(R"(^Client (\S+) has exceeded timeout, disconnecting\.?$)");
  if (std::regex_search(m, sm, timeout)) {
    entry e{"mosquitto", "has exceeded timeout",
            "the broker heard nothing from client " + sm[1].str() +
                " for 1.5 times its keepalive and dropped it (the device's side sees EOF or a failed ping)", {}, {}};
    e.causes = {"the device did not service MQTT in time: PubSubClient/arduino-mqtt loop() not called often "
                "enough (delay(), blocking code), or the esp-mqtt task starved",
                "Wi-Fi power save, a roaming gap or a lost link longer than the keepalive",
                "the device hung or rebooted without closing the connection",
                "the broker enforces a max_keepalive shorter than the device's keepalive"};
    e.tries = {c.plain("--keepalive-check"), c.plain("--device pubsubclient --keepalive-check")};
    return e;
  }
  static const std::regex takeover(R"(^Client (\S+) already connected, closing old connection\.?$)");
  if (std::regex_search(m, sm, takeover)) {
    entry e{"mosquitto", "already connected, closing old connection",
            "a second connection arrived with client id " + sm[1].str() +
                ", so the broker closed the first one (session take-over)", {}, {}};
    e.causes = {"two devices use the same client id (a fixed id in a sketch flashed on several boards); "
                "they keep knocking each other off",
                "the device reconnected before the broker noticed its previous connection was dead "
                "(harmless when it happens once per reconnect)"};
    e.tries = {c.plain("--id " + sm[1].str() + " -c 5")};
    return e;
  }
  static const std::regex not_authorised(R"(^Client (\S+) disconnected, not authorised\.?$)");
  if (std::regex_search(m, sm, not_authorised)) {
    auto e = connack_entry(5, "mosquitto", "disconnected, not authorised", c);
    e->meaning = "the broker refused client " + sm[1].str() + "'s CONNECT: not authorised (it answered return code 5)";
    return e;
  }
  static const std::regex denied(R"(^Denied (PUBLISH|SUBSCRIBE) from (\S+) \((?:[^']*)'([^']*)')");
  if (std::regex_search(m, sm, denied)) {
    entry e{"mosquitto", "Denied " + sm[1].str(),
            "the ACL does not allow client " + sm[2].str() + " to " +
                (sm[1].str() == "PUBLISH" ? "publish" : "subscribe") + " on '" + sm[3].str() +
                "'; a 3.1.1 client is not told (mosquitto still acknowledges the PUBLISH)", {}, {}};
    e.causes = {"the acl_file (or plugin) has no 'topic write' / 'topic read' line for this user and topic, "
                "or the device uses another username than the ACL expects"};
    e.tries = {c.plain("-u USER -P PASSWORD --roundtrip")};
    return e;
  }
  static const std::regex high_qos(R"(^Too high QoS in PUBLISH from (\S+), disconnecting\.?$)");
  if (std::regex_search(m, sm, high_qos)) {
    entry e{"mosquitto", "Too high QoS in PUBLISH",
            "client " + sm[1].str() + " published above the listener's max_qos, and the broker disconnected it", {}, {}};
    e.causes = {"the device publishes at QoS 2 (or 1) while the broker's max_qos is lower; a 3.1.1 device "
                "cannot know the limit"};
    e.tries = {c.plain("--capabilities")};
    return e;
  }
  static const std::regex oversize(R"(^Client (\S+) disconnected due to oversize packet\.?$)");
  if (std::regex_search(m, sm, oversize)) {
    entry e{"mosquitto", "disconnected due to oversize packet",
            "client " + sm[1].str() + " sent a packet larger than the broker accepts, and the broker disconnected it", {}, {}};
    e.causes = {"a payload above max_packet_size (or message_size_limit) on the broker"};
    e.tries = {c.plain("--capabilities")};
    return e;
  }
  static const std::regex closed(R"(^Client (\S+) closed its connection\.?$)");
  if (std::regex_search(m, sm, closed)) {
    entry e{"mosquitto", "closed its connection",
            "client " + sm[1].str() + " closed the TCP connection without sending DISCONNECT", {}, {}};
    e.causes = {"with <unknown> as the id on a TLS listener: the device gave up during the TLS handshake, "
                "usually because it does not trust the broker's certificate",
                "the device rebooted, lost Wi-Fi, or its code closed the socket (client.stop()) without "
                "disconnect()",
                "the device's own timeout expired first (arduino-mqtt waits 1 s for CONNACK)"};
    e.tries = {c.tls(), c.plain()};
    return e;
  }
  static const std::regex socket_error(R"(^Socket error on client (\S+), disconnecting\.?$)");
  static const std::regex bad_socket(R"(^Bad socket read/write on client (\S+): (.*)$)");
  const bool is_socket_error = std::regex_search(m, sm, socket_error);
  if (is_socket_error || std::regex_search(m, sm, bad_socket)) {
    std::string why = is_socket_error ? std::string() : sm[2].str();
    if (!why.empty() && why.back() == '.') why.pop_back();
    entry e{"mosquitto", is_socket_error ? "Socket error on client" : "Bad socket read/write: " + why,
            "the connection to client " + sm[1].str() + " failed" + (why.empty() ? "" : ": " + why), {}, {}};
    if (why == "Requested QoS not supported on server")
      e.causes = {"the client published above the broker's max_qos"};
    else
      e.causes = {"the device vanished (power loss, Wi-Fi loss) or reset the connection",
                  "the broker refused something the client sent and closed the connection (a retained "
                  "publish with retain_available false shows as 'Unknown error')"};
    e.tries = {c.plain("--capabilities")};
    return e;
  }
  return std::nullopt;
}

log_explanation to_explanation(std::size_t line_no, const cleaned_log_line& l, entry e) {
  return log_explanation{line_no, l.printable, std::move(e.source), std::move(e.code), std::move(e.meaning),
                         std::move(e.causes), std::move(e.tries)};
}

}  // namespace

log_explanation_report explain_device_log(std::string_view text) { return explain_device_log(text, {}); }

std::string nothing_recognised(std::size_t lines_given) {
  const std::string what = lines_given == 0   ? std::string("the input has no log lines")
                           : lines_given == 1 ? std::string("the one line given is not a line mqtk knows")
                                              : "none of the " + std::to_string(lines_given) +
                                                    " lines given is a line mqtk knows";
  return what +
         " \u2014 paste the device's E/W lines around the failure (esp-mqtt, esp-tls/mbedTLS, PubSubClient state(), "
         "arduino-mqtt lastError(), AsyncMqttClient reasons, mosquitto's log)";
}

log_explanation_report explain_device_log(std::string_view text, const log_target_hint& hint) {
  std::vector<cleaned_log_line> lines;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(clean_log_line(text.substr(start, end - start)));
    start = end + 1;
    if (end == text.size()) break;
  }

  target t;
  for (const auto& l : lines) learn_target(l, t);
  if (!hint.host.empty()) t.host = hint.host;
  if (hint.port != 0) t.port = hint.port;
  const commands c{t};

  using matcher = std::optional<entry> (*)(const cleaned_log_line&, const commands&);
  // Order matters: specific library lines first, the generic mbedTLS code scan last.
  static constexpr std::array<matcher, 7> matchers = {match_esp_mqtt,       match_esp_tls,
                                                      match_example_report, match_mosquitto,
                                                      match_pubsubclient,   match_arduino_mqtt,
                                                      match_async_mqtt_client};
  log_explanation_report report;
  report.host = t.host;
  report.port = t.port;
  report.tls = t.tls;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    if (l.printable.empty()) continue;
    std::optional<entry> found;
    for (matcher m : matchers) {
      found = m(l, c);
      if (found) break;
    }
    if (!found) found = match_mbedtls_anywhere(l, c);
    if (found)
      report.explanations.push_back(to_explanation(i + 1, l, std::move(*found)));
    else
      report.unrecognised.push_back(unrecognised_line{i + 1, l.printable});
  }
  return report;
}

}  // namespace mqtk::diag
