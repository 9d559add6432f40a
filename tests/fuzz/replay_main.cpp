// The replay driver of the normal build: runs a fuzz target's entry point on
// every file under the folders (or files) given on the command line, the
// checked-in corpus and the regression inputs. A crash or a broken
// property aborts the process, so the CTest fails and names the input.
// `--if-present PATH` skips PATH when it does not exist (a target without
// regression inputs yet). Without libFuzzer this finds nothing new; it keeps every target compiling,
// linked and passing its known inputs in the gcc build.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_target.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  bool optional = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view{argv[i]} == "--if-present") {
      optional = true;
      continue;
    }
    fs::path p{argv[i]};
    std::error_code err;
    if (optional && !fs::exists(p, err)) {
      optional = false;
      continue;
    }
    optional = false;
    if (fs::is_directory(p, err)) {
      for (auto& entry : fs::recursive_directory_iterator(p))
        if (entry.is_regular_file())
          inputs.push_back(entry.path());
    } else if (fs::is_regular_file(p, err)) {
      inputs.push_back(p);
    } else {
      std::cerr << "replay: no such file or folder: " << p << "\n";
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::cerr << "replay: no inputs\n";
    return 2;
  }
  for (auto& p : inputs) {
    std::ifstream in{p, std::ios::binary};
    std::string bytes{std::istreambuf_iterator<char>{in}, {}};
    // Printed first, so the log names the input that aborted.
    std::cerr << "replay: " << p.string() << " (" << bytes.size()
              << " bytes)\n";
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                           bytes.size());
  }
  std::cout << "replay: " << inputs.size() << " inputs, no failure\n";
  return 0;
}
