#include "protocol/authz.hpp"

#include <gtest/gtest.h>

using namespace rmcp;
using namespace rmcp::authz;

namespace {

identity who(std::string role) {
  return identity{"alice", std::move(role), "http", {}, {}, {}};
}

mcp::tool_spec tool(std::string name, mcp::tool_tier tier,
                    mcp::tool_annotations ann) {
  mcp::tool_spec s;
  s.name = std::move(name);
  s.tier = tier;
  s.annotations = ann;
  return s;
}

const mcp::tool_annotations reads{true, false, true, true};
const mcp::tool_annotations writes{false, false, true, true};
const mcp::tool_annotations service_write{false, false, true, false};

device_facts dev(std::string id, std::string env = "lab",
                 std::map<std::string, std::string> tags = {}) {
  return {std::move(id), true, std::move(env), std::move(tags)};
}

bool allowed(const identity& i, const mcp::tool_spec& s,
             std::vector<device_facts> devices = {}) {
  return authorize(i, action::tool(s), devices).allowed;
}

} // namespace

TEST(authz, roles_follow_tier_and_annotations) {
  auto echo = tool("echo", mcp::tool_tier::platform, {true, false, true, false});
  auto read = tool("get_dns_status", mcp::tool_tier::fundamental, reads);
  auto write = tool("set_system_identity", mcp::tool_tier::advanced, writes);
  auto registry = tool("register_device", mcp::tool_tier::advanced,
                       service_write);
  auto heavy_read = tool("bandwidth_test", mcp::tool_tier::professional,
                         {true, false, false, true});
  auto plan = tool("create_dns_plan", mcp::tool_tier::professional, writes);
  auto approve = tool("approve_plan", mcp::tool_tier::professional, writes);
  struct row {
    const mcp::tool_spec* spec;
    bool read_only, ops_rw, admin, approver;
  };
  row rows[] = {
    {&echo, true, true, true, true},
    {&read, true, true, true, true},
    {&write, false, true, true, false},
    {&registry, false, false, true, false},
    {&heavy_read, false, true, true, false},
    {&plan, false, true, true, false},
    {&approve, false, false, true, true},
  };
  for (auto& r : rows) {
    EXPECT_EQ(allowed(who("read_only"), *r.spec), r.read_only) << r.spec->name;
    EXPECT_EQ(allowed(who("ops_rw"), *r.spec), r.ops_rw) << r.spec->name;
    EXPECT_EQ(allowed(who("admin"), *r.spec), r.admin) << r.spec->name;
    EXPECT_EQ(allowed(who("approver"), *r.spec), r.approver) << r.spec->name;
  }
}

TEST(authz, a_denial_names_identity_role_and_what_was_refused) {
  auto write = tool("set_system_identity", mcp::tool_tier::advanced, writes);
  auto d = authorize(who("read_only"), action::tool(write), {});
  ASSERT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("'alice'"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("role read_only"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("tool 'set_system_identity'"), std::string::npos)
    << d.reason;
  EXPECT_NE(d.reason.find("ops_rw, admin"), std::string::npos) << d.reason;
}

TEST(authz, unknown_or_empty_role_is_denied_everything) {
  auto echo = tool("echo", mcp::tool_tier::platform, {true, false, true, false});
  EXPECT_FALSE(allowed(who(""), echo));
  EXPECT_FALSE(allowed(who("root"), echo));
  EXPECT_FALSE(authorize(who("operator"), action::resource("fleet://x"), {}));
}

TEST(authz, tool_patterns_deny_wins_and_allow_limits) {
  auto read = tool("get_dns_status", mcp::tool_tier::fundamental, reads);
  auto other = tool("get_arp_table", mcp::tool_tier::fundamental, reads);
  auto i = who("admin");
  i.allow_tools = {"get_dns_*"};
  EXPECT_TRUE(allowed(i, read));
  EXPECT_FALSE(allowed(i, other));
  i.deny_tools = {"*dns*"};
  auto d = authorize(i, action::tool(read), {});
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("'*dns*'"), std::string::npos) << d.reason;
}

TEST(authz, device_scope_by_id_tag_and_environment) {
  auto read = tool("get_dns_status", mcp::tool_tier::fundamental, reads);
  auto i = who("ops_rw");
  EXPECT_TRUE(allowed(i, read, {dev("r1")}));  // empty scope: everything
  i.scope.ids = {"edge-*"};
  EXPECT_TRUE(allowed(i, read, {dev("edge-1")}));
  EXPECT_FALSE(allowed(i, read, {dev("core-1")}));
  EXPECT_FALSE(allowed(i, read, {dev("edge-1"), dev("core-1")}));
  i.scope.tags = {"site=berlin", "lab-only"};
  EXPECT_TRUE(allowed(i, read, {dev("core-1", "lab", {{"site", "berlin"}})}));
  EXPECT_FALSE(allowed(i, read, {dev("core-1", "lab", {{"site", "paris"}})}));
  EXPECT_TRUE(allowed(i, read, {dev("core-2", "lab", {{"lab-only", ""}})}));
  i.scope.environments = {"staging"};
  EXPECT_TRUE(allowed(i, read, {dev("core-3", "staging")}));
  EXPECT_FALSE(allowed(i, read, {dev("core-3", "prod")}));
  // An unknown device matches by id only.
  device_facts ghost{"core-9", false, "staging", {}};
  EXPECT_FALSE(allowed(i, read, {ghost}));
  device_facts edge_ghost{"edge-9", false, "", {}};
  EXPECT_TRUE(allowed(i, read, {edge_ghost}));
  auto d = authorize(i, action::tool(read), {dev("core-1", "prod")});
  EXPECT_NE(d.reason.find("device 'core-1' is outside"), std::string::npos)
    << d.reason;
}

TEST(authz, resources_and_prompts_are_reads_within_scope) {
  for (auto& role : roles()) {
    auto i = who(role);
    EXPECT_TRUE(authorize(i, action::resource("fleet://health-summary"), {}));
    EXPECT_TRUE(authorize(i, action::prompt("troubleshoot_device"), {}));
    i.scope.ids = {"r1"};
    EXPECT_TRUE(authorize(i, action::resource("device://r1/health"),
                          {dev("r1")}));
    EXPECT_FALSE(authorize(i, action::resource("device://r2/health"),
                           {dev("r2")}));
    EXPECT_FALSE(authorize(i, action::prompt("troubleshoot_device"),
                           {dev("r2")}));
  }
}

TEST(authz, glob_patterns) {
  EXPECT_TRUE(pattern_match("*", ""));
  EXPECT_TRUE(pattern_match("a*c", "abbbc"));
  EXPECT_TRUE(pattern_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(pattern_match("a*c", "abbbd"));
  EXPECT_FALSE(pattern_match("abc", "abcd"));
  EXPECT_TRUE(pattern_match("get_*", "get_"));
  EXPECT_FALSE(pattern_match("", "x"));
}

TEST(authz, devices_named_by_arguments) {
  auto args = json::parse(R"({"device_id":"r1","target_device_id":"r2",
    "device_ids":["r3","r1"],"source_device_ids":["r4"],"comment":"r5",
    "device":"r6"})");
  EXPECT_EQ(devices_named(args),
            (std::vector<std::string>{"r1", "r2", "r3", "r4"}));
  EXPECT_TRUE(devices_named(json::array()).empty());
}
