// Bridge and address-list plans against the RouterOS simulator: ports and
// settings really change (read back), "already bridged" is refused, a
// failed gate restores the previous rows; an mcp-* list is made identical
// on several routers from their different live lists.

#include <gtest/gtest.h>

#include "tests/support/plan_harness.hpp"

namespace rmcp {

namespace {

class bridge_plan_test : public test::plan_harness {
protected:
  /// Router `i`'s bridge ports of `iface`.
  std::vector<json> ports_of(size_t i, const std::string& iface) {
    std::vector<json> out;
    for (auto& r : router_get(i, "/interface/bridge/port"))
      if (r.value("interface", "") == iface)
        out.push_back(r);
    return out;
  }

  json bridge(size_t i) {
    for (auto& r : router_get(i, "/interface/bridge"))
      if (r.value("name", "") == "bridge")
        return r;
    return nullptr;
  }

  /// Entries (addresses) of list `name` on router `i`, sorted.
  std::vector<std::string> entries(size_t i, const std::string& name) {
    std::vector<std::string> out;
    for (auto& r : router_get(i, "/ip/firewall/address-list"))
      if (r.value("list", "") == name)
        out.push_back(r.value("address", ""));
    std::sort(out.begin(), out.end());
    return out;
  }
};

} // namespace

// sim-0 and sim-1 (seed 42) are not CHR: they have "bridge" with ether2…
TEST_F(bridge_plan_test, port_moves_between_bridges_and_rolls_back) {
  start_pro(3, &device_flags::allow_bridge_writes);
  for (size_t i = 0; i < 3; ++i)
    ASSERT_FALSE(bridge(i).is_null()) << "router " << i << " has no bridge";
  auto out = plan("plan_remove_bridge_port", {{"device_ids", ids(0, 3)},
                                              {"bridge_name", "bridge"},
                                              {"interface", "ether2"},
                                              {"batch_size", 1}});
  EXPECT_TRUE(out.value("dead_man", false));
  EXPECT_EQ(out.value("risk", ""), "high");
  std::vector<std::vector<json>> before;
  for (size_t i = 0; i < 3; ++i)
    before.push_back(ports_of(i, "ether2"));
  fail_gate(1);
  auto report =
    approve_and_apply("apply_bridge_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    auto now = ports_of(i, "ether2");
    ASSERT_EQ(now.size(), 1u) << i;
    EXPECT_EQ(now[0].value("bridge", ""), "bridge");
    EXPECT_EQ(now[0].value("comment", ""), before[i][0].value("comment", ""));
    EXPECT_EQ(deadman_jobs(i, out.value("plan_id", "")), 0u);
  }
  sim_fleet->router(1).update_faults(
    [](sim::fault_config& f) { f.high_cpu = false; });
  report =
    approve_and_apply("apply_bridge_plan", plan("plan_remove_bridge_port",
                                                {{"device_ids", ids(0, 2)},
                                                 {"bridge_name", "bridge"},
                                                 {"interface", "ether2"}})
                                             .value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  EXPECT_TRUE(ports_of(0, "ether2").empty());
  EXPECT_TRUE(ports_of(1, "ether2").empty());
  // Adding it back; a second plan for the same port is "already bridged"
  // for nothing to do, a port of another bridge is refused.
  out = plan("plan_add_bridge_port", {{"device_ids", ids(0, 2)},
                                      {"bridge_name", "bridge"},
                                      {"interface", "ether2"},
                                      {"pvid", 10},
                                      {"comment", "back"}});
  EXPECT_TRUE(out["preview"][0].value("changes", false));
  report = approve_and_apply("apply_bridge_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 2; ++i) {
    auto now = ports_of(i, "ether2");
    ASSERT_EQ(now.size(), 1u);
    EXPECT_EQ(now[0].value("pvid", ""), "10");
    EXPECT_EQ(now[0].value("comment", ""), "back");
  }
  out = plan("plan_add_bridge_port", {{"device_ids", ids(0, 1)},
                                      {"bridge_name", "bridge"},
                                      {"interface", "ether2"}});
  EXPECT_FALSE(out["preview"][0].value("changes", true));
}

TEST_F(bridge_plan_test, already_bridged_interfaces_are_refused) {
  start_pro(1, &device_flags::allow_bridge_writes);
  // A second bridge; ether3 is a port of "bridge".
  sim_fleet->router(0).request("PUT", "/rest/interface/bridge",
                               R"({"name":"br-test"})");
  ASSERT_EQ(ports_of(0, "ether3").size(), 1u);
  auto text = error_text("plan_add_bridge_port", {{"device_ids", ids(0, 1)},
                                                  {"bridge_name", "br-test"},
                                                  {"interface", "ether3"}});
  EXPECT_NE(text.find("already bridged"), std::string::npos) << text;
  EXPECT_NE(text.find("a port of bridge"), std::string::npos) << text;
  text = error_text("plan_add_bridge_port", {{"device_ids", ids(0, 1)},
                                             {"bridge_name", "br-none"},
                                             {"interface", "ether1"}});
  EXPECT_NE(text.find("bridge_name"), std::string::npos) << text;
  text = error_text("plan_add_bridge_port", {{"device_ids", ids(0, 1)},
                                             {"bridge_name", "bridge"},
                                             {"interface", "bridge"}});
  EXPECT_NE(text.find("interface"), std::string::npos) << text;
  text = error_text(
    "plan_modify_bridge_settings",
    {{"device_ids", ids(0, 1)}, {"bridge_name", "bridge"}, {"priority", 1000}});
  EXPECT_NE(text.find("priority"), std::string::npos) << text;
  text = error_text("plan_modify_bridge_settings", {{"device_ids", ids(0, 1)},
                                                    {"bridge_name", "bridge"},
                                                    {"forward_delay", "soon"}});
  EXPECT_NE(text.find("forward_delay"), std::string::npos) << text;
}

TEST_F(bridge_plan_test, settings_change_and_roll_back) {
  start_pro(2, &device_flags::allow_bridge_writes);
  auto b0 = bridge(0);
  auto out = plan("plan_modify_bridge_settings", {{"device_ids", ids(0, 2)},
                                                  {"bridge_name", "bridge"},
                                                  {"protocol_mode", "mstp"},
                                                  {"vlan_filtering", true},
                                                  {"priority", 4096},
                                                  {"batch_size", 1}});
  EXPECT_EQ(out.value("risk", ""), "high");
  EXPECT_NE(out["warnings"].dump().find("vlan_filtering"), std::string::npos);
  fail_gate(1);
  auto report =
    approve_and_apply("apply_bridge_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  EXPECT_EQ(bridge(0).value("protocol-mode", ""),
            b0.value("protocol-mode", ""));
  EXPECT_EQ(bridge(0).value("vlan-filtering", ""), "false");
  EXPECT_EQ(bridge(0).value("priority", ""), "0x8000");
  sim_fleet->router(1).update_faults(
    [](sim::fault_config& f) { f.high_cpu = false; });
  out = plan("plan_modify_bridge_settings", {{"device_ids", ids(0, 2)},
                                             {"bridge_name", "bridge"},
                                             {"protocol_mode", "mstp"},
                                             {"vlan_filtering", true},
                                             {"priority", 4096},
                                             {"forward_delay", "10s"}});
  report = approve_and_apply("apply_bridge_plan", out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 2; ++i) {
    auto b = bridge(i);
    EXPECT_EQ(b.value("protocol-mode", ""), "mstp");
    EXPECT_EQ(b.value("vlan-filtering", ""), "true");
    EXPECT_EQ(b.value("priority", ""), "0x1000");
    EXPECT_EQ(b.value("forward-delay", ""), "10s");
  }
}

TEST_F(bridge_plan_test, address_list_sync_makes_lists_identical) {
  start_pro(3, &device_flags::allow_firewall_writes);
  // Different starting points: 0 has two entries, 1 one stale, 2 none.
  auto put = [&](size_t i, const std::string& addr) {
    sim_fleet->router(i).request(
      "PUT", "/rest/ip/firewall/address-list",
      json{{"list", "mcp-block"}, {"address", addr}}.dump());
  };
  put(0, "198.51.100.1");
  put(0, "198.51.100.2");
  put(1, "203.0.113.9");
  auto out =
    plan("config_plan_address_list_sync",
         {{"device_ids", ids(0, 3)},
          {"list_name", "mcp-block"},
          {"addresses", {"198.51.100.1", "192.0.2.0/24", "192.0.2.7/32"}},
          {"comment", "synced"}});
  auto& pv = out["preview"];
  EXPECT_EQ(pv[0]["intended"]["adds"], json({"192.0.2.0/24", "192.0.2.7"}));
  EXPECT_EQ(pv[0]["intended"]["removes"], json({"198.51.100.2"}));
  EXPECT_EQ(pv[1]["intended"]["removes"], json({"203.0.113.9"}));
  EXPECT_EQ(pv[2]["intended"]["adds"].size(), 3u);
  auto report = approve_and_apply("config_apply_address_list_sync",
                                  out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  std::vector<std::string> want{"192.0.2.0/24", "192.0.2.7", "198.51.100.1"};
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(entries(i, "mcp-block"), want) << i;
  // Other lists are untouched; a failed gate restores each list.
  auto mgmt = entries(1, "mgmt");
  out = plan("config_plan_address_list_sync", {{"device_ids", ids(0, 3)},
                                               {"list_name", "mcp-block"},
                                               {"addresses", json::array()},
                                               {"batch_size", 1}});
  EXPECT_EQ(out.value("risk", ""), "high"); // empties the list
  fail_gate(2);
  report = approve_and_apply("config_apply_address_list_sync",
                             out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(entries(i, "mcp-block"), want) << i;
  EXPECT_EQ(entries(1, "mgmt"), mgmt);
  // Only mcp-* lists; bad addresses are named.
  EXPECT_EQ(
    error_kind("config_plan_address_list_sync", {{"device_ids", ids(0, 1)},
                                                 {"list_name", "mgmt"},
                                                 {"addresses", json::array()}}),
    "invalid_arguments");
  auto text = error_text("config_plan_address_list_sync",
                         {{"device_ids", ids(0, 1)},
                          {"list_name", "mcp-x"},
                          {"addresses", {"10.0.0.1", "ten"}}});
  EXPECT_NE(text.find("addresses"), std::string::npos) << text;
}

} // namespace rmcp
