// Membership actors against a private etcd: three nodes (one actor system,
// one etcd client each) find each other, split the registered devices by
// rendezvous hashing with one etcd claim per device, re-home the devices of
// a node that stops renewing its lease (a partition drill), survive etcd
// being killed and restarted, and never hand a claim from one lease to
// another without a delete in between (the whole claim history is read
// back from etcd and replayed).
//
// Real time: etcd's leases expire in real seconds. Every wait polls a
// condition against a deadline.

#include "actors/membership.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <gtest/gtest.h>

#include "protocol/caf_setup.hpp"
#include "protocol/error.hpp"
#include "src/cluster/etcd_http_client.hpp"
#include "tests/support/etcd_server.hpp"
#include "tests/support/etcd_sync.hpp"
#include "tests/support/fake_store.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

const std::string prefix = "/test-cluster";

/// What a listener was told last, and how often.
struct told_state {
  std::mutex mtx;
  cluster_view view;
  std::set<std::string> owned;
  size_t count = 0;
};

cluster_listener_actor spawn_recorder(caf::actor_system& sys,
                                      std::shared_ptr<told_state> told) {
  return sys.spawn([told]() -> cluster_listener_actor::behavior_type {
    return {
      [told](atom::cluster, cluster_view& view,
             std::vector<std::string>& owned) {
        std::lock_guard<std::mutex> guard{told->mtx};
        told->view = std::move(view);
        told->owned = {owned.begin(), owned.end()};
        ++told->count;
      },
    };
  });
}

struct node {
  std::string id;
  membership_actor actor;
  std::shared_ptr<told_state> told = std::make_shared<told_state>();

  std::set<std::string> owned() {
    std::lock_guard<std::mutex> guard{told->mtx};
    return told->owned;
  }

  std::vector<std::string> view_ids() {
    std::lock_guard<std::mutex> guard{told->mtx};
    std::vector<std::string> out;
    for (auto& m : told->view.members)
      out.push_back(m.node_id);
    return out;
  }
};

class membership_test : public ::testing::Test {
protected:
  struct config : caf::actor_system_config {
    config() {
      add_rmcp_types(*this);
      set("logger.verbosity", caf::atom("quiet"));
    }
  };

  membership_test() : sys(cfg) {
    store_data = std::make_shared<test::fake_store_data>();
    for (int i = 0; i < 40; ++i) {
      device_record r;
      r.id = "dev-" + std::to_string(i);
      r.environment = i < 36 ? "lab" : "prod";
      store_data->devices.emplace(r.id, r);
    }
    store = test::spawn_fake_store(sys, store_data);
  }

  void SetUp() override {
    ASSERT_TRUE(etcd.ready());
    auto c = cluster::make_etcd_client({{etcd.endpoint()}, 1000ms});
    ASSERT_TRUE(c);
    checker = *c;
  }

  void TearDown() override {
    for (auto& n : nodes)
      caf::anon_send_exit(n->actor, caf::exit_reason::user_shutdown);
    nodes.clear();
    if (checker)
      checker->close();
  }

  node& start(const std::string& id) {
    auto n = std::make_unique<node>();
    n->id = id;
    membership_config mc;
    mc.node_id = id;
    mc.prefix = prefix;
    mc.host = "127.0.0.1";
    mc.port = static_cast<uint16_t>(4000 + nodes.size());
    mc.lease_ttl = std::chrono::seconds{2};
    mc.settle = 500ms;
    mc.watch_wait = 500ms;
    mc.retry_delay = 200ms;
    mc.environment = "lab";
    auto client = cluster::make_etcd_client({{etcd.endpoint()}, 1000ms});
    EXPECT_TRUE(client);
    n->actor =
      spawn_membership(sys, mc, *client, store, spawn_recorder(sys, n->told));
    nodes.push_back(std::move(n));
    return *nodes.back();
  }

  cluster_status status(node& n) {
    caf::scoped_actor s{sys};
    cluster_status out;
    s->request(n.actor, 5s, atom::get_v, atom::status_v)
      .receive([&](cluster_status& st) { out = std::move(st); },
               [&](caf::error& err) {
                 out.reason = "status failed: " + error_message(err);
               });
    return out;
  }

  /// Polls `pred` until it holds or `limit` passes.
  bool eventually(const std::function<bool()>& pred, ms limit = 15000ms) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred())
        return true;
      std::this_thread::sleep_for(50ms);
    }
    return pred();
  }

  /// The claims in etcd: device → node id.
  std::map<std::string, std::string> claims() {
    auto r = test::await<etcd_range>(
      [&](auto cb) { checker->range(prefix + "/owners/", true, cb); });
    std::map<std::string, std::string> out;
    if (!r)
      return out;
    for (auto& kv : r->kvs)
      out[kv.key.substr(prefix.size() + 8)] = kv.value;
    return out;
  }

  std::set<std::string> lab_devices() {
    std::set<std::string> out;
    for (auto& [id, r] : store_data->devices)
      if (r.environment == "lab")
        out.insert(id);
    return out;
  }

  /// Every lab device claimed once in etcd; each live node owns exactly
  /// the devices etcd says it holds, and its listener was told so.
  bool settled_on(const std::vector<node*>& live) {
    auto c = claims();
    std::set<std::string> claimed;
    for (auto& [d, holder] : c)
      claimed.insert(d);
    if (claimed != lab_devices())
      return false;
    for (auto* n : live) {
      std::set<std::string> held;
      for (auto& [d, holder] : c)
        if (holder == n->id)
          held.insert(d);
      if (held.empty() || n->owned() != held
          || n->view_ids().size() != live.size())
        return false;
    }
    return true;
  }

  /// Replays every change of the owners prefix since revision 1: a claim
  /// key is only ever created, or deleted; never re-put under another
  /// lease while it exists (that would be two holders).
  void expect_claims_never_overlapped() {
    std::map<std::string, int64_t> holder; // key → lease
    int64_t next = 1;
    auto now = test::await<etcd_range>(
      [&](auto cb) { checker->range(prefix + "/", true, cb); });
    ASSERT_TRUE(now);
    size_t seen = 0;
    while (next <= now->revision) {
      auto round = test::await<etcd_watch_result>(
        [&](auto cb) { checker->watch(prefix + "/owners/", next, 300ms, cb); });
      ASSERT_TRUE(round) << error_message(round.error());
      if (round->events.empty())
        break;
      for (auto& e : round->events) {
        ++seen;
        next = std::max(next, e.kv.mod_revision + 1);
        auto h = holder.find(e.kv.key);
        if (e.deleted) {
          holder.erase(e.kv.key);
          continue;
        }
        if (h != holder.end()) {
          EXPECT_EQ(h->second, e.kv.lease)
            << e.kv.key << " changed hands without a delete at revision "
            << e.kv.mod_revision;
        }
        holder[e.kv.key] = e.kv.lease;
      }
    }
    EXPECT_GT(seen, 0u);
  }

  test::etcd_server etcd;
  config cfg;
  caf::actor_system sys;
  std::shared_ptr<test::fake_store_data> store_data;
  store_actor store;
  etcd_client_ptr checker;
  std::vector<std::unique_ptr<node>> nodes;
};

} // namespace

TEST_F(membership_test, three_nodes_split_the_lab_devices_one_claim_each) {
  auto& a = start("node-a");
  auto& b = start("node-b");
  auto& c = start("node-c");
  ASSERT_TRUE(eventually([&] {
    return settled_on({&a, &b, &c});
  }))
    << "a=" << a.owned().size() << " b=" << b.owned().size()
    << " c=" << c.owned().size() << " claims=" << claims().size();
  // Each owns exactly its rendezvous share of the view.
  auto st = status(a);
  EXPECT_TRUE(st.member) << st.reason;
  ASSERT_EQ(st.view.members.size(), 3u);
  EXPECT_EQ(st.view.members[1].node_id, "node-b");
  EXPECT_EQ(st.view.members[1].port, 4001);
  for (auto* n : {&a, &b, &c})
    for (auto& d : n->owned())
      EXPECT_EQ(owner_of(st.view, d)->node_id, n->id) << d;
  // The prod devices are not this service's.
  EXPECT_EQ(claims().count("dev-37"), 0u);
  expect_claims_never_overlapped();
}

TEST_F(membership_test, rounds_read_the_registry_only_when_it_changed) {
  auto& a = start("node-a");
  ASSERT_TRUE(eventually([&] { return settled_on({&a}); }));
  auto reads = store_data->device_reads.load();
  auto rounds = store_data->generation_reads.load();
  // Rounds go on (each reads the generation), the registry is not scanned.
  ASSERT_TRUE(eventually(
    [&] { return store_data->generation_reads.load() >= rounds + 3; }));
  EXPECT_EQ(store_data->device_reads.load(), reads);
  // A device registered (through the store: the generation moves) is read
  // once and claimed.
  device_record r;
  r.id = "dev-new";
  r.environment = "lab";
  caf::scoped_actor s{sys};
  bool put = false;
  s->request(store, 5s, atom::put_v, r)
    .receive([&](atom::ok) { put = true; }, [&](caf::error&) {});
  ASSERT_TRUE(put);
  ASSERT_TRUE(eventually([&] { return a.owned().count("dev-new") == 1; }));
  EXPECT_EQ(store_data->device_reads.load(), reads + 1);
}

TEST_F(membership_test, stopped_node_hands_its_devices_over_at_once) {
  auto& a = start("node-a");
  auto& b = start("node-b");
  ASSERT_TRUE(eventually([&] { return settled_on({&a, &b}); }));
  caf::scoped_actor s{sys};
  bool stopped = false;
  s->request(b.actor, 5s, atom::stop_v)
    .receive([&](atom::ok) { stopped = true; }, [&](caf::error&) {});
  ASSERT_TRUE(stopped);
  // The revoked lease took b's member key and claims with it: a takes all
  // without waiting for a TTL.
  EXPECT_TRUE(b.owned().empty());
  ASSERT_TRUE(eventually([&] { return settled_on({&a}); }, 5000ms));
  expect_claims_never_overlapped();
}

TEST_F(membership_test, partitioned_node_loses_its_claims_to_the_others) {
  auto& a = start("node-a");
  auto& b = start("node-b");
  auto& c = start("node-c");
  ASSERT_TRUE(eventually([&] { return settled_on({&a, &b, &c}); }));
  auto before = c.owned();
  caf::anon_send(c.actor, atom::suspend_v, true);
  // c gives up first (its own deadline is 9/10 of the TTL) ...
  ASSERT_TRUE(eventually([&] { return !status(c).member; }, 5000ms));
  // The listener hears it in a message of its own, sent before the answer.
  EXPECT_TRUE(eventually([&] { return c.owned().empty(); }, 1000ms));
  EXPECT_NE(status(c).reason.find("keep-alive"), std::string::npos)
    << status(c).reason;
  // ... then etcd expires its lease and a and b take its devices.
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return settled_on({&a, &b}); }, 10000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  auto c_held_by_others = claims();
  for (auto& d : before)
    EXPECT_NE(c_held_by_others[d], "node-c") << d;
  // Back from the partition: c rejoins with a fresh lease and, once
  // settled, takes back its rendezvous share.
  caf::anon_send(c.actor, atom::suspend_v, false);
  ASSERT_TRUE(eventually([&] { return settled_on({&a, &b, &c}); }));
  EXPECT_EQ(c.owned(), before);
  expect_claims_never_overlapped();
}

TEST_F(membership_test, rejoining_node_waits_to_settle_before_taking_a_share) {
  auto& a = start("node-a");
  ASSERT_TRUE(eventually([&] { return settled_on({&a}); }));
  auto& b = start("node-b");
  // b is a member at once, but takes nothing until it has been in the view
  // for the settle time (500 ms here); a keeps everything until then.
  ASSERT_TRUE(eventually([&] { return status(b).member; }, 5000ms));
  auto joined = std::chrono::steady_clock::now();
  EXPECT_TRUE(b.owned().empty());
  ASSERT_TRUE(eventually([&] { return settled_on({&a, &b}); }));
  EXPECT_GE(std::chrono::steady_clock::now() - joined, 300ms);
  expect_claims_never_overlapped();
}

TEST_F(membership_test, etcd_killed_and_restarted_under_running_members) {
  auto& a = start("node-a");
  auto& b = start("node-b");
  auto& c = start("node-c");
  ASSERT_TRUE(eventually([&] { return settled_on({&a, &b, &c}); }));
  auto before = claims();
  etcd.kill();
  // Without etcd, every node is out within the lease TTL and owns nothing.
  ASSERT_TRUE(eventually(
    [&] { return !status(a).member && !status(b).member && !status(c).member; },
    5000ms));
  for (auto* n : {&a, &b, &c})
    EXPECT_TRUE(eventually([&] { return n->owned().empty(); }, 1000ms))
      << n->id;
  EXPECT_NE(status(a).reason.find("keep-alive"), std::string::npos)
    << status(a).reason;
  ASSERT_TRUE(etcd.restart()) << etcd.log();
  // Service resumes: every node back in, every device claimed once, by
  // the same node as before (the leases outlived the restart).
  ASSERT_TRUE(eventually([&] { return settled_on({&a, &b, &c}); }));
  EXPECT_EQ(claims(), before);
  expect_claims_never_overlapped();
}

TEST_F(membership_test, a_batch_with_one_key_taken_claims_the_others) {
  // dev-5 is held under another lease before the node starts: the node's
  // batch of create-if-absent claims fails as a whole, and each key found
  // absent is claimed on its own. dev-5 comes to the node only once the
  // other lease is gone.
  auto other =
    test::await<int64_t>([&](auto cb) { checker->lease_grant(30, cb); });
  ASSERT_TRUE(other);
  auto taken = test::await<int64_t>([&](auto cb) {
    checker->put(owner_key(prefix, "dev-5"), "elsewhere", *other, cb);
  });
  ASSERT_TRUE(taken);
  auto& a = start("node-a");
  auto all = lab_devices();
  auto others = all;
  others.erase("dev-5");
  ASSERT_TRUE(eventually([&] { return a.owned() == others; }))
    << a.owned().size();
  EXPECT_EQ(claims()["dev-5"], "elsewhere");
  ASSERT_TRUE(
    test::await<int64_t>([&](auto cb) { checker->lease_revoke(*other, cb); }));
  ASSERT_TRUE(eventually([&] { return a.owned() == all; }));
  EXPECT_EQ(claims()["dev-5"], "node-a");
}

TEST_F(membership_test, racing_claims_of_one_key_have_exactly_one_winner) {
  // Eight clients race for the same forty keys at once; etcd's
  // create-revision compare lets exactly one win each.
  std::vector<etcd_client_ptr> clients;
  std::vector<int64_t> leases;
  for (int i = 0; i < 8; ++i) {
    auto c = cluster::make_etcd_client({{etcd.endpoint()}, 5000ms});
    ASSERT_TRUE(c);
    clients.push_back(*c);
    auto l = test::await<int64_t>([&](auto cb) { (*c)->lease_grant(10, cb); });
    ASSERT_TRUE(l);
    leases.push_back(*l);
  }
  std::mutex mtx;
  std::map<std::string, int> wins;
  std::vector<std::thread> racers;
  for (size_t i = 0; i < clients.size(); ++i)
    racers.emplace_back([&, i] {
      for (int d = 0; d < 40; ++d) {
        auto key = owner_key(prefix, "dev-" + std::to_string(d));
        etcd_txn t;
        t.compare.push_back({etcd_compare::target::create, key, 0});
        t.success.push_back(
          {etcd_op::kind::put, key, "n" + std::to_string(i), leases[i]});
        auto r = test::await<etcd_txn_result>(
          [&](auto cb) { clients[i]->txn(t, cb); });
        std::lock_guard<std::mutex> guard{mtx};
        if (r && r->succeeded)
          ++wins[key];
        else if (!r)
          ADD_FAILURE() << error_message(r.error());
      }
    });
  for (auto& t : racers)
    t.join();
  EXPECT_EQ(wins.size(), 40u);
  for (auto& [key, n] : wins)
    EXPECT_EQ(n, 1) << key;
  for (auto& c : clients)
    c->close();
}

} // namespace rmcp
