#pragma once

// JSON vocabulary: nlohmann::json plus what CAF needs to put it in messages.
//
// `nlohmann::json` travels between actors (and, in a cluster, between nodes)
// as its compact serialisation. The `inspect` overload lives in namespace
// `nlohmann` so that CAF finds it through argument-dependent lookup.

#include <optional>
#include <string>
#include <string_view>

#include <caf/meta/type_name.hpp>

#include <nlohmann/json.hpp>

namespace rmcp {

using json = nlohmann::json;

/// Parses `text` without throwing; returns nullopt on any syntax error.
std::optional<json> parse_json(std::string_view text);

/// Compact serialisation that never throws: invalid UTF-8 is replaced.
std::string dump_json(const json& x);

/// Appends `dump_json(x)` to `out`.
void append_json(std::string& out, const json& x);

/// Appends `dump_json(json(s))` to `out`: `s` quoted and escaped.
void append_json_string(std::string& out, const std::string& s);

} // namespace rmcp

namespace nlohmann {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, json& x) {
  std::string text;
  if constexpr (Inspector::reads_state)
    text = rmcp::dump_json(x);
  auto result = f(caf::meta::type_name("json"), text);
  if constexpr (Inspector::writes_state) {
    auto parsed = rmcp::parse_json(text);
    x = parsed ? std::move(*parsed) : json{};
  }
  return result;
}

} // namespace nlohmann
