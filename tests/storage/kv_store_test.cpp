// The table layer, identical on every engine: get/put/erase, prefix scans in
// key order, atomic write transactions, snapshot reads, key limits.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/tables.hpp"
#include "tests/storage/engines.hpp"

namespace rmcp {

namespace {

using storage::kv_store;
namespace tables = storage::tables;

template <class Engine>
class kv_store_test : public ::testing::Test {
protected:
  void SetUp() override {
    kv = engine.open();
    ASSERT_NE(kv, nullptr);
  }

  void put(std::string_view table, std::string_view key,
           std::string_view value) {
    auto err = storage::write_atomically(
      *kv, [&](storage::write_txn& txn) { return txn.put(table, key, value); });
    ASSERT_FALSE(err) << error_message(err);
  }

  std::optional<std::string> get(std::string_view table, std::string_view key) {
    auto txn = kv->begin_read();
    EXPECT_TRUE(txn) << error_message(txn.error());
    auto value = (*txn)->get(table, key);
    EXPECT_TRUE(value) << error_message(value.error());
    return value ? *value : std::nullopt;
  }

  std::vector<std::string> keys(std::string_view table,
                                std::string_view prefix) {
    std::vector<std::string> result;
    auto txn = kv->begin_read();
    EXPECT_TRUE(txn);
    auto err =
      (*txn)->scan(table, prefix, [&](std::string_view key, std::string_view) {
        result.emplace_back(key);
        return true;
      });
    EXPECT_FALSE(err) << error_message(err);
    return result;
  }

  Engine engine;
  std::shared_ptr<kv_store> kv;
};

TYPED_TEST_SUITE(kv_store_test, test::engines, test::engine_names);

TYPED_TEST(kv_store_test,
           put_then_get_returns_the_value_and_absent_keys_are_nullopt) {
  this->put(tables::devices, "edge-01", "value-1");
  EXPECT_EQ(this->get(tables::devices, "edge-01"), "value-1");
  EXPECT_EQ(this->get(tables::devices, "edge-02"), std::nullopt);
  // Tables are separate namespaces.
  EXPECT_EQ(this->get(tables::credentials, "edge-01"), std::nullopt);
}

TYPED_TEST(kv_store_test,
           put_replaces_and_erase_reports_whether_a_record_existed) {
  this->put(tables::devices, "k", "one");
  this->put(tables::devices, "k", "two");
  EXPECT_EQ(this->get(tables::devices, "k"), "two");
  auto txn = this->kv->begin_write();
  ASSERT_TRUE(txn);
  EXPECT_EQ((*txn)->erase(tables::devices, "k"), true);
  EXPECT_EQ((*txn)->erase(tables::devices, "k"), false);
  ASSERT_FALSE((*txn)->commit());
  EXPECT_EQ(this->get(tables::devices, "k"), std::nullopt);
}

TYPED_TEST(kv_store_test, values_are_binary_safe) {
  std::string value{"a\0b\xff\x01", 5};
  this->put(tables::snapshots, std::string{"k\0x", 3}, value);
  EXPECT_EQ(this->get(tables::snapshots, std::string{"k\0x", 3}), value);
}

TYPED_TEST(kv_store_test, scan_visits_only_the_prefix_in_bytewise_order) {
  using namespace std::string_literals;
  for (auto key : {"b\0"s
                   "2",
                   "a\0"s
                   "1",
                   "b\0"s
                   "1",
                   "b"s,
                   "c\0"s
                   "1",
                   "b\x01"s
                   "0"})
    this->put(tables::health, key, "v");
  auto in_b = this->keys(tables::health, "b\0"s);
  ASSERT_EQ(in_b.size(), 2u);
  EXPECT_EQ(in_b[0], "b\0"s
                     "1");
  EXPECT_EQ(in_b[1], "b\0"s
                     "2");
  auto all = this->keys(tables::health, "");
  EXPECT_EQ(all.size(), 6u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
}

TYPED_TEST(kv_store_test, scan_stops_when_the_visitor_returns_false) {
  for (auto key : {"p1", "p2", "p3"})
    this->put(tables::devices, key, "v");
  auto txn = this->kv->begin_read();
  ASSERT_TRUE(txn);
  int visited = 0;
  ASSERT_FALSE(
    (*txn)->scan(tables::devices, "p", [&](std::string_view, std::string_view) {
      return ++visited < 2;
    }));
  EXPECT_EQ(visited, 2);
}

TYPED_TEST(kv_store_test, an_uncommitted_write_transaction_changes_nothing) {
  this->put(tables::devices, "keep", "old");
  {
    auto txn = this->kv->begin_write();
    ASSERT_TRUE(txn);
    ASSERT_FALSE((*txn)->put(tables::devices, "keep", "new"));
    ASSERT_FALSE((*txn)->put(tables::devices, "added", "x"));
    ASSERT_TRUE((*txn)->erase(tables::devices, "keep"));
    ASSERT_FALSE((*txn)->put(tables::devices, "keep", "newer"));
    // The transaction sees its own changes.
    EXPECT_EQ(*(*txn)->get(tables::devices, "keep"), "newer");
  } // destroyed without commit
  EXPECT_EQ(this->get(tables::devices, "keep"), "old");
  EXPECT_EQ(this->get(tables::devices, "added"), std::nullopt);
}

TYPED_TEST(kv_store_test, write_atomically_rolls_back_every_change_on_error) {
  auto err = storage::write_atomically(*this->kv, [](storage::write_txn& txn) {
    if (auto e = txn.put(tables::devices, "a", "1"))
      return e;
    if (auto e = txn.put(tables::credentials, "a", "2"))
      return e;
    return make_error(ec::conflict, "changed my mind");
  });
  EXPECT_EQ(error_code_of(err), ec::conflict);
  EXPECT_EQ(this->get(tables::devices, "a"), std::nullopt);
  EXPECT_EQ(this->get(tables::credentials, "a"), std::nullopt);
}

TYPED_TEST(kv_store_test, a_read_transaction_keeps_its_snapshot) {
  this->put(tables::devices, "x", "before");
  auto reader = this->kv->begin_read();
  ASSERT_TRUE(reader);
  EXPECT_EQ(*(*reader)->get(tables::devices, "x"), "before");
  (*reader).reset(); // the memory twin's readers block writers
  this->put(tables::devices, "x", "after");
  EXPECT_EQ(this->get(tables::devices, "x"), "after");
}

TYPED_TEST(kv_store_test, count_reports_the_records_of_one_table) {
  this->put(tables::devices, "a", "1");
  this->put(tables::devices, "b", "1");
  this->put(tables::health, "a", "1");
  auto txn = this->kv->begin_read();
  ASSERT_TRUE(txn);
  EXPECT_EQ((*txn)->count(tables::devices), uint64_t{2});
  EXPECT_EQ((*txn)->count(tables::credentials), uint64_t{0});
}

TYPED_TEST(kv_store_test, erase_prefix_removes_exactly_the_prefixed_records) {
  for (auto key : {"d1/a", "d1/b", "d10/a", "d2/a"})
    this->put(tables::health, key, "v");
  auto txn = this->kv->begin_write();
  ASSERT_TRUE(txn);
  EXPECT_EQ(storage::erase_prefix(**txn, tables::health, "d1/"), uint64_t{2});
  ASSERT_FALSE((*txn)->commit());
  EXPECT_EQ(this->keys(tables::health, ""),
            (std::vector<std::string>{"d10/a", "d2/a"}));
}

TYPED_TEST(kv_store_test, unknown_tables_and_bad_keys_are_store_failures) {
  auto txn = this->kv->begin_write();
  ASSERT_TRUE(txn);
  EXPECT_EQ(error_code_of((*txn)->put("no_such_table", "k", "v")),
            ec::store_failure);
  EXPECT_EQ(error_code_of((*txn)->put(tables::devices, "", "v")),
            ec::store_failure);
  EXPECT_EQ(
    error_code_of((*txn)->put(tables::devices, std::string(512, 'k'), "v")),
    ec::store_failure);
  EXPECT_FALSE((*txn)->put(tables::devices, std::string(511, 'k'), "v"));
}

TYPED_TEST(kv_store_test, a_committed_transaction_cannot_be_used_again) {
  auto txn = this->kv->begin_write();
  ASSERT_TRUE(txn);
  ASSERT_FALSE((*txn)->commit());
  EXPECT_EQ(error_code_of((*txn)->put(tables::devices, "k", "v")),
            ec::store_failure);
  EXPECT_EQ(error_code_of((*txn)->commit()), ec::store_failure);
}

TYPED_TEST(kv_store_test, info_names_the_backend) {
  this->put(tables::devices, "k", std::string(10000, 'v'));
  auto info = this->kv->info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->backend, TypeParam::backend);
  if (TypeParam::measures_size) {
    EXPECT_GE(info->used_bytes, 10000u);
  }
  if (info->backend == std::string{"lmdb"}) {
    EXPECT_EQ(info->map_bytes, uint64_t{64} << 20);
    EXPECT_EQ(info->path, this->engine.where());
  }
}

} // namespace

} // namespace rmcp
