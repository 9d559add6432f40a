#pragma once

// File-system helpers of the storage room.

#include <optional>
#include <string>

namespace rmcp::storage {

/// Creates `dir` and its parents when missing; a directory created here gets
/// mode 0700 (it holds the store or key files). Returns the reason on
/// failure, nullopt on success.
std::optional<std::string> create_private_directory(const std::string& dir);

} // namespace rmcp::storage
