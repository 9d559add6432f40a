#include "protocol/mcp.hpp"

#include <gtest/gtest.h>

namespace rmcp::mcp {

TEST(mcp, version_negotiation_echoes_supported_and_falls_back_to_latest) {
  EXPECT_EQ(negotiate_version("2025-11-25"), "2025-11-25");
  EXPECT_EQ(negotiate_version("2025-06-18"), "2025-06-18");
  EXPECT_EQ(negotiate_version("2025-03-26"), "2025-03-26");
  EXPECT_EQ(negotiate_version("2024-11-05"), "2024-11-05");
  EXPECT_EQ(negotiate_version("2026-07-28"), "2025-11-25");
  EXPECT_EQ(negotiate_version("garbage"), "2025-11-25");
}

TEST(mcp, tool_json_follows_the_negotiated_revision) {
  tool_spec spec;
  spec.name = "get_x";
  spec.title = "Get X";
  spec.description = "d";
  spec.input_schema = {{"type", "object"}};
  spec.output_schema = {{"type", "object"}};
  auto latest = to_json(spec, "2025-11-25");
  EXPECT_EQ(latest["title"], "Get X");
  EXPECT_TRUE(latest.contains("outputSchema"));
  EXPECT_EQ(latest["annotations"]["readOnlyHint"], true);
  EXPECT_EQ(latest["annotations"]["openWorldHint"], false);
  EXPECT_FALSE(latest["annotations"].contains("title"));
  EXPECT_FALSE(latest["annotations"].contains("destructiveHint"));
  spec.annotations.read_only = false;
  spec.annotations.destructive = true;
  EXPECT_EQ(to_json(spec, "2025-11-25")["annotations"]["destructiveHint"],
            true);
  spec.annotations.read_only = true;
  auto mid = to_json(spec, "2025-03-26");
  EXPECT_FALSE(mid.contains("outputSchema"));
  EXPECT_FALSE(mid.contains("title"));
  EXPECT_TRUE(mid.contains("annotations"));
  EXPECT_EQ(mid["annotations"]["title"], "Get X");
  auto old = to_json(spec, "2024-11-05");
  EXPECT_FALSE(old.contains("annotations"));
}

TEST(mcp, tool_names_follow_the_client_rule) {
  EXPECT_TRUE(valid_tool_name("get_system_overview"));
  EXPECT_TRUE(valid_tool_name("a-b_C9"));
  EXPECT_FALSE(valid_tool_name(""));
  EXPECT_FALSE(valid_tool_name("system/get"));
  EXPECT_FALSE(valid_tool_name("system.get"));
  EXPECT_FALSE(valid_tool_name(std::string(65, 'a')));
}

TEST(mcp, call_result_carries_text_and_structured_content) {
  tool_result r;
  r.structured = {{"device_id", "r1"}, {"cpu", 5}};
  auto latest = to_call_result(r, true, "2025-11-25");
  EXPECT_EQ(latest["structuredContent"]["cpu"], 5);
  EXPECT_EQ(latest["content"][0]["text"], "cpu=5 device_id=r1");
  EXPECT_FALSE(latest.contains("isError"));
  auto old = to_call_result(r, true, "2025-03-26");
  EXPECT_FALSE(old.contains("structuredContent"));
}

TEST(mcp, render_kv_makes_one_line_per_row) {
  json v{{"total", 2},
         {"items", json::array({{{"name", "ether1"}, {"running", true}},
                                {{"name", "ether 2"}, {"running", false}}})},
         {"servers", json::array({"1.1.1.1", "8.8.8.8"})}};
  EXPECT_EQ(render_kv(v), "servers=1.1.1.1,8.8.8.8 total=2\n"
                          "items: name=ether1 running=true\n"
                          "items: name=\"ether 2\" running=false");
  // Empty lists, nulls, strings that need quotes, nested objects.
  json w{{"a", json::array()},
         {"b", nullptr},
         {"c", "x=y"},
         {"d", ""},
         {"e", {{"f", 1}, {"g", json::array({"p q", 2.5, nullptr})}}}};
  EXPECT_EQ(render_kv(w), "a=[] c=\"x=y\" d=\"\"\n"
                          "e: f=1 g=\"p q\",2.5,null");
}

TEST(mcp, log_levels_rank_by_severity) {
  EXPECT_EQ(log_level_rank("debug"), 0);
  EXPECT_EQ(log_level_rank("emergency"), 7);
  EXPECT_FALSE(log_level_rank("verbose"));
}

} // namespace rmcp::mcp
