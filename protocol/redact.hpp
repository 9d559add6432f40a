#pragma once

// Secrets never leave the service: the one rule that says which RouterOS
// and MCP field names hold secrets, and the redactions built on it:
// RouterOS export text (`key=value` words) that configuration snapshots go
// through before they are stored or shown, JSON values (tool results in
// tool_call::finish, audited arguments) and free text (audited error
// texts: also `Authorization: Bearer …` and API tokens `rmcp_…`).

#include <string>
#include <string_view>

#include "protocol/json.hpp"

namespace rmcp {

/// What a redacted value is replaced with.
inline constexpr std::string_view redacted_value = "*****";

/// True for field names that hold secrets: passwords, pre-shared keys,
/// passphrases, private keys, WEP, BGP and management-protection keys,
/// SNMP communities, tokens, secrets, API keys, authorization, credentials
/// (RouterOS spelling with '-' or MCP spelling with '_', any case), and
/// `key` or `pin` alone.
bool is_secret_key(std::string_view key);

/// The export text with the value of every secret `key=value` word
/// (quoted or not) replaced by `redacted_value`.
std::string redact_export(std::string_view text);

/// A copy of `value` where every string or number member whose name is a
/// secret key is replaced by `redacted_value`, at any depth. Structure and
/// the types of everything else are kept (outputs still match their
/// schemas).
json redact_json(json value);

/// Free text: `redact_export`, plus `name: value` and `"name": "value"`
/// pairs with a secret name, `Bearer <token>` and API tokens `rmcp_…`.
std::string redact_text(std::string_view text);

} // namespace rmcp
