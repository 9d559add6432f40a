#pragma once

// Byte-string text encodings used by the store: hex and base64.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rmcp::storage {

/// Lower-case hex.
std::string to_hex(std::string_view bytes);

/// Decodes hex (either case); nullopt on odd length or a non-hex character.
std::optional<std::string> from_hex(std::string_view text);

/// Standard base64 with padding (RFC 4648 §4).
std::string to_base64(std::string_view bytes);

/// Base64 in the URL-safe alphabet without padding (RFC 4648 §5; JWTs,
/// API tokens).
std::string to_base64url(std::string_view bytes);

/// Unix milliseconds as "2026-01-31T10:00:00Z" (UTC).
std::string iso_utc(int64_t unix_ms);

/// Decodes base64 in the standard or the URL-safe alphabet, with or without
/// padding; nullopt on any other character or a malformed length.
std::optional<std::string> from_base64(std::string_view text);

/// True when `bytes` is well-formed UTF-8 (what JSON strings can carry).
bool is_valid_utf8(std::string_view bytes);

/// Hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

} // namespace rmcp::storage
