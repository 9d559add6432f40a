// End-to-end crash safety of rollouts: the built daemon rolls a DNS plan out
// to simulated routers over TLS, is killed with SIGKILL in the middle of
// it, and a new daemon over the same data directory brings the plan to a
// known final state (rollout.on_restart: rolled back or resumed), checked
// by reading every router back from the simulator. And a cancel from the
// CLI (another process) ends a pause of an hour at once.
//
// The kill lands at a known step without sleeping: the test reads the
// apply call's progress notifications up to "batch 1 passed its gate",
// while router sim-3 of batch 2 never answers, so the daemon is held
// there until it dies.

#include <csignal>
#include <set>

#include <gtest/gtest.h>

#include "actors/rollout.hpp"
#include "sim/fleet.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;
using namespace std::chrono_literals;

const std::string binary = RMCP_BINARY_PATH;

constexpr size_t router_count = 5;

class rollout_e2e : public ::testing::Test {
protected:
  rollout_e2e() {
    sim::fleet_options o;
    o.routers = router_count;
    o.tls = true;
    routers = std::make_unique<sim::fleet>(o);
  }

  void SetUp() override {
    for (size_t i = 0; i < router_count; ++i) {
      auto o =
        run_cli(data.path(),
                {"device", "add", id(i), "--host", "127.0.0.1", "--port",
                 std::to_string(routers->port(i)), "--username", "admin",
                 "--fingerprint", routers->fingerprint_sha256(),
                 "--allow-professional-workflows", "--allow-routing-writes"},
                {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
      ASSERT_EQ(o.code, 0) << o.err;
      before.push_back(state_of(i));
    }
  }

  static std::string id(size_t i) {
    return "sim-" + std::to_string(i);
  }

  /// What the plan changes on router `i`, read from the simulator.
  json state_of(size_t i) {
    auto get = [&](const std::string& path) {
      auto out = routers->router(i).request("GET", "/rest" + path);
      return parse_json(out.body).value_or(json{});
    };
    return {{"dns", get("/ip/dns").value("servers", "")},
            {"ntp", get("/system/ntp/client").value("servers", "")}};
  }

  /// A daemon over stdio on the data directory, initialized.
  std::unique_ptr<child_process> daemon(const std::string& on_restart,
                                        const std::string& gate_delay = "0") {
    auto p = std::make_unique<child_process>(std::vector<std::string>{
      binary, "--data-dir", data.path(), "--log-level", "warn", "--set",
      "device.health_checks=false", "--set", "device.request_timeout=2m",
      "--set", "rollout.gate_delay=" + gate_delay, "--set",
      "rollout.deadman_delay=60s", "--set", "rollout.on_restart=" + on_restart,
      "--set", "server.toolsets=all", "serve", "--stdio"});
    handshake(*p);
    return p;
  }

  /// Calls a tool that must succeed; returns its structuredContent.
  json ok(child_process& p, const std::string& tool, json args) {
    auto answer = request(p, ++next_id, "tools/call",
                          {{"name", tool}, {"arguments", std::move(args)}});
    EXPECT_FALSE(answer["result"].value("isError", false)) << answer.dump();
    return answer["result"].value("structuredContent", json::object());
  }

  /// Plans DNS and NTP servers on every router: canary sim-0, then
  /// batches of two (sim-1 sim-2 | sim-3 sim-4).
  std::string plan_all(child_process& p, int64_t pause_seconds) {
    json ids = json::array();
    for (size_t i = 0; i < router_count; ++i)
      ids.push_back(id(i));
    auto plan = ok(p, "config_plan_dns_ntp_rollout",
                   {{"device_ids", ids},
                    {"dns_servers", {"10.9.9.9", "10.9.9.8"}},
                    {"ntp_servers", {"10.9.9.7"}},
                    {"batch_size", 2},
                    {"pause_seconds", pause_seconds}});
    EXPECT_EQ(plan.value("state", ""), "pending") << plan.dump();
    return plan.value("plan_id", "");
  }

  /// `routeros-mcp plan approve` as a second person; the token.
  std::string approve(const std::string& plan_id) {
    auto o = run_cli(
      data.path(), {"plan", "approve", plan_id, "--as", "approver", "--json"});
    EXPECT_EQ(o.code, 0) << o.err;
    auto j = parse_json(o.out);
    EXPECT_TRUE(j && j->contains("approval_token")) << o.out << o.err;
    return j && j->contains("approval_token")
             ? (*j)["approval_token"].get<std::string>()
             : std::string{};
  }

  /// Starts the apply call (request id 900) with progress token "p".
  void apply(child_process& p, const std::string& plan_id,
             const std::string& tool = "config_apply_dns_ntp_rollout") {
    p.write_line(
      json{{"jsonrpc", "2.0"},
           {"id", 900},
           {"method", "tools/call"},
           {"params",
            {{"name", tool},
             {"arguments",
              {{"plan_id", plan_id}, {"approval_token", approve(plan_id)}}},
             {"_meta", {{"progressToken", "p"}}}}}}
        .dump());
  }

  /// Reads the daemon's output until the progress message `text` (true)
  /// or the answer to the apply call (false: it ended early).
  bool await_progress(child_process& p, const std::string& text) {
    while (auto line = p.read_line(60s)) {
      auto msg = parse_json(*line).value_or(json{});
      if (msg.value("id", json{}) == 900) {
        ADD_FAILURE() << "the rollout ended before '" << text << "': " << *line;
        return false;
      }
      if (msg.value("method", "") == "notifications/progress"
          && msg["params"].value("message", "") == text)
        return true;
    }
    ADD_FAILURE() << "no progress '" << text << "'; stderr:\n"
                  << p.stderr_text();
    return false;
  }

  /// The answer to the apply call (null when none comes within `timeout`).
  json await_apply(child_process& p, std::chrono::milliseconds timeout) {
    while (auto line = p.read_line(timeout)) {
      auto msg = parse_json(*line).value_or(json{});
      if (msg.value("id", json{}) == 900)
        return msg;
    }
    return nullptr;
  }

  /// get_plan_status of `plan_id` once the plan reached a final state
  /// (asked again until then, for at most a minute).
  json final_status(child_process& p, const std::string& plan_id) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    json status;
    while (std::chrono::steady_clock::now() < deadline) {
      status = ok(p, "get_plan_status",
                  {{"plan_id", plan_id}, {"journal_limit", 200}});
      auto state = status["plan"].value("state", "");
      if (state == "completed" || state == "rolled_back" || state == "failed")
        return status;
    }
    ADD_FAILURE() << "plan " << plan_id << " did not end: " << status.dump();
    return status;
  }

  static std::string device_state(const json& status, const std::string& dev) {
    for (auto& d : status["devices"])
      if (d.value("device_id", "") == dev)
        return d.value("state", "");
    return "absent";
  }

  static size_t count(const json& status, const std::string& event) {
    size_t n = 0;
    for (auto& st : status["journal"])
      n += st.value("event", "") == event ? 1 : 0;
    return n;
  }

  /// Applies the plan, holds the daemon in batch 2 (sim-3 never answers)
  /// and kills it there; sim-3 answers again afterwards.
  std::string kill_in_batch_two(const std::string& on_restart) {
    auto first = daemon(on_restart);
    auto plan_id = plan_all(*first, 0);
    requests_after_plan = routers->router(4).stats().requests;
    routers->router(3).update_faults(
      [](sim::fault_config& f) { f.timeout_rate = 1.0; });
    apply(*first, plan_id);
    if (!await_progress(*first, "batch 1 passed its gate"))
      return plan_id;
    first->kill(SIGKILL);
    EXPECT_EQ(first->wait(10s), 128 + SIGKILL);
    routers->router(3).update_faults(
      [](sim::fault_config& f) { f.timeout_rate = 0; });
    // Batches 0 and 1 were changed, batch 2 not.
    for (size_t i = 0; i < 3; ++i)
      EXPECT_NE(state_of(i), before[i]) << id(i);
    for (size_t i = 3; i < router_count; ++i)
      EXPECT_EQ(state_of(i), before[i]) << id(i);
    return plan_id;
  }

  /// Router `i`'s static routes to `dst`, without ids.
  std::multiset<std::string> routes_to(size_t i, const std::string& dst) {
    std::multiset<std::string> out;
    auto got =
      routers->router(i).request("GET", "/rest/ip/route?dst-address=" + dst);
    for (auto r : parse_json(got.body).value_or(json::array())) {
      r.erase(".id");
      out.insert(r.dump());
    }
    return out;
  }

  std::string identity(size_t i) {
    auto got = routers->router(i).request("GET", "/rest/system/identity");
    return parse_json(got.body).value_or(json{}).value("name", "");
  }

  std::unique_ptr<sim::fleet> routers;
  temp_dir data;
  std::vector<json> before;
  uint64_t requests_after_plan = 0;
  int next_id = 1;
};

} // namespace

TEST_F(rollout_e2e, a_rollout_killed_mid_batch_is_rolled_back_at_restart) {
  auto plan_id = kill_in_batch_two("rollback");
  auto second = daemon("rollback");
  auto status = final_status(*second, plan_id);
  EXPECT_EQ(status["plan"].value("state", ""), "rolled_back") << status.dump();
  // Every router the first daemon changed is back to its snapshot; the
  // others were never written.
  for (size_t i = 0; i < router_count; ++i)
    EXPECT_EQ(state_of(i), before[i]) << id(i);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(device_state(status, id(i)), "rolled_back") << id(i);
  for (size_t i = 3; i < router_count; ++i)
    EXPECT_EQ(device_state(status, id(i)), "pending") << id(i);
  EXPECT_EQ(routers->router(4).stats().requests, requests_after_plan);
  EXPECT_EQ(count(status, "device-rolled-back"), 3u);
  EXPECT_EQ(count(status, "plan-rolled-back"), 1u);
  second->close_stdin();
  EXPECT_EQ(second->wait(30s), 0) << second->stderr_text();
}

TEST_F(rollout_e2e, a_rollout_killed_mid_batch_is_resumed_at_restart) {
  auto plan_id = kill_in_batch_two("resume");
  auto second = daemon("resume");
  auto status = final_status(*second, plan_id);
  EXPECT_EQ(status["plan"].value("state", ""), "completed") << status.dump();
  json intended{{"dns", "10.9.9.9,10.9.9.8"}, {"ntp", "10.9.9.7"}};
  for (size_t i = 0; i < router_count; ++i) {
    EXPECT_EQ(state_of(i), intended) << id(i);
    EXPECT_EQ(device_state(status, id(i)), "applied") << id(i);
  }
  EXPECT_EQ(count(status, "plan-resumed"), 1u);
  // Devices applied before the kill were not written again.
  EXPECT_EQ(count(status, "device-applying"), router_count);
  second->close_stdin();
  EXPECT_EQ(second->wait(30s), 0) << second->stderr_text();
}

TEST_F(rollout_e2e, a_cancel_from_the_cli_ends_an_hour_long_pause_at_once) {
  auto d = daemon("rollback");
  auto plan_id = plan_all(*d, 3600);
  apply(*d, plan_id);
  ASSERT_TRUE(await_progress(*d, "batch 0 passed its gate"));
  ASSERT_NE(state_of(0), before[0]);
  auto o = run_cli(data.path(), {"plan", "cancel", plan_id, "--as", "ops",
                                 "--reason", "wrong servers"});
  ASSERT_EQ(o.code, 0) << o.err;
  // The daemon re-reads the plan every second while it waits.
  auto answer = await_apply(*d, 20s);
  ASSERT_FALSE(answer.is_null()) << d->stderr_text();
  auto report = answer["result"]["structuredContent"];
  EXPECT_EQ(report.value("state", ""), "rolled_back") << answer.dump();
  EXPECT_NE(report.value("reason", "").find("wrong servers"), std::string::npos)
    << report.dump();
  for (size_t i = 0; i < router_count; ++i)
    EXPECT_EQ(state_of(i), before[i]) << id(i);
  d->close_stdin();
  EXPECT_EQ(d->wait(30s), 0) << d->stderr_text();
}

TEST_F(rollout_e2e,
       a_route_comment_holding_script_runs_nothing_when_the_dead_man_fires) {
  // Comments someone wrote on the router: one tries to end the dead-man's
  // string and run a command, one holds a plain quote.
  for (auto& [gw, comment] :
       {std::pair<std::string, std::string>{
          "10.155.0.254", "legit\"; /system identity set name=X; :put \""},
        {"10.155.0.253", "say \"hi\""}})
    routers->router(0).request("PUT", "/rest/ip/route",
                               json{{"dst-address", "10.44.0.0/16"},
                                    {"gateway", gw},
                                    {"comment", comment}}
                                 .dump());
  auto routes = routes_to(0, "10.44.0.0/16");
  ASSERT_EQ(routes.size(), 2u);
  auto name = identity(0);
  // The gate waits ten minutes: the dead-man job stays armed.
  auto d = daemon("rollback", "10m");
  auto plan = ok(*d, "plan_modify_static_route",
                 {{"device_ids", {id(0)}},
                  {"dst_address", "10.44.0.0/16"},
                  {"gateway", "10.155.0.254"},
                  {"new_comment", "changed"}});
  auto plan_id = plan.value("plan_id", "");
  apply(*d, plan_id, "apply_routing_plan");
  ASSERT_TRUE(await_progress(*d, id(0) + ": applied"));
  ASSERT_NE(routes_to(0, "10.44.0.0/16"), routes);
  // The daemon dies; the router's own job fires after its delay.
  d->kill(SIGKILL);
  EXPECT_EQ(d->wait(10s), 128 + SIGKILL);
  routers->advance_clock(61s);
  EXPECT_EQ(identity(0), name);
  EXPECT_EQ(routes_to(0, "10.44.0.0/16"), routes);
  auto jobs = routers->router(0).request("GET", "/rest/system/scheduler?name="
                                                  + deadman_job_name(plan_id));
  EXPECT_EQ(parse_json(jobs.body).value_or(json{}), json::array()) << jobs.body;
}

} // namespace rmcp
