// The reference project's argument names against the simulator: the five
// renamed tools answer the seed's names the same way as the current ones,
// with a warning in `_meta`; the dropped options are ignored with a
// warning or refused saying what replaced them.

#include <gtest/gtest.h>

#include "tests/support/plan_harness.hpp"

namespace rmcp {

namespace {

class seed_arguments_test : public test::plan_harness {
protected:
  void SetUp() override {
    customize = [](size_t i, device_record& r, std::string&) {
      r.flags.allow_professional_workflows = true;
      r.flags.allow_dhcp_writes = true;
      r.flags.allow_bandwidth_test = i == 1;
    };
    start_with(2);
  }

  /// The `_meta.warnings` of a result, joined.
  static std::string warnings(const json& result) {
    std::string out;
    auto meta = result.value("_meta", json::object());
    for (auto& w : meta.value("warnings", json::array()))
      out += w.get<std::string>() + "\n";
    return out;
  }

  static bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

} // namespace

TEST_F(seed_arguments_test, get_interface_accepts_interface_id) {
  auto current = call("get_interface", on(0, {{"interface", "ether1"}}));
  auto seed = call("get_interface", on(0, {{"interface_id", "ether1"}}));
  ASSERT_FALSE(seed.value("isError", false)) << seed.dump();
  EXPECT_EQ(seed["structuredContent"]["interface"]["name"], "ether1");
  EXPECT_EQ(seed["structuredContent"]["interface"]["id"],
            current["structuredContent"]["interface"]["id"]);
  EXPECT_TRUE(has(warnings(seed), "'interface_id' is deprecated; use "
                                  "'interface'"))
    << seed.dump();
  EXPECT_EQ(warnings(current), "");
  // Both names at once is ambiguous: refused, naming both.
  auto text =
    error_text("get_interface",
               on(0, {{"interface", "ether1"}, {"interface_id", "ether2"}}));
  EXPECT_TRUE(has(text, "give 'interface' only")) << text;
}

TEST_F(seed_arguments_test, get_interface_stats_accepts_interface_names) {
  auto seed =
    call("get_interface_stats", on(0, {{"interface_names", {"ether1"}}}));
  ASSERT_FALSE(seed.value("isError", false)) << seed.dump();
  auto& s = seed["structuredContent"];
  ASSERT_EQ(s["count"], 1);
  EXPECT_EQ(s["interfaces"][0]["name"], "ether1");
  EXPECT_TRUE(has(warnings(seed), "'interface_names'")) << seed.dump();
}

TEST_F(seed_arguments_test, get_recent_logs_accepts_start_and_end_time) {
  json window{{"since", "2000-01-01 00:00:00"},
              {"until", "2099-12-31 23:59:59"}};
  auto current = ok("get_recent_logs", on(0, window));
  auto seed = call("get_recent_logs", on(0, {{"start_time", window["since"]},
                                             {"end_time", window["until"]}}));
  ASSERT_FALSE(seed.value("isError", false)) << seed.dump();
  EXPECT_EQ(seed["structuredContent"]["count"], current["count"]);
  EXPECT_GT(current["count"].get<int>(), 0);
  auto w = warnings(seed);
  EXPECT_TRUE(has(w, "'start_time' is deprecated; use 'since'")) << w;
  EXPECT_TRUE(has(w, "'end_time' is deprecated; use 'until'")) << w;
  // An empty window through the old names finds nothing, as the new do.
  auto none = call("get_recent_logs", on(0, {{"start_time", "2099-01-01 "
                                                            "00:00:00"}}));
  EXPECT_EQ(none["structuredContent"]["count"], 0) << none.dump();
}

TEST_F(seed_arguments_test, bandwidth_test_accepts_duration_and_stream_flag) {
  auto seed = call("bandwidth_test", {{"device_id", "sim-0"},
                                      {"target_device_id", "sim-1"},
                                      {"duration", 5},
                                      {"stream_progress", true}});
  ASSERT_FALSE(seed.value("isError", false)) << seed.dump();
  EXPECT_EQ(seed["structuredContent"]["duration_seconds"], 5);
  EXPECT_GT(seed["structuredContent"]["avg_tx_bps"].get<uint64_t>(), 0u);
  auto w = warnings(seed);
  EXPECT_TRUE(has(w, "'duration' is deprecated; use 'duration_seconds'")) << w;
  EXPECT_TRUE(has(w, "'stream_progress' is no longer used")) << w;
  EXPECT_TRUE(has(w, "progressToken")) << w;
  // The old name keeps the current limits.
  auto text = error_text(
    "bandwidth_test",
    {{"device_id", "sim-0"}, {"target_device_id", "sim-1"}, {"duration", 600}});
  EXPECT_TRUE(has(text, "duration_seconds")) << text;
}

TEST_F(seed_arguments_test, plan_modify_dhcp_pool_accepts_modifications) {
  json settings{{"lease_time", "1h"}, {"dns_servers", {"9.9.9.9"}}};
  json args{{"device_ids", ids(0, 1)}, {"pool_name", "default-dhcp"}};
  args.update(settings);
  auto current = plan("plan_modify_dhcp_pool", args);
  auto seed = call("plan_modify_dhcp_pool", {{"device_ids", ids(0, 1)},
                                             {"pool_id", "default-dhcp"},
                                             {"modifications", settings}});
  ASSERT_FALSE(seed.value("isError", false)) << seed.dump();
  auto& s = seed["structuredContent"];
  EXPECT_EQ(s["state"], "pending");
  EXPECT_NE(s["plan_id"], current["plan_id"]);
  EXPECT_EQ(s["preview"], current["preview"]);
  EXPECT_EQ(s["risk"], current["risk"]);
  auto w = warnings(seed);
  EXPECT_TRUE(has(w, "'modifications' is deprecated")) << w;
  EXPECT_TRUE(has(w, "'pool_id' is deprecated; use 'pool_name'")) << w;
  // Only the pool's settings may be spread.
  auto text = error_text("plan_modify_dhcp_pool",
                         {{"device_ids", ids(0, 1)},
                          {"pool_id", "default-dhcp"},
                          {"modifications", {{"color", "red"}}}});
  EXPECT_TRUE(has(text, "'modifications.color' is not a setting")) << text;
  EXPECT_TRUE(has(text, "address_range, gateway, dns_servers, lease_time"))
    << text;
  text = error_text("plan_modify_dhcp_pool", {{"device_ids", ids(0, 1)},
                                              {"pool_name", "default-dhcp"},
                                              {"modifications", "1h"}});
  EXPECT_TRUE(has(text, "'modifications' must be an object")) << text;
}

TEST_F(seed_arguments_test, dropped_identity_options_say_what_replaced_them) {
  auto text =
    error_text("config_plan_dns_ntp_rollout", {{"device_ids", ids(0, 2)},
                                               {"dns_servers", {"9.9.9.9"}},
                                               {"created_by", "alice"}});
  EXPECT_TRUE(has(text, "'created_by' is no longer accepted")) << text;
  EXPECT_TRUE(has(text, "authenticated caller")) << text;
  auto out = plan("config_plan_dns_ntp_rollout",
                  {{"device_ids", ids(0, 2)}, {"dns_servers", {"9.9.9.9"}}});
  auto id = out.value("plan_id", "");
  text = error_text(
    "config_apply_dns_ntp_rollout",
    {{"plan_id", id}, {"approval_token", "x"}, {"approved_by", "alice"}});
  EXPECT_TRUE(has(text, "approval is out of band")) << text;
  EXPECT_TRUE(has(text, "routeros-mcp plan approve")) << text;
  text = error_text(
    "config_rollback_plan",
    {{"plan_id", id}, {"reason", "test"}, {"triggered_by", "alice"}});
  EXPECT_TRUE(has(text, "'triggered_by' is no longer accepted")) << text;
  // batch_pause_seconds had no effect in the reference project either:
  // ignored with a warning, and the apply runs.
  auto report =
    call("config_apply_dns_ntp_rollout", {{"plan_id", id},
                                          {"approval_token", approve(id)},
                                          {"batch_pause_seconds", 30}});
  ASSERT_FALSE(report.value("isError", false)) << report.dump();
  EXPECT_EQ(report["structuredContent"]["state"], "completed");
  EXPECT_TRUE(has(warnings(report), "pause_seconds of "
                                    "config_plan_dns_ntp_rollout"))
    << report.dump();
  // The schema offered stays the current one.
  auto list = request("tools/list");
  for (auto& t : list["tools"])
    if (t["name"] == "get_interface") {
      EXPECT_TRUE(t["inputSchema"]["properties"].contains("interface"));
      EXPECT_FALSE(t["inputSchema"]["properties"].contains("interface_id"));
    }
}

} // namespace rmcp
