// DHCP plans against the RouterOS simulator: create, modify and remove
// really write /ip/pool, /ip/dhcp-server and /ip/dhcp-server/network (read
// back from the routers); a failed gate restores the previous rows.

#include <gtest/gtest.h>

#include "tests/support/plan_harness.hpp"

namespace rmcp {

namespace {

class dhcp_plan_test : public test::plan_harness {
protected:
  void start(size_t routers) {
    start_pro(routers, &device_flags::allow_dhcp_writes);
  }

  /// Rows of `path` on router `i` whose `key` is `value`.
  std::vector<json> rows(size_t i, const std::string& path,
                         const std::string& key, const std::string& value) {
    std::vector<json> out;
    for (auto& r : router_get(i, path))
      if (r.value(key, "") == value)
        out.push_back(r);
    return out;
  }

  /// The three DHCP tables of router `i` as text (ids dropped).
  std::string tables(size_t i) {
    std::string out;
    for (auto* p : {"/ip/pool", "/ip/dhcp-server", "/ip/dhcp-server/network"})
      for (auto r : router_get(i, p)) {
        r.erase(".id");
        out += r.dump() + "\n";
      }
    return out;
  }

  json create_args(json devices) {
    return {{"device_ids", std::move(devices)},
            {"pool_name", "guests"},
            {"address_range", "10.50.0.10-10.50.0.200"},
            {"network", "10.50.0.0/24"},
            {"gateway", "10.50.0.1"},
            {"dns_servers", {"10.50.0.1", "9.9.9.9"}},
            {"lease_time", "90m"},
            {"interface", "ether1"}};
  }

  json apply(const std::string& id) {
    return approve_and_apply("apply_dhcp_plan", id);
  }
};

} // namespace

TEST_F(dhcp_plan_test, create_modify_remove_really_write_the_routers) {
  start(2);
  auto before = tables(0);
  auto out = plan("plan_create_dhcp_pool", create_args(ids(0, 2)));
  EXPECT_EQ(out.value("risk", ""), "medium");
  EXPECT_EQ(out["preview"][0]["current"]["/ip/pool"].size(), 0u);
  EXPECT_EQ(out["preview"][0]["intended"]["/ip/dhcp-server"][0]["lease-time"],
            "1h30m");
  EXPECT_TRUE(rows(0, "/ip/pool", "name", "guests").empty());
  auto report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 2; ++i) {
    auto pool = rows(i, "/ip/pool", "name", "guests");
    ASSERT_EQ(pool.size(), 1u) << i;
    EXPECT_EQ(pool[0].value("ranges", ""), "10.50.0.10-10.50.0.200");
    auto srv = rows(i, "/ip/dhcp-server", "name", "guests");
    ASSERT_EQ(srv.size(), 1u);
    EXPECT_EQ(srv[0].value("interface", ""), "ether1");
    EXPECT_EQ(srv[0].value("address-pool", ""), "guests");
    EXPECT_EQ(srv[0].value("lease-time", ""), "1h30m");
    auto net = rows(i, "/ip/dhcp-server/network", "address", "10.50.0.0/24");
    ASSERT_EQ(net.size(), 1u);
    EXPECT_EQ(net[0].value("gateway", ""), "10.50.0.1");
    EXPECT_EQ(net[0].value("dns-server", ""), "10.50.0.1,9.9.9.9");
  }
  // The same pool again is refused per router.
  auto text = error_text("plan_create_dhcp_pool", create_args(ids(0, 1)));
  EXPECT_NE(text.find("exists already"), std::string::npos) << text;

  out =
    plan("plan_modify_dhcp_pool", {{"device_ids", ids(0, 2)},
                                   {"pool_name", "guests"},
                                   {"address_range", "10.50.0.100-10.50.0.150"},
                                   {"gateway", "10.50.0.254"},
                                   {"lease_time", "1d"}});
  report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(rows(i, "/ip/pool", "name", "guests")[0].value("ranges", ""),
              "10.50.0.100-10.50.0.150");
    EXPECT_EQ(
      rows(i, "/ip/dhcp-server/network", "address", "10.50.0.0/24")[0].value(
        "gateway", ""),
      "10.50.0.254");
    EXPECT_EQ(
      rows(i, "/ip/dhcp-server", "name", "guests")[0].value("lease-time", ""),
      "1d");
  }
  // A range outside the pool's network is refused for the router.
  text = error_text("plan_modify_dhcp_pool",
                    {{"device_ids", ids(0, 1)},
                     {"pool_name", "guests"},
                     {"address_range", "10.51.0.1-10.51.0.9"}});
  EXPECT_NE(text.find("address_range"), std::string::npos) << text;

  out = plan("plan_remove_dhcp_pool",
             {{"device_ids", ids(0, 2)}, {"pool_name", "guests"}});
  EXPECT_EQ(out.value("risk", ""), "high");
  report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "completed") << report.dump();
  EXPECT_EQ(tables(0), before);
  EXPECT_TRUE(rows(1, "/ip/pool", "name", "guests").empty());
  EXPECT_TRUE(rows(1, "/ip/dhcp-server", "name", "guests").empty());
}

TEST_F(dhcp_plan_test, failed_gate_restores_pools_servers_and_networks) {
  start(3);
  // The existing defconf pool is modified, then rolled back.
  std::vector<std::string> before;
  for (size_t i = 0; i < 3; ++i)
    before.push_back(tables(i));
  auto out = plan("plan_create_dhcp_pool", [&] {
    auto a = create_args(ids(0, 3));
    a["batch_size"] = 1;
    return a;
  }());
  fail_gate(1);
  auto report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(tables(i), before[i]) << i;
  sim_fleet->router(1).update_faults(
    [](sim::fault_config& f) { f.high_cpu = false; });
  // Removing the defconf pool and rolling back re-creates all three rows.
  out = plan("plan_remove_dhcp_pool", {{"device_ids", ids(0, 3)},
                                       {"pool_name", "default-dhcp"},
                                       {"batch_size", 1}});
  EXPECT_EQ(out["preview"][0]["current"]["/ip/dhcp-server"].size(), 1u);
  EXPECT_EQ(out["preview"][0]["current"]["/ip/dhcp-server/network"].size(), 1u);
  fail_gate(2);
  report = apply(out.value("plan_id", ""));
  EXPECT_EQ(report.value("state", ""), "rolled_back") << report.dump();
  for (size_t i = 0; i < 3; ++i) {
    auto srv = rows(i, "/ip/dhcp-server", "name", "defconf");
    ASSERT_EQ(srv.size(), 1u) << i;
    EXPECT_EQ(srv[0].value("address-pool", ""), "default-dhcp");
    EXPECT_EQ(rows(i, "/ip/pool", "name", "default-dhcp").size(), 1u);
    EXPECT_EQ(rows(i, "/ip/dhcp-server/network", "comment", "defconf").size(),
              1u);
  }
}

TEST_F(dhcp_plan_test, validation_errors_name_the_argument) {
  start(1);
  auto expect = [&](json change, const std::string& name) {
    auto args = create_args(ids(0, 1));
    args.update(change);
    auto text = error_text("plan_create_dhcp_pool", args);
    EXPECT_NE(text.find(name), std::string::npos) << name << ": " << text;
  };
  expect({{"address_range", "10.50.0.200-10.50.0.10"}}, "address_range");
  expect({{"address_range", "10.50.0.10"}}, "address_range");
  expect({{"address_range", "10.60.0.10-10.60.0.20"}}, "address_range");
  expect({{"network", "10.50.0.7"}}, "network");
  // §12.19: a gateway outside the range is right, inside it is refused.
  expect({{"gateway", "10.50.0.20"}}, "gateway");
  expect({{"gateway", "10.99.0.1"}}, "gateway");
  expect({{"dns_servers", {"dns.example"}}}, "dns_servers");
  expect({{"lease_time", "soon"}}, "lease_time");
  expect({{"interface", "ether99"}}, "interface");
  auto text = error_text("plan_modify_dhcp_pool",
                         {{"device_ids", ids(0, 1)}, {"pool_name", "guests"}});
  EXPECT_NE(text.find("address_range"), std::string::npos) << text;
}

} // namespace rmcp
