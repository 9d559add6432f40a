// AES-256-GCM credential envelopes: round trip, wrong key, tampering, AAD
// binding to the device id, nonce uniqueness, key parsing.

#include <set>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "storage/credential_cipher.hpp"
#include "storage/encoding.hpp"

namespace rmcp {

namespace {

using storage::credential_cipher;
using storage::credential_key;

credential_key key_of(char digit) {
  return *credential_key::parse(std::string(64, digit));
}

TEST(credential_cipher, seal_then_open_returns_the_plaintext) {
  credential_cipher c{key_of('1')};
  auto sealed = c.seal("edge-01", R"({"username":"api","password":"s3cret"})");
  ASSERT_TRUE(sealed) << error_message(sealed.error());
  EXPECT_EQ(sealed->find("s3cret"), std::string::npos);
  auto opened = c.open("edge-01", *sealed);
  ASSERT_TRUE(opened) << error_message(opened.error());
  EXPECT_EQ(*opened, R"({"username":"api","password":"s3cret"})");
}

TEST(credential_cipher, empty_plaintext_round_trips) {
  credential_cipher c{key_of('1')};
  auto sealed = c.seal("d", "");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(c.open("d", *sealed), std::string{});
}

TEST(credential_cipher, the_envelope_is_versioned_and_names_the_key) {
  auto key = key_of('1');
  credential_cipher c{key};
  auto doc = parse_json(*c.seal("d", "x"));
  ASSERT_TRUE(doc);
  EXPECT_EQ((*doc)["v"], 1);
  EXPECT_EQ((*doc)["alg"], "A256GCM");
  EXPECT_EQ((*doc)["kid"], key.id());
  EXPECT_EQ(key.id().size(), 16u);
  EXPECT_EQ(storage::from_base64((*doc)["iv"].get<std::string>())->size(), 12u);
  EXPECT_EQ(storage::from_base64((*doc)["tag"].get<std::string>())->size(),
            16u);
}

TEST(credential_cipher, a_wrong_key_is_a_clear_error_naming_the_device) {
  auto sealed = credential_cipher{key_of('1')}.seal("edge-01", "pw");
  ASSERT_TRUE(sealed);
  auto opened = credential_cipher{key_of('2')}.open("edge-01", *sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(error_code_of(opened.error()), ec::store_failure);
  auto text = error_message(opened.error());
  EXPECT_NE(text.find("'edge-01'"), std::string::npos) << text;
  EXPECT_NE(text.find(key_of('1').id()), std::string::npos) << text;
  EXPECT_NE(text.find(key_of('2').id()), std::string::npos) << text;
}

TEST(credential_cipher,
     a_wrong_key_with_a_forged_key_id_still_fails_authentication) {
  auto sealed = credential_cipher{key_of('1')}.seal("edge-01", "pw");
  auto doc = *parse_json(*sealed);
  doc["kid"] = key_of('2').id();
  auto opened = credential_cipher{key_of('2')}.open("edge-01", doc.dump());
  ASSERT_FALSE(opened);
  EXPECT_NE(error_message(opened.error()).find("failed authentication"),
            std::string::npos);
}

TEST(credential_cipher,
     a_tampered_ciphertext_tag_or_nonce_fails_authentication) {
  credential_cipher c{key_of('1')};
  auto doc = *parse_json(*c.seal("edge-01", "the password"));
  for (auto field : {"ct", "tag", "iv"}) {
    auto copy = doc;
    auto raw = *storage::from_base64(copy[field].get<std::string>());
    raw[0] = static_cast<char>(raw[0] ^ 0x01);
    copy[field] = storage::to_base64(raw);
    auto opened = c.open("edge-01", copy.dump());
    ASSERT_FALSE(opened) << field;
    EXPECT_EQ(error_code_of(opened.error()), ec::store_failure);
    EXPECT_NE(error_message(opened.error()).find("'edge-01'"),
              std::string::npos);
  }
}

TEST(credential_cipher, the_device_id_is_authenticated_data) {
  credential_cipher c{key_of('1')};
  auto sealed = c.seal("edge-01", "pw");
  auto moved = c.open("edge-02", *sealed);
  ASSERT_FALSE(moved);
  EXPECT_NE(error_message(moved.error()).find("'edge-02'"), std::string::npos);
  EXPECT_TRUE(c.open("edge-01", *sealed));
}

TEST(credential_cipher, every_seal_uses_a_fresh_nonce) {
  credential_cipher c{key_of('1')};
  std::set<std::string> nonces;
  std::set<std::string> ciphertexts;
  for (int i = 0; i < 1000; ++i) {
    auto doc = *parse_json(*c.seal("d", "same plaintext"));
    nonces.insert(doc["iv"].get<std::string>());
    ciphertexts.insert(doc["ct"].get<std::string>());
  }
  EXPECT_EQ(nonces.size(), 1000u);
  EXPECT_EQ(ciphertexts.size(), 1000u);
}

TEST(credential_cipher, malformed_envelopes_are_refused_without_crashing) {
  credential_cipher c{key_of('1')};
  auto good = *parse_json(*c.seal("d", "pw"));
  std::vector<std::string> bad{"", "not json", "[]", R"({"v":2})",
                               R"({"v":"1"})"};
  auto no_iv = good;
  no_iv.erase("iv");
  bad.push_back(no_iv.dump());
  auto short_tag = good;
  short_tag["tag"] = storage::to_base64("short");
  bad.push_back(short_tag.dump());
  auto bad_b64 = good;
  bad_b64["ct"] = "!!!";
  bad.push_back(bad_b64.dump());
  for (auto& text : bad) {
    auto opened = c.open("d", text);
    ASSERT_FALSE(opened) << text;
    EXPECT_EQ(error_code_of(opened.error()), ec::store_failure) << text;
  }
}

TEST(credential_key, parses_hex_and_base64_of_32_bytes) {
  std::string raw(32, '\0');
  for (size_t i = 0; i < raw.size(); ++i)
    raw[i] = static_cast<char>(i * 7 + 1);
  auto from_hex = credential_key::parse(storage::to_hex(raw));
  auto from_b64 = credential_key::parse(storage::to_base64(raw));
  auto upper_hex = storage::to_hex(raw);
  for (auto& ch : upper_hex)
    ch = static_cast<char>(std::toupper(ch));
  auto from_upper = credential_key::parse("  " + upper_hex + "\n");
  ASSERT_TRUE(from_hex);
  ASSERT_TRUE(from_b64);
  ASSERT_TRUE(from_upper);
  EXPECT_EQ(from_hex->id(), from_b64->id());
  EXPECT_EQ(from_hex->id(), from_upper->id());
  EXPECT_EQ(from_hex->to_hex(), storage::to_hex(raw));
}

TEST(credential_key, url_safe_base64_without_padding_is_accepted) {
  std::string raw(32, '\xfb'); // encodes to '+'/'-' and '/'/'_' heavy text
  auto standard = storage::to_base64(raw);
  auto url = standard;
  for (auto& ch : url)
    ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  while (url.back() == '=')
    url.pop_back();
  ASSERT_TRUE(credential_key::parse(url));
  EXPECT_EQ(credential_key::parse(url)->id(),
            credential_key::parse(standard)->id());
}

TEST(credential_key,
     wrong_lengths_and_garbage_are_refused_without_echoing_them) {
  for (std::string text :
       {std::string{}, std::string(63, 'a'), std::string(66, 'a'),
        storage::to_base64("short"), std::string{"zz-not-a-key-zz"}}) {
    auto key = credential_key::parse(text);
    ASSERT_FALSE(key) << text;
    EXPECT_EQ(error_code_of(key.error()), ec::invalid_params);
    if (text.size() > 4) {
      EXPECT_EQ(error_message(key.error()).find(text), std::string::npos);
    }
  }
}

TEST(credential_key, generated_keys_differ) {
  auto a = credential_key::generate();
  auto b = credential_key::generate();
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->id(), b->id());
  EXPECT_EQ(a->to_hex().size(), 64u);
}

TEST(encoding, base64_round_trips_every_length) {
  std::string raw;
  for (int n = 0; n < 70; ++n) {
    EXPECT_EQ(storage::from_base64(storage::to_base64(raw)), raw) << n;
    raw.push_back(static_cast<char>(n * 37));
  }
  EXPECT_EQ(storage::to_base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(storage::to_base64("fo"), "Zm8=");
  EXPECT_EQ(storage::from_base64("Zm9vYg=="), "foob");
}

TEST(encoding, utf8_validation_accepts_text_and_rejects_broken_sequences) {
  EXPECT_TRUE(storage::is_valid_utf8("plain / ascii"));
  EXPECT_TRUE(
    storage::is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(storage::is_valid_utf8("caf\xe9"));
  EXPECT_FALSE(storage::is_valid_utf8("\xc0\xaf"));     // overlong
  EXPECT_FALSE(storage::is_valid_utf8("\xed\xa0\x80")); // surrogate
  EXPECT_FALSE(storage::is_valid_utf8("\xe2\x82"));     // truncated
}

} // namespace

} // namespace rmcp
