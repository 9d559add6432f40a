#pragma once

// Credential key rotation: every stored credential re-encrypted under a new
// key in one write transaction (all or nothing), and the key file replaced
// only after that transaction committed. `routeros-mcp key rotate` runs it
// (docs/security.md); the daemon must be restarted afterwards (it holds the
// old key in memory).

#include <cstdint>
#include <string>

#include <caf/expected.hpp>

#include "storage/credential_cipher.hpp"
#include "storage/kv.hpp"

namespace rmcp::storage {

/// Re-encrypts every credential from `from` to `to`; returns how many.
/// Fails without changing anything when one does not open with `from`
/// (naming the device).
caf::expected<uint64_t> rekey_credentials(kv_store& kv,
                                          const credential_key& from,
                                          const credential_key& to);

/// Writes `key` (64 hex characters, mode 0600) to `path` + ".new" and
/// fsyncs it; `commit_key_file` renames it over `path`.
caf::error stage_key_file(const std::string& path, const credential_key& key);
caf::error commit_key_file(const std::string& path);

} // namespace rmcp::storage
