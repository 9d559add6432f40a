#pragma once

// Where the credential encryption key comes from. The daemon and the admin
// CLI resolve it the same way, so both always use the same key:
//
// 1. ROUTEROS_MCP_ENCRYPTION_KEY, when set and not empty (wins over 2);
// 2. the file named by `store.key_file`;
// 3. lab only: `<data_dir>/credential.key`, generated (32 random bytes as 64
//    hex characters, mode 0600) by the first process that needs it and
//    reused by every later one.
// In staging and prod, without 1 or 2 nothing starts.
//
// Key text (variable or file): 64 hex characters, or base64 (standard or
// URL-safe) of 32 bytes. The key is never logged; only its id is.

#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "storage/credential_cipher.hpp"

namespace rmcp::storage {

/// File name of the generated lab key inside the data directory.
inline constexpr const char* generated_key_name = "credential.key";

/// File name of the generated lab approval key inside the data directory.
inline constexpr const char* generated_approval_key_name = "approval.key";

struct key_request {
  /// What the key is for, in messages ("credential encryption key").
  std::string purpose = "credential encryption key";
  /// Variable that wins over the file.
  std::string env_var = "ROUTEROS_MCP_ENCRYPTION_KEY";
  /// Config key naming the key file, for messages.
  std::string file_option = "store.key_file";
  /// File name of the generated lab key inside `data_dir`.
  std::string generated_name = generated_key_name;
  /// lab, staging or prod.
  std::string environment = "lab";
  /// `store.key_file`; empty = none.
  std::string key_file;
  /// `data_dir` (for the generated lab key).
  std::string data_dir;
  /// The value of ROUTEROS_MCP_ENCRYPTION_KEY; nullopt = unset.
  std::optional<std::string> env_key;
};

struct loaded_key {
  credential_key key;
  /// Where it came from, for logs and `config check` (never the key).
  std::string source;
};

/// The request for the plan approval (HMAC) key: ROUTEROS_MCP_APPROVAL_KEY,
/// else `key_file` (plans.approval_key_file), else in lab
/// `<data_dir>/approval.key` (generated, 0600). Never the credential key.
key_request approval_key_request(std::string environment, std::string key_file,
                                 std::string data_dir,
                                 std::optional<std::string> env_key);

/// Resolves the key; in lab, generates the key file when there is none.
/// Errors (invalid_params) say what is wrong and how to provide a key.
caf::expected<loaded_key> load_credential_key(const key_request& req);

/// Validates the key source without creating anything: returns where the
/// key will come from ("... (will be generated)" for a missing lab key).
caf::expected<std::string> check_credential_key(const key_request& req);

} // namespace rmcp::storage
