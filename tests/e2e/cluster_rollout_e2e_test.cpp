// End-to-end: a rollout over 30 of the cluster's 300 simulated routers
// survives kill -9 of its coordinating node in the middle of a batch. The
// three nodes are the built binary (tests/support/cluster_world.hpp); the
// plan is made through one node, applied through another (its coordinator:
// the holder of `<prefix>/rollouts/<plan_id>` in etcd), and that node is
// killed while batch 2 is half done: some of its routers applied, one
// (the ninth of the plan, a router the coordinator owns) held by the
// simulator without an answer. A survivor claims the
// plan once the dead node's lease expires and completes it
// (rollout.on_restart=resume) or rolls it back (rollback) from the shared
// journal. The simulator's request log proves every router ends applied or
// restored and none was written twice.
//
// Real time (etcd's leases): every wait polls a condition with a deadline.
// Labelled `cluster`: `ctest -L cluster`.

#include <csignal>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/cluster_world.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;
using namespace std::chrono_literals;

constexpr size_t routers = 300;
constexpr size_t planned = 30;
/// The plan's position held without an answer while the coordinator is
/// killed: in batch 2 (canary 0 | 1..5 | 6..10 | ...).
constexpr size_t held = 8;
/// The node that applies the plan, and so coordinates it.
constexpr size_t coordinator = 1;

class cluster_rollout_e2e : public ::testing::Test {
protected:
  void start(const std::string& on_restart) {
    cluster_world_options o;
    o.binary = RMCP_BINARY_PATH;
    o.routers = routers;
    o.nodes = 3;
    o.lease_ttl = "3s";
    o.settle = "1s";
    o.prefix = "/rollout-e2e";
    o.device_flags = {"--allow-professional-workflows"};
    o.sets = {"rollout.on_restart=" + on_restart, "rollout.gate_delay=0"};
    world = std::make_unique<cluster_world>(o);
    auto err = world->start();
    ASSERT_TRUE(err.empty()) << err;
    ASSERT_TRUE(cluster_world::eventually([&] { return world->formed(); }, 60s))
      << "the cluster did not form\n"
      << world->health(0).second.dump() << "\n"
      << world->log(0);
  }

  void TearDown() override {
    if (!world)
      return;
    auto violation = world->claims_never_overlapped();
    EXPECT_TRUE(violation.empty()) << violation;
  }

  /// What the plan changes on its `p`-th router, read from the simulator.
  json state_of(size_t p) {
    auto get = [&](const std::string& path) {
      auto out =
        world->sims->router(routers_of_plan[p]).request("GET", "/rest" + path);
      return parse_json(out.body).value_or(json{});
    };
    return {{"dns", get("/ip/dns").value("servers", "")},
            {"ntp", get("/system/ntp/client").value("servers", "")}};
  }

  /// The write requests the plan's `p`-th router saw from its `from`-th
  /// request on: target → how many times.
  std::map<std::string, size_t> writes_since(size_t p, size_t from) {
    std::map<std::string, size_t> out;
    auto log = world->sims->router(routers_of_plan[p]).request_log();
    for (size_t r = from; r < log.size(); ++r)
      if (log[r].write)
        ++out[log[r].method + " " + log[r].target];
    return out;
  }

  json status(size_t k, const std::string& plan_id) {
    return world->call(k, "get_plan_status",
                       {{"plan_id", plan_id}, {"journal_limit", 1000}});
  }

  std::string name(size_t p) const {
    return cluster_world::device(routers_of_plan[p]);
  }

  /// A list of a get_plan_status answer (empty when it is an error).
  static json list_of(const json& st, const std::string& key) {
    if (!st.is_object())
      return json::array();
    auto sc = st.value("structuredContent", json::object());
    auto out = sc.is_object() ? sc.value(key, json::array()) : json::array();
    return out.is_array() ? out : json::array();
  }

  std::string device_state(const json& st, size_t p) const {
    for (auto& d : list_of(st, "devices"))
      if (d.is_object() && d.value("device_id", "") == name(p))
        return d.value("state", "");
    return "absent";
  }

  static size_t count(const json& st, const std::string& event) {
    size_t n = 0;
    for (auto& e : list_of(st, "journal"))
      n += e.is_object() && e.value("event", "") == event ? 1 : 0;
    return n;
  }

  static std::string plan_state_of(const json& st) {
    if (!st.is_object())
      return {};
    auto sc = st.value("structuredContent", json::object());
    auto plan = sc.is_object() ? sc.value("plan", json::object()) : json{};
    return plan.is_object() ? plan.value("state", "") : std::string{};
  }

  /// Plans, applies through node 1 and kills it mid-batch; the takeover
  /// runs through the survivors (nodes 0 and 2). The final status.
  json lose_the_coordinator(const std::string& on_restart);

  std::unique_ptr<cluster_world> world;
  /// The plan's routers, in plan order: sim-0..sim-29, except that the
  /// held position is a router the coordinator owns (its hanging request
  /// dies with the coordinator and holds up no survivor's device actor).
  std::vector<size_t> routers_of_plan;
  std::vector<json> before;
  /// Each router's request log length before the apply.
  std::vector<size_t> log_before;
  std::string plan_id;
  /// Routers written before the kill (their device state was applied).
  std::vector<size_t> applied_before_kill;
};

json cluster_rollout_e2e::lose_the_coordinator(const std::string& on_restart) {
  start(on_restart);
  if (HasFatalFailure())
    return {};
  auto claims = world->owners();
  auto owned_by_coordinator = [&](size_t i) {
    return claims[cluster_world::device(i)] == world->nodes[coordinator].id;
  };
  for (size_t i = 0; i < planned; ++i)
    routers_of_plan.push_back(i);
  for (size_t i = planned; !owned_by_coordinator(held) && i < routers; ++i)
    if (owned_by_coordinator(i)) {
      routers_of_plan[held] = i;
      break;
    }
  if (!owned_by_coordinator(routers_of_plan[held])) {
    ADD_FAILURE() << "no router owned by " << world->nodes[coordinator].id;
    return {};
  }
  json ids = json::array();
  for (size_t p = 0; p < planned; ++p) {
    ids.push_back(name(p));
    before.push_back(state_of(p));
  }
  auto plan = world->call(0, "config_plan_dns_ntp_rollout",
                          {{"device_ids", ids},
                           {"dns_servers", {"10.9.9.9", "10.9.9.8"}},
                           {"ntp_servers", {"10.9.9.7"}},
                           {"batch_size", 5},
                           {"pause_seconds", 0}});
  EXPECT_FALSE(plan.value("isError", false)) << plan.dump();
  plan_id =
    plan.value("structuredContent", json::object()).value("plan_id", "");
  if (plan_id.empty())
    return {};
  // The approver's token, from the CLI of the node that applies (its
  // approval key), against the shared plan store.
  auto approved = world->cli(
    coordinator, {"plan", "approve", plan_id, "--as", "approver", "--json"});
  EXPECT_EQ(approved.code, 0) << approved.err;
  auto token = parse_json(approved.out)
                 .value_or(json::object())
                 .value("approval_token", "");
  EXPECT_FALSE(token.empty()) << approved.out << approved.err;
  for (size_t p = 0; p < planned; ++p)
    log_before.push_back(
      world->sims->router(routers_of_plan[p]).request_log().size());
  world->sims->router(routers_of_plan[held])
    .update_faults([](sim::fault_config& f) { f.timeout_rate = 1.0; });
  // The apply call runs until its node dies; only this thread uses that
  // node's session meanwhile.
  auto opened = status(coordinator, plan_id);
  if (opened.value("isError", false) || opened.contains("transport_error")) {
    ADD_FAILURE() << opened.dump();
    return {};
  }
  std::thread apply([&] {
    world->call(coordinator, "config_apply_dns_ntp_rollout",
                {{"plan_id", plan_id}, {"approval_token", token}}, 120s);
  });
  // Batch 2 half done: its other routers applied, the held one pending.
  json st;
  bool mid_batch = cluster_world::eventually(
    [&] {
      st = status(0, plan_id);
      for (size_t p = 6; p <= 10; ++p)
        if (p != held && device_state(st, p) != "applied")
          return false;
      return device_state(st, held) == "pending";
    },
    60s);
  auto claim = world->etcd_value("rollouts/" + plan_id);
  world->nodes[coordinator].process->kill(SIGKILL);
  world->nodes[coordinator].process->wait(5s);
  apply.join();
  world->sims->router(routers_of_plan[held])
    .update_faults([](sim::fault_config& f) { f.timeout_rate = 0; });
  EXPECT_TRUE(mid_batch) << st.dump();
  EXPECT_EQ(claim, world->nodes[coordinator].id);
  for (size_t p = 0; p < planned; ++p)
    if (device_state(st, p) == "applied")
      applied_before_kill.push_back(p);
  // canary + batch 1 + four of batch 2
  EXPECT_EQ(applied_before_kill.size(), 10u) << st.dump();
  // Never left unknown: a survivor ends the plan.
  json final_status;
  bool ended = cluster_world::eventually(
    [&] {
      final_status = status(0, plan_id);
      auto state = plan_state_of(final_status);
      return state == "completed" || state == "rolled_back"
             || state == "failed";
    },
    90s);
  EXPECT_TRUE(ended) << final_status.dump() << "\n"
                     << world->log(0) << "\n"
                     << world->log(2);
  // Its claim goes once the survivor's coordinator ended.
  EXPECT_TRUE(cluster_world::eventually(
    [&] { return !world->etcd_value("rollouts/" + plan_id).has_value(); },
    10s));
  return final_status;
}

} // namespace

TEST_F(cluster_rollout_e2e, a_survivor_completes_a_rollout_whose_node_died) {
  auto st = lose_the_coordinator("resume");
  ASSERT_FALSE(st.is_null());
  EXPECT_EQ(plan_state_of(st), "completed") << st.dump();
  EXPECT_EQ(count(st, "plan-resumed"), 1u);
  json intended{{"dns", "10.9.9.9,10.9.9.8"}, {"ntp", "10.9.9.7"}};
  // Every router applied, each change written once: the writes of a
  // router applied before the kill are those of one applied after it.
  std::optional<std::map<std::string, size_t>> one_apply;
  for (size_t p = 0; p < planned; ++p) {
    EXPECT_EQ(state_of(p), intended) << name(p);
    EXPECT_EQ(device_state(st, p), "applied") << name(p);
    auto w = writes_since(p, log_before[p]);
    EXPECT_FALSE(w.empty()) << name(p);
    for (auto& [target, n] : w)
      EXPECT_EQ(n, 1u) << name(p) << " " << target;
    if (!one_apply)
      one_apply = w;
    EXPECT_EQ(w, *one_apply) << name(p);
  }
  EXPECT_EQ(count(st, "device-applying"), planned);
}

TEST_F(cluster_rollout_e2e, a_survivor_rolls_back_a_rollout_whose_node_died) {
  auto st = lose_the_coordinator("rollback");
  ASSERT_FALSE(st.is_null());
  EXPECT_EQ(plan_state_of(st), "rolled_back") << st.dump();
  // Every router is as before; those written before the kill were written
  // once and restored once, the others never written.
  std::set<size_t> touched(applied_before_kill.begin(),
                           applied_before_kill.end());
  for (size_t p = 0; p < planned; ++p) {
    EXPECT_EQ(state_of(p), before[p]) << name(p);
    auto w = writes_since(p, log_before[p]);
    if (touched.count(p) == 0) {
      EXPECT_TRUE(w.empty()) << name(p);
      continue;
    }
    EXPECT_EQ(device_state(st, p), "rolled_back") << name(p);
    EXPECT_FALSE(w.empty()) << name(p);
    for (auto& [target, n] : w)
      EXPECT_LE(n, 2u) << name(p) << " " << target;
  }
  EXPECT_EQ(count(st, "device-rolled-back"), touched.size());
  EXPECT_EQ(count(st, "plan-rolled-back"), 1u);
}

} // namespace rmcp
