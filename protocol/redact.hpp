#pragma once

// Secrets never leave the service: the one rule that says which RouterOS
// and MCP field names hold secrets, and the redaction of RouterOS export
// text (`key=value` words) that configuration snapshots go through before
// they are stored or shown.

#include <string>
#include <string_view>

namespace rmcp {

/// What a redacted value is replaced with.
inline constexpr std::string_view redacted_value = "*****";

/// True for field names that hold secrets: passwords, pre-shared keys,
/// passphrases, private keys, tokens, secrets (RouterOS spelling with '-'
/// or MCP spelling with '_', any case).
bool is_secret_key(std::string_view key);

/// The export text with the value of every secret `key=value` word
/// (quoted or not) replaced by `redacted_value`.
std::string redact_export(std::string_view text);

} // namespace rmcp
