// The write tools with guards against the simulator: IP addresses
// (interface existence, overlapping networks, dynamic and management
// addresses) and mcp-* address lists.

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

using guarded_write_tools_test = test::sim_harness;

size_t count_address(const json& rows, const std::string& address) {
  size_t n = 0;
  for (auto& r : rows)
    n += r.value("address", "") == address ? 1 : 0;
  return n;
}

} // namespace

TEST_F(guarded_write_tools_test, a_secondary_address_is_added_once) {
  start_writable();
  auto add = on(0, {{"address", "10.99.0.1/24"},
                    {"interface", "ether3"},
                    {"comment", "test net"}});
  auto out = ok("add_secondary_ip_address", add);
  EXPECT_EQ(out["changed"], true);
  auto id = out["address_id"].get<std::string>();
  ASSERT_FALSE(id.empty()) << out.dump();
  auto row = router_get(0, "/ip/address/" + id);
  EXPECT_EQ(row["address"], "10.99.0.1/24");
  EXPECT_EQ(row["comment"], "test net");
  EXPECT_EQ(ok("add_secondary_ip_address", add)["changed"], false);
  EXPECT_EQ(count_address(router_get(0, "/ip/address"), "10.99.0.1/24"), 1u);
  EXPECT_EQ(data->changes().size(), 1u);
}

TEST_F(guarded_write_tools_test,
       adding_refuses_overlaps_and_missing_interfaces) {
  start_writable();
  auto before = router_get(0, "/ip/address").size();
  // 192.168.10.1/24 is the LAN of router 0.
  EXPECT_EQ(error_kind("add_secondary_ip_address",
                       on(0, {{"address", "192.168.10.77/16"},
                              {"interface", "ether3"}})),
            "guard_refused");
  EXPECT_EQ(
    error_kind("add_secondary_ip_address",
               on(0, {{"address", "10.98.0.1/24"}, {"interface", "nope9"}})),
    "resource_not_found");
  EXPECT_EQ(
    error_kind("add_secondary_ip_address",
               on(0, {{"address", "10.98.0.1"}, {"interface", "ether3"}})),
    "invalid_arguments");
  auto dry = ok("add_secondary_ip_address", on(0, {{"address", "10.98.0.1/24"},
                                                   {"interface", "ether3"},
                                                   {"dry_run", true}}));
  EXPECT_EQ(dry["would_change"], true);
  EXPECT_EQ(router_get(0, "/ip/address").size(), before);
  EXPECT_TRUE(data->changes().empty());
}

TEST_F(guarded_write_tools_test, an_address_is_removed_unless_protected) {
  // The service reaches router 0 through its LAN address 192.168.10.1.
  customize = [](size_t, device_record& r, std::string&) {
    r.host = "192.168.10.1";
    r.flags.allow_advanced_writes = true;
  };
  start_with(1);
  json lan, wan;
  for (auto& a : router_get(0, "/ip/address")) {
    if (a["address"] == "192.168.10.1/24")
      lan = a;
    if (a.value("dynamic", "") == "true")
      wan = a;
  }
  ASSERT_TRUE(lan.is_object() && wan.is_object());
  EXPECT_EQ(error_kind("remove_secondary_ip_address",
                       on(0, {{"address_id", lan[".id"]}})),
            "guard_refused");
  EXPECT_EQ(error_kind("remove_secondary_ip_address",
                       on(0, {{"address_id", wan[".id"]}})),
            "guard_refused");
  auto added =
    ok("add_secondary_ip_address",
       on(0, {{"address", "10.97.0.1/24"}, {"interface", "ether3"}}));
  auto id = added["address_id"].get<std::string>();
  auto removed = ok("remove_secondary_ip_address", on(0, {{"address_id", id}}));
  EXPECT_EQ(removed["changed"], true);
  EXPECT_EQ(removed["before"]["address"], "10.97.0.1/24");
  EXPECT_EQ(count_address(router_get(0, "/ip/address"), "10.97.0.1/24"), 0u);
  EXPECT_EQ(
    ok("remove_secondary_ip_address", on(0, {{"address_id", id}}))["changed"],
    false);
  EXPECT_EQ(count_address(router_get(0, "/ip/address"), "192.168.10.1/24"), 1u);
}

TEST_F(guarded_write_tools_test, only_mcp_address_lists_are_changed) {
  start_writable();
  auto add = on(0, {{"list_name", "mcp-blocked"},
                    {"address", "203.0.113.7"},
                    {"comment", "scanner"},
                    {"timeout", "1d"}});
  auto out = ok("update_firewall_address_list", add);
  EXPECT_EQ(out["changed"], true);
  EXPECT_FALSE(out["entry_id"].get<std::string>().empty());
  auto rows = router_get(0, "/ip/firewall/address-list?list=mcp-blocked");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["address"], "203.0.113.7");
  EXPECT_EQ(ok("update_firewall_address_list", add)["changed"], false);
  auto remove = on(0, {{"list_name", "mcp-blocked"},
                       {"address", "203.0.113.7/32"},
                       {"action", "remove"}});
  EXPECT_EQ(ok("update_firewall_address_list", remove)["changed"], true);
  EXPECT_TRUE(
    router_get(0, "/ip/firewall/address-list?list=mcp-blocked").empty());
  EXPECT_EQ(ok("update_firewall_address_list", remove)["changed"], false);
  EXPECT_EQ(
    error_kind("update_firewall_address_list",
               on(0, {{"list_name", "blocked"}, {"address", "1.2.3.4"}})),
    "invalid_arguments");
  EXPECT_EQ(error_kind("update_firewall_address_list",
                       on(0, {{"list_name", "mcp-x"}, {"address", "nope"}})),
            "invalid_arguments");
  EXPECT_EQ(data->changes().size(), 2u);
}

} // namespace rmcp
