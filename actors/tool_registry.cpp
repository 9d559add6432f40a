#include "actors/tool_registry.hpp"

#include <algorithm>

#include "protocol/error.hpp"

namespace rmcp {

namespace {

caf::error invalid(const std::string& tool, const std::string& what) {
  return make_error(ec::internal_error, "tool '" + tool + "': " + what);
}

bool is_object_schema(const json& schema) {
  return schema.is_object() && schema.value("type", json{}) == "object";
}

/// The comma-separated names of `text`.
std::vector<std::string> split_names(const char* text) {
  std::vector<std::string> out;
  std::string name;
  for (const char* c = text; c != nullptr; ++c) {
    if (*c == ',' || *c == '\0') {
      if (!name.empty())
        out.push_back(name);
      name.clear();
      if (*c == '\0')
        break;
    } else {
      name += *c;
    }
  }
  return out;
}

bool has_property(const json& schema, const std::string& name) {
  auto props = schema.find("properties");
  return props != schema.end() && props->is_object() && props->contains(name);
}

caf::error check_alias(const mcp::tool_spec& spec, const argument_alias& a) {
  auto what = [&](const std::string& text) {
    return invalid(spec.name, std::string{"alias '"} + (a.name ? a.name : "")
                                + "': " + text);
  };
  if (a.name == nullptr || has_property(spec.input_schema, a.name))
    return what("must name no current argument");
  switch (a.kind) {
    case alias_kind::rename:
    case alias_kind::spread: {
      auto targets = split_names(a.target);
      if (targets.empty()
          || (a.kind == alias_kind::rename && targets.size() != 1))
        return what("needs a target argument");
      for (auto& t : targets)
        if (!has_property(spec.input_schema, t))
          return what("target '" + t + "' is not an argument");
      return caf::none;
    }
    case alias_kind::ignore:
    case alias_kind::refuse:
      if (a.note == nullptr || *a.note == '\0')
        return what("needs a note saying what replaced it");
      return caf::none;
  }
  return what("unknown kind");
}

caf::error alias_error(const std::string& tool, const std::string& text) {
  return make_error(ec::invalid_arguments,
                    "invalid arguments for tool '" + tool + "': " + text);
}

} // namespace

std::string to_string(alias_kind x) {
  switch (x) {
    case alias_kind::rename:
      return "rename";
    case alias_kind::spread:
      return "spread";
    case alias_kind::ignore:
      return "ignore";
    case alias_kind::refuse:
      return "refuse";
  }
  return "?";
}

caf::expected<std::vector<std::string>>
apply_aliases(const tool_descriptor& tool, json& args) {
  std::vector<std::string> warnings;
  const auto& name = tool.spec.name;
  for (const auto& a : tool.aliases) {
    auto given = args.find(a.name);
    if (given == args.end())
      continue;
    std::string old_name = a.name;
    switch (a.kind) {
      case alias_kind::rename: {
        std::string target = a.target;
        if (args.contains(target))
          return alias_error(name, "give '" + target + "' only; '" + old_name
                                     + "' is its deprecated name");
        args[target] = std::move(*given);
        args.erase(old_name);
        warnings.push_back("argument '" + old_name + "' is deprecated; use '"
                           + target + "'");
        break;
      }
      case alias_kind::spread: {
        auto members = split_names(a.target);
        std::string legal;
        for (auto& m : members)
          legal += (legal.empty() ? "" : ", ") + m;
        if (!given->is_object())
          return alias_error(name, "'" + old_name + "' must be an object of "
                                     + legal);
        json value = std::move(*given);
        args.erase(old_name);
        for (auto& [key, v] : value.items()) {
          if (std::find(members.begin(), members.end(), key) == members.end())
            return alias_error(name,
                               "'" + old_name + "." + key
                                 + "' is not a setting; settings: " + legal);
          if (args.contains(key))
            return alias_error(name, "'" + key
                                       + "' is given twice, as an "
                                         "argument and in '"
                                       + old_name + "'");
          args[key] = std::move(v);
        }
        warnings.push_back("argument '" + old_name
                           + "' is deprecated; pass its settings (" + legal
                           + ") as arguments");
        break;
      }
      case alias_kind::ignore:
        args.erase(old_name);
        warnings.push_back("argument '" + old_name
                           + "' is no longer used and was ignored: " + a.note);
        break;
      case alias_kind::refuse:
        return alias_error(name, "'" + old_name
                                   + "' is no longer accepted: " + a.note);
    }
  }
  return warnings;
}

caf::error tool_registry::add(mcp::tool_spec spec, tool_handler handler,
                              std::vector<argument_alias> aliases,
                              output_check check) {
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
  if (check == output_check::typed && spec.output_schema.is_null())
    return invalid(spec.name, "a typed output needs an outputSchema");
  tool_descriptor desc;
  desc.check = check;
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
  for (auto& a : aliases)
    if (auto err = check_alias(spec, a))
      return err;
  desc.aliases = std::move(aliases);
  desc.spec = std::move(spec);
  desc.handler = std::move(handler);
  index_.emplace(desc.spec.name, tools_.size());
  tools_.push_back(std::move(desc));
  return caf::none;
}

caf::error tool_registry::set_toolsets(std::vector<toolset_info> sets,
                                       const std::set<std::string>& offered) {
  if (frozen_)
    return make_error(ec::internal_error, "toolsets: the registry is frozen");
  std::set<std::string> names;
  for (auto& t : tools_)
    t.toolset.clear();
  for (auto& set : sets) {
    if (!names.insert(set.name).second)
      return make_error(ec::internal_error,
                        "toolset '" + set.name + "' is defined twice");
    for (auto& tool : set.tools) {
      auto i = index_.find(tool);
      if (i == index_.end())
        return make_error(ec::internal_error, "toolset '" + set.name
                                                + "' names unknown tool '"
                                                + tool + "'");
      auto& desc = tools_[i->second];
      if (!desc.toolset.empty())
        return invalid(tool, "in toolsets '" + desc.toolset + "' and '"
                               + set.name + "'");
      desc.toolset = set.name;
    }
  }
  for (auto& t : tools_)
    if (t.toolset.empty())
      return invalid(t.spec.name, "in no toolset");
  for (auto& name : offered)
    if (!names.count(name))
      return make_error(ec::internal_error, "unknown toolset '" + name + "'");
  for (auto& t : tools_)
    t.offered = offered.count(t.toolset) > 0;
  toolsets_ = std::move(sets);
  return caf::none;
}

const tool_descriptor* tool_registry::find(std::string_view name) const {
  auto i = index_.find(std::string{name});
  return i == index_.end() ? nullptr : &tools_[i->second];
}

} // namespace rmcp
