#pragma once
// Private to lib/src/net: the Asio SSL context behind tls_context, and OpenSSL helpers shared
// by tls_context.cpp and transport.cpp.
#include <openssl/x509.h>

#include <string>

#include <boost/asio/ssl/context.hpp>

#include "mqtk/net/tls_context.hpp"
#include "mqtk/net/tls_session_info.hpp"

namespace mqtk::net {

struct tls_context::impl {
  boost::asio::ssl::context ctx{boost::asio::ssl::context::tls_client};
  // For OpenSSL's PSK client callback, which finds them through the SSL_CTX's ex_data.
  std::string psk_identity;
  std::string psk;
};

// Subject, issuer, validity, serial, SANs and PEM of a certificate.
certificate_info describe_certificate(X509* cert);
// Drains OpenSSL's error queue into one line ("" when empty).
std::string openssl_error_queue();

}  // namespace mqtk::net
