#include "actors/tool_registry.hpp"

#include "protocol/error.hpp"

namespace rmcp {

namespace {

caf::error invalid(const std::string& tool, const std::string& what) {
  return make_error(ec::internal_error, "tool '" + tool + "': " + what);
}

bool is_object_schema(const json& schema) {
  return schema.is_object() && schema.value("type", json{}) == "object";
}

} // namespace

caf::error tool_registry::add(mcp::tool_spec spec, tool_handler handler) {
  if (frozen_)
    return invalid(spec.name, "the registry is frozen");
  if (!mcp::valid_tool_name(spec.name))
    return invalid(spec.name, "name must match ^[a-zA-Z0-9_-]{1,64}$");
  if (index_.count(spec.name))
    return invalid(spec.name, "duplicate name");
  if (spec.description.empty())
    return invalid(spec.name, "missing description");
  if (!handler)
    return invalid(spec.name, "missing handler");
  if (!is_object_schema(spec.input_schema))
    return invalid(spec.name, "inputSchema must be an object schema");
  if (!spec.output_schema.is_null() && !is_object_schema(spec.output_schema))
    return invalid(spec.name, "outputSchema must be an object schema");
  tool_descriptor desc;
  auto input = schema::compiled_schema::compile(spec.input_schema);
  if (!input)
    return invalid(spec.name, "inputSchema: " + error_message(input.error()));
  desc.input = std::move(*input);
  if (!spec.output_schema.is_null()) {
    auto output = schema::compiled_schema::compile(spec.output_schema);
    if (!output)
      return invalid(spec.name,
                     "outputSchema: " + error_message(output.error()));
    desc.output = std::move(*output);
  }
  desc.spec = std::move(spec);
  desc.handler = std::move(handler);
  index_.emplace(desc.spec.name, tools_.size());
  tools_.push_back(std::move(desc));
  return caf::none;
}

const tool_descriptor* tool_registry::find(std::string_view name) const {
  auto i = index_.find(std::string{name});
  return i == index_.end() ? nullptr : &tools_[i->second];
}

} // namespace rmcp
