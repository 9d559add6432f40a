// The argument schema validator: a tools/call's `arguments` (untrusted JSON
// of any shape and size) checked against the input schema of a real tool.
// The first byte picks the tool from the full registry, the rest is the
// arguments document.

#include "fuzz_target.hpp"

#include "actors/tool_registry.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/json_schema.hpp"
#include "src/tools/tools.hpp"

using namespace rmcp;

namespace {

const tool_registry& registry() {
  static const tool_registry reg = [] {
    tool_registry r;
    FUZZ_CHECK(!tools::register_all_tools(r));
    r.freeze();
    return r;
  }();
  return reg;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& tools = registry().all();
  FUZZ_CHECK(!tools.empty());
  if (size == 0)
    return 0;
  const auto& tool = tools[data[0] % tools.size()];
  auto args = parse_json_bounded(fuzz::as_text(data + 1, size - 1));
  if (!args)
    return 0;
  auto xs = tool.input.validate(*args);
  FUZZ_CHECK(xs.size() <= 16);
  // A document that is not an object never conforms (every root is one).
  if (!args->is_object())
    FUZZ_CHECK(!xs.empty());
  for (auto& v : xs)
    FUZZ_CHECK(!v.message.empty() && v.path.rfind('$', 0) == 0);
  (void)schema::to_string(xs);
  return 0;
}
