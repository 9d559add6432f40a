#include "storage/files.hpp"

#include <filesystem>

namespace rmcp::storage {

std::optional<std::string> create_private_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code err;
  if (fs::is_directory(dir, err))
    return std::nullopt;
  if (!fs::create_directories(dir, err) && err)
    return err.message();
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, err);
  return std::nullopt;
}

} // namespace rmcp::storage
