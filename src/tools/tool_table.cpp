#include "src/tools/tool_table.hpp"

#include "protocol/error.hpp"

namespace rmcp::tools {

caf::error register_table(tool_registry& reg, const tool_entry* entries,
                          size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const auto& e = entries[i];
    mcp::tool_spec spec;
    spec.name = e.name;
    spec.title = e.title;
    spec.tier = e.tier;
    spec.annotations = e.annotations;
    spec.description = e.description;
    auto input = parse_json(e.input_schema);
    if (!input)
      return make_error(ec::internal_error, std::string{"tool '"} + e.name
                                              + "': inputSchema is not JSON");
    spec.input_schema = std::move(*input);
    if (e.output_schema != nullptr) {
      auto output = parse_json(e.output_schema);
      if (!output)
        return make_error(ec::internal_error,
                          std::string{"tool '"} + e.name
                            + "': outputSchema is not JSON");
      spec.output_schema = std::move(*output);
    } else if (e.make_output_schema != nullptr) {
      spec.output_schema = e.make_output_schema();
    }
    if (e.timeout_ms > 0)
      spec.timeout = std::chrono::milliseconds{e.timeout_ms};
    std::vector<argument_alias> deprecated(
      e.deprecated.items, e.deprecated.items + e.deprecated.count);
    if (auto err =
          reg.add(std::move(spec), e.handler, std::move(deprecated), e.output))
      return err;
  }
  return caf::none;
}

} // namespace rmcp::tools
