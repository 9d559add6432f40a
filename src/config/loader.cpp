#include "src/config/loader.hpp"

#include "src/config/options_table.hpp"
#include "src/tools/toolsets.hpp"

namespace rmcp::config {

caf::expected<server_options> load(const load_request& req) {
  server_options opts;
  if (!req.file.empty())
    if (auto err = apply_yaml_file(opts, req.file))
      return err;
  if (auto err = apply_environment(opts, req.env))
    return err;
  for (auto& [key, value] : req.overrides)
    if (auto err = set_option(opts, key, value, "command line"))
      return err;
  // Checked here, where every source has been applied, so that `config
  // check` and start-up both name an unknown toolset.
  if (auto sets = tools::select_toolsets(opts.toolsets); !sets)
    return sets.error();
  return opts;
}

} // namespace rmcp::config
