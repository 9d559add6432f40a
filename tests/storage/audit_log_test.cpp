// The audit trail: append-only, sequence numbers in order, newest first,
// per-device filter, and it survives reopening (LMDB).

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/audit_log.hpp"
#include "storage/codecs.hpp"
#include "storage/tables.hpp"
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

TYPED_TEST(audit_log_test,
           records_are_appended_in_order_and_read_newest_first) {
  storage::audit_log log{this->engine.open(), [] { return int64_t{42}; }};
  for (uint64_t expected : {1, 2, 3}) {
    auto seq = log.append(
      this->rec(expected == 2 ? "b" : "a",
                expected == 1 ? "set_system_identity" : "update_dns_servers"));
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
  if (!TypeParam::persists)
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

namespace {

/// Rewrites the stored JSON of record `seq` through `change`.
void tamper(storage::kv_store& kv, uint64_t seq,
            const std::function<void(json&)>& change) {
  char key[24];
  std::snprintf(key, sizeof key, "%020llu",
                static_cast<unsigned long long>(seq));
  auto err =
    storage::write_atomically(kv, [&](storage::write_txn& txn) -> caf::error {
      auto raw = txn.get(storage::tables::audit, key);
      if (!raw || !*raw)
        return make_error(ec::store_failure, "no such record");
      auto doc = parse_json(**raw).value();
      change(doc);
      return txn.put(storage::tables::audit, key, dump_json(doc));
    });
  ASSERT_FALSE(err) << error_message(err);
}

void remove(storage::kv_store& kv, uint64_t seq) {
  char key[24];
  std::snprintf(key, sizeof key, "%020llu",
                static_cast<unsigned long long>(seq));
  auto err =
    storage::write_atomically(kv, [&](storage::write_txn& txn) -> caf::error {
      auto erased = txn.erase(storage::tables::audit, key);
      if (!erased)
        return erased.error();
      return caf::error{};
    });
  ASSERT_FALSE(err) << error_message(err);
}

} // namespace

TYPED_TEST(audit_log_test, records_are_chained_and_verify) {
  auto kv = this->engine.open();
  storage::audit_log log{kv};
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(log.append(this->rec("a", "t" + std::to_string(i))));
  auto all = log.recent("", 0);
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)[3].prev_hash, "");
  EXPECT_EQ((*all)[2].prev_hash, (*all)[3].hash);
  EXPECT_EQ((*all)[0].hash.size(), 64u);
  auto v = log.verify();
  ASSERT_TRUE(v) << error_message(v.error());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->records, 4u);
  EXPECT_EQ(v->head_seq, 4u);
  EXPECT_EQ(v->head_hash, (*all)[0].hash);
}

TYPED_TEST(audit_log_test, a_changed_record_is_named) {
  auto kv = this->engine.open();
  storage::audit_log log{kv};
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(log.append(this->rec("a", "t" + std::to_string(i))));
  tamper(*kv, 2, [](json& doc) { doc["actor"] = "mallory"; });
  auto v = log.verify();
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken, 2u) << v->problem;
  EXPECT_NE(v->problem.find("changed"), std::string::npos) << v->problem;
}

TYPED_TEST(audit_log_test, a_rehashed_record_breaks_the_next_link) {
  auto kv = this->engine.open();
  storage::audit_log log{kv};
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(log.append(this->rec("a", "t" + std::to_string(i))));
  // A forger who recomputes the changed record's own hash still breaks
  // the link from record 3.
  tamper(*kv, 2, [](json& doc) {
    doc["outcome"] = "failed";
    doc["hash"] = storage::audit_hash(doc);
  });
  auto v = log.verify();
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken, 3u) << v->problem;
}

TYPED_TEST(audit_log_test, deleted_records_are_detected) {
  auto kv = this->engine.open();
  storage::audit_log log{kv};
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(log.append(this->rec("a", "t" + std::to_string(i))));
  remove(*kv, 2);
  auto v = log.verify();
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken, 2u) << v->problem;
  EXPECT_NE(v->problem.find("missing"), std::string::npos) << v->problem;
}

TYPED_TEST(audit_log_test, removing_the_newest_record_is_detected) {
  auto kv = this->engine.open();
  storage::audit_log log{kv};
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(log.append(this->rec("a", "t" + std::to_string(i))));
  remove(*kv, 3);
  auto v = log.verify();
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken, 3u) << v->problem;
  EXPECT_NE(v->problem.find("head"), std::string::npos) << v->problem;
}

TYPED_TEST(audit_log_test, export_since_a_time) {
  int64_t now = 1000;
  storage::audit_log log{this->engine.open(), [&now] { return now; }};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(log.append(this->rec("a", "t" + std::to_string(i))));
    now += 1000;
  }
  auto out = log.since(2000);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0]["tool"], "t1");
  EXPECT_EQ((*out)[1]["hash"].get<std::string>().size(), 64u);
}

TYPED_TEST(audit_log_test, version_1_records_are_chained_by_the_migration) {
  auto kv = this->engine.open();
  // Records as version 1 wrote them: no chain fields, no head.
  auto err =
    storage::write_atomically(*kv, [](storage::write_txn& txn) -> caf::error {
      for (int i = 1; i <= 2; ++i) {
        char key[24];
        std::snprintf(key, sizeof key, "%020d", i);
        json doc{
          {"seq", i}, {"actor", "a"}, {"tool", "t"}, {"outcome", "applied"}};
        if (auto e = txn.put(storage::tables::audit, key, dump_json(doc)))
          return e;
      }
      return storage::rechain_audit(txn);
    });
  ASSERT_FALSE(err) << error_message(err);
  storage::audit_log log{kv};
  ASSERT_TRUE(log.append(this->rec("a", "t3")));
  auto v = log.verify();
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->records, 3u);
}

} // namespace rmcp

namespace rmcp {

// seal_audit_record writes a record's text itself and splices "hash" in;
// the text must be exactly the dump of the record's encoding with its
// hash, whatever the record holds (members that look like separators,
// nested "kind" and "hash" keys, non-ASCII and control characters), and
// the hash that of the encoding without it.
TEST(seal_audit_record, is_the_dump_of_the_encoded_record_with_its_hash) {
  audit_record tricky;
  tricky.seq = 18446744073709551615u;
  tricky.timestamp = -5;
  tricky.duration_ms = 12;
  tricky.actor = "a\",\"kind\":\"x";
  tricky.tool = "get,\",\"kind\":x";
  tricky.device_id = "caf\xc3\xa9 \xff";
  tricky.devices = {"r1", "r\"2", "line\nbreak"};
  tricky.arguments = {{"kind", "change"}, {"hash", {{"kind", 1}}}};
  tricky.before = json::array({",\"kind\":", {{"z", nullptr}}, 1.5});
  tricky.after = {{"identity", "new"}};
  tricky.error = "\",\"kind\":\"read\"}";
  tricky.kind = ",\"kind\":\"";
  tricky.outcome = "applied";
  tricky.role = "ops";
  tricky.transport = "rest";
  tricky.plan_id = "plan-1";
  tricky.prev_hash = std::string(64, 'a');
  tricky.request_id = ",\"hash\":\"";
  tricky.hash = "stale";
  audit_record without_request_id = tricky;
  without_request_id.request_id.clear();
  for (const auto& rec : {tricky, without_request_id, audit_record{}}) {
    auto sealed = storage::seal_audit_record(rec);
    auto expected = storage::encode(rec);
    EXPECT_EQ(sealed.hash, storage::audit_hash(expected));
    expected["hash"] = sealed.hash;
    EXPECT_EQ(sealed.text, dump_json(expected));
  }
}

} // namespace rmcp
