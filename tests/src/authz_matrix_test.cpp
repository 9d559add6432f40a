// RBAC through the real dispatch path: every tool of the registry, every
// role, a device in and out of the caller's scope, against simulated
// routers. Also tools/list per role, scoped listings, resources and prompts.

#include <set>

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

/// The role rule as this service states it (docs/security.md),
/// written out independently of protocol/authz.cpp.
bool role_may(const std::string& role, const mcp::tool_spec& t) {
  bool ops = role == "ops_rw" || role == "admin";
  switch (t.tier) {
    case mcp::tool_tier::platform:
      return true;
    case mcp::tool_tier::fundamental:
      return t.annotations.read_only || ops;
    case mcp::tool_tier::advanced:
      if (t.annotations.read_only || t.annotations.open_world)
        return ops;
      return role == "admin";
    case mcp::tool_tier::professional:
      if (t.name.rfind("approve_", 0) == 0 || t.name.rfind("reject_", 0) == 0)
        return role == "approver" || role == "admin";
      return ops;
  }
  return false;
}

class authz_matrix_test : public test::sim_harness {
protected:
  /// The whole registry, as the session serves it.
  const std::vector<tool_descriptor>& registry() {
    if (!catalog) {
      auto tools = app::build_tools();
      EXPECT_TRUE(tools);
      catalog = *tools;
    }
    return catalog->all();
  }

  std::shared_ptr<const tool_registry> catalog;

  /// sim-0 is in Berlin (in scope), sim-1 in Paris (out of scope).
  void start_scoped(const std::string& role) {
    who = identity{"alice", role, "test", {}, {}, {}, {}, {}};
    who.scope.tags = {"site=berlin"};
    customize = [](size_t i, device_record& r, std::string&) {
      r.tags["site"] = i == 0 ? "berlin" : "paris";
      r.flags.allow_advanced_writes = true;
      r.flags.allow_professional_workflows = true;
      r.flags.allow_bandwidth_test = true;
    };
    start_with(2);
  }

  /// Arguments naming `device` wherever the tool takes a device; nullopt
  /// when the tool takes none.
  static std::optional<json> device_args(const mcp::tool_spec& t,
                                         const std::string& device) {
    auto props = t.input_schema.value("properties", json::object());
    json args = json::object();
    if (props.contains("device_id"))
      args["device_id"] = device;
    if (props.contains("target_device_id"))
      args["target_device_id"] = device;
    if (props.contains("device_ids")) {
      args["device_ids"] = json::array({device});
      if (props.contains("tool"))
        args["tool"] = "get_dns_status";
    }
    if (args.empty())
      return std::nullopt;
    return args;
  }

  std::string kind_of(const json& res) {
    return res.value("_meta", json::object()).value("error_kind", "");
  }
};

} // namespace

class authz_role_test : public authz_matrix_test,
                        public ::testing::WithParamInterface<std::string> {};

TEST_P(authz_role_test, every_tool_in_and_out_of_scope) {
  size_t checked = 0;
  auto role = GetParam();
  start_scoped(role);
  {
    for (auto& t : registry()) {
      auto in = device_args(t.spec, "sim-0");
      auto res = call(t.spec.name, in ? *in : json::object());
      ASSERT_FALSE(res.is_null()) << t.spec.name << " did not answer";
      bool expect = role_may(role, t.spec);
      if (expect) {
        EXPECT_NE(kind_of(res), "forbidden")
          << role << " " << t.spec.name << ": " << res.dump();
      } else {
        EXPECT_EQ(kind_of(res), "forbidden")
          << role << " " << t.spec.name << ": " << res.dump();
        auto text = res["content"][0]["text"].get<std::string>();
        EXPECT_NE(text.find("role " + role), std::string::npos) << text;
        EXPECT_NE(text.find("'" + t.spec.name + "'"), std::string::npos)
          << text;
      }
      ++checked;
      if (auto out = device_args(t.spec, "sim-1")) {
        auto res2 = call(t.spec.name, *out);
        ASSERT_FALSE(res2.is_null()) << t.spec.name << " did not answer";
        EXPECT_EQ(kind_of(res2), "forbidden")
          << role << " " << t.spec.name << " on sim-1: " << res2.dump();
        if (expect) {
          auto text = res2["content"][0]["text"].get<std::string>();
          EXPECT_NE(text.find("device 'sim-1' is outside"), std::string::npos)
            << text;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 60u);
}

TEST_P(authz_role_test, tools_list_shows_what_the_role_may_call) {
  auto role = GetParam();
  start_scoped(role);
  {
    auto id = ++last_id;
    send({{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "tools/list"},
          {"params", json::object()}});
    std::set<std::string> listed;
    auto answer = result_of(id);
    for (auto& t : answer["tools"])
      listed.insert(t["name"].get<std::string>());
    std::set<std::string> expected;
    for (auto& t : registry())
      if (role_may(role, t.spec))
        expected.insert(t.spec.name);
    EXPECT_EQ(listed, expected);
    EXPECT_FALSE(listed.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(roles, authz_role_test,
                         ::testing::Values("read_only", "ops_rw", "admin",
                                           "approver"));

TEST_F(authz_matrix_test, a_refused_write_never_reaches_the_router) {
  start_scoped("read_only");
  auto before = router_get(0, "/system/identity");
  auto res =
    call("set_system_identity", {{"device_id", "sim-0"}, {"name", "pwned"}});
  EXPECT_EQ(kind_of(res), "forbidden") << res.dump();
  EXPECT_EQ(router_get(0, "/system/identity"), before);
  // A refused caller learns nothing about the arguments either.
  auto bad = call("set_system_identity", {{"device_id", 7}});
  EXPECT_EQ(kind_of(bad), "forbidden") << bad.dump();
}

TEST_F(authz_matrix_test, listings_show_only_the_scope) {
  start_scoped("ops_rw");
  auto res = call("list_devices");
  std::set<std::string> ids;
  for (auto& d : res["structuredContent"]["devices"])
    ids.insert(d["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"sim-0"}));
  auto fleet = call("fleet_read", {{"tool", "get_dns_status"}});
  EXPECT_EQ(fleet["structuredContent"]["total"], 1) << fleet.dump();
  EXPECT_EQ(fleet["structuredContent"]["results"][0]["device_id"], "sim-0");
}

TEST_F(authz_matrix_test, resources_and_prompts_respect_the_scope) {
  start_scoped("read_only");
  auto ok = request("resources/read", {{"uri", "device://sim-0/health"}});
  EXPECT_TRUE(ok.contains("contents")) << ok.dump();
  auto no = request("resources/read", {{"uri", "device://sim-1/health"}});
  EXPECT_EQ(no["code"], -32003) << no.dump();
  EXPECT_NE(no["message"].get<std::string>().find("'alice'"),
            std::string::npos);
  auto all = request("resources/read", {{"uri", "fleet://devices/all"}});
  auto text = parse_json(all["contents"][0]["text"].get<std::string>()).value();
  EXPECT_EQ(text["count"], 1) << text.dump();
  auto prompt =
    request("prompts/get", {{"name", "comprehensive-device-review"},
                            {"arguments", {{"device_id", "sim-1"}}}});
  EXPECT_EQ(prompt["code"], -32003) << prompt.dump();
  auto fine = request("prompts/get", {{"name", "comprehensive-device-review"},
                                      {"arguments", {{"device_id", "sim-0"}}}});
  EXPECT_TRUE(fine.contains("messages")) << fine.dump();
}

TEST_F(authz_matrix_test, tool_patterns_limit_an_identity) {
  who = identity{"bot",
                 "admin",
                 "test",
                 {},
                 {"get_*", "list_devices", "fleet_read"},
                 {"get_recent_logs"},
                 {},
                 {}};
  start_with(1);
  EXPECT_NE(kind_of(call("get_dns_status", on(0))), "forbidden");
  EXPECT_EQ(kind_of(call("get_recent_logs", on(0))), "forbidden");
  EXPECT_EQ(kind_of(call("set_system_identity", on(0, {{"name", "x"}}))),
            "forbidden");
  // fleet_read may not run a tool the identity may not call.
  EXPECT_EQ(kind_of(call("fleet_read", {{"tool", "get_recent_logs"}})),
            "forbidden");
}

TEST_F(authz_matrix_test, audit_resources_show_only_what_the_caller_may_see) {
  start_scoped("read_only");
  auto record = [this](std::string actor, std::string device) {
    audit_record rec;
    rec.kind = audit_kind::call;
    rec.actor = std::move(actor);
    rec.tool = "get_dns_status";
    rec.device_id = device;
    rec.devices = {device};
    rec.outcome = "ok";
    rec.seq = data->audit.size() + 1;
    data->audit.push_back(rec);
  };
  record("bob", "sim-0");
  record("bob", "sim-1");
  call("get_dns_status", on(0));
  auto res = request("resources/read", {{"uri", "audit://recent"}});
  ASSERT_TRUE(res.contains("contents")) << res.dump();
  auto doc = parse_json(res["contents"][0]["text"].get<std::string>()).value();
  bool own = false, berlin = false, paris = false;
  for (auto& r : doc["records"]) {
    own = own || (r["actor"] == "alice" && r["kind"] == "call");
    berlin = berlin || (r["actor"] == "bob" && r["device_id"] == "sim-0");
    paris = paris || (r["actor"] == "bob" && r["device_id"] == "sim-1");
  }
  EXPECT_TRUE(own) << doc.dump();
  EXPECT_TRUE(berlin) << doc.dump();
  EXPECT_FALSE(paris) << doc.dump();
  auto other = request("resources/read", {{"uri", "audit://devices/sim-1"}});
  EXPECT_EQ(other["code"], -32003) << other.dump();
}

TEST_F(authz_matrix_test, no_tool_or_resource_output_leaks_a_password) {
  who = identity{"root", "admin", "test", {}, {}, {}, {}, {}};
  auto r = test::test_device("new-1");
  r.host = "192.0.2.10";
  add_device(r, "Sup3r-Secret-Pw");
  start_with(1);
  auto upd =
    call("update_device", {{"device_id", "new-1"}, {"name", "new one"}});
  EXPECT_FALSE(upd.value("isError", false)) << upd.dump();
  std::string seen = upd.dump() + call("list_devices").dump();
  for (auto* uri : {"fleet://health-summary", "fleet://devices/all",
                    "device://new-1/overview", "device://sim-0/overview",
                    "audit://recent", "audit://devices/new-1"})
    seen += request("resources/read", {{"uri", uri}}).dump();
  EXPECT_EQ(seen.find("Sup3r-Secret-Pw"), std::string::npos);
  // The registry change is audited, the credential kept and never shown.
  ASSERT_FALSE(data->changes().empty());
  EXPECT_EQ(data->changes().back().tool, "update_device");
  EXPECT_EQ(data->changes().back().after.dump().find("Sup3r"),
            std::string::npos);
  EXPECT_EQ(data->creds["new-1"].password, "Sup3r-Secret-Pw");
}

} // namespace rmcp
