// Route plans and their dead-man revert jobs against the RouterOS
// simulator: the job is armed before a risky change and removed after the
// gate, a removal is rolled back by re-creating the route, a router that
// stays unreachable is restored by its own job, and a revert script built
// from router-provided values (route comments holding script, DNS/NTP
// servers) restores those values as data and runs nothing else.

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "tests/src/rollout_fixture.hpp"

namespace rmcp {

using test::rollout_test;

TEST_F(rollout_test, route_plan_arms_and_removes_the_dead_man) {
  rollout_cfg.gate_delay = std::chrono::seconds{5};
  start_pro(2);
  auto out = ok("plan_add_static_route", {{"device_ids", ids(0, 2)},
                                          {"dst_address", "10.77.1.9/16"},
                                          {"gateway", "10.155.0.254"},
                                          {"comment", "via lab"}});
  auto id = out.value("plan_id", "");
  EXPECT_EQ(out["preview"][0]["intended"]["routes"].size(), 1u);
  EXPECT_TRUE(out.value("dead_man", false));
  auto token = approve(id);
  call_async(900, "apply_routing_plan",
             {{"plan_id", id}, {"approval_token", token}});
  // The canary is changed, its dead-man job armed; the gate waits.
  EXPECT_EQ(routes_to(0, "10.77.0.0/16").size(), 1u);
  EXPECT_EQ(deadman_jobs(0, id), 1u);
  EXPECT_EQ(routes_to(1, "10.77.0.0/16").size(), 0u);
  auto res = wait_result(900, std::chrono::seconds{1}, 30);
  ASSERT_FALSE(res.is_null());
  EXPECT_EQ(res["structuredContent"].value("state", ""), "completed")
    << res.dump();
  for (size_t i = 0; i < 2; ++i) {
    auto r = routes_to(i, "10.77.0.0/16");
    ASSERT_EQ(r.size(), 1u) << i;
    EXPECT_EQ(r[0].value("gateway", ""), "10.155.0.254");
    EXPECT_EQ(deadman_jobs(i, id), 0u) << i;
  }
  // Default routes and unsafe comments are refused.
  EXPECT_EQ(error_kind("plan_add_static_route", {{"device_ids", ids(0, 1)},
                                                 {"dst_address", "0.0.0.0/0"}}),
            "invalid_arguments");
  EXPECT_EQ(error_kind("plan_add_static_route",
                       {{"device_ids", ids(0, 1)},
                        {"dst_address", "10.1.0.0/16"},
                        {"comment", "x; /system reset-configuration"}}),
            "invalid_arguments");
  // A DNS plan is not applied by the routing apply tool.
  auto dns = plan_dns(ids(0, 2), 1);
  EXPECT_EQ(error_kind("apply_routing_plan",
                       {{"plan_id", dns}, {"approval_token", approve(dns)}}),
            "invalid_arguments");
}

TEST_F(rollout_test, remove_route_plan_rolls_back_by_recreating_it) {
  start_pro(3);
  for (size_t i = 0; i < 3; ++i)
    sim_fleet->router(i).request(
      "PUT", "/rest/ip/route",
      R"({"dst-address":"10.88.0.0/16","gateway":"10.155.0.254","comment":"keep"})");
  auto id = ok("plan_remove_static_route", {{"device_ids", ids(0, 3)},
                                            {"dst_address", "10.88.0.0/16"},
                                            {"batch_size", 1}})
              .value("plan_id", "");
  auto token = approve(id);
  sim_fleet->router(1).update_faults(
    [](sim::fault_config& f) { f.high_memory = true; });
  auto report =
    ok("apply_routing_plan", {{"plan_id", id}, {"approval_token", token}});
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    auto r = routes_to(i, "10.88.0.0/16");
    ASSERT_EQ(r.size(), 1u) << i;
    EXPECT_EQ(r[0].value("comment", ""), "keep");
    EXPECT_EQ(deadman_jobs(i, id), 0u) << i;
  }
}

TEST_F(rollout_test, dead_man_restores_a_router_that_stays_unreachable) {
  rollout_cfg.gate_delay = std::chrono::seconds{5};
  rollout_cfg.deadman_delay = std::chrono::seconds{60};
  start_pro(2);
  auto id = ok("plan_add_static_route", {{"device_ids", ids(0, 2)},
                                         {"dst_address", "10.66.0.0/16"},
                                         {"gateway", "10.155.0.254"}})
              .value("plan_id", "");
  auto token = approve(id);
  call_async(901, "apply_routing_plan",
             {{"plan_id", id}, {"approval_token", token}});
  ASSERT_EQ(routes_to(0, "10.66.0.0/16").size(), 1u);
  ASSERT_EQ(deadman_jobs(0, id), 1u);
  // The change cut the canary off: every request is dropped.
  sim_fleet->router(0).update_faults(
    [](sim::fault_config& f) { f.drop_rate = 1.0; });
  for (int i = 0; i < 40; ++i)
    advance_time(std::chrono::seconds{1});
  EXPECT_TRUE(result_of(901).is_null());
  auto ev = events(id);
  EXPECT_NE(std::find(ev.begin(), ev.end(), "gate-failed"), ev.end());
  EXPECT_NE(std::find(ev.begin(), ev.end(), "deadman-waiting"), ev.end());
  // On the router, the job fires after its delay and restores the routes;
  // then the router answers again.
  sim_fleet->advance_clock(std::chrono::seconds{61});
  EXPECT_EQ(routes_to(0, "10.66.0.0/16").size(), 0u);
  EXPECT_EQ(deadman_jobs(0, id), 0u);
  sim_fleet->router(0).update_faults(
    [](sim::fault_config& f) { f.drop_rate = 0; });
  auto res = wait_result(901, std::chrono::seconds{5}, 200);
  ASSERT_FALSE(res.is_null());
  auto report = res["structuredContent"];
  EXPECT_EQ(report.value("state", ""), "rolled_back") << res.dump();
  auto plan = plan_db->get(id);
  ASSERT_TRUE(plan);
  EXPECT_EQ(find_device(*plan, "sim-0")->state, "rolled_back");
  EXPECT_EQ(find_device(*plan, "sim-1")->state, "pending");
  auto log = plan_db->journal(id);
  ASSERT_TRUE(log);
  bool by_dead_man = false;
  for (auto& st : *log)
    if (st.event == "device-rolled-back" && st.device_id == "sim-0")
      by_dead_man = st.detail.value("by", "") == "dead-man";
  EXPECT_TRUE(by_dead_man);
  EXPECT_EQ(routes_to(1, "10.66.0.0/16").size(), 0u);
}

TEST_F(rollout_test, dead_man_restores_routes_whose_comments_hold_script) {
  rollout_cfg.gate_delay = std::chrono::seconds{5};
  rollout_cfg.deadman_delay = std::chrono::seconds{60};
  start_pro(1);
  // Comments written on the router by someone else: one tries to end the
  // revert script's string and run a command, one holds a plain quote.
  for (auto& [gw, comment] :
       {std::pair<std::string, std::string>{
          "10.155.0.254", "legit\"; /system identity set name=X; :put \""},
        {"10.155.0.253", "say \"hi\" [$x]"}})
    sim_fleet->router(0).request("PUT", "/rest/ip/route",
                                 json{{"dst-address", "10.44.0.0/16"},
                                      {"gateway", gw},
                                      {"comment", comment}}
                                   .dump());
  auto content = [this] {
    std::multiset<std::string> out;
    for (auto r : routes_to(0, "10.44.0.0/16")) {
      r.erase(".id");
      out.insert(r.dump());
    }
    return out;
  };
  auto before = content();
  ASSERT_EQ(before.size(), 2u);
  auto identity = router_get(0, "/system/identity").value("name", "");
  auto id = ok("plan_modify_static_route", {{"device_ids", ids(0, 1)},
                                            {"dst_address", "10.44.0.0/16"},
                                            {"gateway", "10.155.0.254"},
                                            {"new_comment", "changed"}})
              .value("plan_id", "");
  call_async(902, "apply_routing_plan",
             {{"plan_id", id}, {"approval_token", approve(id)}});
  ASSERT_EQ(deadman_jobs(0, id), 1u);
  ASSERT_NE(content(), before);
  // The change cut the router off; its own job restores the routes.
  sim_fleet->router(0).update_faults(
    [](sim::fault_config& f) { f.drop_rate = 1.0; });
  for (int i = 0; i < 40; ++i)
    advance_time(std::chrono::seconds{1});
  sim_fleet->advance_clock(std::chrono::seconds{61});
  EXPECT_EQ(deadman_jobs(0, id), 0u);
  EXPECT_EQ(router_get(0, "/system/identity").value("name", ""), identity);
  EXPECT_EQ(content(), before);
  sim_fleet->router(0).update_faults(
    [](sim::fault_config& f) { f.drop_rate = 0; });
  auto res = wait_result(902, std::chrono::seconds{5}, 200);
  ASSERT_FALSE(res.is_null());
  EXPECT_EQ(res["structuredContent"].value("state", ""), "rolled_back")
    << res.dump();
}

TEST_F(rollout_test,
       dns_ntp_revert_script_restores_the_servers_and_runs_nothing_else) {
  start_pro(1);
  auto execute = [this](const caf::expected<std::string>& script) {
    EXPECT_TRUE(script);
    auto out = sim_fleet->router(0).request(
      "POST", "/rest/execute",
      json{{"script", script ? *script : ""}, {"as-string", ""}}.dump());
    return parse_json(out.body).value_or(json{}).value("ret", "");
  };
  auto identity = router_get(0, "/system/identity").value("name", "");
  json snapshot{{"dns_servers", {"10.1.1.1", "10.2.2.2"}},
                {"ntp_servers", {"10.3.3.3"}},
                {"ntp_enabled", true}};
  EXPECT_EQ(execute(tools::dns_ntp_kind.revert_script({}, snapshot)), "");
  EXPECT_EQ(dns_of(0), "10.1.1.1,10.2.2.2");
  EXPECT_EQ(router_get(0, "/system/ntp/client").value("servers", ""),
            "10.3.3.3");
  // A server text from the router that tries to end the string is set
  // back as the text it was; no part of it runs as a command.
  const std::string evil = "10.1.1.1\"; /system identity set name=X; :put \"";
  snapshot["dns_servers"] = {evil};
  EXPECT_EQ(execute(tools::dns_ntp_kind.revert_script({}, snapshot)), "");
  EXPECT_EQ(router_get(0, "/system/identity").value("name", ""), identity);
  EXPECT_EQ(dns_of(0), evil);
}

} // namespace rmcp
