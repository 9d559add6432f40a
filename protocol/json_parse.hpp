#pragma once

// Parsing JSON that comes from outside the process: MCP messages (stdio
// lines, HTTP bodies), bearer tokens and JWKS documents, RouterOS answers.
// Such text may be hostile, so the parser never throws and refuses deep
// nesting before it builds it: no tree deeper than the limit ever exists,
// so copying, dumping or destroying a parsed value cannot exhaust the stack.
// `parse_json` (protocol/json.hpp) is this parser with its error dropped.
//
// A parsed value's members may have any type; read them with the checked
// accessors below instead of `json::value`, which throws on a wrong type.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "protocol/json.hpp"

namespace rmcp {

/// The deepest nesting of arrays and objects a parsed document may have.
constexpr size_t json_max_depth = 64;

/// Parses `text`. Fails with ec::parse_error and a message that completes
/// "the message …" ("is not valid JSON", "nests arrays and objects deeper
/// than 64 levels").
caf::expected<json> parse_json_bounded(std::string_view text,
                                       size_t max_depth = json_max_depth);

/// The two readers behind `parse_json_bounded`, which tries the first and
/// falls back to the second. simdjson reads a document of up to 4 KiB (MCP
/// requests, most RouterOS answers) in about half the instructions, most
/// of the rest being the tree, and returns nullopt for every text it
/// refuses or might read differently from nlohmann (an integer 0, a
/// container too deep), so the two accept the same texts and build the same
/// values (tests/protocol/json_parse_fast_test.cpp compares them); nlohmann's
/// parser gives the messages.
std::optional<json> parse_json_simdjson(std::string_view text,
                                        size_t max_depth = json_max_depth);
caf::expected<json> parse_json_nlohmann(std::string_view text,
                                        size_t max_depth = json_max_depth);

/// The member `key` of `obj` when `obj` is an object holding a string
/// there; nullopt otherwise.
std::optional<std::string> string_member(const json& obj, std::string_view key);

/// `string_member(obj, key)`, or `fallback` when there is no such string.
std::string string_member_or(const json& obj, std::string_view key,
                             std::string fallback);

} // namespace rmcp
