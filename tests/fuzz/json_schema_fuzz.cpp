// The argument schema validator: a tools/call's `arguments` (untrusted JSON
// of any shape and size) checked against the input schema of a real tool.
// The first byte picks the tool, the rest is the arguments document.
//
// The tools' input schemas come from json_schema_tools.json beside this
// file, so that the libFuzzer build (scripts/fuzz) instruments the
// validator without compiling every tool of the daemon. The replay build
// links the real registry and fails when that file differs from it
// (RMCP_UPDATE_DOCS=1 rewrites the file), so the catalogue fuzzed is the
// daemon's.

#include "fuzz_target.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/json.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/json_schema.hpp"
#include "tests/test_paths.hpp"

#ifdef RMCP_FUZZ_WITH_REGISTRY
#include "actors/tool_registry.hpp"
#include "src/tools/tools.hpp"
#endif

using namespace rmcp;

namespace {

const char* const catalogue_path =
  RMCP_SOURCE_DIR "/tests/fuzz/json_schema_tools.json";

#ifdef RMCP_FUZZ_WITH_REGISTRY
/// Every registered tool's name and input schema, in registry order.
json registry_catalogue() {
  tool_registry reg;
  FUZZ_CHECK(!tools::register_all_tools(reg));
  auto out = json::array();
  for (auto& tool : reg.all())
    out.push_back(
      {{"name", tool.spec.name}, {"inputSchema", tool.spec.input_schema}});
  return out;
}
#endif

json read_catalogue() {
  std::ifstream in{catalogue_path};
  std::stringstream text;
  text << in.rdbuf();
  auto doc = json::parse(text.str(), nullptr, false);
#ifdef RMCP_FUZZ_WITH_REGISTRY
  auto current = registry_catalogue();
  if (doc != current) {
    if (std::getenv("RMCP_UPDATE_DOCS") == nullptr) {
      std::fprintf(stderr,
                   "%s differs from the tools' input schemas: run this test "
                   "with RMCP_UPDATE_DOCS=1 to rewrite it\n",
                   catalogue_path);
      std::abort();
    }
    std::ofstream out{catalogue_path};
    out << current.dump(1) << "\n";
    doc = current;
  }
#endif
  return doc;
}

const std::vector<schema::compiled_schema>& catalogue() {
  static const std::vector<schema::compiled_schema> tools = [] {
    auto doc = read_catalogue();
    FUZZ_CHECK(doc.is_array() && !doc.empty());
    std::vector<schema::compiled_schema> out;
    for (auto& tool : doc) {
      FUZZ_CHECK(tool.is_object() && tool.contains("inputSchema"));
      auto compiled = schema::compiled_schema::compile(tool["inputSchema"]);
      FUZZ_CHECK(static_cast<bool>(compiled));
      out.push_back(std::move(*compiled));
    }
    return out;
  }();
  return tools;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& tools = catalogue();
  if (size == 0)
    return 0;
  const auto& input = tools[data[0] % tools.size()];
  auto args = parse_json_bounded(fuzz::as_text(data + 1, size - 1));
  if (!args)
    return 0;
  auto xs = input.validate(*args);
  FUZZ_CHECK(xs.size() <= 16);
  // A document that is not an object never conforms (every root is one).
  if (!args->is_object())
    FUZZ_CHECK(!xs.empty());
  for (auto& v : xs)
    FUZZ_CHECK(!v.message.empty() && v.path.rfind('$', 0) == 0);
  (void)schema::to_string(xs);
  return 0;
}
