// The single-device write tools against the RouterOS simulator: the change
// reaches the router with the right verb, dry_run touches nothing, repeated
// calls are no-ops, every applied change is audited with before and after,
// and the guards (environment, capability flag, missing objects, bad input)
// refuse before anything is written.

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

class write_tools_test : public test::sim_harness {
protected:
  std::string identity_of(size_t i) {
    return router_get(i, "/system/identity").value("name", "");
  }
};

json args(json more) {
  json a{{"device_id", "sim-0"}};
  a.update(more);
  return a;
}

} // namespace

TEST_F(write_tools_test, identity_is_set_once_and_audited) {
  start_writable();
  auto old = identity_of(0);
  auto out = ok("set_system_identity", args({{"identity", "core-ams-01"}}));
  EXPECT_EQ(out["changed"], true);
  EXPECT_EQ(out["before"]["identity"], old);
  EXPECT_EQ(out["after"]["identity"], "core-ams-01");
  EXPECT_EQ(out["planned_changes"]["identity"]["to"], "core-ams-01");
  EXPECT_EQ(identity_of(0), "core-ams-01");
  ASSERT_EQ(data->changes().size(), 1u);
  auto rec = data->changes()[0];
  EXPECT_EQ(rec.tool, "set_system_identity");
  EXPECT_EQ(rec.device_id, "sim-0");
  EXPECT_EQ(rec.actor, "tester");
  EXPECT_EQ(rec.outcome, "applied");
  EXPECT_EQ(rec.before["identity"], old);
  EXPECT_EQ(rec.after["identity"], "core-ams-01");
  // Record 1 is the change's "started" record, stored before the write.
  EXPECT_EQ(out["audit_seq"], 2);
  ASSERT_EQ(data->intents().size(), 1u);
  EXPECT_EQ(data->intents()[0].arguments["identity"], "core-ams-01");
  // The same identity again is a no-op: nothing written, nothing audited.
  auto again = ok("set_system_identity", args({{"identity", "core-ams-01"}}));
  EXPECT_EQ(again["changed"], false);
  EXPECT_TRUE(again["planned_changes"].empty());
  EXPECT_EQ(data->changes().size(), 1u);
}

// A daemon killed between the router's answer and the final record must
// leave a trail that names the change: the "started" record is durable
// before the router sees the write (found by scripts/crash-loop).
TEST_F(write_tools_test, the_change_is_recorded_as_started_before_the_write) {
  start_writable();
  auto old = identity_of(0);
  std::vector<std::pair<std::string, std::string>> seen; // outcome, identity
  data->on_durable_audit = [this, &seen](const audit_record& rec) {
    if (rec.kind == audit_kind::change)
      seen.emplace_back(rec.outcome, identity_of(0));
  };
  ok("set_system_identity", args({{"identity", "crash-safe-01"}}));
  data->on_durable_audit = nullptr;
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(std::string{"started"}, old));
  EXPECT_EQ(seen[1], std::make_pair(std::string{"applied"},
                                    std::string{"crash-safe-01"}));
  ASSERT_EQ(data->intents().size(), 1u);
  EXPECT_EQ(data->intents()[0].before["identity"], old);
  EXPECT_EQ(data->intents()[0].device_id, "sim-0");
}

TEST_F(write_tools_test, no_write_reaches_the_router_unless_it_is_recorded) {
  start_writable();
  auto old = identity_of(0);
  data->fail_audit = true;
  EXPECT_EQ(error_kind("set_system_identity", args({{"identity", "x1"}})),
            "store_failure");
  EXPECT_EQ(identity_of(0), old);
  for (auto& r : sim_fleet->router(0).request_log())
    EXPECT_FALSE(r.write) << r.method << " " << r.target;
}

TEST_F(write_tools_test, dry_run_plans_without_touching_the_router) {
  start_writable();
  auto old = identity_of(0);
  auto out = ok("set_system_identity",
                args({{"identity", "planned-name"}, {"dry_run", true}}));
  EXPECT_EQ(out["dry_run"], true);
  EXPECT_EQ(out["changed"], false);
  EXPECT_EQ(out["would_change"], true);
  EXPECT_EQ(out["planned_changes"]["identity"]["from"], old);
  EXPECT_EQ(identity_of(0), old);
  EXPECT_TRUE(data->changes().empty());
}

TEST_F(write_tools_test, writes_need_the_capability_flag_and_the_environment) {
  start_with(1); // no allow_advanced_writes
  EXPECT_EQ(error_kind("set_system_identity", args({{"identity", "x1"}})),
            "capability_denied");
  EXPECT_NE(identity_of(0), "x1");
}

TEST_F(write_tools_test, devices_of_another_environment_are_refused) {
  customize = [](size_t, device_record& r, std::string&) {
    r.environment = "prod";
    r.flags.allow_advanced_writes = true;
  };
  start_with(1);
  EXPECT_EQ(error_kind("set_system_identity", args({{"identity", "x1"}})),
            "environment_mismatch");
}

TEST_F(write_tools_test, a_refused_write_is_audited_as_failed) {
  // The read-only user may read but not write (500 not enough permissions).
  customize = [](size_t, device_record& r, std::string&) {
    r.username = "readonly";
    r.flags.allow_advanced_writes = true;
  };
  start_with(1);
  auto old = identity_of(0);
  EXPECT_EQ(error_kind("set_system_identity", args({{"identity", "x1"}})),
            "router_permission_denied");
  EXPECT_EQ(identity_of(0), old);
  ASSERT_EQ(data->changes().size(), 1u);
  EXPECT_EQ(data->changes()[0].outcome, "failed");
  EXPECT_EQ(data->changes()[0].after["identity"], old);
  EXPECT_NE(data->changes()[0].error.find("router_permission_denied"),
            std::string::npos);
}

TEST_F(write_tools_test, bad_arguments_are_refused_before_any_request) {
  start_writable();
  EXPECT_EQ(error_kind("set_system_identity", args({{"identity", " padded"}})),
            "invalid_arguments");
  EXPECT_EQ(error_kind("set_system_identity", args(json::object())),
            "invalid_arguments");
  EXPECT_TRUE(data->changes().empty());
}

TEST_F(write_tools_test, interface_comments_are_set_and_cleared) {
  start_writable();
  auto out = ok("update_interface_comment",
                args({{"interface", "ether1"}, {"comment", "WAN uplink"}}));
  EXPECT_EQ(out["changed"], true);
  EXPECT_EQ(out["after"]["comment"], "WAN uplink");
  EXPECT_EQ(router_get(0, "/interface/ether1")["comment"], "WAN uplink");
  auto id = out["before"]["id"].get<std::string>();
  auto by_id = ok("update_interface_comment",
                  args({{"interface", id}, {"comment", "WAN uplink"}}));
  EXPECT_EQ(by_id["changed"], false);
  auto cleared = ok("update_interface_comment",
                    args({{"interface", "ether1"}, {"comment", ""}}));
  EXPECT_EQ(cleared["changed"], true);
  EXPECT_FALSE(router_get(0, "/interface/ether1").contains("comment"));
  EXPECT_EQ(error_kind("update_interface_comment",
                       args({{"interface", "nope9"}, {"comment", "x"}})),
            "resource_not_found");
  EXPECT_EQ(data->changes().size(), 2u);
}

TEST_F(write_tools_test, dns_servers_are_replaced_in_order) {
  start_writable();
  auto out =
    ok("update_dns_servers", args({{"dns_servers", {"1.1.1.1", "9.9.9.9"}}}));
  EXPECT_EQ(out["changed"], true);
  EXPECT_EQ(router_get(0, "/ip/dns")["servers"], "1.1.1.1,9.9.9.9");
  EXPECT_EQ(out["after"]["servers"], json({"1.1.1.1", "9.9.9.9"}));
  auto same =
    ok("update_dns_servers", args({{"dns_servers", {"1.1.1.1", "9.9.9.9"}}}));
  EXPECT_EQ(same["changed"], false);
  auto reordered =
    ok("update_dns_servers", args({{"dns_servers", {"9.9.9.9", "1.1.1.1"}}}));
  EXPECT_EQ(reordered["changed"], true);
  // The resolver takes addresses only (RouterOS refuses names there).
  EXPECT_EQ(error_kind("update_dns_servers",
                       args({{"dns_servers", {"1.1.1.1", "dns.quad9.net"}}})),
            "invalid_arguments");
  EXPECT_EQ(
    error_kind("update_dns_servers", args({{"dns_servers", json::array()}})),
    "invalid_arguments");
}

TEST_F(write_tools_test, ntp_servers_and_state_are_updated) {
  start_writable();
  auto out =
    ok("update_ntp_servers",
       args({{"ntp_servers", {"time.cloudflare.com"}}, {"enabled", false}}));
  EXPECT_EQ(out["changed"], true);
  auto ntp = router_get(0, "/system/ntp/client");
  EXPECT_EQ(ntp["servers"], "time.cloudflare.com");
  EXPECT_EQ(ntp["enabled"], "false");
  EXPECT_EQ(out["planned_changes"]["enabled"]["to"], false);
  auto same =
    ok("update_ntp_servers",
       args({{"ntp_servers", {"time.cloudflare.com"}}, {"enabled", false}}));
  EXPECT_EQ(same["changed"], false);
}

TEST_F(write_tools_test, the_dns_cache_is_flushed) {
  start_writable();
  auto n = router_get(0, "/ip/dns/cache").size();
  ASSERT_GT(n, 0u);
  auto dry = ok("flush_dns_cache", args({{"dry_run", true}}));
  EXPECT_EQ(dry["would_change"], true);
  EXPECT_EQ(router_get(0, "/ip/dns/cache").size(), n);
  auto out = ok("flush_dns_cache", args(json::object()));
  EXPECT_EQ(out["entries_flushed"], n);
  EXPECT_EQ(router_get(0, "/ip/dns/cache").size(), 0u);
  EXPECT_EQ(ok("flush_dns_cache", args(json::object()))["changed"], false);
}

} // namespace rmcp
