#include "sim/tls.hpp"

#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace rmcp::sim {

namespace {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const {
    Free(p);
  }
};

using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;

void check(bool ok, const char* what) {
  if (!ok)
    throw std::runtime_error(std::string{"tls: "} + what + " failed");
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

void add_ext(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

} // namespace

tls_identity make_self_signed() {
  pkey_ptr key{EVP_EC_gen("P-256")};
  check(key != nullptr, "EVP_EC_gen");
  x509_ptr cert{X509_new()};
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()),
                   static_cast<long>(std::time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
    name, "CN", MBSTRING_ASC,
    reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  add_ext(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  add_ext(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_ext(cert.get(), NID_ext_key_usage, "serverAuth");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

  tls_identity id;
  bio_ptr cbio{BIO_new(BIO_s_mem())};
  check(PEM_write_bio_X509(cbio.get(), cert.get()) == 1, "PEM_write_bio_X509");
  id.certificate_pem = bio_text(cbio.get());
  bio_ptr kbio{BIO_new(BIO_s_mem())};
  check(PEM_write_bio_PrivateKey(kbio.get(), key.get(), nullptr, nullptr, 0,
                                 nullptr, nullptr)
          == 1,
        "PEM_write_bio_PrivateKey");
  id.private_key_pem = bio_text(kbio.get());

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  check(X509_digest(cert.get(), EVP_sha256(), md, &len) == 1, "X509_digest");
  for (unsigned i = 0; i < len; ++i) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02X", md[i]);
    if (i > 0)
      id.fingerprint_sha256 += ':';
    id.fingerprint_sha256 += buf;
  }
  return id;
}

} // namespace rmcp::sim
