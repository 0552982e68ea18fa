#pragma once
// The connection half of mqtk-pub's and mqtk-sub's options: one struct, one set of CLI11
// option groups with mosquitto_pub/sub 2.0's names and meanings, and the cross-option checks
// done in one place after parsing (STYLE.md, "mosquitto's client/"). Plain data: no socket
// is opened here.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/option_env.hpp"
#include "common/property_option.hpp"
#include "mqtk/net/socks5_proxy.hpp"
#include "mqtk/proto/types.hpp"

namespace mqtk::tools {

struct tls_options {
  std::string cafile;       // --cafile
  std::string capath;       // --capath
  std::string cert;         // --cert
  std::string key;          // --key
  bool insecure = false;    // --insecure: no host name check
  std::string version;      // --tls-version: tlsv1.3, tlsv1.2 or tlsv1.1
  std::string max_version;  // --tls-max-version: tlsv1.2 or tlsv1.3 (empty: tlsv1.3)
  std::string ciphers;      // --ciphers
  std::string alpn;         // --tls-alpn
  bool use_os_certs = false;// --tls-use-os-certs (also set by mqtts:// and wss:// URLs)
  // TLS-PSK (mosquitto's --psk/--psk-identity): the key's bytes, from --psk HEX, --psk-file or
  // $MQTK_PSK. A secret: never printed.
  std::string psk;
  std::string psk_identity; // --psk-identity
  std::string psk_file;     // --psk-file: the hex key on its first line

  bool uses_psk() const noexcept { return !psk_identity.empty(); }

  bool operator==(const tls_options&) const = default;
};

struct will_options {
  std::string topic;                   // --will-topic; empty: no will
  std::optional<std::string> payload;  // --will-payload
  proto::qos qos = proto::qos::at_most_once;
  bool retain = false;

  bool operator==(const will_options&) const = default;
};

enum class transport_kind : std::uint8_t { tcp, websocket };

struct connection_options {
  std::string host = "localhost";           // -h, or the URL's host
  bool host_given = false;                  // -h was used (it conflicts with --unix)
  bool port_given = false;                  // -p was used (it conflicts with --unix)
  std::optional<std::uint16_t> port;        // -p; unset: 1883, or 8883 with TLS (mosquitto's rule)
  std::optional<std::string> url;           // -L, its password masked ("****")
  std::string websocket_path;               // the HTTP path a ws(s):// URL carries
  std::vector<std::pair<std::string, std::string>> websocket_headers;  // --ws-header, in order
  transport_kind transport = transport_kind::tcp;
  bool tls_from_url = false;                // mqtts:// or wss://
  std::string unix_socket;                  // --unix PATH: plain MQTT over a Unix socket
  std::string bind_address;                 // -A
  bool nodelay = false;                     // --nodelay: accepted; Nagle is always off anyway

  std::string client_id;                    // -i; after loading: the id to use
  std::string id_prefix;                    // -I: the id is prefix + pid
  std::uint16_t keepalive = 60;             // -k, 5..65535
  bool clean_session = true;                // -c clears it
  std::optional<std::uint32_t> session_expiry;  // -x (5.0); -1 and "∞" mean 4294967295
  proto::protocol_version version = proto::protocol_version::v311;  // -V
  unsigned max_inflight = 20;               // -M
  // --max-packet-size: the largest packet accepted from the broker, fixed header included;
  // announced in a 5.0 CONNECT and enforced in every version. Unset: MQTT's own limit.
  std::optional<std::uint32_t> max_packet_size;

  std::optional<std::string> username;      // -u, or the URL's user
  // -P, --password-file, the URL, or $MQTK_PASSWORD. Never printed (see describe()).
  std::optional<std::string> password;
  std::string password_file;                // --password-file

  will_options will;
  std::vector<property_option> properties;  // -D, in the order given
  tls_options tls;
  // --proxy socks5h://[user[:pass]@]host[:port]; its password is never printed.
  std::optional<net::socks5_proxy> proxy;

  bool debug = false;                       // -d
  bool quiet = false;                       // --quiet: no error lines once options are loaded

  bool uses_tls() const noexcept;
  // The port to connect to: -p / the URL's, else 8883 with TLS (a CA given) and 1883 without.
  std::uint16_t effective_port() const noexcept;
};

// What a tool does with the topic an mqtt(s):// URL carries (pub: it is the topic, as a later
// -t's would be; sub: one more filter). Called as -L is met, so the last of -t and -L wins.
using url_topic_handler = std::function<void(const std::string&)>;

// Adds the connection, authentication, will, TLS and property option groups bound to `o`.
// Every option's value is checked as it is parsed (a bad value is a usage error naming the
// option); options are applied in command-line order, so a later one overrides an earlier one
// as in mosquitto (which is how the config file's lines, placed first, become defaults): -L
// sets host and port, and a later -h or -p changes them again.
void add_connection_options(CLI::App& app, connection_options& o, url_topic_handler on_url_topic);

// The checks between options, done once after parsing: --cert without --key, -i with -I,
// -L with --unix, --unix with -p, TLS or --proxy, --will-payload/--will-retain without
// --will-topic (--will-qos alone is ignored, as mosquitto does), -c without a client id, -D on
// MQTT 3.1.1, a single-valued -D property given twice (or -x with a session-expiry-interval),
// a password without a username before 5.0, ... --password-file and --psk-file are read
// here: options_file_error (exit 66) names a file that cannot be. Also applies what the environment provides ($MQTK_PASSWORD, $MQTK_PSK,
// --password-file) and fills in the default client id ("<tool_id_prefix><pid>", or -I's
// prefix + pid).
// Throws CLI::ValidationError (exit 64) naming the option, or options_file_error.
void finish_connection_options(connection_options& o, const option_env& env, std::string_view default_id_prefix);

// A file named by an option (--password-file) cannot be read: exit 66, not a usage error.
class options_file_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --cafile, --capath (a directory), --cert and --key must be readable: exit 66 naming the file
// and why, not a TLS failure (79) once connecting. Throws options_file_error.
void check_connection_files(const connection_options& o);

// Throws options_file_error naming `option` and `path` unless `path` is a file that can be
// opened for reading (a directory is refused as such).
void check_input_file(std::string_view option, const std::string& path);

// One line for -d: where and how the tool connects, the password shown only as its length.
std::string describe(const connection_options& o);

}  // namespace mqtk::tools
