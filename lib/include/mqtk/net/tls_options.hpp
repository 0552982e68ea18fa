#pragma once
// TLS settings for mqtts:// and wss://, the same set mosquitto's clients offer.
#include <string>
#include <vector>

namespace mqtk::net {

enum class tls_version { tls1_2, tls1_3 };

enum class tls_verify {
  full,         // chain and host name (the default)
  no_hostname,  // chain only: mosquitto's --insecure (the caller prints the warning)
  none,         // accept any certificate (self-signed, expired, ...): for probing only
};

struct tls_options {
  // Trust: neither set means the system trust store (OpenSSL's default paths).
  std::string cafile;
  std::string capath;
  // Client certificate for mutual TLS (PEM; certfile may hold the chain).
  std::string certfile;
  std::string keyfile;
  std::string key_password;
  std::string sni;  // server name to send; empty: the host name (never an IP literal)
  std::vector<std::string> alpn;  // e.g. {"mqtt"}
  tls_version min_version = tls_version::tls1_2;
  // The newest version to offer (default: TLS 1.3). tls1_2 reproduces what a device limited to
  // TLS 1.2 (mbedTLS 2.x on many ESP32 builds) meets at a broker that requires TLS 1.3.
  tls_version max_version = tls_version::tls1_3;
  std::string ciphers;       // TLS 1.2 cipher list (OpenSSL syntax); empty: OpenSSL's default
  std::string ciphersuites;  // TLS 1.3 suites; empty: OpenSSL's default
  tls_verify verify = tls_verify::full;
  // TLS-PSK (RFC 4279 for TLS 1.2, and TLS 1.3's external PSK): set both to authenticate with
  // a pre-shared key instead of certificates, as mosquitto's --psk/--psk-identity do.
  // `psk` holds the key's bytes and is never printed.
  std::string psk_identity;
  std::string psk;
};

}  // namespace mqtk::net
