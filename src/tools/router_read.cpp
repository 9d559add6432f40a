#include "src/tools/router_read.hpp"

#include <set>

#include "protocol/mcp.hpp"

namespace rmcp::tools {

json kind_schema(ros::kind k) {
  using ros::kind;
  switch (k) {
    case kind::text:
    case kind::time:
    case kind::date:
      return {{"type", "string"}};
    case kind::uint:
    case kind::whole_seconds:
    case kind::bytes:
    case kind::bps:
    case kind::integer:
    case kind::dbm:
      return {{"type", "integer"}};
    case kind::number:
    case kind::seconds:
    case kind::percent:
      return {{"type", "number"}};
    case kind::boolean:
      return {{"type", "boolean"}};
    case kind::list:
      return {{"type", "array"}, {"items", {{"type", "string"}}}};
  }
  return {{"type", "string"}};
}

json row_schema(const ros::field* fields, size_t count,
                std::initializer_list<const char*> required) {
  // Typed fields are listed one by one; the many text fields are named in
  // the description and typed once by additionalProperties, which keeps
  // tools/list small (under 60 KB for these tiers) without losing their type.
  json props = json::object();
  std::string texts;
  std::set<std::string> seen; // tables may map two RouterOS names to one
  for (size_t i = 0; i < count; ++i) {
    if (fields[i].kind == ros::kind::text) {
      if (seen.insert(fields[i].out_name).second)
        texts += (texts.empty() ? "" : ", ") + std::string{fields[i].out_name};
      continue;
    }
    props[fields[i].out_name] = kind_schema(fields[i].kind);
  }
  json out{{"type", "object"}, {"properties", std::move(props)}};
  if (!texts.empty()) {
    out["description"] = "Text fields: " + texts + ".";
    out["additionalProperties"] = {{"type", "string"}};
  }
  if (required.size() > 0) {
    // A required text field is listed as a property too: `required` names
    // only properties the schema lists.
    json req = json::array();
    for (auto* r : required) {
      req.push_back(r);
      if (!out["properties"].contains(r))
        out["properties"][r] = {{"type", "string"}};
    }
    out["required"] = std::move(req);
  }
  return out;
}

json rows_output_schema(const char* key, json row, json extra) {
  json props{{"device_id", {{"type", "string"}}},
             {key, {{"type", "array"}, {"items", std::move(row)}}},
             {"count", {{"type", "integer"}}}};
  if (extra.is_object())
    for (auto& [name, schema] : extra.items())
      props[name] = schema;
  return {{"type", "object"},
          {"properties", std::move(props)},
          {"required", {"device_id", key, "count"}}};
}

json list_output_schema(const list_read& spec) {
  return rows_output_schema(spec.key,
                            row_schema(spec.fields, spec.field_count));
}

void finish_with_rows(tool_call& call, json out, const std::string& headline,
                      const char* key) {
  std::string text = headline;
  if (key != nullptr) {
    auto i = out.find(key);
    if (i != out.end() && i->is_array() && !i->empty())
      text += ":\n" + mcp::render_kv(*i);
  }
  call.finish({std::move(out), std::move(text), false});
}

void run_list_read(tool_call& call, const list_read& spec, row_filter keep) {
  with_device(call, [&call, spec, keep](device_handle dev) {
    device_request(
      call, dev.actor, get_request(spec.path),
      [&call, spec, keep, id{dev.view.record.id}](rest_response& resp) {
        json rows = json::array();
        if (resp.body.is_array())
          for (auto& raw : resp.body) {
            auto typed = ros::convert(raw, spec.fields, spec.field_count);
            if (!keep || keep(raw, typed))
              rows.push_back(std::move(typed));
          }
        auto n = rows.size();
        json out{{"device_id", id}, {spec.key, std::move(rows)}, {"count", n}};
        finish_with_rows(call, std::move(out),
                         std::to_string(n) + " " + spec.noun + " on " + id,
                         spec.key);
      });
  });
}

std::string url_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (c <= 0x20 || c == '/' || c == '?' || c == '&' || c == '#' || c == '%'
        || c == '=' || c == '+' || c >= 0x7f) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

} // namespace rmcp::tools
