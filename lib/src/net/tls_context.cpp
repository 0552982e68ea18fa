#include "tls_context_impl.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstring>
#include <ctime>

#include "mqtk/net/net_error.hpp"

namespace mqtk::net {

namespace {

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string name_text(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (!bio) return {};
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  std::string s = bio_text(bio);
  BIO_free(bio);
  return s;
}

std::string time_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Where the PSK client callback finds the identity and key: the context's impl.
int psk_ex_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL asks for the identity and key during the handshake. This callback serves TLS 1.2's
// PSK cipher suites and, since OpenSSL 1.1.1, TLS 1.3's external PSK (with a SHA-256 suite),
// which is how mosquitto's broker offers PSK on both versions. The server's hint is ignored,
// as mosquitto's client does.
unsigned int psk_client_callback(SSL* ssl, const char* /*hint*/, char* identity, unsigned int max_identity_len,
                                 unsigned char* psk, unsigned int max_psk_len) {
  const auto* i = static_cast<const tls_context::impl*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), psk_ex_index()));
  if (i == nullptr || i->psk_identity.size() + 1 > max_identity_len || i->psk.size() > max_psk_len) return 0;
  std::memcpy(identity, i->psk_identity.c_str(), i->psk_identity.size() + 1);
  std::memcpy(psk, i->psk.data(), i->psk.size());
  return static_cast<unsigned int>(i->psk.size());
}

}  // namespace

certificate_info describe_certificate(X509* cert) {
  certificate_info info;
  if (!cert) return info;
  info.subject = name_text(X509_get_subject_name(cert));
  info.issuer = name_text(X509_get_issuer_name(cert));
  info.not_before = time_text(X509_get0_notBefore(cert));
  info.not_after = time_text(X509_get0_notAfter(cert));
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      info.serial = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  if (auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
      if (gn->type == GEN_DNS) {
        const auto* s = gn->d.dNSName;
        info.subject_alt_names.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                                              static_cast<std::size_t>(ASN1_STRING_length(s))));
      } else if (gn->type == GEN_IPADD) {
        const auto* s = gn->d.iPAddress;
        const unsigned char* b = ASN1_STRING_get0_data(s);
        char buf[64] = {};
        if (ASN1_STRING_length(s) == 4) {
          std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        } else if (ASN1_STRING_length(s) == 16) {
          // Uncompressed form is fine for display; it is what OpenSSL's own printer shows.
          int pos = 0;
          for (int k = 0; k < 16; k += 2) {
            pos += std::snprintf(buf + pos, sizeof buf - static_cast<std::size_t>(pos), "%s%x", k ? ":" : "",
                                 (b[k] << 8) | b[k + 1]);
          }
        }
        info.subject_alt_names.push_back(std::string("IP:") + buf);
      }
    }
    GENERAL_NAMES_free(names);
  }
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio) {
    PEM_write_bio_X509(bio, cert);
    info.pem = bio_text(bio);
    BIO_free(bio);
  }
  return info;
}

std::string openssl_error_queue() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

tls_context::tls_context(tls_options options, std::unique_ptr<impl> i)
    : options_(std::move(options)), impl_(std::move(i)) {}

tls_context::~tls_context() = default;

void* tls_context::native_handle() const { return impl_->ctx.native_handle(); }

std::shared_ptr<tls_context> make_tls_context(const tls_options& options, connect_failure* failure) {
  ERR_clear_error();
  auto i = std::make_unique<tls_context::impl>();
  SSL_CTX* ctx = i->ctx.native_handle();
  auto fail = [&](const std::string& what) -> std::shared_ptr<tls_context> {
    if (failure) {
      *failure = {};
      failure->error = net_error::tls_setup_failed;
      failure->openssl_error = what;
      const auto queue = openssl_error_queue();
      if (!queue.empty()) failure->openssl_error += ": " + queue;
    }
    ERR_clear_error();
    return nullptr;
  };

  const int min_version = options.min_version == tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1) return fail("cannot set the minimum TLS version");
  const int max_version = options.max_version == tls_version::tls1_2 ? TLS1_2_VERSION : TLS1_3_VERSION;
  if (max_version < min_version) return fail("the newest TLS version allowed is older than the oldest");
  if (SSL_CTX_set_max_proto_version(ctx, max_version) != 1) return fail("cannot set the maximum TLS version");

  const bool psk = !options.psk_identity.empty();
  if (psk) {
    if (options.psk.empty()) return fail("a TLS-PSK identity needs a key");
    i->psk_identity = options.psk_identity;
    i->psk = options.psk;
    SSL_CTX_set_ex_data(ctx, psk_ex_index(), i.get());
    SSL_CTX_set_psk_client_callback(ctx, psk_client_callback);
    // TLS 1.2 offers only the PSK suites: there is no certificate to authenticate the server.
    if (options.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, "PSK") != 1) {
      return fail("this OpenSSL has no TLS-PSK cipher suite");
    }
  }

  if (psk && options.cafile.empty() && options.capath.empty()) {
    // The key authenticates the server: no trust store to load.
  } else if (options.cafile.empty() && options.capath.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) return fail("cannot load the system trust store");
  } else if (SSL_CTX_load_verify_locations(ctx, options.cafile.empty() ? nullptr : options.cafile.c_str(),
                                           options.capath.empty() ? nullptr : options.capath.c_str()) != 1) {
    return fail("cannot load CA certificates from '" + (options.cafile.empty() ? options.capath : options.cafile) + "'");
  }

  if (!options.certfile.empty() || !options.keyfile.empty()) {
    if (options.certfile.empty()) return fail("a client key needs a client certificate (certfile)");
    const std::string& keyfile = options.keyfile.empty() ? options.certfile : options.keyfile;
    if (!options.key_password.empty()) {
      i->ctx.set_password_callback(
          [pw = options.key_password](std::size_t, boost::asio::ssl::context::password_purpose) { return pw; });
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, options.certfile.c_str()) != 1) {
      return fail("cannot load client certificate '" + options.certfile + "'");
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, keyfile.c_str(), SSL_FILETYPE_PEM) != 1) {
      return fail("cannot load client key '" + keyfile + "'");
    }
    if (SSL_CTX_check_private_key(ctx) != 1) return fail("the client key does not match the client certificate");
  }
  if (!options.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, options.ciphers.c_str()) != 1) {
    return fail("no usable cipher in '" + options.ciphers + "'");
  }
  if (!options.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, options.ciphersuites.c_str()) != 1) {
    return fail("no usable TLS 1.3 cipher suite in '" + options.ciphersuites + "'");
  }
  if (!options.alpn.empty()) {
    std::string wire;
    for (const auto& p : options.alpn) {
      if (p.empty() || p.size() > 255) return fail("invalid ALPN protocol name '" + p + "'");
      wire += static_cast<char>(p.size());
      wire += p;
    }
    // Unlike most of OpenSSL, 0 is success here.
    if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0) {
      return fail("cannot set ALPN protocols");
    }
  }
  // Each connection sets its own verify callback and host name; peer verification is always
  // requested so that the verdict is known even when tls_verify::none ignores it.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return std::shared_ptr<tls_context>(new tls_context(options, std::move(i)));
}

}  // namespace mqtk::net
