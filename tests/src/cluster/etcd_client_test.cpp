// The Beast etcd client against a private etcd on loopback: leases, keys
// with leases, prefix ranges, transactions comparing create revisions,
// watch rounds, and what a call says when etcd is gone.

#include "src/cluster/etcd_http_client.hpp"

#include <chrono>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "tests/support/etcd_server.hpp"
#include "tests/support/etcd_sync.hpp"

namespace rmcp::cluster {

namespace {

using namespace std::chrono_literals;
using test::await;

class etcd_client_test : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(etcd.ready());
    auto c = make_etcd_client({{etcd.endpoint()}, 2000ms});
    ASSERT_TRUE(c);
    client = *c;
  }

  void TearDown() override {
    if (client)
      client->close();
  }

  int64_t grant(int64_t ttl) {
    auto id = await<int64_t>([&](auto cb) { client->lease_grant(ttl, cb); });
    EXPECT_TRUE(id) << error_message(id.error());
    return id ? *id : 0;
  }

  etcd_txn claim(const std::string& key, const std::string& node,
                 int64_t lease) {
    etcd_txn t;
    t.compare.push_back({etcd_compare::target::create, key, 0});
    t.success.push_back({etcd_op::kind::put, key, node, lease});
    t.failure.push_back({etcd_op::kind::get, key, "", 0});
    return t;
  }

  test::etcd_server etcd;
  etcd_client_ptr client;
};

} // namespace

TEST_F(etcd_client_test, put_range_and_remove_by_prefix) {
  for (auto k : {"/t/a/1", "/t/a/2", "/t/b/1"}) {
    auto rev = await<int64_t>([&](auto cb) { client->put(k, "v", 0, cb); });
    ASSERT_TRUE(rev) << error_message(rev.error());
    EXPECT_GT(*rev, 0);
  }
  auto r =
    await<etcd_range>([&](auto cb) { client->range("/t/a/", true, cb); });
  ASSERT_TRUE(r) << error_message(r.error());
  ASSERT_EQ(r->kvs.size(), 2u);
  EXPECT_EQ(r->kvs[0].key, "/t/a/1");
  EXPECT_EQ(r->kvs[1].key, "/t/a/2");
  EXPECT_EQ(r->kvs[0].value, "v");
  auto deleted =
    await<int64_t>([&](auto cb) { client->remove("/t/a/", true, cb); });
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 2);
  auto left =
    await<etcd_range>([&](auto cb) { client->range("/t/", true, cb); });
  ASSERT_TRUE(left);
  ASSERT_EQ(left->kvs.size(), 1u);
  EXPECT_EQ(left->kvs[0].key, "/t/b/1");
}

TEST_F(etcd_client_test, keys_with_a_lease_go_with_the_revoked_lease) {
  auto lease = grant(10);
  ASSERT_NE(lease, 0);
  ASSERT_TRUE(
    await<int64_t>([&](auto cb) { client->put("/m/n1", "x", lease, cb); }));
  auto ttl =
    await<int64_t>([&](auto cb) { client->lease_keep_alive(lease, cb); });
  ASSERT_TRUE(ttl);
  EXPECT_EQ(*ttl, 10);
  auto r =
    await<etcd_range>([&](auto cb) { client->range("/m/n1", false, cb); });
  ASSERT_TRUE(r);
  ASSERT_EQ(r->kvs.size(), 1u);
  EXPECT_EQ(r->kvs[0].lease, lease);
  ASSERT_TRUE(
    await<int64_t>([&](auto cb) { client->lease_revoke(lease, cb); }));
  auto after =
    await<etcd_range>([&](auto cb) { client->range("/m/n1", false, cb); });
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->kvs.empty());
  auto gone =
    await<int64_t>([&](auto cb) { client->lease_keep_alive(lease, cb); });
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, 0);
}

TEST_F(etcd_client_test, put_with_an_unknown_lease_is_refused) {
  auto r = await<int64_t>([&](auto cb) { client->put("/k", "v", 12345, cb); });
  ASSERT_FALSE(r);
  EXPECT_EQ(error_code_of(r.error()), ec::store_failure);
  EXPECT_NE(error_message(r.error()).find("lease not found"), std::string::npos)
    << error_message(r.error());
}

TEST_F(etcd_client_test, create_revision_txn_lets_exactly_one_claim_win) {
  auto l1 = grant(10);
  auto l2 = grant(10);
  auto first = await<etcd_txn_result>(
    [&](auto cb) { client->txn(claim("/o/d1", "n1", l1), cb); });
  ASSERT_TRUE(first) << error_message(first.error());
  EXPECT_TRUE(first->succeeded);
  auto second = await<etcd_txn_result>(
    [&](auto cb) { client->txn(claim("/o/d1", "n2", l2), cb); });
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->succeeded);
  ASSERT_EQ(second->read.size(), 1u);
  EXPECT_EQ(second->read[0].value, "n1");
  EXPECT_EQ(second->read[0].lease, l1);
  // The claim goes with its holder's lease; then the other one wins.
  ASSERT_TRUE(await<int64_t>([&](auto cb) { client->lease_revoke(l1, cb); }));
  auto third = await<etcd_txn_result>(
    [&](auto cb) { client->txn(claim("/o/d1", "n2", l2), cb); });
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->succeeded);
}

TEST_F(etcd_client_test, watch_round_returns_the_changes_after_a_revision) {
  auto start =
    await<etcd_range>([&](auto cb) { client->range("/w/", true, cb); });
  ASSERT_TRUE(start);
  // A change before the round starts is still seen: the round starts at a
  // revision, not at the moment it is opened.
  ASSERT_TRUE(
    await<int64_t>([&](auto cb) { client->put("/w/a", "1", 0, cb); }));
  auto round = await<etcd_watch_result>(
    [&](auto cb) { client->watch("/w/", start->revision + 1, 5000ms, cb); });
  ASSERT_TRUE(round) << error_message(round.error());
  ASSERT_EQ(round->events.size(), 1u);
  EXPECT_EQ(round->events[0].kv.key, "/w/a");
  EXPECT_FALSE(round->events[0].deleted);
  ASSERT_TRUE(
    await<int64_t>([&](auto cb) { client->remove("/w/a", false, cb); }));
  auto del = await<etcd_watch_result>([&](auto cb) {
    client->watch("/w/", round->events[0].kv.mod_revision + 1, 5000ms, cb);
  });
  ASSERT_TRUE(del);
  ASSERT_EQ(del->events.size(), 1u);
  EXPECT_TRUE(del->events[0].deleted);
}

TEST_F(etcd_client_test, quiet_watch_round_ends_empty_after_its_wait) {
  auto start =
    await<etcd_range>([&](auto cb) { client->range("/q/", true, cb); });
  ASSERT_TRUE(start);
  auto t0 = std::chrono::steady_clock::now();
  auto round = await<etcd_watch_result>(
    [&](auto cb) { client->watch("/q/", start->revision + 1, 300ms, cb); });
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(round) << error_message(round.error());
  EXPECT_TRUE(round->events.empty());
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s);
}

TEST_F(etcd_client_test, calls_to_a_dead_etcd_fail_within_the_timeout) {
  etcd.kill();
  auto t0 = std::chrono::steady_clock::now();
  auto r = await<etcd_range>([&](auto cb) { client->range("/x", false, cb); });
  ASSERT_FALSE(r);
  EXPECT_EQ(error_code_of(r.error()), ec::store_failure);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  ASSERT_TRUE(etcd.restart());
  auto back =
    await<etcd_range>([&](auto cb) { client->range("/x", false, cb); });
  EXPECT_TRUE(back) << error_message(back.error());
}

TEST_F(etcd_client_test, close_cancels_a_waiting_watch) {
  auto p = std::make_shared<std::promise<caf::expected<etcd_watch_result>>>();
  auto f = p->get_future();
  client->watch("/c/", 1, 10000ms, [p](caf::expected<etcd_watch_result> r) {
    p->set_value(std::move(r));
  });
  // The round may already have seen old events (revision 1 on); what
  // matters is that close answers every call at once.
  client->close();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
}

} // namespace rmcp::cluster
