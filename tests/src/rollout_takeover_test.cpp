// A rollout whose coordinating node is lost is taken over by another node
// through the cluster's shared store: the plans in etcd (the etcd engine),
// each coordinator under its claim `<prefix>/rollouts/<plan_id>` with its
// node's lease (actors/rollout_claims.hpp). Node A's rollout manager is
// killed right after a router was written and journaled; node B's manager
// leaves the plan alone while A's lease (and so its claim) lives, claims it
// once the lease is gone, and completes or rolls it back from the shared
// journal without writing any router twice. The store is a node's engine:
// a step commits only under the plan's claim held with the lease of the
// node whose manager runs (`running`), so a coordinator cut off from the
// cluster whose plan was taken over journals, and so writes, nothing more.

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "actors/rollout_claims.hpp"
#include "tests/src/rollout_walker.hpp"
#include "tests/storage/engines.hpp"
#include "tests/storage/shared_engines.hpp"
#include "tests/support/etcd_sync.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;

struct node {
  lease_cell lease = std::make_shared<std::atomic<int64_t>>(0);
  caf::actor claims;
};

class rollout_takeover : public ::testing::Test {
protected:
  void SetUp() override {
    client = test::shared_etcd_client();
    ASSERT_NE(client, nullptr) << test::shared_etcd().log();
    w.shared_kv = test::open_etcd_kv(client, prefix, running);
    ASSERT_NE(w.shared_kv, nullptr);
  }

  /// A node of the cluster: a lease of its own and a claimer using it
  /// (on the test scheduler, so its etcd calls run in order).
  node join(const std::string& id) {
    node n;
    auto lease = test::await<int64_t>(
      [&](auto cb) { client->lease_grant(60, std::move(cb)); });
    EXPECT_TRUE(lease) << error_message(lease.error());
    n.lease->store(lease ? *lease : 0);
    rollout_claims_config cfg;
    cfg.node_id = id;
    cfg.prefix = prefix;
    n.claims = spawn_rollout_claimer(w.sys, cfg, client, n.lease, false);
    return n;
  }

  /// The claim of the plan: its holder's lease, 0 when there is none.
  int64_t claim_lease() {
    auto r = test::await<etcd_range>([&](auto cb) {
      client->range(rollout_claim_key(prefix, w.id), false, std::move(cb));
    });
    EXPECT_TRUE(r) << error_message(r.error());
    return r && !r->kvs.empty() ? r->kvs.front().lease : 0;
  }

  /// Node a coordinates a rollout and is lost mid-batch; node b takes it
  /// over (resumed or rolled back).
  void lose_coordinator(bool resume);

  /// Puts the plan's claim as `holder`'s (a takeover of the plan).
  void claim_for(const std::string& holder, const node& n) {
    auto r = test::await<etcd_txn_result>([&](auto cb) {
      etcd_txn t;
      t.success.push_back({etcd_op::kind::put, rollout_claim_key(prefix, w.id),
                           holder, n.lease->load()});
      client->txn(t, std::move(cb));
    });
    ASSERT_TRUE(r && r->succeeded);
  }

  std::string prefix = test::fresh_prefix();
  etcd_client_ptr client;
  /// The lease of the node whose rollout manager runs over the store.
  lease_cell running = std::make_shared<std::atomic<int64_t>>(0);
  test::walker w;
};

void rollout_takeover::lose_coordinator(bool resume) {
  auto a = join("node-a");
  auto b = join("node-b");
  running->store(a.lease->load());
  w.rollout_claims = a.claims;
  w.rollout_cfg.resume_on_restart = resume;
  w.start(3);
  w.plan_route_of(3);
  // Node a dies right after the first router's write was journaled: its
  // manager goes with it (no release of the claim), as with kill -9.
  w.crash_step = "device-applied";
  w.on_row = [this](const test::edge& e) {
    if (test::journaled(e) == "device-applied")
      caf::anon_send_exit(w.rollouts, caf::exit_reason::kill);
  };
  w.apply_async();
  w.settle(1s, 5);
  ASSERT_TRUE(w.crashed);
  w.on_row = nullptr;
  EXPECT_EQ(claim_lease(), a.lease->load());
  EXPECT_EQ(w.routes(0), 1u);

  // Node b starts its manager over the same shared plans; a's claim still
  // stands, so b leaves the plan where it is.
  w.rollout_claims = b.claims;
  running->store(b.lease->load());
  auto journal = w.events(w.id).size();
  w.take_over(resume);
  for (int i = 0; i < 5; ++i)
    w.advance_time(1s);
  EXPECT_EQ(w.plan_db->get(w.id)->state, plan_state::executing);
  EXPECT_EQ(w.events(w.id).size(), journal);

  // a's lease expires (revoked here): its claim goes, and b's next
  // takeover poll claims the plan and finishes it from the journal.
  ASSERT_TRUE(test::await<int64_t>(
    [&](auto cb) { client->lease_revoke(a.lease->load(), std::move(cb)); }));
  auto p = w.settle();
  EXPECT_EQ(p.state, resume ? plan_state::completed : plan_state::rolled_back);
  for (size_t i = 0; i < 3; ++i) {
    // Applied once and never again (resume), or restored (rollback).
    EXPECT_EQ(w.routes(i), resume ? 1u : 0u) << i;
    EXPECT_EQ(w.deadman_jobs(i, w.id), 0u) << i;
  }
  if (resume) {
    auto events = w.events(w.id);
    EXPECT_NE(std::find(events.begin(), events.end(), "plan-resumed"),
              events.end());
  }
  // b's coordinator ended: its claim is released.
  EXPECT_EQ(claim_lease(), 0);
  caf::anon_send_exit(a.claims, caf::exit_reason::kill);
  caf::anon_send_exit(b.claims, caf::exit_reason::kill);
}

TEST_F(rollout_takeover, a_survivor_resumes_once_the_lost_nodes_claim_goes) {
  lose_coordinator(true);
}

TEST_F(rollout_takeover, a_survivor_rolls_back_once_the_lost_nodes_claim_goes) {
  lose_coordinator(false);
}

TEST_F(rollout_takeover, a_plan_coordinated_elsewhere_is_not_applied_twice) {
  auto a = join("node-a");
  auto b = join("node-b");
  running->store(b.lease->load());
  w.rollout_claims = b.claims;
  w.start(2);
  w.plan_route_of(2);
  // Node a holds the claim (its coordinator runs there).
  auto claimed = test::await<etcd_txn_result>([&](auto cb) {
    etcd_txn t;
    auto key = rollout_claim_key(prefix, w.id);
    t.compare.push_back({etcd_compare::target::create, key, 0});
    t.success.push_back({etcd_op::kind::put, key, "node-a", a.lease->load()});
    client->txn(t, std::move(cb));
  });
  ASSERT_TRUE(claimed && claimed->succeeded);
  w.apply_async();
  auto answer = w.wait_result(800, 1s, 5);
  EXPECT_NE(answer.dump().find("another node"), std::string::npos)
    << answer.dump();
  // The apply tool started the plan (the token is spent), but this node
  // coordinates nothing: node a's claim stands, no router was written, and
  // the plan is left to its claim holder (or, once that node is lost, to
  // the takeover).
  EXPECT_EQ(w.plan_db->get(w.id)->state, plan_state::executing);
  auto events = w.events(w.id);
  EXPECT_EQ(std::find(events.begin(), events.end(), "batch-started"),
            events.end());
  EXPECT_EQ(w.routes(0), 0u);
  EXPECT_EQ(claim_lease(), a.lease->load());
  caf::anon_send_exit(a.claims, caf::exit_reason::kill);
  caf::anon_send_exit(b.claims, caf::exit_reason::kill);
}

TEST_F(rollout_takeover, a_coordinator_that_lost_its_claim_writes_no_more) {
  auto a = join("node-a");
  auto b = join("node-b");
  running->store(a.lease->load());
  w.rollout_claims = a.claims;
  w.start(3);
  w.plan_route_of(3);
  // Right after the first router's write was journaled, node a is cut off
  // from etcd: its lease expires there (revoked here) and node b claims
  // the plan, while a's coordinator runs on, its lease still in its cell.
  size_t journal = 0;
  bool cut = false;
  w.on_row = [&](const test::edge& e) {
    if (cut || test::journaled(e) != "device-applied")
      return;
    cut = true;
    ASSERT_TRUE(test::await<int64_t>(
      [&](auto cb) { client->lease_revoke(a.lease->load(), std::move(cb)); }));
    claim_for("node-b", b);
    journal = w.events(w.id).size();
  };
  w.apply_async();
  auto answer = w.wait_result(800, 1s, 30);
  ASSERT_TRUE(cut);
  w.on_row = nullptr;
  // a's next journal step was refused inside the commit: its coordinator
  // stopped, naming the claim's holder, and wrote no other router.
  EXPECT_NE(answer.dump().find("no longer holds the claim"), std::string::npos)
    << answer.dump();
  EXPECT_NE(answer.dump().find("node-b"), std::string::npos) << answer.dump();
  EXPECT_EQ(w.events(w.id).size(), journal);
  EXPECT_EQ(w.routes(1), 0u);
  EXPECT_EQ(w.routes(2), 0u);
  EXPECT_EQ(claim_lease(), b.lease->load());

  // b, the claim's holder, takes the plan over from the journal and
  // completes it: every router applied once.
  w.rollout_claims = b.claims;
  running->store(b.lease->load());
  w.take_over(true);
  auto p = w.settle();
  EXPECT_EQ(p.state, plan_state::completed);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(w.routes(i), 1u) << i;
  EXPECT_GT(w.events(w.id).size(), journal);
  caf::anon_send_exit(a.claims, caf::exit_reason::kill);
  caf::anon_send_exit(b.claims, caf::exit_reason::kill);
}

} // namespace

} // namespace rmcp
