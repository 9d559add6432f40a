#include "src/app/cluster_tls.hpp"

#include <cstdio>
#include <memory>
#include <string>

#include <caf/openssl/manager.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "protocol/error.hpp"

namespace rmcp::app {

namespace {

struct file_closer {
  void operator()(FILE* f) const {
    std::fclose(f);
  }
};
struct x509_free {
  void operator()(X509* x) const {
    X509_free(x);
  }
};
struct pkey_free {
  void operator()(EVP_PKEY* k) const {
    EVP_PKEY_free(k);
  }
};
struct store_free {
  void operator()(X509_STORE* s) const {
    X509_STORE_free(s);
  }
};
struct store_ctx_free {
  void operator()(X509_STORE_CTX* c) const {
    X509_STORE_CTX_free(c);
  }
};

using x509_ptr = std::unique_ptr<X509, x509_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

caf::error bad(const std::string& key, const std::string& path,
               const std::string& why) {
  return make_error(ec::invalid_params, key + ": " + why + " ('" + path + "')");
}

/// The oldest OpenSSL error of this thread, cleared.
std::string ssl_reason() {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return "not PEM";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

std::unique_ptr<FILE, file_closer> open_file(const std::string& path) {
  return std::unique_ptr<FILE, file_closer>{std::fopen(path.c_str(), "rb")};
}

caf::expected<x509_ptr> read_cert(const std::string& key,
                                  const std::string& path) {
  auto f = open_file(path);
  if (!f)
    return bad(key, path, "cannot be read");
  x509_ptr x{PEM_read_X509(f.get(), nullptr, nullptr, nullptr)};
  if (!x)
    return bad(key, path, "holds no PEM certificate (" + ssl_reason() + ")");
  return x;
}

} // namespace

bool cluster_tls(const config::server_options& opts) {
  return !opts.cluster_tls_ca.empty() || !opts.cluster_tls_cert.empty()
         || !opts.cluster_tls_key.empty();
}

caf::error check_cluster_tls(const config::server_options& opts) {
  if (!cluster_tls(opts))
    return caf::none;
  const std::pair<const char*, const std::string*> keys[] = {
    {"cluster.tls.ca", &opts.cluster_tls_ca},
    {"cluster.tls.cert", &opts.cluster_tls_cert},
    {"cluster.tls.key", &opts.cluster_tls_key}};
  for (auto& [key, value] : keys)
    if (value->empty())
      return make_error(ec::invalid_params,
                        std::string{key}
                          + ": missing; TLS between nodes needs "
                            "cluster.tls.ca, cluster.tls.cert and "
                            "cluster.tls.key (or none of them)");
  ERR_clear_error();
  auto ca = read_cert("cluster.tls.ca", opts.cluster_tls_ca);
  if (!ca)
    return ca.error();
  auto cert = read_cert("cluster.tls.cert", opts.cluster_tls_cert);
  if (!cert)
    return cert.error();
  auto kf = open_file(opts.cluster_tls_key);
  if (!kf)
    return bad("cluster.tls.key", opts.cluster_tls_key, "cannot be read");
  // No passphrase callback: an encrypted key fails here instead of asking
  // on the terminal.
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  pkey_ptr pkey{PEM_read_PrivateKey(kf.get(), nullptr, no_passphrase, nullptr)};
  if (!pkey)
    return bad("cluster.tls.key", opts.cluster_tls_key,
               "holds no unencrypted PEM private key (" + ssl_reason() + ")");
  if (X509_check_private_key(cert->get(), pkey.get()) != 1) {
    ERR_clear_error();
    return bad("cluster.tls.key", opts.cluster_tls_key,
               "does not match the certificate of cluster.tls.cert");
  }
  std::unique_ptr<X509_STORE, store_free> store{X509_STORE_new()};
  std::unique_ptr<X509_STORE_CTX, store_ctx_free> ctx{X509_STORE_CTX_new()};
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca->get()) != 1
      || X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr) != 1)
    return make_error(ec::internal_error,
                      "cluster.tls: cannot check the certificate ("
                        + ssl_reason() + ")");
  if (X509_verify_cert(ctx.get()) != 1) {
    auto why =
      X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    return bad("cluster.tls.cert", opts.cluster_tls_cert,
               std::string{"is not a valid certificate of the cluster CA "
                           "(cluster.tls.ca): "}
                 + why);
  }
  return caf::none;
}

void configure_cluster_tls(caf::actor_system_config& cfg,
                           const config::server_options& opts) {
  cfg.load<caf::openssl::manager>();
  cfg.openssl_certificate = opts.cluster_tls_cert;
  cfg.openssl_key = opts.cluster_tls_key;
  cfg.openssl_cafile = opts.cluster_tls_ca;
}

} // namespace rmcp::app
