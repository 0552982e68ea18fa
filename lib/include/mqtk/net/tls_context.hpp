#pragma once
// A client TLS configuration (trust store, client certificate, versions, ciphers) loaded once
// and shared by any number of connections: loading a CA file per connection would dominate a
// benchmark of thousands of TLS connections.
#include <memory>

#include "mqtk/net/connect_failure.hpp"
#include "mqtk/net/tls_options.hpp"

namespace mqtk::net {

class tls_context {
 public:
  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  const tls_options& options() const { return options_; }
  // The SSL_CTX*, for code that needs OpenSSL directly.
  void* native_handle() const;

  struct impl;
  impl& get() const { return *impl_; }

 private:
  friend std::shared_ptr<tls_context> make_tls_context(const tls_options&, connect_failure*);
  tls_context(tls_options options, std::unique_ptr<impl> i);

  tls_options options_;
  std::unique_ptr<impl> impl_;
};

// Loads the trust store, client certificate and key, versions and ciphers. On failure returns
// null and, if `failure` is given, fills it (error tls_setup_failed, openssl_error says which
// file or setting).
std::shared_ptr<tls_context> make_tls_context(const tls_options& options, connect_failure* failure = nullptr);

}  // namespace mqtk::net
