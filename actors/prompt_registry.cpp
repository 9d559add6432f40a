#include "actors/prompt_registry.hpp"

#include <algorithm>

#include "protocol/error.hpp"

namespace rmcp {

caf::error prompt_registry::add(prompt_spec spec, resource_handler render) {
  auto bad = [&](const std::string& why) {
    return make_error(ec::internal_error, "prompt '" + spec.name + "': " + why);
  };
  if (frozen_)
    return bad("the registry is frozen");
  if (spec.name.empty()
      || spec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-")
           != std::string::npos)
    return bad("names are lower-case letters, digits and '-'");
  if (spec.description.empty() || !render)
    return bad("description and renderer are required");
  if (find(spec.name) != nullptr)
    return bad("duplicate name");
  entries_.push_back({std::move(spec), std::move(render)});
  return caf::none;
}

const prompt_entry* prompt_registry::find(std::string_view name) const {
  for (auto& e : entries_)
    if (e.spec.name == name)
      return &e;
  return nullptr;
}

caf::error check_prompt_arguments(const prompt_spec& spec, const json& args) {
  auto bad = [&](const std::string& why) {
    return make_error(ec::invalid_params, "prompt '" + spec.name + "': " + why);
  };
  if (!args.is_null() && !args.is_object())
    return bad("\"arguments\" must be an object of strings");
  std::string known;
  for (auto& a : spec.arguments)
    known += (known.empty() ? "" : ", ") + a.name;
  if (args.is_object()) {
    for (auto& [name, value] : args.items()) {
      auto i = std::find_if(spec.arguments.begin(), spec.arguments.end(),
                            [&](auto& a) { return a.name == name; });
      if (i == spec.arguments.end())
        return bad("unknown argument '" + name
                   + "'; arguments: " + (known.empty() ? "none" : known));
      if (!value.is_string())
        return bad("argument '" + name + "' must be a string");
      if (!i->choices.empty()
          && std::find(i->choices.begin(), i->choices.end(),
                       value.get<std::string>())
               == i->choices.end()) {
        std::string legal;
        for (auto& c : i->choices)
          legal += (legal.empty() ? "" : ", ") + c;
        return bad("argument '" + name + "' must be one of " + legal + ", got '"
                   + value.get<std::string>() + "'");
      }
    }
  }
  for (auto& a : spec.arguments)
    if (a.required
        && (!args.is_object() || !args.contains(a.name)
            || args[a.name].get<std::string>().empty()))
      return bad("missing required argument '" + a.name + "' (" + a.description
                 + ")");
  return caf::none;
}

json to_json(const prompt_spec& spec, bool with_title) {
  json args = json::array();
  for (auto& a : spec.arguments) {
    auto description = a.description;
    if (!a.choices.empty()) {
      std::string legal;
      for (auto& c : a.choices)
        legal += (legal.empty() ? "" : ", ") + c;
      description += " (one of: " + legal + ")";
    }
    args.push_back({{"name", a.name},
                    {"description", description},
                    {"required", a.required}});
  }
  json out{{"name", spec.name},
           {"description", spec.description},
           {"arguments", std::move(args)}};
  if (with_title && !spec.title.empty())
    out["title"] = spec.title;
  return out;
}

} // namespace rmcp
