#pragma once

// A fresh directory under $TMPDIR (or /tmp), removed with its contents when
// the object goes away.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace rmcp::test {

class temp_dir {
public:
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
      std::string{base != nullptr ? base : "/tmp"} + "/rmcp-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      ADD_FAILURE() << "mkdtemp failed for " << pattern;
    path_ = pattern;
  }

  ~temp_dir() {
    std::error_code err;
    std::filesystem::remove_all(path_, err);
  }

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const noexcept {
    return path_;
  }

  /// `path()` + "/" + `name`.
  std::string operator/(const std::string& name) const {
    return path_ + "/" + name;
  }

private:
  std::string path_;
};

} // namespace rmcp::test
