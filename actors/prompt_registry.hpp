#pragma once

// MCP prompts: the table of guided workflows (filled at start-up from
// src/prompts/, then frozen) and the argument checks of prompts/get.
//
// A prompt's renderer runs in its own short-lived actor (the resource read
// actor of actors/resource_registry.hpp, with the prompt's arguments as
// parameters), so it can ask the fleet for live data about a named device.
// It finishes with {"description": …, "text": …}; the session turns that
// into the GetPromptResult (one user message).

#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>

#include "actors/resource_registry.hpp"
#include "protocol/json.hpp"

namespace rmcp {

struct prompt_argument {
  std::string name;
  std::string description;
  bool required = false;
  /// Legal values; empty = any text.
  std::vector<std::string> choices;
};

struct prompt_spec {
  std::string name;
  std::string title;
  std::string description;
  std::vector<prompt_argument> arguments;
};

struct prompt_entry {
  prompt_spec spec;
  resource_handler render;
};

class prompt_registry {
public:
  /// Adds a prompt; fails (internal_error) for a duplicate or invalid name,
  /// a missing description or renderer, or when frozen.
  caf::error add(prompt_spec spec, resource_handler render);

  void freeze() noexcept {
    frozen_ = true;
  }

  /// nullptr for unknown names.
  const prompt_entry* find(std::string_view name) const;

  const std::vector<prompt_entry>& all() const noexcept {
    return entries_;
  }

private:
  bool frozen_ = false;
  std::vector<prompt_entry> entries_;
};

/// Checks prompts/get arguments (an object of strings) against the spec:
/// unknown names, missing required ones and values outside the choices are
/// invalid_params errors naming the argument and the legal values.
caf::error check_prompt_arguments(const prompt_spec& spec, const json& args);

/// The `Prompt` object of prompts/list.
json to_json(const prompt_spec& spec, bool with_title);

} // namespace rmcp
