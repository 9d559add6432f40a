// The main of every GoogleTest binary. Under `scripts/test --sanitize=...`
// it makes a sanitizer report from any process the tests start (the daemon,
// the simulator, the store writer) fail the test that started it.
//
// scripts/test sets RMCP_SANITIZER_REPORTS to its reports folder and points
// the sanitizers' log_path there. This process keeps that path for its own
// reports (which stop it, so CTest fails the test anyway) and rewrites the
// options its children inherit to a folder of its own. A child's report
// then fails this process at the end, with the report's text in the test's
// output, whatever the test did with the child's exit code or stderr (many
// tests kill their daemon, and a report on stderr would be read by no one).

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

/// `options` with its log_path entry (if any) replaced by `path`.
std::string with_log_path(const std::string& options, const std::string& path) {
  std::string out;
  std::stringstream in{options};
  std::string entry;
  while (std::getline(in, entry, ':')) {
    if (entry.empty() || entry.rfind("log_path=", 0) == 0)
      continue;
    out += entry + ":";
  }
  return out + "log_path=" + path;
}

class child_reports final : public ::testing::Environment {
public:
  explicit child_reports(fs::path dir) : dir_(std::move(dir)) {}

  void TearDown() override {
    std::error_code ec;
    bool any = false;
    for (auto& entry : fs::directory_iterator(dir_, ec)) {
      any = true;
      std::ifstream in{entry.path()};
      std::stringstream text;
      text << in.rdbuf();
      ADD_FAILURE() << "a process started by this test reported a sanitizer "
                    << "finding (" << entry.path().filename().string() << "):\n"
                    << text.str();
    }
    // Kept with its reports for scripts/test to list them again.
    if (!any)
      fs::remove(dir_, ec);
  }

private:
  fs::path dir_;
};

} // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (const char* reports = std::getenv("RMCP_SANITIZER_REPORTS")) {
    fs::path dir =
      fs::path{reports} / ("children-of-" + std::to_string(getpid()));
    std::error_code ec;
    fs::create_directories(dir, ec);
    // Open to all, like the folder above it: a child may run as another
    // user (the package test's system user).
    chmod(dir.c_str(), 01777);
    for (const char* name :
         {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS"}) {
      const char* value = std::getenv(name);
      auto options =
        with_log_path(value ? value : "", (dir / "report").string());
      setenv(name, options.c_str(), 1);
    }
    ::testing::AddGlobalTestEnvironment(new child_reports{dir});
  }
  return RUN_ALL_TESTS();
}
