#include "storage/encoding.hpp"

#include <ctime>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "protocol/hex.hpp"

namespace rmcp::storage {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";
constexpr char b64_digits[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+' || c == '-')
    return 62;
  if (c == '/' || c == '_')
    return 63;
  return -1;
}

} // namespace

std::string to_hex(std::string_view bytes) {
  std::string result;
  result.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    result += hex_digits[c >> 4];
    result += hex_digits[c & 0x0f];
  }
  return result;
}

std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() % 2 != 0)
    return std::nullopt;
  std::string result;
  result.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    auto hi = hex_digit_value(text[i]);
    auto lo = hex_digit_value(text[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    result += static_cast<char>((hi << 4) | lo);
  }
  return result;
}

std::string to_base64(std::string_view bytes) {
  std::string result;
  result.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t j) {
    return static_cast<uint32_t>(static_cast<unsigned char>(bytes[j]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    auto n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6)
      result += b64_digits[(n >> shift) & 0x3f];
  }
  auto rest = bytes.size() - i;
  if (rest > 0) {
    auto n = byte(i) << 16;
    if (rest == 2)
      n |= byte(i + 1) << 8;
    result += b64_digits[(n >> 18) & 0x3f];
    result += b64_digits[(n >> 12) & 0x3f];
    result += rest == 2 ? b64_digits[(n >> 6) & 0x3f] : '=';
    result += '=';
  }
  return result;
}

std::optional<std::string> from_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  if (text.size() % 4 == 1)
    return std::nullopt;
  std::string result;
  result.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    auto v = b64_value(c);
    if (v < 0)
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      result += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return result;
}

bool is_valid_utf8(std::string_view bytes) {
  size_t i = 0;
  auto cont = [&](size_t j) {
    return j < bytes.size()
           && (static_cast<unsigned char>(bytes[j]) & 0xc0) == 0x80;
  };
  while (i < bytes.size()) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (!cont(i + k))
        return false;
      cp = (cp << 6) | (static_cast<unsigned char>(bytes[i + k]) & 0x3f);
    }
    static constexpr uint32_t min_of[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_of[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

std::string sha256_hex(std::string_view bytes) {
  // Fetched once: OpenSSL 3's SHA256() looks the algorithm up by name in
  // its provider store on every call (locks and a hash table), which took
  // half the time of hashing an audit record. The method is shared by all
  // threads and lives as long as the process.
  static const EVP_MD* sha256 = [] {
    const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md != nullptr ? md : EVP_sha256();
  }();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, sha256, nullptr);
  return to_hex({reinterpret_cast<const char*>(digest), size});
}

} // namespace rmcp::storage

namespace rmcp::storage {

std::string to_base64url(std::string_view bytes) {
  auto out = to_base64(bytes);
  for (auto& c : out) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  while (!out.empty() && out.back() == '=')
    out.pop_back();
  return out;
}

std::string iso_utc(int64_t unix_ms) {
  auto t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace rmcp::storage
