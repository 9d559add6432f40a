// The router read tools against the RouterOS simulator: typed values that
// match what the simulated router holds, filters, limits, bad arguments and
// router errors.

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

class read_tools_test : public test::sim_harness {
protected:
  json dev(size_t i) {
    return {{"device_id", "sim-" + std::to_string(i)}};
  }

  json with(json args, const json& more) {
    args.update(more);
    return args;
  }
};

} // namespace

TEST_F(read_tools_test, interfaces_are_listed_with_typed_values) {
  start_with(1);
  auto raw = router_get(0, "/interface");
  auto out = ok("list_interfaces", dev(0));
  ASSERT_EQ(out["count"], raw.size());
  auto& first = out["interfaces"][0];
  EXPECT_EQ(first["name"], raw[0]["name"]);
  EXPECT_TRUE(first["running"].is_boolean());
  EXPECT_TRUE(first["mtu"].is_number_unsigned()) << first.dump();
  auto ethers = ok("list_interfaces", with(dev(0), {{"type", "ether"}}));
  EXPECT_GT(ethers["count"].get<size_t>(), 0u);
  EXPECT_LT(ethers["count"].get<size_t>(), raw.size());
  for (auto& row : ethers["interfaces"])
    EXPECT_EQ(row["type"], "ether");
  auto one = ok("get_interface", with(dev(0), {{"interface", "ether1"}}));
  EXPECT_EQ(one["interface"]["name"], "ether1");
  EXPECT_EQ(error_kind("get_interface", with(dev(0), {{"interface", "nope9"}})),
            "router_not_found");
}

TEST_F(read_tools_test, interface_traffic_is_in_bits_per_second) {
  start_with(1);
  auto out = ok("get_interface_stats",
                with(dev(0), {{"interfaces", {"ether1", "ether2"}}}));
  ASSERT_EQ(out["count"], 2);
  EXPECT_EQ(out["interfaces"][0]["name"], "ether1");
  EXPECT_TRUE(out["interfaces"][0]["rx_bits_per_second"].is_number_unsigned());
  auto all = ok("get_interface_stats", dev(0));
  EXPECT_GE(all["count"].get<size_t>(), 2u);
  EXPECT_EQ(error_kind("get_interface_stats",
                       with(dev(0), {{"interfaces", {"nope9"}}})),
            "router_bad_request");
  // A comma would smuggle a second name into the RouterOS argument.
  EXPECT_EQ(error_kind("get_interface_stats",
                       with(dev(0), {{"interfaces", {"ether1,ether2"}}})),
            "invalid_arguments");
}

TEST_F(read_tools_test, bridges_and_ports_are_listed) {
  start_with(1);
  auto bridges = ok("list_bridges", dev(0));
  ASSERT_EQ(bridges["count"], router_get(0, "/interface/bridge").size());
  auto ports = ok("list_bridge_ports", dev(0));
  ASSERT_EQ(ports["count"], router_get(0, "/interface/bridge/port").size());
  if (bridges["count"] > 0) {
    auto name = bridges["bridges"][0]["name"].get<std::string>();
    auto only = ok("list_bridge_ports", with(dev(0), {{"bridge", name}}));
    for (auto& p : only["ports"])
      EXPECT_EQ(p["bridge"], name);
  }
}

TEST_F(read_tools_test, ip_addresses_and_arp_are_read) {
  start_with(1);
  auto raw = router_get(0, "/ip/address");
  auto out = ok("list_ip_addresses", dev(0));
  ASSERT_EQ(out["count"], raw.size());
  auto id = out["addresses"][0]["id"].get<std::string>();
  auto one = ok("get_ip_address", with(dev(0), {{"address_id", id}}));
  EXPECT_EQ(one["address"]["address"], raw[0]["address"]);
  EXPECT_EQ(
    error_kind("get_ip_address", with(dev(0), {{"address_id", "*FFF"}})),
    "router_not_found");
  EXPECT_EQ(
    error_kind("get_ip_address", with(dev(0), {{"address_id", "ether1"}})),
    "invalid_arguments");
  auto arp = ok("get_arp_table", dev(0));
  EXPECT_EQ(arp["count"], router_get(0, "/ip/arp").size());
}

TEST_F(read_tools_test, dns_ntp_and_dhcp_are_typed) {
  start_with(1);
  auto dns = ok("get_dns_status", dev(0));
  ASSERT_TRUE(dns["servers"].is_array());
  EXPECT_FALSE(dns["servers"].empty());
  EXPECT_TRUE(dns["allow_remote_requests"].is_boolean());
  auto cache = ok("get_dns_cache", with(dev(0), {{"limit", 2}}));
  EXPECT_LE(cache["count"].get<size_t>(), 2u);
  EXPECT_EQ(cache["total_count"], router_get(0, "/ip/dns/cache").size());
  EXPECT_EQ(error_kind("get_dns_cache", with(dev(0), {{"limit", 1001}})),
            "invalid_arguments");
  auto ntp = ok("get_ntp_status", dev(0));
  EXPECT_EQ(ntp["enabled"], true);
  EXPECT_EQ(ntp["status"], "synchronized");
  EXPECT_TRUE(ntp["system_offset_seconds"].is_number());
  auto servers = ok("get_dhcp_server_status", dev(0));
  EXPECT_EQ(servers["count"], router_get(0, "/ip/dhcp-server").size());
  auto leases = ok("get_dhcp_leases", dev(0));
  EXPECT_EQ(leases["count"], router_get(0, "/ip/dhcp-server/lease").size());
  auto bound = ok("get_dhcp_leases", with(dev(0), {{"status", "bound"}}));
  for (auto& l : bound["leases"])
    EXPECT_EQ(l["status"], "bound");
}

TEST_F(read_tools_test, routes_are_counted_by_kind) {
  start_with(1);
  auto out = ok("get_routing_summary", dev(0));
  EXPECT_EQ(out["total_routes"], router_get(0, "/ip/route").size());
  EXPECT_GE(out["connected_routes"].get<size_t>(), 1u);
  EXPECT_EQ(out["default_routes"], 1);
  auto id = out["routes"][0]["id"].get<std::string>();
  auto one = ok("get_route", with(dev(0), {{"route_id", id}}));
  EXPECT_EQ(one["route"]["id"], id);
}

TEST_F(read_tools_test, firewall_rules_and_address_lists_are_listed) {
  start_with(1);
  auto filter = ok("list_firewall_filter_rules", dev(0));
  EXPECT_EQ(filter["count"], router_get(0, "/ip/firewall/filter").size());
  auto input =
    ok("list_firewall_filter_rules", with(dev(0), {{"chain", "input"}}));
  for (auto& r : input["rules"])
    EXPECT_EQ(r["chain"], "input");
  auto nat = ok("list_firewall_nat_rules", dev(0));
  EXPECT_EQ(nat["count"], router_get(0, "/ip/firewall/nat").size());
  auto lists = ok("list_firewall_address_lists", dev(0));
  EXPECT_EQ(lists["count"], router_get(0, "/ip/firewall/address-list").size());
}

TEST_F(read_tools_test, logs_are_newest_first_and_limited_after_filtering) {
  start_with(1);
  auto all = ok("get_recent_logs", with(dev(0), {{"limit", 1000}}));
  // REST logins are logged too: read the raw log after the tool's read.
  auto raw = router_get(0, "/log");
  ASSERT_GE(raw.size(), 3u);
  ASSERT_EQ(all["count"], raw.size());
  EXPECT_EQ(all["entries"][0]["message"], raw.back()["message"]);
  EXPECT_GE(all["entries"][0]["time"].get<std::string>(),
            all["entries"][1]["time"].get<std::string>());
  auto two = ok("get_recent_logs", with(dev(0), {{"limit", 2}}));
  EXPECT_EQ(two["count"], 2);
  EXPECT_EQ(two["total_count"], raw.size());
  // The limit applies to matching entries, not to the newest entries.
  auto sys = ok("get_recent_logs",
                with(dev(0), {{"limit", 1}, {"topics", {"interface"}}}));
  ASSERT_EQ(sys["count"], 1);
  auto topics = sys["entries"][0]["topics"];
  EXPECT_NE(std::find(topics.begin(), topics.end(), "interface"), topics.end());
  auto none =
    ok("get_recent_logs", with(dev(0), {{"message", "NO SUCH TEXT ANYWHERE"}}));
  EXPECT_EQ(none["count"], 0);
  auto future =
    ok("get_recent_logs", with(dev(0), {{"since", "2999-01-01 00:00:00"}}));
  EXPECT_EQ(future["count"], 0);
  EXPECT_EQ(error_kind("get_recent_logs", with(dev(0), {{"limit", 0}})),
            "invalid_arguments");
  auto config = ok("get_logging_config", dev(0));
  EXPECT_EQ(config["count"], router_get(0, "/system/logging").size());
}

TEST_F(read_tools_test, packages_and_clock_are_typed) {
  start_with(1);
  auto pkgs = ok("get_system_packages", dev(0));
  EXPECT_GT(pkgs["installed_count"].get<size_t>(), 0u);
  auto clock = ok("get_system_clock", dev(0));
  EXPECT_EQ(clock["local_time"].get<std::string>().size(), 19u) << clock.dump();
  EXPECT_TRUE(clock["gmt_offset_seconds"].is_number_integer()) << clock.dump();
}

TEST_F(read_tools_test, wireless_reads_follow_the_driver) {
  // Router 0 is a hAP ac^2 (legacy wireless, CAPsMAN manager), router 1 a
  // CCR2004 (no radio), router 3 a hAP ax^3 (wifi).
  start_with(4);
  auto legacy = ok("get_wireless_interfaces", dev(0));
  EXPECT_EQ(legacy["driver"], "wireless");
  EXPECT_EQ(legacy["count"], 2);
  auto clients = ok("get_wireless_clients", dev(0));
  ASSERT_GT(clients["count"].get<size_t>(), 0u);
  EXPECT_LT(clients["clients"][0]["signal_dbm"].get<int>(), 0);
  EXPECT_TRUE(clients["clients"][0]["bytes_sent"].is_number_unsigned());
  EXPECT_TRUE(clients["clients"][0]["tx_rate_bps"].is_number_unsigned());
  auto none = ok("get_wireless_interfaces", dev(1));
  EXPECT_EQ(none["driver"], "none");
  EXPECT_EQ(none["count"], 0);
  auto wifi = ok("get_wireless_interfaces", dev(3));
  EXPECT_EQ(wifi["driver"], "wifi");
  EXPECT_FALSE(wifi["interfaces"][0]["ssid"].get<std::string>().empty());
  auto caps = ok("get_capsman_remote_caps", dev(0));
  EXPECT_EQ(caps["driver"], "capsman");
  EXPECT_EQ(caps["count"], router_get(0, "/caps-man/remote-cap").size());
  auto regs = ok("get_capsman_registrations", dev(0));
  EXPECT_EQ(regs["count"],
            router_get(0, "/caps-man/registration-table").size());
  EXPECT_EQ(ok("get_capsman_remote_caps", dev(1))["driver"], "none");
}

TEST_F(read_tools_test, router_errors_and_unknown_devices_fail_clearly) {
  start_with(1, {{0, "wrong-password"}});
  EXPECT_EQ(error_kind("list_interfaces", dev(0)), "router_auth_failed");
  EXPECT_EQ(error_kind("list_interfaces", {{"device_id", "nope"}}),
            "device_not_found");
  EXPECT_EQ(error_kind("list_interfaces", json::object()), "invalid_arguments");
}

} // namespace rmcp

namespace rmcp {

namespace {

/// Every router tool with valid arguments for device sim-0.
std::vector<std::pair<std::string, json>> router_tool_calls() {
  json d{{"device_id", "sim-0"}};
  auto with = [&d](json more) {
    auto a = d;
    a.update(more);
    return a;
  };
  return {
    {"get_system_overview", d},
    {"get_system_packages", d},
    {"get_system_clock", d},
    {"list_interfaces", d},
    {"get_interface", with({{"interface", "ether1"}})},
    {"get_interface_stats", d},
    {"list_bridges", d},
    {"list_bridge_ports", d},
    {"list_ip_addresses", d},
    {"get_ip_address", with({{"address_id", "*1"}})},
    {"get_arp_table", d},
    {"get_dns_status", d},
    {"get_dns_cache", d},
    {"get_ntp_status", d},
    {"get_dhcp_server_status", d},
    {"get_dhcp_leases", d},
    {"get_routing_summary", d},
    {"get_route", with({{"route_id", "*1"}})},
    {"list_firewall_filter_rules", d},
    {"list_firewall_nat_rules", d},
    {"list_firewall_address_lists", d},
    {"get_recent_logs", d},
    {"get_logging_config", d},
    {"get_wireless_interfaces", d},
    {"get_wireless_clients", d},
    {"get_capsman_remote_caps", d},
    {"get_capsman_registrations", d},
    {"set_system_identity", with({{"identity", "x1"}})},
    {"update_interface_comment",
     with({{"interface", "ether1"}, {"comment", "c"}})},
    {"update_dns_servers", with({{"dns_servers", {"1.1.1.1"}}})},
    {"update_ntp_servers", with({{"ntp_servers", {"1.1.1.1"}}})},
    {"flush_dns_cache", d},
    {"add_secondary_ip_address",
     with({{"address", "10.99.0.1/24"}, {"interface", "ether3"}})},
    {"remove_secondary_ip_address", with({{"address_id", "*1"}})},
    {"update_firewall_address_list",
     with({{"list_name", "mcp-x"}, {"address", "192.0.2.1"}})},
    {"ping", with({{"target", "192.0.2.1"}, {"count", 1}})},
    {"traceroute", with({{"target", "192.0.2.1"}})},
  };
}

using tool_errors_test = test::sim_harness;

} // namespace

TEST_F(tool_errors_test, every_router_tool_reports_a_router_error_as_such) {
  customize = [](size_t, device_record& r, std::string& pw) {
    r.flags.allow_advanced_writes = true;
    pw = "wrong";
  };
  start_with(1);
  for (auto& [tool, args] : router_tool_calls())
    EXPECT_EQ(error_kind(tool, args), "router_auth_failed") << tool;
  EXPECT_TRUE(data->changes().empty());
}

TEST_F(tool_errors_test, every_router_tool_refuses_another_environment) {
  customize = [](size_t, device_record& r, std::string&) {
    r.environment = "staging";
    r.flags.allow_advanced_writes = true;
  };
  start_with(1);
  for (auto& [tool, args] : router_tool_calls())
    EXPECT_EQ(error_kind(tool, args), "environment_mismatch") << tool;
}

} // namespace rmcp
