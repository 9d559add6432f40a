#include "protocol/cluster.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace rmcp {
namespace {

cluster_view view_of(std::initializer_list<const char*> ids) {
  cluster_view v;
  for (auto* id : ids)
    v.members.push_back(cluster_member{id, "127.0.0.1", 4000});
  return v;
}

std::string device(int i) {
  return "rtr-" + std::to_string(i);
}

TEST(cluster, an_empty_view_has_no_owner) {
  EXPECT_EQ(owner_of(cluster_view{}, "rtr-1"), nullptr);
}

TEST(cluster, the_owner_does_not_depend_on_member_order) {
  auto a = view_of({"n1", "n2", "n3"});
  auto b = view_of({"n3", "n1", "n2"});
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(owner_of(a, device(i))->node_id, owner_of(b, device(i))->node_id);
}

TEST(cluster, weights_are_stable_across_builds) {
  // Every node must compute the same owner; a change of the hash would
  // re-home every device of a running cluster during a rolling upgrade.
  EXPECT_EQ(rendezvous_weight("n1", "rtr-1"), 0xaf92522aa6a484b0ULL);
  EXPECT_NE(rendezvous_weight("ab", "c"), rendezvous_weight("a", "bc"));
}

TEST(cluster, three_members_share_devices_fairly) {
  auto v = view_of({"n1", "n2", "n3"});
  std::map<std::string, int> count;
  for (int i = 0; i < 3000; ++i)
    ++count[owner_of(v, device(i))->node_id];
  ASSERT_EQ(count.size(), 3u);
  for (auto& [node, n] : count)
    EXPECT_NEAR(n, 1000, 150) << node;
}

TEST(cluster, losing_a_member_moves_only_its_devices) {
  auto before = view_of({"n1", "n2", "n3"});
  auto after = view_of({"n1", "n3"});
  int moved = 0;
  for (int i = 0; i < 1000; ++i) {
    auto was = owner_of(before, device(i))->node_id;
    auto now = owner_of(after, device(i))->node_id;
    if (was != "n2")
      EXPECT_EQ(was, now) << device(i);
    else
      ++moved;
  }
  EXPECT_GT(moved, 0);
}

} // namespace
} // namespace rmcp
