// The whole catalog: valid at start-up, described for models, and small
// enough for local models to hold.

#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "protocol/mcp.hpp"
#include "src/app/runtime.hpp"

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
  // the wireless plans (shorter device tool descriptions made room).
  EXPECT_LT(size, 92u * 1024u);
}

} // namespace rmcp
