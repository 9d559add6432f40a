// Schema versions and the upgrade path, on both engines: a synthetic v0
// layout (records written before the store had a version, with older field
// names) is migrated in order inside one transaction.

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "storage/device_store.hpp"
#include "storage/schema.hpp"
#include "storage/tables.hpp"
#include "tests/storage/engines.hpp"

namespace rmcp {

namespace {

namespace tables = storage::tables;

/// Rewrites every device record with `fn`.
caf::error rewrite_devices(storage::write_txn& txn,
                           const std::function<void(json&)>& fn) {
  std::vector<std::pair<std::string, std::string>> records;
  auto err = txn.scan(tables::devices, "",
                      [&](std::string_view key, std::string_view value) {
                        records.emplace_back(key, value);
                        return true;
                      });
  if (err)
    return err;
  for (auto& [key, value] : records) {
    auto doc = parse_json(value);
    if (!doc)
      return make_error(ec::store_failure, "bad v0 record " + key);
    fn(*doc);
    if (auto err = txn.put(tables::devices, key, doc->dump()))
      return err;
  }
  return caf::none;
}

/// v0: devices had "address" and "user"; v1 renamed them to "host" and
/// "username"; v2 tags every device with its origin.
storage::schema test_schema(bool fail_second_step = false) {
  storage::schema s;
  s.version = 2;
  // Registered out of order on purpose: upgrade sorts by `from`.
  s.migrations.push_back(
    {1, "tag migrated devices", [fail_second_step](storage::write_txn& txn) {
       if (fail_second_step)
         return make_error(ec::store_failure, "disk on fire");
       return rewrite_devices(txn, [](json& doc) {
         doc["tags"]["origin"] = doc.value("host", "") == "" ? "broken" : "v0";
       });
     }});
  s.migrations.push_back(
    {0, "rename address/user to host/username", [](storage::write_txn& txn) {
       return rewrite_devices(txn, [](json& doc) {
         doc["host"] = doc["address"];
         doc["username"] = doc["user"];
         doc.erase("address");
         doc.erase("user");
       });
     }});
  return s;
}

template <class Engine>
class schema_test : public ::testing::Test {
protected:
  void write_v0_layout() {
    auto err =
      storage::write_atomically(*engine.open(), [](storage::write_txn& txn) {
        for (auto id : {"r1", "r2"}) {
          json old{{"id", id},
                   {"name", id},
                   {"address", std::string{"10.0.0."} + id[1]},
                   {"user", "admin"},
                   {"port", 443}};
          if (auto err = txn.put(tables::devices, id, old.dump()))
            return err;
        }
        return caf::error{};
      });
    ASSERT_FALSE(err) << error_message(err);
  }

  uint32_t stored_version() {
    auto txn = engine.open()->begin_read();
    EXPECT_TRUE(txn);
    auto v = storage::read_schema_version(**txn);
    EXPECT_TRUE(v);
    return v ? *v : 9999;
  }

  std::string raw_device(const std::string& id) {
    auto txn = engine.open()->begin_read();
    auto raw = (*txn)->get(tables::devices, id);
    return raw && *raw ? **raw : std::string{};
  }

  Engine engine;
};

TYPED_TEST_SUITE(schema_test, test::engines, test::engine_names);

TYPED_TEST(schema_test, a_fresh_store_is_stamped_with_the_current_version) {
  auto found = storage::upgrade(*this->engine.open(), storage::current_schema(),
                                this->engine.where());
  ASSERT_TRUE(found) << error_message(found.error());
  EXPECT_EQ(*found, storage::current_schema().version);
  EXPECT_EQ(this->stored_version(), storage::current_schema().version);
  // Opening again changes nothing.
  EXPECT_EQ(storage::upgrade(*this->engine.open(), storage::current_schema(),
                             this->engine.where()),
            storage::current_schema().version);
}

TYPED_TEST(schema_test, a_v0_layout_is_migrated_step_by_step_in_order) {
  this->write_v0_layout();
  EXPECT_EQ(this->stored_version(), 0u);
  auto found =
    storage::upgrade(*this->engine.open(), test_schema(), this->engine.where());
  ASSERT_TRUE(found) << error_message(found.error());
  EXPECT_EQ(*found, 0u);
  EXPECT_EQ(this->stored_version(), 2u);
  // The migrated records are readable by the domain code.
  storage::device_store db{this->engine.open(),
                           storage::credential_cipher{test::test_key()}};
  auto all = db.devices();
  ASSERT_TRUE(all) << error_message(all.error());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].host, "10.0.0.1");
  EXPECT_EQ((*all)[0].username, "admin");
  // Step 1 ran after step 0 (it saw the renamed field).
  EXPECT_EQ((*all)[1].tags.at("origin"), "v0");
}

TYPED_TEST(schema_test, a_failing_migration_changes_nothing) {
  this->write_v0_layout();
  auto before = this->raw_device("r1");
  auto found = storage::upgrade(*this->engine.open(), test_schema(true),
                                this->engine.where());
  ASSERT_FALSE(found);
  EXPECT_EQ(error_code_of(found.error()), ec::store_failure);
  auto text = error_message(found.error());
  EXPECT_NE(text.find("from version 1 to 2"), std::string::npos) << text;
  EXPECT_NE(text.find("disk on fire"), std::string::npos) << text;
  // Step 0 had succeeded, but the whole upgrade is one transaction.
  EXPECT_EQ(this->stored_version(), 0u);
  EXPECT_EQ(this->raw_device("r1"), before);
}

TYPED_TEST(schema_test, a_newer_store_is_refused_with_a_clear_message) {
  auto current = storage::current_schema().version;
  storage::schema newer{current + 1, {}};
  ASSERT_TRUE(
    storage::upgrade(*this->engine.open(), newer, this->engine.where()));
  auto found = storage::upgrade(*this->engine.open(), storage::current_schema(),
                                this->engine.where());
  ASSERT_FALSE(found);
  auto text = error_message(found.error());
  EXPECT_NE(text.find("schema version " + std::to_string(current + 1)
                      + ", newer than this build supports ("
                      + std::to_string(current) + ")"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find(this->engine.where()), std::string::npos) << text;
  // ... and opening a device store on it fails the same way.
  auto db = storage::open_device_store(this->engine.open(),
                                       this->engine.where(), test::test_key());
  EXPECT_FALSE(db);
}

TYPED_TEST(schema_test,
           an_unversioned_store_with_data_needs_a_registered_migration) {
  this->write_v0_layout();
  auto found = storage::upgrade(*this->engine.open(), storage::current_schema(),
                                this->engine.where());
  ASSERT_FALSE(found);
  EXPECT_NE(error_message(found.error()).find("no migration from version 0"),
            std::string::npos);
  EXPECT_EQ(this->stored_version(), 0u);
}

TYPED_TEST(schema_test, the_generation_counter_starts_at_zero_and_counts) {
  auto kv = this->engine.open();
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(storage::write_atomically(*kv, [](storage::write_txn& txn) {
      return storage::bump_generation(txn);
    }));
  auto txn = kv->begin_read();
  EXPECT_EQ(storage::read_generation(**txn), uint64_t{3});
}

} // namespace

} // namespace rmcp
