// Firewall plans against the RouterOS simulator: plan → approve (through
// the plan store, as `routeros-mcp plan approve`) → apply_firewall_plan,
// read back from the routers; failed gates restore the filter table
// exactly; the management path is protected; bad arguments are named.

#include <gtest/gtest.h>

#include "tests/support/plan_harness.hpp"

namespace rmcp {

namespace {

class firewall_plan_test : public test::plan_harness {
protected:
  void start(size_t routers) {
    start_pro(routers, &device_flags::allow_firewall_writes);
  }

  /// Router `i`'s filter table without ids and counters, in order.
  std::vector<std::string> table(size_t i) {
    std::vector<std::string> out;
    for (auto r : router_get(i, "/ip/firewall/filter")) {
      for (auto* k : {".id", "bytes", "packets"})
        r.erase(k);
      out.push_back(r.dump());
    }
    return out;
  }

  /// Rules of router `i` with `comment`.
  std::vector<json> with_comment(size_t i, const std::string& comment) {
    std::vector<json> out;
    for (auto& r : router_get(i, "/ip/firewall/filter"))
      if (r.value("comment", "") == comment)
        out.push_back(r);
    return out;
  }

  json apply(const std::string& id) {
    return approve_and_apply("apply_firewall_plan", id);
  }
};

} // namespace

TEST_F(firewall_plan_test, add_rule_plan_previews_live_rules_and_applies) {
  start(3);
  auto before = table(1);
  auto out = plan("plan_add_firewall_rule", {{"device_ids", ids(0, 3)},
                                             {"chain", "forward"},
                                             {"action", "drop"},
                                             {"src_address", "198.51.100.7/32"},
                                             {"protocol", "tcp"},
                                             {"dst_port", "25"},
                                             {"comment", "mcp block smtp"}});
  EXPECT_EQ(out.value("risk", ""), "medium");
  EXPECT_FALSE(out.value("dead_man", true)); // forward drop: not risky
  auto& pv = out["preview"][1];
  EXPECT_EQ(pv["current"]["rules"].size(), before.size());
  ASSERT_EQ(pv["intended"]["rules"].size(), before.size() + 1);
  EXPECT_EQ(pv["intended"]["rules"].back()["src-address"], "198.51.100.7");
  EXPECT_TRUE(with_comment(1, "mcp block smtp").empty()); // nothing yet
  auto report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    auto r = with_comment(i, "mcp block smtp");
    ASSERT_EQ(r.size(), 1u) << i;
    EXPECT_EQ(r[0].value("chain", ""), "forward");
    EXPECT_EQ(r[0].value("action", ""), "drop");
    EXPECT_EQ(r[0].value("dst-port", ""), "25");
  }
  EXPECT_EQ(table(1).size(), before.size() + 1);
}

TEST_F(firewall_plan_test, failed_gate_restores_the_filter_table_exactly) {
  start(3);
  std::vector<std::vector<std::string>> before;
  for (size_t i = 0; i < 3; ++i)
    before.push_back(table(i));
  // An input-chain rule: risky, the dead-man is armed around it.
  auto out = plan("plan_add_firewall_rule", {{"device_ids", ids(0, 3)},
                                             {"chain", "input"},
                                             {"action", "drop"},
                                             {"protocol", "tcp"},
                                             {"dst_port", "23"},
                                             {"comment", "no telnet"},
                                             {"batch_size", 1}});
  EXPECT_EQ(out.value("risk", ""), "high");
  EXPECT_TRUE(out.value("dead_man", false));
  auto id = out.value("plan_id", "");
  fail_gate(1);
  auto report = apply(id);
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(table(i), before[i]) << i;
    EXPECT_EQ(deadman_jobs(i, id), 0u) << i;
  }
}

TEST_F(firewall_plan_test, removed_rule_is_recreated_in_place_on_rollback) {
  start(3);
  std::vector<std::vector<std::string>> before;
  for (size_t i = 0; i < 3; ++i)
    before.push_back(table(i));
  auto out = plan("plan_remove_firewall_rule",
                  {{"device_ids", ids(0, 3)},
                   {"match_comment", "defconf: accept ICMP"},
                   {"batch_size", 1}});
  EXPECT_EQ(out.value("risk", ""), "high");
  EXPECT_TRUE(out.value("dead_man", false));
  EXPECT_EQ(out["preview"][0]["intended"]["rules"].size(),
            before[0].size() - 1);
  fail_gate(1);
  auto report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(table(i), before[i]) << i; // same rules, same order
  // Without a fault the rule goes away.
  sim_fleet->router(1).update_faults(
    [](sim::fault_config& f) { f.high_cpu = false; });
  out = plan(
    "plan_remove_firewall_rule",
    {{"device_ids", ids(0, 3)}, {"match_comment", "defconf: accept ICMP"}});
  report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(with_comment(i, "defconf: accept ICMP").empty()) << i;
    EXPECT_EQ(table(i).size(), before[i].size() - 1) << i;
  }
}

TEST_F(firewall_plan_test, modify_sets_and_unsets_fields_checked_per_router) {
  start(2);
  auto out = plan("plan_modify_firewall_rule",
                  {{"device_ids", ids(0, 2)},
                   {"match_comment", "defconf: accept ICMP"},
                   {"src_address", "10.0.0.0/8"},
                   {"comment", "icmp from inside"}});
  auto report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 2; ++i) {
    auto r = with_comment(i, "icmp from inside");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].value("src-address", ""), "10.0.0.0/8");
    EXPECT_EQ(r[0].value("protocol", ""), "icmp");
  }
  // Unset the source again.
  out =
    plan("plan_modify_firewall_rule", {{"device_ids", ids(0, 2)},
                                       {"match_comment", "icmp from inside"},
                                       {"src_address", ""}});
  report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 2; ++i)
    EXPECT_FALSE(
      with_comment(i, "icmp from inside")[0].contains("src-address"));
  // A port on an icmp rule is refused for the merged rule, naming dst_port.
  auto text = error_text("plan_modify_firewall_rule",
                         {{"device_ids", ids(0, 2)},
                          {"match_comment", "icmp from inside"},
                          {"dst_port", "80"}});
  EXPECT_NE(text.find("dst_port"), std::string::npos) << text;
  // Two rules share this comment on every router: ambiguous.
  text = error_text(
    "plan_remove_firewall_rule",
    {{"device_ids", ids(0, 1)}, {"match_comment", "defconf: drop invalid"}});
  EXPECT_NE(text.find("2 filter rules match"), std::string::npos) << text;
}

TEST_F(firewall_plan_test, rules_that_drop_the_management_path_are_refused) {
  start(2);
  json args{{"device_ids", ids(0, 2)},
            {"chain", "input"},
            {"action", "drop"},
            {"protocol", "tcp"}};
  auto text = error_text("plan_add_firewall_rule", args);
  EXPECT_NE(text.find("management path"), std::string::npos) << text;
  EXPECT_NE(text.find("allow_management_block"), std::string::npos) << text;
  // The device's REST port in a list is refused too; another port is not.
  auto port = std::to_string(data->devices["sim-0"].port);
  args["dst_port"] = "22," + port;
  EXPECT_EQ(error_kind("plan_add_firewall_rule", args), "guard_refused");
  args["dst_port"] = "22";
  plan("plan_add_firewall_rule", args);
  // Explicitly allowed: planned, with the reason as a warning.
  args.erase("dst_port");
  args["allow_management_block"] = true;
  auto out = plan("plan_add_firewall_rule", args);
  EXPECT_NE(out["warnings"].dump().find("management path"), std::string::npos);
}

TEST_F(firewall_plan_test, validation_errors_name_the_argument) {
  start(1);
  auto expect = [&](json args, const std::string& name) {
    json base{
      {"device_ids", ids(0, 1)}, {"chain", "forward"}, {"action", "accept"}};
    base.update(args);
    auto text = error_text("plan_add_firewall_rule", base);
    EXPECT_NE(text.find(name), std::string::npos) << name << ": " << text;
  };
  expect({{"dst_address", "10.0.0.300"}}, "dst_address");
  expect({{"src_address", "nonsense"}}, "src_address");
  expect({{"protocol", "tcp"}, {"dst_port", "90-80"}}, "dst_port");
  expect({{"protocol", "tcp"}, {"dst_port", "70000"}}, "dst_port");
  expect({{"dst_port", "80"}}, "dst_port"); // needs tcp or udp
  expect({{"action", "jump"}}, "jump_target");
  expect({{"comment", "x\"; /system reset"}}, "comment");
  auto text = error_text("plan_modify_firewall_rule",
                         {{"device_ids", ids(0, 1)}, {"action", "drop"}});
  EXPECT_NE(text.find("match_comment"), std::string::npos) << text;
}

TEST_F(firewall_plan_test, dead_man_restores_a_router_cut_off_by_a_rule) {
  rollout_cfg.gate_delay = std::chrono::seconds{5};
  rollout_cfg.deadman_delay = std::chrono::seconds{60};
  start(1);
  // A rule whose comment needs quoting in the router's revert script.
  sim_fleet->router(0).request(
    "PUT", "/rest/ip/firewall/filter",
    R"({"chain":"forward","action":"accept","comment":"say \"hi\" $x"})");
  auto before = table(0);
  ASSERT_EQ(with_comment(0, "say \"hi\" $x").size(), 1u);
  auto id = plan("plan_add_firewall_rule", {{"device_ids", ids(0, 1)},
                                            {"chain", "input"},
                                            {"action", "reject"},
                                            {"protocol", "udp"},
                                            {"comment", "cut"}})
              .value("plan_id", "");
  call_async(950, "apply_firewall_plan",
             {{"plan_id", id}, {"approval_token", approve(id)}});
  ASSERT_EQ(with_comment(0, "cut").size(), 1u);
  ASSERT_EQ(deadman_jobs(0, id), 1u);
  sim_fleet->router(0).update_faults(
    [](sim::fault_config& f) { f.drop_rate = 1.0; });
  for (int i = 0; i < 40; ++i)
    advance_time(std::chrono::seconds{1});
  sim_fleet->advance_clock(std::chrono::seconds{61});
  sim_fleet->router(0).update_faults(
    [](sim::fault_config& f) { f.drop_rate = 0; });
  // The router's own job restored the table (order and content).
  EXPECT_EQ(table(0), before);
  EXPECT_EQ(deadman_jobs(0, id), 0u);
  for (int i = 0; i < 200 && result_of(950).is_null(); ++i)
    advance_time(std::chrono::seconds{5});
  auto res = result_of(950);
  ASSERT_FALSE(res.is_null());
  EXPECT_EQ(res["structuredContent"].value("state", ""), "rolled_back");
}

TEST_F(firewall_plan_test,
       a_router_field_name_that_is_no_identifier_never_enters_a_script) {
  start(1);
  sim_fleet->router(0).request(
    "PUT", "/rest/ip/firewall/filter",
    R"({"chain":"forward","action":"accept","comment":"odd"})");
  auto identity = router_get(0, "/system/identity").value("name", "");
  auto id = plan("plan_remove_firewall_rule",
                 {{"device_ids", ids(0, 1)}, {"match_comment", "odd"}})
              .value("plan_id", "");
  // The router now answers a field whose name is script.
  const std::string name = "x=1; /system identity set name=X";
  sim_fleet->router(0).with_state([&](sim::router_state& st) {
    for (auto& r : st.tab("/ip/firewall/filter").rows)
      if (r.f.get("comment") == "odd")
        r.f.set(name, "1");
  });
  ASSERT_EQ(with_comment(0, "odd").at(0).value(name, ""), "1");
  // Applying refuses to arm the dead-man: nothing is written.
  auto report = apply(id);
  EXPECT_NE(report.value("state", ""), "completed") << report.dump();
  EXPECT_NE(report.dump().find("arming the dead-man revert failed"),
            std::string::npos)
    << report.dump();
  EXPECT_EQ(deadman_jobs(0, id), 0u);
  EXPECT_EQ(with_comment(0, "odd").size(), 1u);
  EXPECT_EQ(router_get(0, "/system/identity").value("name", ""), identity);
  // A new plan is refused at its preview, naming the field.
  EXPECT_EQ(error_kind("plan_remove_firewall_rule",
                       {{"device_ids", ids(0, 1)}, {"match_comment", "odd"}}),
            "guard_refused");
  auto text = error_text("plan_remove_firewall_rule",
                         {{"device_ids", ids(0, 1)}, {"match_comment", "odd"}});
  EXPECT_NE(text.find("no dead-man revert can be written: \"" + name
                      + "\" is not a RouterOS property name"),
            std::string::npos)
    << text;
}

} // namespace rmcp
