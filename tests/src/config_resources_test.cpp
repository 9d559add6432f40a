// Configuration snapshots and the device resources served by read tools,
// against simulated routers: capture_config_snapshot (export, redaction,
// drift), device://{id}/config, /bridges, /logs, /dhcp-*, /wireless*.

#include <gtest/gtest.h>

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

class config_resources_test : public test::sim_harness {
protected:
  /// Index of a router with a legacy wireless security profile holding a
  /// pre-shared key, or -1.
  int router_with_psk(size_t routers) {
    for (size_t i = 0; i < routers; ++i)
      for (auto& p : router_get(i, "/interface/wireless/security-profiles"))
        if (!p.value("wpa2-pre-shared-key", "").empty())
          return static_cast<int>(i);
    return -1;
  }
};

} // namespace

TEST_F(config_resources_test, snapshot_stores_the_export_and_reports_drift) {
  start_with(1);
  auto none = read("device://sim-0/config");
  EXPECT_EQ(none["code"], -32002) << none.dump();
  EXPECT_NE(none["message"].get<std::string>().find("capture_config_snapshot"),
            std::string::npos)
    << none.dump();

  // Subscribers learn of every new snapshot.
  EXPECT_TRUE(request("resources/subscribe", {{"uri", "device://sim-0/config"}})
                .is_object());
  auto first = ok("capture_config_snapshot", on(0));
  EXPECT_EQ(updates_for("device://sim-0/config"), 1u);
  EXPECT_FALSE(first.contains("previous")) << first.dump();
  EXPECT_GT(first["lines"].get<int>(), 5) << first.dump();
  auto config = read("device://sim-0/config");
  EXPECT_EQ(config["_meta"]["snapshot_id"], first["snapshot_id"]);
  EXPECT_EQ(config["_meta"]["sha256"], first["sha256"]);
  auto text = config["config"].get<std::string>();
  EXPECT_NE(text.find("/system identity set name="), std::string::npos) << text;

  // Unchanged router: no drift.
  auto same = ok("capture_config_snapshot", on(0));
  EXPECT_EQ(same["previous"]["snapshot_id"], first["snapshot_id"]);
  EXPECT_EQ(same["previous"]["changed"], false) << same.dump();

  // One change on the router: one line out, one line in.
  sim_fleet->router(0).request("POST", "/rest/system/identity/set",
                               R"({"name":"renamed-by-hand"})");
  auto drift = ok("capture_config_snapshot", on(0));
  EXPECT_EQ(drift["previous"]["snapshot_id"], same["snapshot_id"]);
  EXPECT_EQ(drift["previous"]["changed"], true);
  EXPECT_EQ(drift["previous"]["lines_added"], 1) << drift.dump();
  EXPECT_EQ(drift["previous"]["lines_removed"], 1) << drift.dump();
  EXPECT_NE(
    drift["previous"]["added"][0].get<std::string>().find("renamed-by-hand"),
    std::string::npos);
  EXPECT_EQ(read("device://sim-0/config")["_meta"]["snapshot_id"],
            drift["snapshot_id"]);
  EXPECT_EQ(updates_for("device://sim-0/config"), 3u);
  // The tool reports drift in its answer; only the periodic snapshots
  // record it (device://{id}/config-drift).
  auto recorded = read("device://sim-0/config-drift");
  EXPECT_EQ(recorded["device_id"], "sim-0") << recorded.dump();
  EXPECT_TRUE(recorded["drift"].is_null()) << recorded.dump();
  EXPECT_NE(
    recorded["_meta"]["note"].get<std::string>().find("snapshots.interval"),
    std::string::npos);
}

TEST_F(config_resources_test, recorded_drift_is_served_with_readable_times) {
  start_with(1);
  snapshot_record rec;
  rec.id = "snap-9";
  rec.device_id = "sim-0";
  rec.kind = "config-drift";
  rec.timestamp = 1'767'225'600'000;
  rec.content = json{{"snapshot_id", "snap-8"},
                     {"previous_snapshot_id", "snap-7"},
                     {"previous_taken_ms", 1'767'222'000'000},
                     {"taken_ms", 1'767'225'600'000},
                     {"lines_added", 1},
                     {"lines_removed", 0},
                     {"added", {"add address=ntp2.example.net"}},
                     {"removed", json::array()}}
                  .dump();
  data->snapshots.push_back(rec);
  auto got = read("device://sim-0/config-drift");
  EXPECT_EQ(got["_meta"]["record_id"], "snap-9") << got.dump();
  auto& drift = got["drift"];
  EXPECT_EQ(drift["snapshot_id"], "snap-8");
  EXPECT_EQ(drift["previous_snapshot_id"], "snap-7");
  EXPECT_EQ(drift["taken_at"], "2026-01-01T00:00:00.000Z") << drift.dump();
  EXPECT_EQ(drift["previous_taken_at"], "2025-12-31T23:00:00.000Z");
  EXPECT_FALSE(drift.contains("taken_ms"));
  EXPECT_EQ(drift["added"][0], "add address=ntp2.example.net");
  // A record that is not JSON is an error naming it, not an empty drift.
  rec.id = "snap-10";
  rec.content = "not json";
  data->snapshots.push_back(rec);
  auto bad = read("device://sim-0/config-drift");
  EXPECT_NE(bad["message"].get<std::string>().find("snap-10"),
            std::string::npos)
    << bad.dump();
}

TEST_F(config_resources_test, snapshots_never_hold_pre_shared_keys) {
  start_with(6);
  auto i = router_with_psk(6);
  ASSERT_GE(i, 0) << "no simulated router with a wireless PSK (seed 42)";
  std::string psk;
  for (auto& p : router_get(i, "/interface/wireless/security-profiles"))
    if (!p.value("wpa2-pre-shared-key", "").empty())
      psk = p["wpa2-pre-shared-key"];
  ok("capture_config_snapshot", on(i));
  auto text = read("device://sim-" + std::to_string(i) + "/config")["config"]
                .get<std::string>();
  EXPECT_EQ(text.find(psk), std::string::npos);
  EXPECT_NE(text.find("wpa2-pre-shared-key=*****"), std::string::npos) << text;
}

TEST_F(config_resources_test, device_resources_match_the_read_tools) {
  start_with(1);
  auto bridges = read("device://sim-0/bridges");
  auto ports = ok("list_bridge_ports", on(0));
  EXPECT_EQ(bridges["total_ports"], ports["count"]) << bridges.dump();
  ASSERT_FALSE(bridges["bridges"].empty()) << bridges.dump();
  for (auto& b : bridges["bridges"])
    for (auto& p : b["ports"])
      EXPECT_EQ(p["bridge"], b["name"]);

  auto logs = read("device://sim-0/logs");
  EXPECT_EQ(logs["device_id"], "sim-0");
  EXPECT_LE(logs["entries"].size(), 50u) << logs.dump();
  EXPECT_FALSE(logs["entries"].empty()) << logs.dump();

  EXPECT_EQ(read("device://sim-0/dhcp-server"),
            ok("get_dhcp_server_status", on(0)));
  EXPECT_EQ(read("device://sim-0/dhcp-leases")["device_id"], "sim-0");
  EXPECT_EQ(read("device://sim-0/wireless")["device_id"], "sim-0");
  EXPECT_EQ(read("device://sim-0/wireless/clients")["device_id"], "sim-0");

  auto missing = read("device://nope/dhcp-leases");
  EXPECT_EQ(missing["code"], -32002) << missing.dump();
  EXPECT_NE(missing["message"].get<std::string>().find("nope"),
            std::string::npos);
}

} // namespace rmcp
