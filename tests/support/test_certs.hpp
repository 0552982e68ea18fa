#pragma once
// Test helper: a small PKI generated at test time with OpenSSL's C API (no openssl CLI, no
// checked-in keys that expire), once per test process, in a temp dir removed at exit.
//
//   ca                trusted test CA ("mqtk test CA")
//   server            signed by ca; CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1
//   client            signed by ca; CN=mqtk-test-client, extendedKeyUsage clientAuth (mTLS)
//   expired_server    like server, but notAfter is yesterday
//   unknown_ca_server like server, but signed by other_ca, which nobody trusts
//   wrong_host_server signed by ca, but only for DNS:wrong.example.com
//   unknown_ca_client like client, but signed by other_ca
//   not_yet_valid_server like server, but valid only from 30 days from now
//   ip_only_server    signed by ca; CN=127.0.0.1, SAN IP:127.0.0.1 only (no DNS name)
//
// Keys are P-256 EC keys in unencrypted PEM; files are world-readable so that a broker that
// drops privileges can read them.
#include <filesystem>

namespace mqtk::test {

struct cert_pair {
  std::filesystem::path cert;  // PEM certificate
  std::filesystem::path key;   // PEM private key
};

struct test_certs {
  std::filesystem::path dir;
  cert_pair ca;
  cert_pair other_ca;
  cert_pair server;
  cert_pair client;
  cert_pair expired_server;
  cert_pair unknown_ca_server;
  cert_pair wrong_host_server;
  cert_pair unknown_ca_client;
  cert_pair not_yet_valid_server;
  cert_pair ip_only_server;

  // The process-wide set, generated on first use (thread-safe); throws std::runtime_error
  // with OpenSSL's error text if generation fails.
  static const test_certs& get();
};

}  // namespace mqtk::test
