#include "common/connection_options.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "common/option_values.hpp"
#include "mqtk/net/url.hpp"

namespace mqtk::tools {

bool connection_options::uses_tls() const noexcept {
  return tls_from_url || !tls.cafile.empty() || !tls.capath.empty() || tls.use_os_certs || tls.uses_psk();
}

std::uint16_t connection_options::effective_port() const noexcept {
  if (port) return *port;
  // mosquitto's rule: 8883 when --cafile, --capath or --psk asks for TLS.
  return (!tls.cafile.empty() || !tls.capath.empty() || tls.uses_psk()) ? 8883 : 1883;
}

void check_input_file(std::string_view option, const std::string& path) {
  const std::string where = std::string(option) + ": '" + path + "'";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    throw options_file_error(where + " is a directory, not a file");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw options_file_error(where + " cannot be opened: " + std::strerror(errno));
  ::close(fd);
}

namespace {

void apply_url(connection_options& o, const std::string& text, const url_topic_handler& on_url_topic) {
  auto parsed = net::parse_url(text);
  // The URL may carry a password: never repeat it.
  if (!parsed) usage_error("-L", "invalid URL '" + net::redact_url_password(text) + "': " + parsed.error().message());
  const net::connection_target& t = *parsed;
  o.url = net::to_string(t);  // kept for messages, so with the password masked
  o.host = t.host;
  o.port = t.port;
  o.tls_from_url = net::is_tls(t.scheme);
  // As mosquitto does for mqtts:// and wss://: trust the system's CAs unless --cafile says otherwise.
  if (o.tls_from_url) o.tls.use_os_certs = true;
  o.transport = net::is_websocket(t.scheme) ? transport_kind::websocket : transport_kind::tcp;
  if (net::is_websocket(t.scheme)) {
    o.websocket_path = t.path_or_topic;
  } else if (!t.path_or_topic.empty() && on_url_topic) {
    on_url_topic(t.path_or_topic);
  }
  if (t.username) {
    check_mqtt_string("-L", "user name", *t.username);
    o.username = t.username;
  }
  if (t.password) o.password = t.password;
}

// "Name: value" of --ws-header. A header is often a credential ("Authorization: Bearer ..."), so
// an error names at most the header, never its value; and a name that is not an HTTP token may
// itself be a mistyped credential, so it is not repeated either.
std::pair<std::string, std::string> parse_websocket_header(const std::string& v) {
  const auto colon = v.find(':');
  if (colon == std::string::npos || colon == 0) {
    usage_error("--ws-header", "expected \"Name: value\" with a colon after the header name "
                               "(the value given is not repeated: it may be a credential)");
  }
  std::string name = v.substr(0, colon);
  const auto is_token_char = [](unsigned char c) {
    return std::isalnum(c) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  };
  if (!std::all_of(name.begin(), name.end(), is_token_char)) {
    usage_error("--ws-header", "the text before the colon is not a header name (letters, digits and "
                               "!#$%&'*+-.^_`|~ only; not repeated: it may be a credential)");
  }
  std::string value = v.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  // A line break would end the header and start another one in the HTTP request.
  const auto is_control = [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; };
  if (std::any_of(value.begin(), value.end(), is_control)) {
    usage_error("--ws-header", "the value of header '" + name + "' has a control character such as a line break "
                               "(the value is not repeated: it may be a credential)");
  }
  return {std::move(name), std::move(value)};
}

void add_connection_group(CLI::App& app, connection_options& o, url_topic_handler on_url_topic) {
  auto* g = app.add_option_group("Connection", "Where and how to connect (mosquitto_pub/sub's options)");
  add_value_option(*g, "-h,--host", "Broker host (default localhost)", "HOST", [&o](const std::string& v) {
    if (v.empty()) usage_error("-h", "empty host");
    o.host = v;
    o.host_given = true;
  });
  add_value_option(*g, "-p,--port", "Broker port (default 1883, 8883 with --cafile/--capath)", "PORT",
                   [&o](const std::string& v) {
                     o.port = static_cast<std::uint16_t>(parse_integer("-p", v, 1, 65535));
                     o.port_given = true;
                   });
  add_value_option(*g, "-L,--url", "mqtt[s]://[user[:pass]@]host[:port]/topic or ws[s]://host[:port]/path", "URL",
                   [&o, on_url_topic = std::move(on_url_topic)](const std::string& v) { apply_url(o, v, on_url_topic); });
  add_value_option(*g, "--unix", "Connect through a Unix domain socket (plain MQTT; mosquitto: listener 0 PATH)",
                   "PATH", [&o](const std::string& v) {
    if (v.empty()) usage_error("--unix", "empty socket path");
    o.unix_socket = v;
  });
  add_value_option(*g, "-A", "Bind the outgoing socket to this local IP address", "ADDRESS",
                   [&o](const std::string& v) {
                     boost::system::error_code ec;
                     (void)boost::asio::ip::make_address(v, ec);
                     if (ec) usage_error("-A", "'" + printable(v) + "' is not an IP address (e.g. 192.168.1.10 or ::1)");
                     o.bind_address = v;
                   });
  g->add_flag("--nodelay", o.nodelay,
              "Disable Nagle's algorithm: accepted for mosquitto compatibility; mqtk always disables Nagle's algorithm");
  add_value_option(*g, "-i,--id", "Client id (default <tool>_<pid>)", "ID", [&o](const std::string& v) {
    if (v.size() > 65535) usage_error("-i", "client id longer than 65535 bytes");
    check_mqtt_string("-i", "client id", v);
    o.client_id = v;
  });
  add_value_option(*g, "-I,--id-prefix", "Client id prefix: the id is the prefix followed by the process id",
                   "PREFIX", [&o](const std::string& v) {
                     check_mqtt_string("-I", "client id prefix", v);
                     o.id_prefix = v;
                   });
  add_value_option(*g, "-k,--keepalive", "Keepalive in seconds, 5-65535 (default 60)", "SECONDS",
                   [&o](const std::string& v) {
                     o.keepalive = static_cast<std::uint16_t>(parse_integer("-k", v, 5, 65535));
                   });
  g->add_flag_callback("-c,--disable-clean-session", [&o] { o.clean_session = false; },
                       "Keep the session (persistent client); needs -i");
  add_value_option(*g, "-x", "Session expiry interval in seconds (5.0); -1 or ∞ for never", "SECONDS",
                   [&o](const std::string& v) {
                     if (v == "∞" || v == "-1") {
                       o.session_expiry = 0xFFFFFFFFu;
                     } else {
                       o.session_expiry = static_cast<std::uint32_t>(parse_integer("-x", v, 0, 0xFFFFFFFFll));
                     }
                   });
  add_value_option(*g, "-V,--protocol-version", "MQTT version: 31, 311 or 5 (also mqttv31, mqttv311, mqttv5)",
                   "VERSION", [&o](const std::string& v) { o.version = parse_protocol_version("-V", v); });
  add_value_option(*g, "-M", "Maximum QoS 1/2 messages in flight (default 20)", "N", [&o](const std::string& v) {
    o.max_inflight = static_cast<unsigned>(parse_integer("-M", v, 1, 65535));
  });
  add_value_option(*g, "--max-packet-size",
                   "Largest packet accepted from the broker in bytes, fixed header included (default 268435460, "
                   "MQTT's limit); announced to 5.0 brokers in CONNECT",
                   "BYTES", [&o](const std::string& v) {
                     o.max_packet_size =
                         static_cast<std::uint32_t>(parse_integer("--max-packet-size", v, 16, 268'435'460));
                   });
  add_value_option(*g, "--proxy",
                   "Connect through a SOCKS5 proxy socks5h://[user[:pass]@]host[:port] (port 1080) that resolves -h",
                   "URL", [&o](const std::string& v) {
                     auto parsed = net::parse_proxy_url(v);
                     // The URL is not repeated: it may hold the proxy's password.
                     if (!parsed) usage_error("--proxy", parsed.error().message());
                     o.proxy = *parsed;
                   });
  add_value_option(*g, "--ws-header", "Extra WebSocket request header, e.g. \"Authorization: Bearer T\" (repeatable)",
                   "HEADER", [&o](const std::string& v) { o.websocket_headers.push_back(parse_websocket_header(v)); });
  g->add_flag("-d,--debug", o.debug, "Print protocol debug messages");
  g->add_flag("--quiet", o.quiet,
              "Print no error messages once the options are read (the exit code still tells; usage errors still "
              "print, as in mosquitto)");
}

void add_auth_group(CLI::App& app, connection_options& o) {
  auto* g = app.add_option_group("Authentication");
  add_value_option(*g, "-u,--username", "User name", "USER", [&o](const std::string& v) {
    check_mqtt_string("-u", "user name", v);
    o.username = v;
  });
  add_value_option(*g, "-P,--pw", "Password (visible to other users: prefer MQTK_PASSWORD or --password-file)",
                   "PASSWORD", [&o](const std::string& v) { o.password = v; });
  add_value_option(*g, "--password-file", "Read the password from the first line of FILE", "FILE",
                   [&o](const std::string& v) { o.password_file = v; });
}

void add_will_group(CLI::App& app, connection_options& o) {
  auto* g = app.add_option_group("Will");
  add_value_option(*g, "--will-topic", "Topic of the client's will", "TOPIC", [&o](const std::string& v) {
    check_topic_name("--will-topic", v);
    o.will.topic = v;
  });
  add_value_option(*g, "--will-payload", "Payload of the will (default empty)", "PAYLOAD",
                   [&o](const std::string& v) { o.will.payload = v; });
  add_value_option(*g, "--will-qos", "QoS of the will (ignored without --will-topic, as in mosquitto)", "QOS",
                   [&o](const std::string& v) { o.will.qos = parse_qos("--will-qos", v); });
  g->add_flag("--will-retain", o.will.retain, "Retain the will");
}

void add_tls_group(CLI::App& app, connection_options& o) {
  auto* g = app.add_option_group("TLS");
  add_value_option(*g, "--cafile", "Trusted CA certificates (PEM): enables TLS", "FILE",
                   [&o](const std::string& v) { o.tls.cafile = v; });
  add_value_option(*g, "--capath", "Directory of trusted CA certificates: enables TLS", "DIR",
                   [&o](const std::string& v) { o.tls.capath = v; });
  add_value_option(*g, "--cert", "Client certificate (PEM); needs --key", "FILE",
                   [&o](const std::string& v) { o.tls.cert = v; });
  add_value_option(*g, "--key", "Client private key (PEM); needs --cert", "FILE",
                   [&o](const std::string& v) { o.tls.key = v; });
  g->add_flag("--insecure", o.tls.insecure, "Do not check the server certificate's host name");
  add_value_option(*g, "--tls-version", "tlsv1.3, tlsv1.2 or tlsv1.1", "VERSION", [&o](const std::string& v) {
    if (v != "tlsv1.3" && v != "tlsv1.2" && v != "tlsv1.1") {
      usage_error("--tls-version", "invalid TLS version '" + v + "' (tlsv1.3, tlsv1.2 or tlsv1.1)");
    }
    o.tls.version = v;
  });
  add_value_option(*g, "--tls-max-version",
                   "Newest TLS version to offer: tlsv1.2 or tlsv1.3 (default); tlsv1.2 does what a device "
                   "limited to TLS 1.2 (mbedTLS 2.x) does",
                   "VERSION", [&o](const std::string& v) {
                     if (v != "tlsv1.3" && v != "tlsv1.2") {
                       usage_error("--tls-max-version", "invalid TLS version '" + v + "' (tlsv1.2 or tlsv1.3)");
                     }
                     o.tls.max_version = v;
                   });
  add_value_option(*g, "--ciphers", "OpenSSL cipher list", "CIPHERS", [&o](const std::string& v) { o.tls.ciphers = v; });
  add_value_option(*g, "--tls-alpn", "ALPN protocol to offer", "PROTOCOL",
                   [&o](const std::string& v) { o.tls.alpn = v; });
  g->add_flag("--tls-use-os-certs", o.tls.use_os_certs, "Trust the system's CA certificates");
  add_value_option(*g, "--psk", "TLS-PSK key in hex, e.g. 1a2b3c (visible to other users: prefer MQTK_PSK or --psk-file); needs --psk-identity", "HEX",
                   [&o](const std::string& v) { o.tls.psk = parse_psk_hex("--psk", v); });
  add_value_option(*g, "--psk-file", "Read the TLS-PSK key (hex) from the first line of FILE", "FILE",
                   [&o](const std::string& v) { o.tls.psk_file = v; });
  add_value_option(*g, "--psk-identity", "TLS-PSK identity: enables TLS with a pre-shared key instead of certificates",
                   "ID", [&o](const std::string& v) {
                     if (v.empty()) usage_error("--psk-identity", "empty identity");
                     o.tls.psk_identity = v;
                   });
}

void add_property_group(CLI::App& app, connection_options& o) {
  auto* g = app.add_option_group("MQTT 5.0 properties");
  // Empty values are valid ("-D publish user-property trace ''"): CLI11 would take an empty word
  // for the end of -D's words, so parse_words hands them over as empty_property_word.
  g->add_option(
       "-D,--property",
       [&o](const CLI::results_t& words) {
         try {
           o.properties.push_back(parse_property_option(words));
         } catch (const std::invalid_argument& e) {
           usage_error("-D", e.what());
         }
         // As in mosquitto, properties make the client speak 5.0 unless a later -V says otherwise.
         o.version = proto::protocol_version::v5;
         return true;
       },
       "Add a property: COMMAND PROPERTY VALUE (user-property takes KEY VALUE)")
      ->expected(3, 4)
      ->allow_extra_args()
      ->trigger_on_parse()
      ->type_name("COMMAND PROPERTY VALUE");
}

std::string read_first_line(std::string_view option, const std::string& file) {
  check_input_file(option, file);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw options_file_error(std::string(option) + ": cannot open '" + file + "'");
  // A secret's line is short: the bound keeps --password-file /dev/zero (or a binary file) from
  // taking all memory.
  constexpr std::size_t max_line = 64 * 1024;
  std::string line;
  for (char c; line.size() <= max_line && in.get(c) && c != '\n';) line += c;
  if (line.size() > max_line) {
    throw options_file_error(std::string(option) + ": '" + file + "' has no line break in its first 64 KiB: " +
                             "expected the secret alone on the first line");
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}


// A -D property that MQTT allows once per packet, given twice (mosquitto: "Duplicate property
// in property list"), including -x beside -D connect session-expiry-interval.
void check_duplicate_properties(const connection_options& o) {
  std::map<std::pair<property_command, proto::property_id>, int> seen;
  for (const auto& p : o.properties) {
    if (p.id == proto::property_id::user_property) continue;
    if (++seen[{p.command, p.id}] == 2) {
      usage_error("-D", std::string(to_string(p.command)) + " property " + property_option_name(p.id) +
                            " given twice: it may appear once in a packet");
    }
  }
  if (o.max_packet_size && seen.count({property_command::connect, proto::property_id::maximum_packet_size})) {
    usage_error("--max-packet-size",
                "the maximum packet size is given twice (--max-packet-size and -D connect maximum-packet-size)");
  }
  if (o.session_expiry && seen.count({property_command::connect, proto::property_id::session_expiry_interval})) {
    usage_error("-x", "the session expiry interval is given twice (-x and -D connect session-expiry-interval)");
  }
}

}  // namespace

void add_connection_options(CLI::App& app, connection_options& o, url_topic_handler on_url_topic) {
  add_connection_group(app, o, std::move(on_url_topic));
  add_auth_group(app, o);
  add_will_group(app, o);
  add_property_group(app, o);
  add_tls_group(app, o);
}

void finish_connection_options(connection_options& o, const option_env& env, std::string_view default_id_prefix) {
  using proto::protocol_version;
  if (!o.client_id.empty() && !o.id_prefix.empty()) usage_error("-I", "cannot be combined with -i");
  // -L with -h or -p is not a conflict: the later one wins, as in mosquitto (and the config
  // file's -h/-p come before the command line's -L).
  if (o.url && !o.unix_socket.empty()) usage_error("-L", "cannot be combined with --unix");
  if (!o.unix_socket.empty()) {
    if (o.host_given) usage_error("--unix", "cannot be combined with -h");
    if (o.port_given) usage_error("--unix", "cannot be combined with -p (a Unix socket has no port)");
    if (o.proxy) usage_error("--unix", "cannot be combined with --proxy");
    // As mosquitto's --unix: plain MQTT, the socket's permissions are its access control.
    if (o.uses_tls()) usage_error("--unix", "is plain MQTT: it cannot be combined with TLS (--cafile, --capath, --tls-use-os-certs)");
  }
  if (o.will.topic.empty()) {
    if (o.will.payload) usage_error("--will-payload", "needs --will-topic");
    if (o.will.retain) usage_error("--will-retain", "needs --will-topic");
    // --will-qos alone is ignored, as mosquitto does: a script may set it unconditionally.
    for (const auto& p : o.properties) {
      if (p.command == property_command::will) usage_error("-D", "will properties need --will-topic");
    }
  }
  if (!o.tls.cert.empty() && o.tls.key.empty()) usage_error("--cert", "needs --key");
  if (!o.tls.key.empty() && o.tls.cert.empty()) usage_error("--key", "needs --cert");
  if (o.tls.version == "tlsv1.3" && o.tls.max_version == "tlsv1.2") {
    usage_error("--tls-max-version", "tlsv1.2 is older than --tls-version tlsv1.3: no TLS version is left");
  }
  if (o.version != protocol_version::v5 && !o.properties.empty()) {
    usage_error("-D", "properties need MQTT 5.0 (-V 5)");
  }
  check_duplicate_properties(o);

  if (!o.password_file.empty()) {
    if (o.password) usage_error("--password-file", "cannot be combined with -P or a password in -L");
    o.password = read_first_line("--password-file", o.password_file);
  }

  // TLS-PSK: the key from --psk, --psk-file or $MQTK_PSK (in that order of preference, the
  // environment only when neither option gave one), always with an identity.
  if (!o.tls.psk_file.empty()) {
    if (!o.tls.psk.empty()) usage_error("--psk-file", "cannot be combined with --psk");
    o.tls.psk = parse_psk_hex("--psk-file", read_first_line("--psk-file", o.tls.psk_file));
  }
  if (o.tls.psk.empty() && !o.tls.psk_identity.empty() && env.psk) o.tls.psk = parse_psk_hex("MQTK_PSK", *env.psk);
  if (!o.tls.psk.empty() && o.tls.psk_identity.empty()) usage_error("--psk", "needs --psk-identity");
  if (!o.tls.psk_identity.empty()) {
    if (o.tls.psk.empty()) usage_error("--psk-identity", "needs a key: --psk HEX, --psk-file FILE or MQTK_PSK");
    if (!o.tls.cafile.empty() || !o.tls.capath.empty() || !o.tls.cert.empty()) {
      usage_error("--psk", "cannot be combined with certificates (--cafile, --capath, --cert), as in mosquitto");
    }
    if (o.transport == transport_kind::websocket) usage_error("--psk", "is for MQTT over TLS, not WebSocket");
  }

  // The environment's password is for a user the command line names; a password alone would
  // be refused by 3.1.1 brokers and is surprising to send to every broker a script talks to.
  if (!o.password && o.username && env.password) o.password = env.password;
  if (o.password && !o.username && o.version != protocol_version::v5) {
    usage_error("-P", "a password needs a user name (-u) before MQTT 5.0");
  }

  if (o.version == protocol_version::v5) {
    // mosquitto: -c without -x keeps the session for ever, which needs a fixed client id.
    if (!o.clean_session && !o.session_expiry) o.session_expiry = 0xFFFFFFFFu;
    if (o.session_expiry && *o.session_expiry == 0xFFFFFFFFu && o.client_id.empty()) {
      usage_error(o.clean_session ? "-x" : "-c", "a session that never expires needs a client id (-i)");
    }
  } else if (!o.clean_session && o.client_id.empty()) {
    usage_error("-c", "needs a client id (-i)");
  }

  if (!o.id_prefix.empty()) {
    o.client_id = o.id_prefix + std::to_string(env.pid);
  } else if (o.client_id.empty()) {
    o.client_id = std::string(default_id_prefix) + std::to_string(env.pid);
  }
}

void check_connection_files(const connection_options& o) {
  if (!o.tls.cafile.empty()) check_input_file("--cafile", o.tls.cafile);
  if (!o.tls.capath.empty()) {
    struct stat st {};
    if (::stat(o.tls.capath.c_str(), &st) != 0) {
      throw options_file_error("--capath: '" + o.tls.capath + "' cannot be opened: " + std::strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) throw options_file_error("--capath: '" + o.tls.capath + "' is not a directory");
  }
  if (!o.tls.cert.empty()) check_input_file("--cert", o.tls.cert);
  if (!o.tls.key.empty()) check_input_file("--key", o.tls.key);
}

std::string describe(const connection_options& o) {
  std::ostringstream s;
  s << "broker ";
  if (!o.unix_socket.empty()) {
    s << "unix:" << o.unix_socket;
  } else {
    s << (o.transport == transport_kind::websocket ? (o.uses_tls() ? "wss" : "ws") : (o.uses_tls() ? "mqtts" : "mqtt"))
      << "://" << net::host_port(o.host, o.effective_port());
    if (o.transport == transport_kind::websocket) s << (o.websocket_path.empty() ? "/mqtt" : o.websocket_path);
  }
  s << ", MQTT " << proto::version_name(o.version) << ", client id '" << o.client_id << "', keepalive "
    << o.keepalive << "s, clean " << (o.clean_session ? "yes" : "no");
  if (o.session_expiry) s << ", session expiry " << *o.session_expiry << "s";
  if (o.username) s << ", user '" << *o.username << "'";
  if (o.password) s << ", password (" << o.password->size() << " bytes)";
  if (!o.will.topic.empty()) s << ", will on '" << o.will.topic << "'";
  if (o.proxy) s << ", via SOCKS5 proxy " << net::to_string(*o.proxy);
  return s.str();
}

}  // namespace mqtk::tools
