#pragma once

// Shared pieces of the router read tools: JSON Schema text of the common
// arguments, output schemas derived from RouterOS field tables
// (protocol/routeros_value.hpp), one-GET list reads, and the compact
// key=value text every read returns next to its structured content.

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <string>

#include "actors/tool_call.hpp"
#include "protocol/routeros_value.hpp"
#include "src/tools/device_access.hpp"

/// The `device_id` property of every router tool's inputSchema.
/// (list_devices gives the ids. No description: 44 copies of it would
/// cost 2 KB of the 60 KB tools/list budget.)
#define RMCP_DEVICE_ID_PROP                                                    \
  R"("device_id":{"type":"string","pattern":"^[a-z0-9][a-z0-9_.-]{0,63}$"})"

/// inputSchema of a tool whose only argument is the device.
#define RMCP_DEVICE_ONLY_INPUT                                                 \
  R"({"type":"object","properties":{)" RMCP_DEVICE_ID_PROP                     \
  R"(},"required":["device_id"],"additionalProperties":false})"

namespace rmcp::tools {

/// JSON Schema of one value of kind `k` ("integer", "number", ...).
json kind_schema(ros::kind k);

/// JSON Schema of a row converted with `fields`: one property per field,
/// all optional (RouterOS omits unset values) except `required`.
json row_schema(const ros::field* fields, size_t count,
                std::initializer_list<const char*> required = {});

template <size_t N>
json row_schema(const ros::field (&fields)[N],
                std::initializer_list<const char*> required = {}) {
  return row_schema(fields, N, required);
}

/// outputSchema `{device_id, <key>: [row], count}` plus `extra`
/// properties (an object of property schemas, may be null).
json rows_output_schema(const char* key, json row, json extra = nullptr);

/// One list menu read with a single GET.
struct list_read {
  /// Menu path, e.g. "/interface".
  const char* path;
  const ros::field* fields;
  size_t field_count;
  /// Key of the array in the output, e.g. "interfaces".
  const char* key;
  /// Plural noun for the text, e.g. "interfaces".
  const char* noun;
};

template <size_t N>
constexpr list_read make_list_read(const char* path,
                                   const ros::field (&fields)[N],
                                   const char* key, const char* noun) {
  return {path, fields, N, key, noun};
}

/// `rows_output_schema` of a list read.
json list_output_schema(const list_read& spec);

/// Keeps a converted row (`typed`) given its raw RouterOS object (`raw`).
using row_filter = std::function<bool(const json& raw, const json& typed)>;

/// Reads a list menu: with_device → GET → convert → filter → finish with
/// `{device_id, <key>, count}` and one key=value line per row.
void run_list_read(tool_call& call, const list_read& spec,
                   row_filter keep = {});

/// Finishes with `out` and a text of `headline` followed by the key=value
/// rows of `out[key]` (when given).
void finish_with_rows(tool_call& call, json out, const std::string& headline,
                      const char* key = nullptr);

/// Percent-encodes what RouterOS needs encoded in a path segment or query
/// value (space, '/', '?', '&', '#', '%', '='); '*' stays literal.
std::string url_encode(const std::string& text);

} // namespace rmcp::tools
