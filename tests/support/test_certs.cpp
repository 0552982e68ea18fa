#include "support/test_certs.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "support/process.hpp"

namespace mqtk::test {

namespace {

struct pkey_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct x509_free {
  void operator()(X509* p) const { X509_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

[[noreturn]] void fail(const std::string& what) {
  std::string msg = "test_certs: " + what;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg += "; ";
    msg += buf;
  }
  throw std::runtime_error(msg);
}

void check(int ok, const char* what) {
  if (ok <= 0) fail(what);
}

pkey_ptr make_key() {
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) fail("EVP_EC_gen");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) fail(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  check(ok, "X509_add_ext");
}

struct cert_spec {
  const char* common_name;
  const char* subject_alt_names = nullptr;  // "DNS:localhost,IP:127.0.0.1"
  bool is_ca = false;
  bool client_auth = false;
  long not_before_s = -3600;        // relative to now
  long not_after_s = 30L * 86400L;  // relative to now
};

// Signs with (issuer, issuer_key); a null issuer makes it self-signed.
x509_ptr make_cert(const cert_spec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  x509_ptr cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), 2), "X509_set_version");
  // Random serials: two certificates from different CAs with equal serials confuse nobody,
  // but repeated runs must not produce identical issuer+serial pairs in a trust store.
  unsigned char serial_bytes[16];
  check(RAND_bytes(serial_bytes, sizeof serial_bytes), "RAND_bytes");
  serial_bytes[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  if (!bn) fail("BN_bin2bn");
  ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, nullptr);
  BN_free(bn);
  if (!serial) fail("BN_to_ASN1_INTEGER");
  const int serial_ok = X509_set_serialNumber(cert.get(), serial);
  ASN1_INTEGER_free(serial);
  check(serial_ok, "X509_set_serialNumber");

  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_s)) fail("notBefore");
  if (!X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after_s)) fail("notAfter");

  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("mqtk tests"),
                                   -1, -1, 0),
        "subject O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(spec.common_name), -1, -1, 0),
        "subject CN");
  check(X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name), "issuer");
  check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");

  X509* ext_issuer = issuer ? issuer : cert.get();
  if (spec.is_ca) {
    add_ext(cert.get(), ext_issuer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), ext_issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), ext_issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), ext_issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(cert.get(), ext_issuer, NID_ext_key_usage, spec.client_auth ? "clientAuth" : "serverAuth");
  }
  add_ext(cert.get(), ext_issuer, NID_subject_key_identifier, "hash");
  if (issuer) add_ext(cert.get(), ext_issuer, NID_authority_key_identifier, "keyid:always");
  if (spec.subject_alt_names) add_ext(cert.get(), ext_issuer, NID_subject_alt_name, spec.subject_alt_names);

  if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) <= 0) fail("X509_sign");
  return cert;
}

void write_pem(const std::filesystem::path& file, X509* cert, EVP_PKEY* key) {
  BIO* bio = BIO_new_file(file.c_str(), "w");
  if (!bio) fail("cannot create " + file.string());
  const int ok = cert ? PEM_write_bio_X509(bio, cert)
                      : PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(bio);
  check(ok, "PEM write");
  ::chmod(file.c_str(), 0644);
}

cert_pair save(const std::filesystem::path& dir, const char* stem, X509* cert, EVP_PKEY* key) {
  cert_pair p{dir / (std::string(stem) + ".crt"), dir / (std::string(stem) + ".key")};
  write_pem(p.cert, cert, nullptr);
  write_pem(p.key, nullptr, key);
  return p;
}

constexpr const char* server_sans = "DNS:localhost,IP:127.0.0.1,IP:::1";

test_certs generate(const std::filesystem::path& dir) {
  test_certs certs;
  certs.dir = dir;

  auto ca_key = make_key();
  auto ca = make_cert({.common_name = "mqtk test CA", .is_ca = true, .not_after_s = 3650L * 86400L}, ca_key.get(),
                      nullptr, nullptr);
  certs.ca = save(dir, "ca", ca.get(), ca_key.get());

  auto other_key = make_key();
  auto other = make_cert({.common_name = "mqtk untrusted CA", .is_ca = true, .not_after_s = 3650L * 86400L},
                         other_key.get(), nullptr, nullptr);
  certs.other_ca = save(dir, "other_ca", other.get(), other_key.get());

  auto server_key = make_key();
  auto server = make_cert({.common_name = "localhost", .subject_alt_names = server_sans}, server_key.get(), ca.get(),
                          ca_key.get());
  certs.server = save(dir, "server", server.get(), server_key.get());

  auto client_key = make_key();
  auto client =
      make_cert({.common_name = "mqtk-test-client", .client_auth = true}, client_key.get(), ca.get(), ca_key.get());
  certs.client = save(dir, "client", client.get(), client_key.get());

  auto expired_key = make_key();
  auto expired = make_cert({.common_name = "localhost",
                            .subject_alt_names = server_sans,
                            .not_before_s = -30L * 86400L,
                            .not_after_s = -86400L},
                           expired_key.get(), ca.get(), ca_key.get());
  certs.expired_server = save(dir, "expired_server", expired.get(), expired_key.get());

  auto unknown_key = make_key();
  auto unknown = make_cert({.common_name = "localhost", .subject_alt_names = server_sans}, unknown_key.get(),
                           other.get(), other_key.get());
  certs.unknown_ca_server = save(dir, "unknown_ca_server", unknown.get(), unknown_key.get());

  auto wrong_key = make_key();
  auto wrong = make_cert({.common_name = "wrong.example.com", .subject_alt_names = "DNS:wrong.example.com"},
                         wrong_key.get(), ca.get(), ca_key.get());
  certs.wrong_host_server = save(dir, "wrong_host_server", wrong.get(), wrong_key.get());

  auto future_key = make_key();
  auto future = make_cert({.common_name = "localhost",
                           .subject_alt_names = server_sans,
                           .not_before_s = 30L * 86400L,
                           .not_after_s = 60L * 86400L},
                          future_key.get(), ca.get(), ca_key.get());
  certs.not_yet_valid_server = save(dir, "not_yet_valid_server", future.get(), future_key.get());

  auto ip_key = make_key();
  auto ip_only = make_cert({.common_name = "127.0.0.1", .subject_alt_names = "IP:127.0.0.1"}, ip_key.get(), ca.get(),
                           ca_key.get());
  certs.ip_only_server = save(dir, "ip_only_server", ip_only.get(), ip_key.get());

  auto uclient_key = make_key();
  auto uclient = make_cert({.common_name = "mqtk-untrusted-client", .client_auth = true}, uclient_key.get(),
                           other.get(), other_key.get());
  certs.unknown_ca_client = save(dir, "unknown_ca_client", uclient.get(), uclient_key.get());
  return certs;
}

}  // namespace

const test_certs& test_certs::get() {
  // Function-local statics: generated once, thread-safe, and the directory is removed at exit
  // (after every broker object, which are test-scoped, is gone).
  static const temp_dir dir("mqtk-certs");
  static const test_certs certs = generate(dir.path());
  return certs;
}

}  // namespace mqtk::test
