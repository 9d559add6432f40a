// The generated part of the hostile-input table: cases built from the tool
// catalogue, hostile router answers, and the Markdown rendering.

#include <map>
#include <sstream>

#include "protocol/json_schema.hpp"
#include "tests/e2e/hostile_cases.hpp"

namespace rmcp::test {

namespace {

/// Values that end a RouterOS string, start a command, substitute a
/// variable or run a nested command, if a value were pasted into a script.
const char* const metacharacters[] = {
  "\"; /system reboot; :put \"",
  "$(x)[/system reset-configuration]{:put 1}",
  "a\r\n/system reboot\r\n#?\\\"",
};

/// Numbers where counts, limits and ports are expected.
const json hostile_numbers[] = {
  json(-1),
  json::parse("-9223372036854775809"),
  json::parse("18446744073709551616"),
  json(1e308),
  json(1.5),
  json("5"),
  json(true),
};

bool has_type(const json& prop, const char* type) {
  auto t = prop.find("type");
  if (t == prop.end())
    return false;
  if (t->is_string())
    return *t == type;
  if (t->is_array())
    for (auto& x : *t)
      if (x == type)
        return true;
  return false;
}

/// A value the argument accepts, for the arguments a case does not attack.
json plain_value(const std::string& name, const json& prop) {
  if (auto e = prop.find("enum"); e != prop.end() && !e->empty())
    return e->front();
  if (has_type(prop, "boolean"))
    return false;
  if (has_type(prop, "integer") || has_type(prop, "number"))
    return prop.value("minimum", 1);
  if (has_type(prop, "array")) {
    auto items = prop.value("items", json::object());
    return json::array({plain_value(name, items)});
  }
  if (name == "device_id"
      || name.size() > 10
           && name.compare(name.size() - 10, 10, "_device_id") == 0)
    return "edge-01";
  if (prop.value("format", "") == "ipv4")
    return "192.0.2.10";
  auto pattern = prop.value("pattern", "");
  if (pattern.find("\\*[0-9A-Fa-f]") != std::string::npos)
    return "*1";
  if (pattern.rfind("^mcp-", 0) == 0)
    return "mcp-test";
  if (name.find("address") != std::string::npos)
    return "192.0.2.10/24";
  if (name == "interface")
    return "ether1";
  return "x";
}

json plain_arguments(const json& schema) {
  json args = json::object();
  auto props = schema.value("properties", json::object());
  for (auto& r : schema.value("required", json::array()))
    if (r.is_string() && props.contains(r.get<std::string>()))
      args[r.get<std::string>()] =
        plain_value(r.get<std::string>(), props[r.get<std::string>()]);
  return args;
}

std::string call_text(const std::string& tool, const json& args) {
  return json{{"jsonrpc", "2.0"},
              {"id", 9},
              {"method", "tools/call"},
              {"params", {{"name", tool}, {"arguments", args}}}}
    .dump();
}

} // namespace

std::vector<hostile_case> catalogue_cases(const json& tools) {
  std::vector<hostile_case> out;
  for (auto& tool : tools) {
    auto name = tool.value("name", "");
    auto schema = tool.value("inputSchema", json::object());
    auto props = schema.value("properties", json::object());
    bool writes =
      !tool.value("annotations", json::object()).value("readOnlyHint", false);
    auto compiled = schema::compiled_schema::compile(schema);
    if (!compiled)
      continue;
    for (auto& [arg, prop] : props.items()) {
      if (writes && has_type(prop, "string") && !prop.contains("enum")) {
        for (auto* value : metacharacters) {
          auto args = plain_arguments(schema);
          args[arg] = value;
          if (props.contains("dry_run"))
            args["dry_run"] = true;
          out.push_back({"script metacharacters in write-tool arguments",
                         name + "." + arg + " = " + json(value).dump(),
                         via::both, call_text(name, args),
                         expect::refused_or_dry, -32602, 200});
        }
      }
      if (has_type(prop, "integer")) {
        for (auto& value : hostile_numbers) {
          auto args = plain_arguments(schema);
          args[arg] = value;
          // Only numbers the schema refuses: a valid one might act.
          if (compiled->validate(args).empty())
            continue;
          out.push_back({"huge, negative and mistyped counts",
                         name + "." + arg + " = " + value.dump(), via::stdio,
                         call_text(name, args), expect::tool_error, 0, 200});
        }
      }
    }
  }
  return out;
}

std::vector<hostile_answer> hostile_answers() {
  const std::string resource = "/rest/system/resource";
  const std::string route = "/rest/ip/route";
  const std::string overview = "get_system_overview";
  const std::string routing = "get_routing_summary";
  std::string huge = "[";
  for (int i = 0; i < 200000; ++i)
    huge += std::string{i ? "," : ""} + "{\".id\":\"*" + std::to_string(i)
            + "\",\"dst-address\":\"10.0.0.0/8\",\"gateway\":\"x\"}";
  huge += "]";
  return {
    {"empty body", resource, "", overview},
    {"truncated object", resource, R"({"uptime":"1d","version":"7.1)",
     overview},
    {"an array for an object", resource, R"([{"uptime":"1d"}])", overview},
    {"a string for an object", resource, R"("resource")", overview},
    {"numbers as objects", resource,
     R"({"uptime":{},"version":[],"cpu-load":{},"free-memory":[],"total-memory":null})",
     overview},
    {"invalid UTF-8 in the version", resource,
     "{\"uptime\":\"1d\",\"version\":\"7.\xff\xfe\",\"cpu-load\":\"1\","
     "\"free-memory\":\"1\",\"total-memory\":\"2\"}",
     overview, false},
    {"control bytes in strings", resource,
     "{\"uptime\":\"1d\",\"version\":\"7.16\x1b[2J\",\"cpu-load\":\"1\","
     "\"free-memory\":\"1\",\"total-memory\":\"2\"}",
     overview, false},
    {"nesting 100,000 deep", resource,
     std::string(100000, '[') + std::string(100000, ']'), overview},
    {"5 MB string", resource,
     "{\"version\":\"" + std::string(5 << 20, 'a') + "\"}", overview},
    {"an object for a list", route, R"({"dst-address":"0.0.0.0/0"})", routing},
    {".id without the star", route,
     R"([{".id":"1","dst-address":"0.0.0.0/0"}])", routing},
    {".id a number", route, R"([{".id":7,"dst-address":"0.0.0.0/0"}])",
     routing},
    {".id with script text", route,
     R"([{".id":"*1; /system reboot","dst-address":"0.0.0.0/0"}])", routing},
    {".id missing", route, R"([{"dst-address":"0.0.0.0/0"}])", routing},
    {"rows that are not objects", route, R"([1,"x",null,[]])", routing},
    {"200,000 routes", route, huge, routing, false},
    {"not JSON at all", route, "<html>502 Bad Gateway</html>", routing},
  };
}

std::string render_table(const std::vector<hostile_case>& cases,
                         const std::vector<hostile_answer>& answers) {
  struct group {
    size_t count = 0;
    std::string transports;
    std::string answer;
    std::vector<std::string> examples;
  };
  std::vector<std::string> order;
  std::map<std::string, group> groups;
  for (auto& c : cases) {
    if (!groups.count(c.group))
      order.push_back(c.group);
    auto& g = groups[c.group];
    g.count += c.transports == via::both ? 2 : 1;
    g.transports = c.transports == via::both    ? "stdio, HTTP"
                   : c.transports == via::stdio ? "stdio"
                                                : "HTTP (raw bytes)";
    std::string answer;
    switch (c.outcome) {
      case expect::rpc_error:
        answer = "JSON-RPC error " + std::to_string(c.code)
                 + (c.transports == via::stdio
                      ? std::string{}
                      : " (HTTP " + std::to_string(c.http_status) + ")");
        break;
      case expect::tool_error:
        answer = "tool result, isError (invalid_arguments)";
        break;
      case expect::refused_or_dry:
        answer = "a tool result (refusal or dry run), no router write";
        break;
      case expect::http_status:
        answer = "HTTP " + std::to_string(c.http_status);
        break;
    }
    if (g.answer.find(answer) == std::string::npos)
      g.answer += (g.answer.empty() ? "" : "; ") + answer;
    if (g.examples.size() < 3)
      g.examples.push_back(c.name);
  }
  std::ostringstream out;
  out << "| group | inputs | transports | answer | e.g. |\n"
      << "|---|---|---|---|---|\n";
  size_t total = 0;
  for (auto& name : order) {
    auto& g = groups[name];
    total += g.count;
    std::string eg;
    for (auto& e : g.examples) {
      auto text = e.size() > 48 ? e.substr(0, 45) + "..." : e;
      for (auto& ch : text)
        if (ch == '|' || ch == '\n' || ch == '\r' || ch == '`')
          ch = ' ';
      eg += (eg.empty() ? "" : "; ") + text;
    }
    out << "| " << name << " | " << g.count << " | " << g.transports << " | "
        << g.answer << " | " << eg << " |\n";
  }
  size_t refused = 0;
  for (auto& a : answers)
    refused += a.refused ? 1 : 0;
  out << "| hostile router answers (simulator fault raw_answer) | "
      << answers.size() << " | stdio | tool result, isError (" << refused
      << "), repaired and answered (" << answers.size() - refused << ") | ";
  std::string eg;
  for (size_t i = 0; i < answers.size() && i < 3; ++i)
    eg += (eg.empty() ? "" : "; ") + answers[i].name;
  out << eg << " |\n";
  total += answers.size();
  out << "\n" << total << " hostile inputs in all, plus the slow-loris test.\n";
  return out.str();
}

} // namespace rmcp::test
