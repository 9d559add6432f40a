// Diagnostics (ping, traceroute, bandwidth_test) and the fleet read against
// the simulator; progress notifications and cancellation with a scripted
// router that answers only when the test says so.

#include <set>

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;

using diagnostic_tools_test = test::sim_harness;

/// Progress notifications sent for `token`.
std::vector<json> progress_of(const std::vector<json>& out, const json& token) {
  std::vector<json> found;
  for (auto& msg : out)
    if (msg.value("method", "") == "notifications/progress"
        && msg["params"]["progressToken"] == token)
      found.push_back(msg["params"]);
  return found;
}

json call_request(int id, const std::string& tool, json args, json token) {
  return {{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "tools/call"},
          {"params",
           {{"name", tool},
            {"arguments", std::move(args)},
            {"_meta", {{"progressToken", std::move(token)}}}}}};
}

} // namespace

TEST_F(diagnostic_tools_test, ping_reports_typed_round_trip_times) {
  start_with(1);
  auto out = ok("ping", on(0, {{"target", "8.8.8.8"}, {"count", 3}}));
  EXPECT_EQ(out["packets_sent"], 3);
  EXPECT_EQ(out["packets_received"], 3);
  EXPECT_EQ(out["packet_loss_percent"], 0.0);
  EXPECT_GT(out["avg_rtt_ms"].get<double>(), 0.0);
  EXPECT_LE(out["min_rtt_ms"].get<double>(), out["max_rtt_ms"].get<double>());
  ASSERT_EQ(out["probes"].size(), 3u);
  EXPECT_TRUE(out["probes"][0]["rtt_ms"].is_number());
  auto dead = ok("ping", on(0, {{"target", "203.0.113.9"}, {"count", 2}}));
  EXPECT_EQ(dead["packets_received"], 0);
  EXPECT_EQ(dead["packet_loss_percent"], 100.0);
  EXPECT_FALSE(dead.contains("avg_rtt_ms"));
  EXPECT_EQ(error_kind("ping", on(0, {{"target", "8.8.8.8"}, {"count", 11}})),
            "invalid_arguments");
  EXPECT_EQ(error_kind("ping", on(0, {{"target", "not a host;"}})),
            "invalid_arguments");
}

TEST_F(diagnostic_tools_test, ping_sends_progress_per_probe_when_asked) {
  start_with(1);
  send(call_request(7, "ping", on(0, {{"target", "8.8.8.8"}, {"count", 4}}),
                    "tok-1"));
  auto res = result_of(7);
  ASSERT_FALSE(res.is_null());
  EXPECT_EQ(res["structuredContent"]["packets_sent"], 4);
  auto progress = progress_of(*out, "tok-1");
  ASSERT_EQ(progress.size(), 4u);
  EXPECT_EQ(progress[0]["progress"], 1.0);
  EXPECT_EQ(progress[3]["progress"], 4.0);
  EXPECT_EQ(progress[3]["total"], 4.0);
  // Without a token, no notification.
  ok("ping", on(0, {{"target", "8.8.8.8"}, {"count", 2}}));
  EXPECT_EQ(progress_of(*out, "tok-1").size(), 4u);
}

TEST_F(diagnostic_tools_test, traceroute_lists_hops_and_whether_it_arrived) {
  start_with(1);
  auto out = ok("traceroute", on(0, {{"target", "8.8.8.8"}, {"rounds", 2}}));
  EXPECT_EQ(out["reached_target"], true);
  ASSERT_GE(out["hops"].size(), 3u);
  EXPECT_EQ(out["hops"].back()["address"], "8.8.8.8");
  EXPECT_EQ(out["hops"][0]["loss_percent"], 0.0);
  EXPECT_TRUE(out["hops"][0]["avg_ms"].is_number());
  auto dead =
    ok("traceroute", on(0, {{"target", "203.0.113.9"}, {"max_hops", 5}}));
  EXPECT_EQ(dead["reached_target"], false);
  EXPECT_EQ(dead["hops"].size(), 5u);
  EXPECT_EQ(
    error_kind("traceroute", on(0, {{"target", "8.8.8.8"}, {"max_hops", 31}})),
    "invalid_arguments");
}

TEST_F(diagnostic_tools_test,
       bandwidth_test_needs_both_flags_and_runs_in_segments) {
  customize = [](size_t i, device_record& r, std::string&) {
    r.flags.allow_professional_workflows = true;
    r.flags.allow_bandwidth_test = i == 1;
  };
  start_with(2);
  send(call_request(9, "bandwidth_test",
                    {{"device_id", "sim-0"},
                     {"target_device_id", "sim-1"},
                     {"duration_seconds", 12}},
                    42));
  auto res = result_of(9);
  ASSERT_FALSE(res.value("isError", false)) << res.dump();
  auto& s = res["structuredContent"];
  EXPECT_GT(s["avg_tx_bps"].get<uint64_t>(), 100'000'000u);
  EXPECT_GT(s["avg_rx_bps"].get<uint64_t>(), 100'000'000u);
  EXPECT_EQ(s["status"], "done testing");
  EXPECT_EQ(progress_of(*out, 42).size(), 3u); // 5 s + 5 s + 2 s
  EXPECT_EQ(error_kind("bandwidth_test",
                       {{"device_id", "sim-1"}, {"target_device_id", "sim-0"}}),
            "capability_denied");
  EXPECT_EQ(error_kind("bandwidth_test",
                       {{"device_id", "sim-0"}, {"target_device_id", "sim-0"}}),
            "invalid_arguments");
}

TEST_F(diagnostic_tools_test,
       fleet_read_answers_per_device_even_when_one_fails) {
  customize = [](size_t i, device_record& r, std::string& pw) {
    r.tags["site"] = i == 0 ? "ams" : "fra";
    if (i == 2)
      pw = "wrong";
  };
  start_with(3);
  auto out = ok("fleet_read", {{"tool", "get_system_overview"}});
  EXPECT_EQ(out["total"], 3);
  EXPECT_EQ(out["succeeded"], 2);
  EXPECT_EQ(out["failed"], 1);
  auto& r = out["results"];
  EXPECT_EQ(r[0]["device_id"], "sim-0");
  EXPECT_EQ(r[0]["ok"], true);
  EXPECT_EQ(r[0]["result"]["identity"], sim_fleet->routers()[0].identity);
  EXPECT_EQ(r[2]["ok"], false);
  EXPECT_EQ(r[2]["error_kind"], "router_auth_failed");
  auto ams =
    ok("fleet_read", {{"tool", "get_dns_status"}, {"tags", {{"site", "ams"}}}});
  ASSERT_EQ(ams["total"], 1);
  EXPECT_EQ(ams["results"][0]["device_id"], "sim-0");
  auto with_args = ok("fleet_read", {{"tool", "get_recent_logs"},
                                     {"arguments", {{"limit", 1}}},
                                     {"device_ids", {"sim-0", "nope"}}});
  EXPECT_EQ(with_args["results"][0]["result"]["count"], 1);
  EXPECT_EQ(with_args["results"][1]["error_kind"], "device_not_found");
  EXPECT_EQ(error_kind("fleet_read", {{"tool", "set_system_identity"}}),
            "invalid_arguments");
  EXPECT_EQ(error_kind("fleet_read", {{"tool", "get_recent_logs"},
                                      {"arguments", {{"limit", 5000}}}}),
            "invalid_arguments");
}

TEST_F(diagnostic_tools_test, fleet_read_reports_each_device_as_it_finishes) {
  customize = [](size_t i, device_record&, std::string& pw) {
    if (i == 1)
      pw = "wrong";
  };
  start_with(3);
  send(call_request(9, "fleet_read", {{"tool", "get_system_clock"}}, "f"));
  auto res = result_of(9);
  ASSERT_FALSE(res.is_null());
  EXPECT_EQ(res["structuredContent"]["succeeded"], 2);
  auto progress = progress_of(*out, "f");
  ASSERT_EQ(progress.size(), 3u);
  std::set<std::string> messages;
  for (size_t i = 0; i < progress.size(); ++i) {
    EXPECT_EQ(progress[i]["progress"], static_cast<double>(i + 1));
    EXPECT_EQ(progress[i]["total"], 3.0);
    messages.insert(progress[i]["message"].get<std::string>());
  }
  EXPECT_EQ(messages,
            (std::set<std::string>{
              "sim-0 ok", "sim-1 failed router_auth_failed", "sim-2 ok"}));
}

// -- cancellation with a scripted router --------------------------------------

class diagnostic_cancel_test : public test::tool_harness {};

TEST_F(diagnostic_cancel_test, cancelling_a_ping_stops_the_probes) {
  add_device(test::test_device("r1"));
  // The router answers pings only when the test says so.
  factory->answer =
    [](const rest_request&) -> std::optional<caf::expected<rest_response>> {
    return std::nullopt;
  };
  start();
  send(call_request(5, "ping",
                    {{"device_id", "r1"}, {"target", "8.8.8.8"}, {"count", 5}},
                    "p"));
  auto client = factory->client("r1");
  ASSERT_NE(client, nullptr);
  ASSERT_EQ(client->count("/tool/ping"), 1u);
  EXPECT_EQ(client->calls()[0].req.method, "POST");
  EXPECT_EQ(client->calls()[0].req.body["count"], "1");
  rest_response probe;
  probe.body = json::array({{{"seq", "0"},
                             {"host", "8.8.8.8"},
                             {"time", "5ms945us"},
                             {"sent", "1"},
                             {"received", "1"}}});
  client->reply(0, probe);
  run();
  ASSERT_EQ(progress_of(*out, "p").size(), 1u);
  EXPECT_EQ(client->count("/tool/ping"), 2u);
  send({{"jsonrpc", "2.0"},
        {"method", "notifications/cancelled"},
        {"params", {{"requestId", 5}, {"reason", "user"}}}});
  client->reply(0, probe);
  run();
  EXPECT_EQ(client->count("/tool/ping"), 2u) << "no probe after the cancel";
  EXPECT_TRUE(result_of(5).is_null()) << "a cancelled call gets no answer";
}

} // namespace rmcp
