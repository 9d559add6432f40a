#include "protocol/mcp.hpp"

#include <algorithm>
#include <cctype>

namespace rmcp::mcp {

const std::vector<std::string>& supported_versions() {
  static const std::vector<std::string> versions{"2025-11-25", "2025-06-18",
                                                 "2025-03-26", "2024-11-05"};
  return versions;
}

bool is_supported_version(std::string_view version) {
  auto& xs = supported_versions();
  return std::find(xs.begin(), xs.end(), version) != xs.end();
}

std::string negotiate_version(std::string_view requested) {
  if (is_supported_version(requested))
    return std::string{requested};
  return std::string{latest_version};
}

bool has_structured_output(std::string_view version) {
  return version >= "2025-06-18";
}

bool has_tool_annotations(std::string_view version) {
  return version >= "2025-03-26";
}

bool has_titles(std::string_view version) {
  return version >= "2025-06-18";
}

std::string to_string(tool_tier x) {
  switch (x) {
    case tool_tier::platform:
      return "platform";
    case tool_tier::fundamental:
      return "fundamental";
    case tool_tier::advanced:
      return "advanced";
    case tool_tier::professional:
      return "professional";
  }
  return "unknown";
}

json to_json(const tool_spec& spec, std::string_view version) {
  json tool{{"name", spec.name},
            {"description", spec.description},
            {"inputSchema", spec.input_schema}};
  if (has_titles(version) && !spec.title.empty())
    tool["title"] = spec.title;
  if (has_structured_output(version) && !spec.output_schema.is_null())
    tool["outputSchema"] = spec.output_schema;
  if (has_tool_annotations(version)) {
    json ann{{"readOnlyHint", spec.annotations.read_only},
             {"openWorldHint", spec.annotations.open_world}};
    // The spec gives these meaning only for tools that change something.
    if (!spec.annotations.read_only) {
      ann["destructiveHint"] = spec.annotations.destructive;
      ann["idempotentHint"] = spec.annotations.idempotent;
    }
    // Revisions with a top-level title do not need it twice.
    if (!spec.title.empty() && !has_titles(version))
      ann["title"] = spec.title;
    tool["annotations"] = std::move(ann);
  }
  return tool;
}

bool valid_tool_name(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

json to_call_result(tool_result result, bool has_output_schema,
                    std::string_view version) {
  auto text =
    result.text.empty() ? render_kv(result.structured) : std::move(result.text);
  json out{
    {"content", json::array({{{"type", "text"}, {"text", std::move(text)}}})}};
  if (has_output_schema && !result.is_error && has_structured_output(version)
      && result.structured.is_object())
    out["structuredContent"] = std::move(result.structured);
  if (result.is_error)
    out["isError"] = true;
  return out;
}

namespace {

/// Appends `v` as a value of a `key=value` line: a string without spaces,
/// quotes or '=' as it is, anything else as JSON.
void append_scalar(std::string& out, const json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    bool plain = !s.empty() && std::none_of(s.begin(), s.end(), [](char c) {
      return std::isspace(static_cast<unsigned char>(c)) || c == '"'
             || c == '=';
    });
    if (plain) {
      out += s;
      return;
    }
  }
  append_json(out, v);
}

std::string scalar_text(const json& v) {
  std::string out;
  append_scalar(out, v);
  return out;
}

bool is_scalar(const json& v) {
  return v.is_primitive();
}

bool is_scalar_list(const json& v) {
  return v.is_array() && std::all_of(v.begin(), v.end(), [](auto& x) {
           return is_scalar(x);
         });
}

/// The scalar members of `obj` (and lists of scalars) as `key=value`
/// pairs on one line, written into the line in place.
std::string row(const json& obj) {
  std::string line;
  for (const auto& [key, value] : obj.get_ref<const json::object_t&>()) {
    bool scalar = is_scalar(value);
    if (value.is_null() || (!scalar && !is_scalar_list(value)))
      continue;
    if (!line.empty())
      line += ' ';
    line += key;
    line += '=';
    if (scalar) {
      append_scalar(line, value);
    } else if (value.empty()) {
      line += "[]";
    } else {
      bool first = true;
      for (const auto& x : value) {
        if (!first)
          line += ',';
        first = false;
        append_scalar(line, x);
      }
    }
  }
  return line;
}

void render(const json& value, const std::string& prefix, std::string& out) {
  auto emit = [&](const std::string& line) {
    if (line.empty())
      return;
    if (!out.empty())
      out += "\n";
    out += prefix.empty() ? line : prefix + ": " + line;
  };
  if (value.is_object()) {
    emit(row(value));
    for (auto& [key, sub] : value.items()) {
      if (sub.is_object()) {
        render(sub, prefix.empty() ? key : prefix + "." + key, out);
      } else if (sub.is_array() && !is_scalar_list(sub)) {
        auto name = prefix.empty() ? key : prefix + "." + key;
        if (sub.empty())
          emit(name + "=[]");
        for (auto& item : sub)
          render(item, name, out);
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value)
      render(item, prefix, out);
  } else if (!value.is_null()) {
    emit(scalar_text(value));
  }
}

} // namespace

std::string render_kv(const json& value) {
  std::string out;
  render(value, "", out);
  return out;
}

const std::vector<std::string>& log_levels() {
  static const std::vector<std::string> levels{
    "debug", "info",     "notice", "warning",
    "error", "critical", "alert",  "emergency"};
  return levels;
}

std::optional<int> log_level_rank(std::string_view level) {
  auto& xs = log_levels();
  auto i = std::find(xs.begin(), xs.end(), level);
  if (i == xs.end())
    return std::nullopt;
  return static_cast<int>(i - xs.begin());
}

} // namespace rmcp::mcp
