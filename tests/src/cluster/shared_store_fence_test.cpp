// The shared store's commit compares against a private etcd: writers of
// unrelated keys no longer collide, a writer that scanned a table still
// collides with any commit since its snapshot, a conflict retried past its
// limit is store_busy (retryable), and a commit that requires a rollout
// claim applies only while the claim carries this node's lease (fencing a
// coordinator that lost its claim).

#include <atomic>
#include <string>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/plan_store.hpp"
#include "storage/tables.hpp"
#include "tests/storage/engines.hpp"
#include "tests/storage/shared_engines.hpp"
#include "tests/support/etcd_sync.hpp"

namespace rmcp {

namespace {

namespace tables = storage::tables;
using storage::kv_store;
using lease_ptr = std::shared_ptr<std::atomic<int64_t>>;

std::optional<std::string> read(kv_store& kv, std::string_view table,
                                std::string_view key) {
  auto txn = kv.begin_read();
  EXPECT_TRUE(txn) << error_message(txn.error());
  if (!txn)
    return std::nullopt;
  auto v = (*txn)->get(table, key);
  EXPECT_TRUE(v) << error_message(v.error());
  return v ? *v : std::nullopt;
}

caf::error write(kv_store& kv, std::string_view table, std::string_view key,
                 std::string_view value) {
  return storage::write_atomically(
    kv, [&](storage::write_txn& txn) { return txn.put(table, key, value); });
}

class shared_store_fence : public ::testing::Test {
protected:
  void SetUp() override {
    client = test::shared_etcd_client();
    ASSERT_NE(client, nullptr) << test::shared_etcd().log();
  }

  /// A node's engine over the test's prefix, comparing `lease` for claims.
  std::shared_ptr<kv_store> node(lease_ptr lease = nullptr) {
    cluster::etcd_kv_options opts;
    opts.client = client;
    opts.prefix = prefix;
    opts.where = "etcd " + prefix + "/kv/";
    opts.lease = std::move(lease);
    auto kv = cluster::make_etcd_kv_store(std::move(opts));
    EXPECT_TRUE(kv) << error_message(kv.error());
    return kv ? *kv : nullptr;
  }

  int64_t grant() {
    auto lease = test::await<int64_t>(
      [&](auto cb) { client->lease_grant(60, std::move(cb)); });
    EXPECT_TRUE(lease) << error_message(lease.error());
    return lease ? *lease : 0;
  }

  /// Puts the claim of plan `plan` as node `holder` under `lease`
  /// (replacing any claim: the test plays a takeover).
  void claim(const std::string& plan, const std::string& holder,
             int64_t lease) {
    auto key = prefix + "/" + storage::rollout_claim_name(plan);
    auto r = test::await<etcd_txn_result>([&](auto cb) {
      etcd_txn t;
      t.success.push_back({etcd_op::kind::put, key, holder, lease});
      client->txn(t, std::move(cb));
    });
    ASSERT_TRUE(r && r->succeeded);
  }

  /// One write under the claim of plan `plan`: a step of that plan.
  caf::error step(kv_store& kv, const std::string& plan,
                  const std::string& value) {
    return storage::write_atomically(kv, [&](storage::write_txn& txn) {
      if (auto err = txn.require_claim(storage::rollout_claim_name(plan)))
        return err;
      auto v = txn.get(tables::plan_status, plan);
      if (!v)
        return v.error();
      return txn.put(tables::plan_status, plan, value);
    });
  }

  std::string prefix = test::fresh_prefix();
  etcd_client_ptr client;
};

TEST_F(shared_store_fence, writers_of_unrelated_keys_both_commit) {
  auto a = node();
  auto b = node();
  ASSERT_FALSE(write(*a, tables::plan_status, "p1", "0"));
  ASSERT_FALSE(write(*a, tables::plan_status, "p2", "0"));
  auto ta = a->begin_write();
  auto tb = b->begin_write();
  ASSERT_TRUE(ta && tb);
  // Each reads and rewrites its own plan's row, at the same snapshot.
  EXPECT_EQ(*(*ta)->get(tables::plan_status, "p1"), "0");
  EXPECT_EQ(*(*tb)->get(tables::plan_status, "p2"), "0");
  ASSERT_FALSE((*ta)->put(tables::plan_status, "p1", "1"));
  ASSERT_FALSE((*tb)->put(tables::plan_status, "p2", "1"));
  auto ea = (*ta)->commit();
  auto eb = (*tb)->commit();
  EXPECT_FALSE(ea) << error_message(ea);
  EXPECT_FALSE(eb) << error_message(eb);
  EXPECT_EQ(read(*a, tables::plan_status, "p1"), "1");
  EXPECT_EQ(read(*a, tables::plan_status, "p2"), "1");
}

TEST_F(shared_store_fence, a_key_read_as_absent_and_created_since_conflicts) {
  auto a = node();
  auto b = node();
  auto tb = b->begin_write();
  ASSERT_TRUE(tb);
  EXPECT_EQ(*(*tb)->get(tables::plans, "p9"), std::nullopt);
  ASSERT_FALSE(write(*a, tables::plans, "p9", "from-a"));
  ASSERT_FALSE((*tb)->put(tables::plans, "p9", "from-b"));
  EXPECT_EQ(error_code_of((*tb)->commit()), ec::conflict);
  EXPECT_EQ(read(*a, tables::plans, "p9"), "from-a");
}

TEST_F(shared_store_fence, a_writer_that_scanned_conflicts_with_any_commit) {
  auto a = node();
  auto b = node();
  ASSERT_FALSE(write(*a, tables::devices, "r1", "v"));
  auto tb = b->begin_write();
  ASSERT_TRUE(tb);
  size_t seen = 0;
  ASSERT_FALSE(
    (*tb)->scan(tables::devices, "", [&](std::string_view, std::string_view) {
      ++seen;
      return true;
    }));
  EXPECT_EQ(seen, 1u);
  // Another node adds a device the scan would now see: b's count is stale.
  ASSERT_FALSE(write(*a, tables::devices, "r2", "v"));
  ASSERT_FALSE((*tb)->put(tables::meta, "generation", "2"));
  EXPECT_EQ(error_code_of((*tb)->commit()), ec::conflict);
  EXPECT_EQ(read(*a, tables::meta, "generation"), std::nullopt);
}

TEST_F(shared_store_fence, a_conflict_retried_past_its_limit_is_store_busy) {
  auto a = node();
  auto b = node();
  ASSERT_FALSE(write(*a, tables::meta, "counter", "0"));
  int runs = 0;
  auto err = storage::write_atomically(*b, [&](storage::write_txn& txn) {
    ++runs;
    auto v = txn.get(tables::meta, "counter");
    if (!v)
      return v.error();
    // Another node commits after every read of this one.
    EXPECT_FALSE(write(*a, tables::meta, "counter", std::to_string(runs)));
    return txn.put(tables::meta, "counter", "mine");
  });
  EXPECT_EQ(runs, storage::max_commit_attempts);
  EXPECT_EQ(error_code_of(err), ec::store_busy) << error_message(err);
  EXPECT_TRUE(is_retryable(error_code_of(err)));
  EXPECT_EQ(read(*a, tables::meta, "counter"),
            std::to_string(storage::max_commit_attempts));
}

TEST_F(shared_store_fence, only_the_claim_holder_commits_a_plans_step) {
  auto lease_a = std::make_shared<std::atomic<int64_t>>(grant());
  auto lease_b = std::make_shared<std::atomic<int64_t>>(grant());
  auto a = node(lease_a);
  auto b = node(lease_b);
  ASSERT_FALSE(write(*a, tables::plan_status, "p1", "created"));
  // a coordinates: its steps commit under its claim; b's do not.
  claim("p1", "node-a", lease_a->load());
  EXPECT_FALSE(step(*a, "p1", "step-1-by-a"));
  auto refused = step(*b, "p1", "step-1-by-b");
  EXPECT_EQ(error_code_of(refused), ec::store_failure);
  EXPECT_NE(error_message(refused).find("rollouts/p1"), std::string::npos)
    << error_message(refused);
  EXPECT_NE(error_message(refused).find("node-a"), std::string::npos)
    << error_message(refused);
  EXPECT_EQ(read(*a, tables::plan_status, "p1"), "step-1-by-a");
  // a is cut off; its claim goes and b takes the plan over. a's next step
  // (its coordinator still runs on the other side of the partition)
  // changes nothing, and b's commits.
  claim("p1", "node-b", lease_b->load());
  refused = step(*a, "p1", "step-2-by-a");
  EXPECT_EQ(error_code_of(refused), ec::store_failure);
  EXPECT_NE(error_message(refused).find("nothing was changed"),
            std::string::npos)
    << error_message(refused);
  EXPECT_FALSE(step(*b, "p1", "step-2-by-b"));
  EXPECT_EQ(read(*a, tables::plan_status, "p1"), "step-2-by-b");
  // A node without a lease (out of the cluster) commits no step, and
  // neither does any node once the claim is gone.
  lease_b->store(0);
  EXPECT_EQ(error_code_of(step(*b, "p1", "step-3")), ec::store_failure);
  lease_b->store(lease_a->load() + 1000);
  EXPECT_EQ(error_code_of(step(*b, "p1", "step-3")), ec::store_failure);
  EXPECT_EQ(read(*a, tables::plan_status, "p1"), "step-2-by-b");
  // Writes that require no claim are not fenced.
  EXPECT_FALSE(write(*a, tables::plan_status, "p2", "created"));
}

TEST_F(shared_store_fence, a_coordinator_that_lost_its_claim_journals_nothing) {
  // Two nodes' plan stores over the shared tables, each with its lease.
  auto lease_a = std::make_shared<std::atomic<int64_t>>(grant());
  auto lease_b = std::make_shared<std::atomic<int64_t>>(grant());
  storage::plan_store_options opts;
  opts.approval_ttl_ms = 60'000;
  storage::plan_store a{node(lease_a), test::test_key('b'), opts};
  storage::plan_store b{node(lease_b), test::test_key('b'), opts};
  plan_record p;
  p.kind = "dns_ntp";
  p.tool = "plan_dns_ntp_rollout";
  p.apply_tool = "apply_dns_ntp_rollout";
  p.created_by = "alice";
  p.risk = "medium";
  p.environment = "lab";
  p.params = {{"dns_servers", {"1.1.1.1"}}};
  p.batches = {{"r1"}, {"r2"}};
  for (auto id : {"r1", "r2"}) {
    plan_device d;
    d.id = id;
    p.devices.push_back(std::move(d));
  }
  auto created = a.create(p);
  ASSERT_TRUE(created) << error_message(created.error());
  auto id = created->id;
  auto token = a.approve(id, "bob");
  ASSERT_TRUE(token) << error_message(token.error());
  ASSERT_TRUE(a.start(id, *token));
  auto step = [&](storage::plan_store& db, const std::string& device) {
    plan_step st;
    st.plan_id = id;
    st.event = "device-snapshot";
    st.device_id = device;
    st.device_state = "snapshotted";
    return db.step(st);
  };
  claim(id, "node-a", lease_a->load());
  auto by_a = step(a, "r1");
  ASSERT_TRUE(by_a) << error_message(by_a.error());
  auto journal = a.journal(id);
  ASSERT_TRUE(journal);
  auto entries = journal->size();
  // b took the plan over (a was partitioned and its lease expired): a's
  // next step is refused inside the commit, b's is journaled.
  claim(id, "node-b", lease_b->load());
  auto late = step(a, "r2");
  ASSERT_FALSE(late);
  EXPECT_EQ(error_code_of(late.error()), ec::store_failure);
  EXPECT_NE(error_message(late.error()).find("node-b"), std::string::npos)
    << error_message(late.error());
  EXPECT_EQ(a.journal(id)->size(), entries);
  auto seen_by_a = a.get(id);
  ASSERT_TRUE(seen_by_a);
  EXPECT_EQ(find_device(*seen_by_a, "r2")->state, "pending");
  auto by_b = step(b, "r2");
  ASSERT_TRUE(by_b) << error_message(by_b.error());
  EXPECT_EQ(a.journal(id)->size(), entries + 1);
  auto seen_by_b = b.get(id);
  ASSERT_TRUE(seen_by_b);
  EXPECT_EQ(find_device(*seen_by_b, "r2")->state, "snapshotted");
}

} // namespace

} // namespace rmcp
