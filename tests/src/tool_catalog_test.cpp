// The whole catalog: valid at start-up, described for models, and small
// enough for local models to hold.

#include <algorithm>
#include <fstream>
#include <iostream>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "actors/tool_call.hpp"
#include "protocol/error.hpp"
#include "protocol/mcp.hpp"
#include "src/app/runtime.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

TEST(tool_catalog, builds_and_freezes) {
  auto tools = app::build_tools();
  ASSERT_TRUE(tools) << error_message(tools.error());
  EXPECT_TRUE((*tools)->frozen());
  EXPECT_NE((*tools)->find("echo"), nullptr);
  EXPECT_NE((*tools)->find("service_health"), nullptr);
}

TEST(tool_catalog, every_tool_is_described_for_a_model) {
  auto tools = app::build_tools();
  ASSERT_TRUE(tools);
  for (auto& t : (*tools)->all()) {
    EXPECT_GE(t.spec.description.size(), 40u) << t.spec.name;
    EXPECT_FALSE(t.spec.title.empty()) << t.spec.name;
    EXPECT_LE(t.spec.name.size(), 40u) << t.spec.name;
    for (char c : t.spec.name)
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) || c == '_'
                  || std::isdigit(static_cast<unsigned char>(c)))
        << t.spec.name;
    auto props = t.spec.input_schema.value("properties", json::object());
    for (auto& [name, prop] : props.items())
      EXPECT_TRUE(prop.contains("description") || name == "device_id")
        << t.spec.name << "." << name;
    EXPECT_EQ(t.spec.input_schema.value("additionalProperties", true), false)
      << t.spec.name;
  }
}

namespace {

/// The tools/list answer of the offered tools, printing its size and the
/// largest tools.
size_t list_size(const tool_registry& reg, const char* what) {
  json list = json::array();
  std::vector<std::pair<size_t, std::string>> sizes;
  size_t descriptions = 0, inputs = 0, outputs = 0;
  for (auto& t : reg.all()) {
    if (!t.offered)
      continue;
    auto j = mcp::to_json(t.spec, mcp::latest_version);
    sizes.emplace_back(dump_json(j).size(), t.spec.name);
    descriptions += j["description"].get<std::string>().size();
    inputs += dump_json(j["inputSchema"]).size();
    outputs +=
      j.contains("outputSchema") ? dump_json(j["outputSchema"]).size() : 0;
    list.push_back(std::move(j));
  }
  auto size = dump_json(json{{"tools", list}}).size();
  std::sort(sizes.rbegin(), sizes.rend());
  std::cout << what << ": " << list.size() << " tools, " << size
            << " bytes (descriptions " << descriptions << ", inputSchemas "
            << inputs << ", outputSchemas " << outputs << "); largest:";
  for (size_t i = 0; i < sizes.size() && i < 4; ++i)
    std::cout << " " << sizes[i].second << " " << sizes[i].first;
  std::cout << "\n";
  return size;
}

/// Every `required` in `schema` (at any depth) whose names are not all in
/// the `properties` beside it, as "path: name".
void unlisted_required(const json& schema, const std::string& path,
                       std::vector<std::string>& out) {
  if (schema.is_array()) {
    for (size_t i = 0; i < schema.size(); ++i)
      unlisted_required(schema[i], path + "/" + std::to_string(i), out);
    return;
  }
  if (!schema.is_object())
    return;
  if (auto req = schema.find("required");
      req != schema.end() && req->is_array()) {
    auto props = schema.value("properties", json::object());
    for (auto& name : *req)
      if (!name.is_string() || !props.contains(name.get<std::string>()))
        out.push_back(path + ": " + name.dump());
  }
  for (auto& [key, value] : schema.items())
    if (key != "required")
      unlisted_required(value, path + "/" + key, out);
}

} // namespace

TEST(tool_catalog, the_default_toolsets_fit_in_sixty_kilobytes) {
  auto tools = app::build_tools("default");
  ASSERT_TRUE(tools) << error_message(tools.error());
  auto size = list_size(**tools, "tools/list (default toolsets)");
  RecordProperty("default_tools_list_bytes", static_cast<int>(size));
  EXPECT_LE(size, 60u * 1024u);
  // A single tool a model would load is at most 3 KB.
  for (auto& t : (*tools)->all())
    EXPECT_LE(dump_json(mcp::to_json(t.spec, mcp::latest_version)).size(),
              3u * 1024u)
      << t.spec.name;
}

TEST(tool_catalog, every_required_name_is_a_listed_property) {
  auto tools = app::build_tools();
  ASSERT_TRUE(tools);
  for (auto& t : (*tools)->all()) {
    std::vector<std::string> missing;
    unlisted_required(t.spec.input_schema, "inputSchema", missing);
    unlisted_required(t.spec.output_schema, "outputSchema", missing);
    for (auto& m : missing)
      ADD_FAILURE() << t.spec.name << " " << m;
  }
  // The check itself finds a bad schema.
  std::vector<std::string> missing;
  unlisted_required(json::parse(R"({"type":"object","properties":{"a":{
    "type":"object","required":["b"]}},"required":["a"]})"),
                    "s", missing);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0], "s/properties/a: \"b\"");
}

TEST(tool_catalog, toolsets_pick_what_is_offered) {
  auto tools = app::build_tools("default");
  ASSERT_TRUE(tools);
  const auto& reg = **tools;
  for (auto& t : reg.all()) {
    EXPECT_FALSE(t.toolset.empty()) << t.spec.name;
    EXPECT_EQ(t.offered, t.toolset != "plans" && t.toolset != "registry")
      << t.spec.name;
  }
  EXPECT_FALSE(reg.find("plan_add_static_route")->offered);
  EXPECT_TRUE(reg.find("set_system_identity")->offered);
  auto some = app::build_tools("core, plans");
  ASSERT_TRUE(some) << error_message(some.error());
  EXPECT_TRUE((*some)->find("plan_add_static_route")->offered);
  EXPECT_TRUE((*some)->find("list_devices")->offered);
  EXPECT_FALSE((*some)->find("list_interfaces")->offered);
  auto all = app::build_tools("all");
  ASSERT_TRUE(all);
  for (auto& t : (*all)->all())
    EXPECT_TRUE(t.offered) << t.spec.name;
  auto bad = app::build_tools("default,nope");
  ASSERT_FALSE(bad);
  EXPECT_NE(error_message(bad.error())
              .find("unknown toolset 'nope'; legal: "
                    "default, all, core"),
            std::string::npos)
    << error_message(bad.error());
  EXPECT_FALSE(app::build_tools(" , "));
}

TEST(tool_catalog, a_toolset_table_must_place_every_tool_once) {
  tool_registry reg;
  auto echo = [](const char* name) {
    mcp::tool_spec s;
    s.name = name;
    s.description = "A tool of this test.";
    s.input_schema = {{"type", "object"}};
    return s;
  };
  auto run = [](tool_call&) {};
  ASSERT_FALSE(reg.add(echo("a"), run));
  ASSERT_FALSE(reg.add(echo("b"), run));
  EXPECT_TRUE(reg.set_toolsets({{"x", "", true, {"a"}}}, {"x"}));
  EXPECT_TRUE(reg.set_toolsets(
    {{"x", "", true, {"a", "b"}}, {"y", "", false, {"b"}}}, {"x"}));
  EXPECT_TRUE(reg.set_toolsets({{"x", "", true, {"a", "b", "c"}}}, {"x"}));
  EXPECT_TRUE(reg.set_toolsets({{"x", "", true, {"a", "b"}}}, {"z"}));
  EXPECT_FALSE(
    reg.set_toolsets({{"x", "", true, {"a"}}, {"y", "", false, {"b"}}}, {"y"}));
  EXPECT_FALSE(reg.find("a")->offered);
  EXPECT_TRUE(reg.find("b")->offered);
  // Aliases must lead to arguments the tool has.
  auto with_arg = echo("c");
  with_arg.input_schema =
    json::parse(R"({"type":"object","properties":{"x":{"type":"string"}}})");
  EXPECT_TRUE(
    reg.add(with_arg, run, {{"old", alias_kind::rename, "nope", nullptr}}));
  EXPECT_TRUE(
    reg.add(with_arg, run, {{"x", alias_kind::rename, "x", nullptr}}));
  EXPECT_TRUE(
    reg.add(with_arg, run, {{"old", alias_kind::refuse, nullptr, nullptr}}));
  EXPECT_FALSE(
    reg.add(with_arg, run, {{"old", alias_kind::rename, "x", nullptr}}));
}

TEST(tool_catalog, toolsets_and_deprecated_names_are_documented) {
  std::ifstream in{std::string{RMCP_SOURCE_DIR} + "/docs/tools.md"};
  ASSERT_TRUE(in.good());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  auto row_with = [&lines](const std::string& a, const std::string& b) {
    for (auto& l : lines)
      if (l.rfind("| ", 0) == 0 && l.find(a) != std::string::npos
          && l.find(b) != std::string::npos)
        return true;
    return false;
  };
  auto tools = app::build_tools();
  ASSERT_TRUE(tools);
  for (auto& set : (*tools)->toolsets())
    EXPECT_TRUE(row_with(
      "| `" + set.name + "` | " + (set.in_default ? "yes" : "no") + " |", ""))
      << set.name;
  for (auto& t : (*tools)->all())
    for (auto& a : t.aliases)
      EXPECT_TRUE(
        row_with("`" + t.spec.name + "`", "`" + std::string{a.name} + "`"))
        << t.spec.name << " " << a.name << " (" << to_string(a.kind) << ")";
}

TEST(tool_catalog, tools_list_stays_under_eighty_kilobytes) {
  auto tools = app::build_tools();
  ASSERT_TRUE(tools);
  json list = json::array();
  std::vector<std::pair<size_t, std::string>> sizes;
  for (auto& t : (*tools)->all()) {
    list.push_back(mcp::to_json(t.spec, mcp::latest_version));
    sizes.emplace_back(dump_json(list.back()).size(), t.spec.name);
  }
  auto size = dump_json(json{{"tools", list}}).size();
  size_t descriptions = 0, inputs = 0, outputs = 0;
  for (auto& t : list) {
    descriptions += t["description"].get<std::string>().size();
    inputs += dump_json(t["inputSchema"]).size();
    outputs +=
      t.contains("outputSchema") ? dump_json(t["outputSchema"]).size() : 0;
  }
  std::cout << "  descriptions " << descriptions << ", inputSchemas " << inputs
            << ", outputSchemas " << outputs << " bytes\n";
  std::sort(sizes.rbegin(), sizes.rend());
  for (size_t i = 0; i < sizes.size() && i < 8; ++i)
    std::cout << "  " << sizes[i].second << ": " << sizes[i].first
              << " bytes\n";
  RecordProperty("tools_list_bytes", static_cast<int>(size));
  std::cout << "tools/list: " << (*tools)->all().size() << " tools, " << size
            << " bytes\n";
  // 60 KB for the read and single-device tiers; the professional tier
  // (plans and rollouts) adds about 25 tools with validated
  // argument schemas (firewall rule fields, DHCP and bridge settings): about
  // 87 KB with firewall, DHCP, bridge and address-list sync, 91.5 KB with
  // the wireless plans (shorter device tool descriptions made room), 93.5
  // KB with hand_to_apply on every plan tool and approval_wait_seconds on
  // every apply tool.
  EXPECT_LT(size, 94u * 1024u);
}

} // namespace rmcp
