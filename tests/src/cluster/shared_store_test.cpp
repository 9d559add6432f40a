// The cluster's shared store against a private etcd: two writers that
// collide, snapshots across another node's commit, the commit limits, the
// split store's routing, and two nodes (two LMDBs, one etcd) sharing one
// registry and one plan, opened the way the daemon and the CLI open them.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "src/app/store_setup.hpp"
#include "storage/device_store.hpp"
#include "storage/memory_store.hpp"
#include "storage/plan_store.hpp"
#include "storage/split_store.hpp"
#include "storage/tables.hpp"
#include "tests/storage/engines.hpp"
#include "tests/storage/shared_engines.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp {

namespace {

namespace tables = storage::tables;
using storage::kv_store;

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

/// The etcd client with its range calls counted (and their revisions kept).
class counting_client : public etcd_client {
public:
  explicit counting_client(etcd_client_ptr inner) : inner_(std::move(inner)) {
    // nop
  }

  std::vector<int64_t> revisions() {
    std::lock_guard<std::mutex> guard{mtx_};
    return revisions_;
  }

  void lease_grant(int64_t ttl, callback<int64_t> done) override {
    inner_->lease_grant(ttl, std::move(done));
  }
  void lease_keep_alive(int64_t id, callback<int64_t> done) override {
    inner_->lease_keep_alive(id, std::move(done));
  }
  void lease_revoke(int64_t id, callback<int64_t> done) override {
    inner_->lease_revoke(id, std::move(done));
  }
  void put(const std::string& key, const std::string& value, int64_t lease,
           callback<int64_t> done) override {
    inner_->put(key, value, lease, std::move(done));
  }
  void range(const std::string& key, bool prefix,
             callback<etcd_range> done) override {
    inner_->range(key, prefix, std::move(done));
  }
  void range_at(const etcd_range_query& q, callback<etcd_range> done) override {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      revisions_.push_back(q.revision);
    }
    inner_->range_at(q, std::move(done));
  }
  void remove(const std::string& key, bool prefix,
              callback<int64_t> done) override {
    inner_->remove(key, prefix, std::move(done));
  }
  void txn(const etcd_txn& t, callback<etcd_txn_result> done) override {
    inner_->txn(t, std::move(done));
  }
  void watch(const std::string& prefix, int64_t start_revision,
             std::chrono::milliseconds wait,
             callback<etcd_watch_result> done) override {
    inner_->watch(prefix, start_revision, wait, std::move(done));
  }
  void watch_range(const std::string& key, const std::string& range_end,
                   int64_t start_revision, std::chrono::milliseconds wait,
                   callback<etcd_watch_result> done) override {
    inner_->watch_range(key, range_end, start_revision, wait, std::move(done));
  }
  void close() override {
    inner_->close();
  }

private:
  etcd_client_ptr inner_;
  std::mutex mtx_;
  std::vector<int64_t> revisions_;
};

class shared_store_test : public ::testing::Test {
protected:
  void SetUp() override {
    client = test::shared_etcd_client();
    ASSERT_NE(client, nullptr) << test::shared_etcd().log();
    node_a = test::open_etcd_kv(client, prefix);
    node_b = test::open_etcd_kv(client, prefix);
    ASSERT_TRUE(node_a && node_b);
  }

  std::string prefix = test::fresh_prefix();
  etcd_client_ptr client;
  std::shared_ptr<kv_store> node_a;
  std::shared_ptr<kv_store> node_b;
};

TEST_F(shared_store_test, the_second_of_two_colliding_commits_is_a_conflict) {
  ASSERT_FALSE(write(*node_a, tables::devices, "r1", "v0"));
  auto a = node_a->begin_write();
  auto b = node_b->begin_write();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*(*a)->get(tables::devices, "r1"), "v0");
  EXPECT_EQ(*(*b)->get(tables::devices, "r1"), "v0");
  ASSERT_FALSE((*a)->put(tables::devices, "r1", "from-a"));
  ASSERT_FALSE((*b)->put(tables::devices, "r1", "from-b"));
  ASSERT_FALSE((*b)->put(tables::credentials, "r1", "from-b"));
  ASSERT_FALSE((*a)->commit());
  auto err = (*b)->commit();
  EXPECT_EQ(error_code_of(err), ec::conflict) << error_message(err);
  // Nothing of b's transaction is applied, not even its other table.
  EXPECT_EQ(read(*node_b, tables::devices, "r1"), "from-a");
  EXPECT_EQ(read(*node_b, tables::credentials, "r1"), std::nullopt);
}

TEST_F(shared_store_test, write_atomically_runs_a_conflicting_change_again) {
  ASSERT_FALSE(write(*node_a, tables::meta, "counter", "1"));
  int runs = 0;
  auto err = storage::write_atomically(*node_b, [&](storage::write_txn& txn) {
    ++runs;
    auto v = txn.get(tables::meta, "counter");
    if (!v)
      return v.error();
    if (runs == 1) { // another node commits after this transaction read
      EXPECT_FALSE(write(*node_a, tables::meta, "counter", "5"));
    }
    return txn.put(tables::meta, "counter", std::to_string(std::stoi(**v) + 1));
  });
  ASSERT_FALSE(err) << error_message(err);
  EXPECT_EQ(runs, 2);
  // The increment applied to the other node's value, not to a stale one.
  EXPECT_EQ(read(*node_a, tables::meta, "counter"), "6");
}

TEST_F(shared_store_test, a_read_transaction_keeps_its_revision) {
  ASSERT_FALSE(write(*node_a, tables::plans, "p1", "before"));
  auto reader = node_b->begin_read();
  ASSERT_TRUE(reader);
  EXPECT_EQ(*(*reader)->get(tables::plans, "p1"), "before");
  ASSERT_FALSE(write(*node_a, tables::plans, "p1", "after"));
  ASSERT_FALSE(write(*node_a, tables::plans, "p2", "new"));
  EXPECT_EQ(*(*reader)->get(tables::plans, "p1"), "before");
  EXPECT_EQ(*(*reader)->get(tables::plans, "p2"), std::nullopt);
  EXPECT_EQ(*(*reader)->count(tables::plans), 1u);
  EXPECT_EQ(read(*node_b, tables::plans, "p1"), "after");
}

TEST_F(shared_store_test, a_scan_pages_through_a_large_table_at_one_revision) {
  // 1,200 rows in one commit: more than etcd's default of 128 operations
  // per transaction (the test etcd runs with the raised limit) and more
  // than one scan page.
  ASSERT_FALSE(storage::write_atomically(*node_a, [](storage::write_txn& txn) {
    for (int i = 0; i < 1200; ++i) {
      auto key = std::string{"plan\0", 5} + std::to_string(100000 + i);
      if (auto e = txn.put(tables::plan_journal, key, "x"))
        return e;
    }
    return caf::error{};
  }));
  auto txn = node_b->begin_read();
  ASSERT_TRUE(txn);
  std::vector<std::string> keys;
  ASSERT_FALSE((*txn)->scan(tables::plan_journal, "plan",
                            [&](std::string_view k, std::string_view) {
                              keys.emplace_back(k);
                              return true;
                            }));
  ASSERT_EQ(keys.size(), 1200u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(*(*txn)->count(tables::plan_journal), 1200u);
}

TEST_F(shared_store_test, the_fleets_registry_load_is_a_few_range_reads) {
  // 1,100 devices with credentials (more than two scan pages of 500): the
  // fleet's load reads the generation, the devices and the credentials at
  // one revision in 7 range calls, not two round trips per device.
  auto counted = std::make_shared<counting_client>(client);
  auto kv = test::open_etcd_kv(counted, prefix);
  ASSERT_TRUE(kv);
  auto db = storage::open_device_store(kv, "etcd", test::test_key());
  ASSERT_TRUE(db) << error_message(db.error());
  std::vector<storage::device_put> batch;
  for (int i = 0; i < 1100; ++i) {
    device_record r;
    r.id = "r" + std::to_string(10000 + i);
    r.host = "127.0.0.1";
    r.username = "api";
    r.environment = "lab";
    batch.push_back({r, credential{"api", "pw-" + r.id}});
  }
  ASSERT_FALSE((*db)->put_devices(std::move(batch)));
  auto before = counted->revisions().size();
  auto reg = (*db)->registry("lab");
  ASSERT_TRUE(reg) << error_message(reg.error());
  ASSERT_EQ(reg->devices.size(), 1100u);
  ASSERT_EQ(reg->credentials.size(), 1100u);
  EXPECT_EQ(reg->credentials["r10999"].password, "pw-r10999");
  auto calls = counted->revisions();
  calls.erase(calls.begin(), calls.begin() + static_cast<ptrdiff_t>(before));
  EXPECT_EQ(calls.size(), 7u);
  // The first call pins the revision, every later one reads at it.
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front(), 0);
  for (size_t i = 1; i < calls.size(); ++i)
    EXPECT_EQ(calls[i], calls[1]) << i;
  EXPECT_GT(calls[1], 0);
}

TEST_F(shared_store_test, a_commit_over_the_limits_is_refused_naming_them) {
  cluster::etcd_kv_options opts;
  opts.client = client;
  opts.prefix = prefix;
  opts.max_txn_ops = 4;
  opts.max_request_bytes = 4096;
  auto small = cluster::make_etcd_kv_store(opts);
  ASSERT_TRUE(small);
  auto err = storage::write_atomically(**small, [](storage::write_txn& txn) {
    for (auto k : {"a", "b", "c", "d"})
      if (auto e = txn.put(tables::devices, k, "v"))
        return e;
    return caf::error{};
  });
  EXPECT_EQ(error_code_of(err), ec::store_failure);
  EXPECT_NE(error_message(err).find("--max-txn-ops"), std::string::npos)
    << error_message(err);
  err = write(**small, tables::plan_previews, "p", std::string(8000, 'x'));
  EXPECT_EQ(error_code_of(err), ec::store_failure);
  EXPECT_NE(error_message(err).find("--max-request-bytes"), std::string::npos)
    << error_message(err);
  EXPECT_EQ(read(*node_a, tables::devices, "a"), std::nullopt);
  EXPECT_EQ(read(*node_a, tables::plan_previews, "p"), std::nullopt);
}

TEST_F(shared_store_test, the_split_store_routes_each_table_to_its_home) {
  auto local = storage::make_memory_store();
  storage::split_store split{local, node_a};
  ASSERT_FALSE(storage::write_atomically(split, [](storage::write_txn& txn) {
    for (auto [table, key] : {std::pair{tables::devices, "r1"},
                              {tables::credentials, "r1"},
                              {tables::plans, "p1"},
                              {tables::plan_status, "p1"},
                              {tables::api_tokens, "t1"},
                              {tables::health, "r1"},
                              {tables::snapshots, "r1"},
                              {tables::audit, "1"},
                              {tables::meta, "generation"},
                              {tables::meta, "schema_version"},
                              {tables::meta, "audit_head"}})
      if (auto e = txn.put(table, key, "v"))
        return e;
    return caf::error{};
  }));
  for (auto [table, key] : {std::pair{tables::devices, "r1"},
                            {tables::credentials, "r1"},
                            {tables::plans, "p1"},
                            {tables::plan_status, "p1"},
                            {tables::meta, "generation"}}) {
    EXPECT_EQ(read(*node_b, table, key), "v") << table << "/" << key;
    EXPECT_EQ(read(*local, table, key), std::nullopt) << table << "/" << key;
  }
  for (auto [table, key] : {std::pair{tables::health, "r1"},
                            {tables::snapshots, "r1"},
                            {tables::audit, "1"},
                            {tables::api_tokens, "t1"},
                            {tables::meta, "schema_version"},
                            {tables::meta, "audit_head"}}) {
    EXPECT_EQ(read(*local, table, key), "v") << table << "/" << key;
    EXPECT_EQ(read(*node_b, table, key), std::nullopt) << table << "/" << key;
  }
  // A record in the engine its table is not routed to (an LMDB from before
  // the node joined) is invisible; meta merges both homes in key order.
  ASSERT_FALSE(write(*local, tables::devices, "old", "v"));
  ASSERT_FALSE(write(*local, tables::meta, "generation", "99"));
  EXPECT_EQ(read(split, tables::devices, "old"), std::nullopt);
  EXPECT_EQ(read(split, tables::meta, "generation"), "v");
  auto txn = split.begin_read();
  ASSERT_TRUE(txn);
  std::vector<std::string> meta;
  ASSERT_FALSE(
    (*txn)->scan(tables::meta, "", [&](std::string_view k, std::string_view v) {
      meta.emplace_back(std::string{k} + "=" + std::string{v});
      return true;
    }));
  EXPECT_EQ(meta, (std::vector<std::string>{"audit_head=v", "generation=v",
                                            "schema_version=v"}));
  EXPECT_EQ(*(*txn)->count(tables::meta), 3u);
}

TEST_F(shared_store_test, a_failed_shared_commit_leaves_the_local_part_out) {
  auto local = storage::make_memory_store();
  storage::split_store split{local, node_a};
  auto w = split.begin_write();
  ASSERT_TRUE(w);
  // Read, then written: another node's change of r1 in between conflicts.
  EXPECT_EQ(*(*w)->get(tables::devices, "r1"), std::nullopt);
  ASSERT_FALSE((*w)->put(tables::devices, "r1", "split"));
  ASSERT_FALSE((*w)->put(tables::health, "r1", "split"));
  ASSERT_FALSE(write(*node_b, tables::devices, "r1", "other node"));
  EXPECT_EQ(error_code_of((*w)->commit()), ec::conflict);
  w->reset();
  EXPECT_EQ(read(*local, tables::health, "r1"), std::nullopt);
  EXPECT_EQ(read(split, tables::devices, "r1"), "other node");
}

/// A cluster node's options: its own data_dir (LMDB, audit), one etcd,
/// one prefix, the cluster's keys.
config::server_options node_options(const test::temp_dir& dir,
                                    const std::string& node,
                                    const std::string& prefix,
                                    const std::string& key_file) {
  config::server_options o;
  o.environment = "lab";
  o.data_dir = dir / node;
  o.store_key_file = key_file;
  o.plans_approval_key_file = dir / "approval.key";
  o.cluster_node_id = node;
  o.cluster_etcd = test::shared_etcd().endpoint();
  o.cluster_prefix = prefix;
  return o;
}

void write_key(const std::string& path, char digit) {
  std::ofstream{path} << std::string(64, digit) << "\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_read
                                       | std::filesystem::perms::owner_write);
}

TEST_F(shared_store_test, two_nodes_share_one_registry_and_one_plan) {
  test::temp_dir dir;
  write_key(dir / "credential.key", 'c');
  write_key(dir / "approval.key", 'd');
  auto a_opts = node_options(dir, "a", prefix, dir / "credential.key");
  auto b_opts = node_options(dir, "b", prefix, dir / "credential.key");
  auto a = app::open_store(a_opts);
  ASSERT_TRUE(a) << error_message(a.error());
  auto b = app::open_store(b_opts);
  ASSERT_TRUE(b) << error_message(b.error());
  EXPECT_EQ((*a)->status()->backend, "lmdb+etcd");

  // A device added through node a: node b sees it, its generation moved
  // (what b's fleet polls) and its credential decrypts there.
  auto gen = (*b)->generation();
  ASSERT_TRUE(gen);
  device_record rec;
  rec.id = "r1";
  rec.host = "127.0.0.1";
  rec.port = 8443;
  rec.username = "api";
  rec.environment = "lab";
  credential cred;
  cred.username = "api";
  cred.password = "secret";
  ASSERT_FALSE((*a)->put_device(rec, cred));
  EXPECT_GT(*(*b)->generation(), *gen);
  auto seen = (*b)->device("r1");
  ASSERT_TRUE(seen) << error_message(seen.error());
  EXPECT_EQ(seen->host, "127.0.0.1");
  auto got = (*b)->get_credential("r1");
  ASSERT_TRUE(got) << error_message(got.error());
  EXPECT_EQ(got->password, "secret");
  // Health is local: node b's history of r1 is its own.
  health_sample s;
  s.device_id = "r1";
  s.timestamp = 1000;
  ASSERT_FALSE((*a)->put_health(s));
  EXPECT_EQ((*a)->health("r1", 0)->size(), 1u);
  EXPECT_EQ((*b)->health("r1", 0)->size(), 0u);

  // A plan created on node a is listed, approved and started on node b,
  // and a cancel through b is what a's coordinator reads.
  auto pa = app::open_plan_store(a_opts, (*a)->kv());
  auto pb = app::open_plan_store(b_opts, (*b)->kv());
  ASSERT_TRUE(pa && pb);
  plan_record plan;
  plan.kind = "dns_ntp";
  plan.tool = "plan_dns_ntp_rollout";
  plan.apply_tool = "apply_dns_ntp_rollout";
  plan.created_by = "alice";
  plan.risk = "medium";
  plan.environment = "lab";
  plan.params = {{"dns_servers", {"1.1.1.1"}}};
  plan.batches = {{"r1"}};
  plan_device d;
  d.id = "r1";
  plan.devices.push_back(d);
  auto created = (*pa)->create(plan);
  ASSERT_TRUE(created) << error_message(created.error());
  auto listed = (*pb)->list();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, created->id);
  auto token = (*pb)->approve(created->id, "bob");
  ASSERT_TRUE(token) << error_message(token.error());
  auto started = (*pa)->start(created->id, *token);
  ASSERT_TRUE(started) << error_message(started.error());
  EXPECT_EQ(started->state, plan_state::executing);
  // The token is spent for every node.
  EXPECT_FALSE((*pb)->start(created->id, *token));
  ASSERT_TRUE((*pb)->cancel(created->id, "carol", "changed plans"));
  auto on_a = (*pa)->get(created->id);
  ASSERT_TRUE(on_a);
  EXPECT_TRUE(on_a->cancel_requested);
  EXPECT_GE((*pa)->journal(created->id)->size(), 4u);
}

TEST_F(shared_store_test, a_node_with_another_credential_key_is_refused) {
  test::temp_dir dir;
  write_key(dir / "credential.key", 'c');
  write_key(dir / "other.key", 'e');
  write_key(dir / "approval.key", 'd');
  auto a =
    app::open_store(node_options(dir, "a", prefix, dir / "credential.key"));
  ASSERT_TRUE(a) << error_message(a.error());
  auto b = app::open_store(node_options(dir, "b", prefix, dir / "other.key"));
  ASSERT_FALSE(b);
  EXPECT_NE(error_message(b.error()).find("same key"), std::string::npos)
    << error_message(b.error());
}

} // namespace

} // namespace rmcp
