#pragma once
// What a TLS handshake learned about the server, for mqtk-ping and -d output.
#include <string>
#include <vector>

namespace mqtk::net {

struct certificate_info {
  std::string subject;     // RFC 2253 ("CN=localhost,O=mqtk tests")
  std::string issuer;
  std::string not_before;  // RFC 3339 UTC ("2026-11-22T22:00:00Z")
  std::string not_after;
  std::string serial;      // hex
  std::vector<std::string> subject_alt_names;  // "DNS:localhost", "IP:127.0.0.1"
  std::string pem;
};

struct tls_session_info {
  std::string version;           // "TLSv1.3"; empty when the handshake did not finish
  std::string cipher;            // "TLS_AES_256_GCM_SHA384"
  std::string alpn;              // negotiated protocol, empty if none
  std::string sni;               // server name sent, empty if none (IP literal hosts)
  bool hostname_checked = false; // false in insecure mode
  // The chain's verification verdict, also kept when tls_verify::none let a bad chain pass:
  // X509_V_OK (0) or X509_V_ERR_*, and X509_verify_cert_error_string of it.
  long verify_result = 0;
  std::string verify_error;
  std::vector<certificate_info> peer_chain;  // server certificate first
};

}  // namespace mqtk::net
