// The audit trail: append-only, sequence numbers in order, newest first,
// per-device filter, and it survives reopening (LMDB).

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/audit_log.hpp"
#include "tests/storage/engines.hpp"

namespace rmcp {

namespace {

template <class Engine>
class audit_log_test : public ::testing::Test {
protected:
  audit_record rec(const std::string& device, const std::string& tool) {
    audit_record r;
    r.actor = "alice";
    r.tool = tool;
    r.device_id = device;
    r.outcome = "applied";
    r.before = {{"identity", "old"}};
    r.after = {{"identity", "new"}};
    return r;
  }

  Engine engine;
};

TYPED_TEST_SUITE(audit_log_test, test::engines, test::engine_names);

} // namespace

TYPED_TEST(audit_log_test, records_are_appended_in_order_and_read_newest_first) {
  storage::audit_log log{this->engine.open(), [] { return int64_t{42}; }};
  for (uint64_t expected : {1, 2, 3}) {
    auto seq = log.append(this->rec(expected == 2 ? "b" : "a",
                                    expected == 1 ? "set_system_identity"
                                                  : "update_dns_servers"));
    ASSERT_TRUE(seq) << error_message(seq.error());
    EXPECT_EQ(*seq, expected);
  }
  auto all = log.recent("", 0);
  ASSERT_TRUE(all) << error_message(all.error());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].seq, 3u);
  EXPECT_EQ((*all)[2].tool, "set_system_identity");
  EXPECT_EQ((*all)[2].timestamp, 42);
  EXPECT_EQ((*all)[2].after["identity"], "new");
  auto of_a = log.recent("a", 1);
  ASSERT_TRUE(of_a);
  ASSERT_EQ(of_a->size(), 1u);
  EXPECT_EQ((*of_a)[0].seq, 3u);
}

TYPED_TEST(audit_log_test, the_trail_survives_reopening) {
  {
    storage::audit_log log{this->engine.open()};
    ASSERT_TRUE(log.append(this->rec("a", "t1")));
  }
  if (std::string{TypeParam::backend} == "memory")
    return; // the twin does not persist
  this->engine.close();
  storage::audit_log log{this->engine.open()};
  auto seq = log.append(this->rec("a", "t2"));
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 2u);
  auto all = log.recent("a", 0);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
}

} // namespace rmcp
