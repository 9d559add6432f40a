#pragma once

// Terminal helpers of the admin CLI: secrets without echo or argv, and
// plain-text tables.

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace rmcp::cli {

/// Where a password comes from, in order of precedence.
struct secret_source {
  /// Read the whole file (one trailing newline is dropped).
  std::string file;
  /// Read this environment variable.
  std::string env;
  /// Variable used when neither `file` nor `env` is given and it is set.
  std::string default_env;
  /// Prompt on the terminal (no echo) when nothing else is given.
  bool may_prompt = true;
  /// Prompt text.
  std::string prompt = "Password: ";
};

/// The secret, or nullopt when no source was given and prompting is off or
/// impossible (stdin is not a terminal). Fails for an unreadable or empty
/// file and an unset variable, naming it.
caf::expected<std::optional<std::string>> read_secret(const secret_source& src);

/// Reads an SSH private key file (OpenSSH or PEM text, no passphrase) for
/// the credential store; fails naming the file when it is unreadable or
/// holds no private key.
caf::expected<std::string> read_ssh_key_file(const std::string& path);

/// Asks a yes/no question on the terminal; false when stdin is not one.
bool confirm(const std::string& question);

/// Left-aligned columns separated by two spaces; `rows[0]` is the header.
std::string render_table(const std::vector<std::vector<std::string>>& rows);

} // namespace rmcp::cli
