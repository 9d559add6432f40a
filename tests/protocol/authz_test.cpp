#include "protocol/authz.hpp"

#include <gtest/gtest.h>

using namespace rmcp;
using namespace rmcp::authz;

namespace {

identity who(std::string role) {
  return identity{"alice", std::move(role), "http", {}, {}, {}, {}, {}};
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
  auto echo =
    tool("echo", mcp::tool_tier::platform, {true, false, true, false});
  auto read = tool("get_dns_status", mcp::tool_tier::fundamental, reads);
  auto write = tool("set_system_identity", mcp::tool_tier::advanced, writes);
  auto registry =
    tool("update_device", mcp::tool_tier::advanced, service_write);
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
  auto echo =
    tool("echo", mcp::tool_tier::platform, {true, false, true, false});
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
  EXPECT_TRUE(allowed(i, read, {dev("r1")})); // empty scope: everything
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
    EXPECT_TRUE(
      authorize(i, action::resource("device://r1/health"), {dev("r1")}));
    EXPECT_FALSE(
      authorize(i, action::resource("device://r2/health"), {dev("r2")}));
    EXPECT_FALSE(
      authorize(i, action::prompt("troubleshoot_device"), {dev("r2")}));
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

TEST(authz, a_plan_is_for_identities_whose_scope_holds_every_device) {
  auto fra = who("ops_rw");
  fra.scope.tags = {"site=fra"};
  auto both = plan_facts{
    "plan-1",
    true,
    true,
    {dev("r1", "lab", {{"site", "fra"}}), dev("r2", "lab", {{"site", "ams"}})}};
  auto only_fra =
    plan_facts{"plan-2", true, true, {dev("r1", "lab", {{"site", "fra"}})}};
  EXPECT_TRUE(authorize_plan(fra, only_fra));
  auto mixed = authorize_plan(fra, both);
  ASSERT_FALSE(mixed);
  // The refusal names the plan, never its devices, and reads the same for
  // an unknown plan and one stored before creators' scopes were recorded.
  EXPECT_EQ(mixed.reason.find("r2"), std::string::npos) << mixed.reason;
  auto unknown = authorize_plan(fra, plan_facts{"plan-1", false, false, {}});
  auto legacy = only_fra;
  legacy.id = "plan-1";
  legacy.creator_scope_known = false;
  EXPECT_FALSE(unknown);
  EXPECT_EQ(unknown.reason, mixed.reason);
  EXPECT_EQ(authorize_plan(fra, legacy).reason, mixed.reason);
  // Without a scope: every plan, also old ones (unknown ones are the plan
  // store's not-found).
  auto all = who("ops_rw");
  EXPECT_TRUE(authorize_plan(all, both));
  legacy.creator_scope_known = false;
  EXPECT_TRUE(authorize_plan(all, legacy));
  // Unregistered devices match by id only.
  auto by_id = who("approver");
  by_id.scope.ids = {"r*"};
  EXPECT_TRUE(authorize_plan(
    by_id,
    plan_facts{"plan-3", true, true, {device_facts{"r9", false, {}, {}}}}));
}

TEST(authz, device_facts_of_ids_from_a_lookup) {
  device_record r1;
  r1.id = "r1";
  r1.environment = "prod";
  r1.tags = {{"site", "fra"}};
  auto facts = facts_of({"r1", "r9"}, [&r1](const std::string& id) {
    return id == r1.id ? &r1 : nullptr;
  });
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_TRUE(facts[0].known);
  EXPECT_EQ(facts[0].environment, "prod");
  EXPECT_EQ(facts[0].tags.at("site"), "fra");
  EXPECT_FALSE(facts[1].known);
  EXPECT_EQ(facts[1].id, "r9");
}

TEST(authz, a_scope_round_trips_through_json) {
  device_scope s{{"r*"}, {"site=fra"}, {"lab"}};
  auto back = scope_from_json(to_json(s));
  EXPECT_EQ(back.ids, s.ids);
  EXPECT_EQ(back.tags, s.tags);
  EXPECT_EQ(back.environments, s.environments);
  EXPECT_TRUE(
    scope_from_json(json::parse(R"({"ids":"x","tags":[1]})")).everything());
}
