#include "storage/credential_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "storage/encoding.hpp"

namespace rmcp::storage {

namespace {

constexpr int iv_size = 12;
constexpr int tag_size = 16;

using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

ctx_ptr new_ctx() {
  return {EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
}

const unsigned char* bytes_of(std::string_view x) {
  return reinterpret_cast<const unsigned char*>(x.data());
}

std::string_view trim(std::string_view x) {
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (!x.empty() && ws(x.front()))
    x.remove_prefix(1);
  while (!x.empty() && ws(x.back()))
    x.remove_suffix(1);
  return x;
}

caf::error crypto_failure(std::string_view what) {
  return make_error(ec::store_failure,
                    "OpenSSL failed to " + std::string{what});
}

caf::error bad_envelope(std::string_view device_id, std::string_view why) {
  return make_error(ec::store_failure,
                    "the stored credential of device '" + std::string{device_id}
                      + "' is unreadable: " + std::string{why});
}

std::string string_field(const json& obj, const char* name) {
  auto i = obj.find(name);
  return i != obj.end() && i->is_string() ? i->get<std::string>()
                                          : std::string{};
}

} // namespace

// -- credential_key -------------------------------------------------------------

credential_key::credential_key(const std::array<unsigned char, size>& bytes)
  : bytes_(bytes) {
  auto digest =
    sha256_hex({reinterpret_cast<const char*>(bytes_.data()), size});
  id_ = digest.substr(0, 16);
}

credential_key::credential_key(const credential_key& other) = default;

credential_key& credential_key::operator=(const credential_key& other) {
  bytes_ = other.bytes_;
  id_ = other.id_;
  return *this;
}

credential_key::~credential_key() {
  OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

caf::expected<credential_key> credential_key::parse(std::string_view text) {
  text = trim(text);
  std::optional<std::string> raw;
  if (text.size() == 2 * size)
    raw = from_hex(text);
  if (!raw)
    raw = from_base64(text);
  if (!raw || raw->size() != size) {
    if (raw)
      OPENSSL_cleanse(raw->data(), raw->size());
    return make_error(ec::invalid_params,
                      "the credential key must be 32 bytes written as 64 hex "
                      "characters or as base64 (44 characters with padding)");
  }
  std::array<unsigned char, size> bytes;
  std::copy(raw->begin(), raw->end(), bytes.begin());
  OPENSSL_cleanse(raw->data(), raw->size());
  credential_key result{bytes};
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return result;
}

caf::expected<credential_key> credential_key::generate() {
  std::array<unsigned char, size> bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(size)) != 1)
    return crypto_failure("generate a random key");
  credential_key result{bytes};
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return result;
}

std::string credential_key::to_hex() const {
  return storage::to_hex({reinterpret_cast<const char*>(bytes_.data()), size});
}

// -- credential_cipher ----------------------------------------------------------

credential_cipher::credential_cipher(credential_key key)
  : key_(std::move(key)) {
  // nop
}

caf::expected<std::string>
credential_cipher::seal(std::string_view device_id,
                        std::string_view plaintext) const {
  unsigned char iv[iv_size];
  if (RAND_bytes(iv, iv_size) != 1)
    return crypto_failure("generate a nonce");
  auto ctx = new_ctx();
  std::string ct(plaintext.size(), '\0');
  unsigned char tag[tag_size];
  int len = 0;
  int total = 0;
  auto* out = reinterpret_cast<unsigned char*>(ct.data());
  if (!ctx
      || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                            nullptr)
           != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, iv_size,
                             nullptr)
           != 1
      || EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), iv) != 1
      || EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes_of(device_id),
                           static_cast<int>(device_id.size()))
           != 1
      || EVP_EncryptUpdate(ctx.get(), out, &len, bytes_of(plaintext),
                           static_cast<int>(plaintext.size()))
           != 1)
    return crypto_failure("encrypt a credential");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), out + total, &len) != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size, tag)
           != 1)
    return crypto_failure("encrypt a credential");
  total += len;
  ct.resize(static_cast<size_t>(total));
  json envelope{
    {"v", envelope_version},
    {"alg", "A256GCM"},
    {"kid", key_.id()},
    {"iv", to_base64({reinterpret_cast<const char*>(iv), iv_size})},
    {"ct", to_base64(ct)},
    {"tag", to_base64({reinterpret_cast<const char*>(tag), tag_size})},
  };
  return envelope.dump();
}

caf::expected<std::string>
credential_cipher::open(std::string_view device_id,
                        std::string_view envelope) const {
  auto doc = parse_json(envelope);
  if (!doc || !doc->is_object())
    return bad_envelope(device_id, "not an encrypted envelope");
  auto version = doc->find("v");
  if (version == doc->end() || !version->is_number_integer()
      || *version != envelope_version)
    return bad_envelope(
      device_id,
      "unsupported envelope version "
        + (version == doc->end() ? std::string{"(none)"} : version->dump()));
  if (string_field(*doc, "alg") != "A256GCM")
    return bad_envelope(device_id, "unsupported algorithm");
  auto kid = string_field(*doc, "kid");
  if (kid != key_.id())
    return make_error(
      ec::store_failure,
      "cannot decrypt the credential of device '" + std::string{device_id}
        + "': it was encrypted with key " + kid + " but the configured key is "
        + key_.id()
        + "; provide the original key (ROUTEROS_MCP_ENCRYPTION_KEY or "
          "store.key_file) or store the device's password again");
  auto iv = from_base64(string_field(*doc, "iv"));
  auto ct = from_base64(string_field(*doc, "ct"));
  auto tag = from_base64(string_field(*doc, "tag"));
  if (!iv || iv->size() != iv_size || !ct || !tag || tag->size() != tag_size)
    return bad_envelope(device_id, "malformed nonce, ciphertext or tag");
  auto ctx = new_ctx();
  std::string pt(ct->size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(pt.data());
  int len = 0;
  int total = 0;
  if (!ctx
      || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                            nullptr)
           != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, iv_size,
                             nullptr)
           != 1
      || EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(),
                            bytes_of(*iv))
           != 1
      || EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes_of(device_id),
                           static_cast<int>(device_id.size()))
           != 1
      || EVP_DecryptUpdate(ctx.get(), out, &len, bytes_of(*ct),
                           static_cast<int>(ct->size()))
           != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size,
                             tag->data())
           != 1)
    return crypto_failure("decrypt a credential");
  total = len;
  if (EVP_DecryptFinal_ex(ctx.get(), out + total, &len) != 1) {
    OPENSSL_cleanse(pt.data(), pt.size());
    return make_error(ec::store_failure,
                      "the credential of device '" + std::string{device_id}
                        + "' failed authentication: it was tampered with or "
                          "copied from another device; store the device's "
                          "password again");
  }
  total += len;
  pt.resize(static_cast<size_t>(total));
  return pt;
}

} // namespace rmcp::storage
