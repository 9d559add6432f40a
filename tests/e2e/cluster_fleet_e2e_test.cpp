// End-to-end: three routeros-mcp nodes (the built binary) share 300
// simulated routers through a private etcd.
//
// - A call through any node reaches the right router, exactly once: the
//   simulator's request log shows the same requests whichever node was
//   asked, no other router sees anything, and a write is one write.
// - kill -9 of a node: its devices answer through the others within the
//   lease TTL + 5 s.
// - etcd killed and restarted under the running cluster: every node goes
//   out (and refuses writes), comes back, and serves again; no device was
//   ever owned twice (etcd's whole claim history is replayed).
// - A partition: one node loses etcd (its relay is cut) while it keeps
//   running: it goes out (/health 503, writes refused, reads answer
//   device_moving), the others take its devices, and it takes its share
//   back once healed.
//
// Real time (etcd's leases expire in real seconds): every wait polls a
// condition with a deadline. Labelled `cluster`: `ctest -L cluster`.

#include <chrono>
#include <set>

#include <gtest/gtest.h>

#include "tests/support/cluster_world.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr size_t routers = 300;
constexpr auto lease_ttl = 3s;

class cluster_fleet_e2e : public ::testing::Test {
protected:
  cluster_fleet_e2e() : world(options()) {
    // nop
  }

  static cluster_world_options options() {
    cluster_world_options o;
    o.binary = RMCP_BINARY_PATH;
    o.routers = routers;
    o.nodes = 3;
    o.lease_ttl = "3s";
    o.settle = "1s";
    return o;
  }

  void SetUp() override {
    auto err = world.start();
    ASSERT_TRUE(err.empty()) << err;
    ASSERT_TRUE(cluster_world::eventually([&] { return world.formed(); }, 60s))
      << "the cluster did not form\n"
      << world.health(0).second.dump() << "\n"
      << world.log(0);
  }

  void TearDown() override {
    size_t events = 0;
    auto violation = world.claims_never_overlapped(&events);
    EXPECT_TRUE(violation.empty()) << violation;
    EXPECT_GE(events, routers);
  }

  /// The index of the node with id `id`.
  size_t index_of(const std::string& id) {
    for (size_t k = 0; k < world.nodes.size(); ++k)
      if (world.nodes[k].id == id)
        return k;
    ADD_FAILURE() << "no node " << id;
    return 0;
  }

  /// Routers whose device node `k` owns now (per etcd).
  std::vector<size_t> owned_by(size_t k) {
    std::vector<size_t> out;
    auto claims = world.owners();
    for (size_t i = 0; i < routers; ++i)
      if (claims[cluster_world::device(i)] == world.nodes[k].id)
        out.push_back(i);
    return out;
  }

  std::vector<size_t> all_requests() {
    std::vector<size_t> out;
    for (size_t i = 0; i < routers; ++i)
      out.push_back(world.requests(i));
    return out;
  }

  json overview(size_t k, size_t i, std::chrono::milliseconds limit = 10s) {
    return world.call_until_settled(k, "get_system_overview",
                                    {{"device_id", cluster_world::device(i)}},
                                    limit);
  }

  cluster_world world;
};

} // namespace

TEST_F(cluster_fleet_e2e, calls_through_any_node_reach_the_right_router_once) {
  auto claims = world.owners();
  auto identities = world.sims->routers();
  // Every tenth router, through each node: the owner's answer sets the
  // number of requests one call makes; through the others it is the same,
  // and no other router sees a request.
  for (size_t i = 0; i < routers; i += 10) {
    auto owner = index_of(claims[cluster_world::device(i)]);
    std::vector<size_t> order{owner};
    for (size_t k = 0; k < world.nodes.size(); ++k)
      if (k != owner)
        order.push_back(k);
    // A first call through the owner is not counted (a device actor's
    // first contact may differ from the calls after it).
    ASSERT_FALSE(overview(owner, i).value("isError", false));
    std::optional<size_t> per_call;
    for (auto k : order) {
      auto before = all_requests();
      auto res = overview(k, i);
      ASSERT_FALSE(res.value("isError", false))
        << world.nodes[k].id << " sim-" << i << ": " << res.dump();
      EXPECT_EQ(res["structuredContent"]["identity"], identities[i].identity);
      auto after = all_requests();
      auto mine = after[i] - before[i];
      EXPECT_GT(mine, 0u);
      if (!per_call)
        per_call = mine;
      EXPECT_EQ(mine, *per_call)
        << "sim-" << i << " through " << world.nodes[k].id;
      after[i] = before[i];
      EXPECT_EQ(after, before) << "another router saw a request";
    }
  }
  // A write through a node that does not own the device is one write on
  // its router and nowhere else.
  for (size_t i = 5; i < routers; i += 60) {
    auto owner = index_of(claims[cluster_world::device(i)]);
    auto k = (owner + 1) % world.nodes.size();
    auto writes_before = world.writes(i);
    auto res =
      world.call_until_settled(k, "set_system_identity",
                               {{"device_id", cluster_world::device(i)},
                                {"identity", "renamed-" + std::to_string(i)}},
                               10s);
    ASSERT_FALSE(res.value("isError", false)) << res.dump();
    EXPECT_EQ(res["structuredContent"]["changed"], true) << res.dump();
    EXPECT_EQ(world.writes(i) - writes_before, 1u) << "sim-" << i;
    auto name = world.sims->router(i).request("GET", "/rest/system/identity");
    EXPECT_NE(name.body.find("renamed-" + std::to_string(i)),
              std::string::npos);
  }
}

TEST_F(cluster_fleet_e2e, kill_9_rehomes_the_devices_within_ttl_plus_5s) {
  const size_t victim = 1;
  auto lost = owned_by(victim);
  ASSERT_FALSE(lost.empty());
  world.kill_node(victim);
  auto killed_at = clock_type::now();
  auto deadline = killed_at + lease_ttl + 5s;
  // A sample of its devices, through each survivor in turn.
  for (size_t j = 0; j < lost.size();
       j += std::max<size_t>(1, lost.size() / 6)) {
    auto k = j % 2 == 0 ? 0 : 2;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    auto res = overview(k, lost[j], std::max(left, 0ms));
    EXPECT_FALSE(res.value("isError", false))
      << "sim-" << lost[j] << " through " << world.nodes[k].id << " "
      << std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now()
                                                               - killed_at)
           .count()
      << " ms after the kill: " << res.dump();
  }
  EXPECT_LE(clock_type::now(), deadline);
  // Every device is owned again, by the survivors only.
  EXPECT_TRUE(cluster_world::eventually([&] { return world.formed(); }, 10s))
    << world.health(0).second.dump();
  EXPECT_TRUE(owned_by(victim).empty());
  // It comes back at once on the same ports (its middleman port may still
  // hold connections in TIME_WAIT), settles and takes its share back.
  auto err = world.start_node(victim);
  ASSERT_TRUE(err.empty()) << err;
  EXPECT_TRUE(cluster_world::eventually(
    [&] { return world.formed() && !owned_by(victim).empty(); }, 30s))
    << world.log(victim);
}

namespace {

/// True when /health says the membership counts this node out (the
/// answer is 503 then, but also, earlier, when only the shared store in
/// etcd fails its probe).
bool cluster_out(const std::pair<unsigned, json>& health) {
  const auto& checks = health.second.value("checks", json::object());
  return health.first == 503
         && checks.value("cluster", json::object()).value("status", "")
              == "out";
}

} // namespace

TEST_F(cluster_fleet_e2e,
       etcd_restarted_under_the_cluster_no_device_owned_twice) {
  world.etcd.kill();
  // Every node goes out within its lease's deadline. (/health answers 503
  // at once, for the shared store; the membership's own verdict follows.)
  for (size_t k = 0; k < world.nodes.size(); ++k)
    ASSERT_TRUE(cluster_world::eventually(
      [&] { return cluster_out(world.health(k)); }, lease_ttl + 5s))
      << world.nodes[k].id << ": " << world.health(k).second.dump();
  // Out: a write is refused, retryably, before anything reaches a router.
  auto writes_before = world.writes(7);
  auto refused =
    world.call(0, "set_system_identity",
               {{"device_id", cluster_world::device(7)}, {"identity", "x"}});
  EXPECT_EQ(error_kind(refused), "node_out_of_cluster") << refused.dump();
  EXPECT_EQ(refused["_meta"]["retryable"], true);
  EXPECT_EQ(world.writes(7), writes_before);
  // etcd back: the cluster re-forms and serves through every node.
  ASSERT_TRUE(world.etcd.restart()) << world.etcd.log();
  ASSERT_TRUE(cluster_world::eventually([&] { return world.formed(); }, 30s))
    << world.health(0).second.dump();
  for (size_t k = 0; k < world.nodes.size(); ++k)
    for (size_t i : {k, k + 100, k + 200}) {
      auto res = overview(k, i);
      EXPECT_FALSE(res.value("isError", false))
        << world.nodes[k].id << " sim-" << i << ": " << res.dump();
    }
}

TEST_F(cluster_fleet_e2e, a_partitioned_node_goes_out_and_comes_back) {
  const size_t cut = 2;
  auto lost = owned_by(cut);
  ASSERT_FALSE(lost.empty());
  world.nodes[cut].relay->cut();
  auto cut_at = clock_type::now();
  // The node itself gives up before its lease can expire in etcd.
  ASSERT_TRUE(cluster_world::eventually(
    [&] { return cluster_out(world.health(cut)); }, lease_ttl + 2s))
    << world.health(cut).second.dump();
  auto report = world.health(cut).second["checks"]["cluster"];
  EXPECT_EQ(report["status"], "out") << report.dump();
  EXPECT_EQ(report["owned_devices"], 0) << report.dump();
  // Out: writes refused, reads of routers answer device_moving.
  auto refused = world.call(
    cut, "set_system_identity",
    {{"device_id", cluster_world::device(lost[0])}, {"identity", "y"}});
  EXPECT_EQ(error_kind(refused), "node_out_of_cluster") << refused.dump();
  EXPECT_NE(refused["content"][0].value("text", "").find("out of the cluster"),
            std::string::npos);
  auto read = world.call(cut, "get_system_overview",
                         {{"device_id", cluster_world::device(lost[0])}});
  EXPECT_EQ(error_kind(read), "device_moving") << read.dump();
  // The others take its devices within the lease TTL + 5 s.
  auto deadline = cut_at + lease_ttl + 5s;
  for (size_t j = 0; j < lost.size();
       j += std::max<size_t>(1, lost.size() / 4)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    auto res = overview(0, lost[j], std::max(left, 0ms));
    EXPECT_FALSE(res.value("isError", false))
      << "sim-" << lost[j] << ": " << res.dump();
  }
  EXPECT_TRUE(owned_by(cut).empty());
  // Healed: it rejoins, settles and takes its share back.
  world.nodes[cut].relay->heal();
  ASSERT_TRUE(cluster_world::eventually([&] { return world.formed(); }, 30s))
    << world.health(cut).second.dump();
  EXPECT_TRUE(cluster_world::eventually(
    [&] { return !owned_by(cut).empty() && world.formed(); }, 15s));
  auto res = overview(cut, lost[0]);
  EXPECT_FALSE(res.value("isError", false)) << res.dump();
}

} // namespace rmcp
