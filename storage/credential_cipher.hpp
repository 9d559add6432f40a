#pragma once

// Credential encryption at rest: AES-256-GCM (OpenSSL EVP) with a random
// 96-bit nonce per encryption and the device id as additional authenticated
// data, so a ciphertext copied to another device's record fails to decrypt.
//
// Envelope (JSON text stored in the credentials table):
//   {"v":1,"alg":"A256GCM","kid":"<16 hex>","iv":"<b64>","ct":"<b64>",
//    "tag":"<b64>"}
// `kid` is the first 8 bytes of SHA-256(key) in hex: it names the key that
// sealed the record (a wrong key gives a clear message instead of garbage)
// and lets a later key-rotation command find what to re-encrypt.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace rmcp::storage {

/// A 32-byte AES-256 key. Wiped from memory on destruction.
class credential_key {
public:
  static constexpr size_t size = 32;

  /// Parses 64 hex characters or base64 (standard or URL-safe, padding
  /// optional) of exactly 32 bytes; surrounding white space is ignored.
  /// The error never repeats the text.
  static caf::expected<credential_key> parse(std::string_view text);

  /// 32 bytes from the OpenSSL random generator.
  static caf::expected<credential_key> generate();

  credential_key(const credential_key& other);
  credential_key& operator=(const credential_key& other);
  ~credential_key();

  /// Key id: hex of the first 8 bytes of SHA-256(key).
  const std::string& id() const noexcept {
    return id_;
  }

  /// The key as 64 lower-case hex characters (the key file format).
  std::string to_hex() const;

  const unsigned char* data() const noexcept {
    return bytes_.data();
  }

private:
  explicit credential_key(const std::array<unsigned char, size>& bytes);

  std::array<unsigned char, size> bytes_;
  std::string id_;
};

class credential_cipher {
public:
  /// Envelope format version written by `seal`.
  static constexpr int envelope_version = 1;

  explicit credential_cipher(credential_key key);

  /// Encrypts `plaintext` for `device_id`; returns the envelope text.
  caf::expected<std::string> seal(std::string_view device_id,
                                  std::string_view plaintext) const;

  /// Decrypts an envelope sealed for `device_id`. Fails with store_failure
  /// naming the device when the envelope is malformed, was sealed with
  /// another key, or does not authenticate (tampered, or moved from another
  /// device).
  caf::expected<std::string> open(std::string_view device_id,
                                  std::string_view envelope) const;

  const std::string& key_id() const noexcept {
    return key_.id();
  }

private:
  credential_key key_;
};

} // namespace rmcp::storage
