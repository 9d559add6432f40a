// Credential key rotation: all credentials re-encrypted at once, readable
// with the new key only; nothing changes when one does not open.

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/device_store.hpp"
#include "storage/key_rotation.hpp"
#include "storage/tables.hpp"
#include "tests/storage/engines.hpp"

namespace rmcp {

namespace {

template <class Engine>
class key_rotation_test : public ::testing::Test {
protected:
  void add(storage::device_store& db, const std::string& id,
           const std::string& password) {
    device_record r;
    r.id = id;
    r.name = id;
    r.host = "10.0.0.1";
    r.username = "admin";
    ASSERT_FALSE(db.put_device(r, credential{"admin", password}));
  }

  Engine engine;
};

TYPED_TEST_SUITE(key_rotation_test, test::engines, test::engine_names);

} // namespace

TYPED_TEST(key_rotation_test, every_credential_moves_to_the_new_key) {
  auto kv = this->engine.open();
  auto old_key = test::test_key('a');
  auto new_key = test::test_key('c');
  {
    storage::device_store db{kv, storage::credential_cipher{old_key}};
    this->add(db, "r1", "one");
    this->add(db, "r2", "two");
  }
  auto n = storage::rekey_credentials(*kv, old_key, new_key);
  ASSERT_TRUE(n) << error_message(n.error());
  EXPECT_EQ(*n, 2u);
  storage::device_store fresh{kv, storage::credential_cipher{new_key}};
  auto c = fresh.get_credential("r2");
  ASSERT_TRUE(c) << error_message(c.error());
  EXPECT_EQ(c->password, "two");
  storage::device_store stale{kv, storage::credential_cipher{old_key}};
  EXPECT_FALSE(stale.get_credential("r1"));
}

TYPED_TEST(key_rotation_test, a_wrong_current_key_changes_nothing) {
  auto kv = this->engine.open();
  auto key = test::test_key('a');
  {
    storage::device_store db{kv, storage::credential_cipher{key}};
    this->add(db, "r1", "one");
  }
  auto n =
    storage::rekey_credentials(*kv, test::test_key('b'), test::test_key('c'));
  ASSERT_FALSE(n);
  EXPECT_NE(error_message(n.error()).find("r1"), std::string::npos);
  storage::device_store db{kv, storage::credential_cipher{key}};
  auto c = db.get_credential("r1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->password, "one");
}

} // namespace rmcp
