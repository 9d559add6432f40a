// The YAML configuration file (src/config): any text is applied key by key
// or refused with an error; never a crash or an escaping exception. Options
// that were accepted are written back as YAML (`config show`), and that
// text must load again to the same options.

#include "fuzz_target.hpp"

#include <string>

#include "src/config/options_table.hpp"

using namespace rmcp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  config::server_options opts;
  std::string text{fuzz::as_text(data, size)};
  if (config::apply_yaml_text(opts, text, "fuzz.yaml"))
    return 0;
  auto written = config::to_yaml(opts);
  config::server_options again;
  FUZZ_CHECK(!config::apply_yaml_text(again, written, "written.yaml"));
  FUZZ_CHECK(config::to_yaml(again) == written);
  return 0;
}
