// API tokens: shown once, stored as a hash, authenticate to their identity,
// refused when malformed, unknown, tampered with, expired or revoked.

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "storage/tables.hpp"
#include "storage/token_store.hpp"
#include "tests/storage/engines.hpp"

namespace rmcp {

namespace {

template <class Engine>
class token_store_test : public ::testing::Test {
protected:
  storage::api_token alice() {
    storage::api_token t;
    t.subject = "alice";
    t.role = "ops_rw";
    t.scope.tags = {"site=berlin"};
    t.deny_tools = {"flush_*"};
    return t;
  }

  int64_t now = 1'000'000;
  Engine engine;
};

TYPED_TEST_SUITE(token_store_test, test::engines, test::engine_names);

} // namespace

TYPED_TEST(token_store_test, a_token_authenticates_to_its_identity) {
  auto kv = this->engine.open();
  storage::token_store tokens{kv, [this] { return this->now; }};
  auto made = tokens.create(this->alice());
  ASSERT_TRUE(made) << error_message(made.error());
  EXPECT_EQ(made->token.rfind("rmcp_" + made->record.id + "_", 0), 0u);
  auto who = tokens.authenticate(made->token);
  ASSERT_TRUE(who) << error_message(who.error());
  EXPECT_EQ(who->subject, "alice");
  EXPECT_EQ(who->role, "ops_rw");
  EXPECT_EQ(who->transport, "http");
  EXPECT_EQ(who->scope.tags, std::vector<std::string>{"site=berlin"});
  EXPECT_EQ(who->deny_tools, std::vector<std::string>{"flush_*"});
}

TYPED_TEST(token_store_test, only_the_hash_is_stored) {
  auto kv = this->engine.open();
  storage::token_store tokens{kv};
  auto made = tokens.create(this->alice());
  ASSERT_TRUE(made);
  // The secret follows "rmcp_<id>_"; it is base64url, so it may hold '_'
  // itself (a tail after its last '_' could be one letter, found anywhere).
  auto secret = made->token.substr(("rmcp_" + made->record.id + "_").size());
  ASSERT_GE(secret.size(), 40u);
  auto txn = kv->begin_read();
  ASSERT_TRUE(txn);
  size_t rows = 0;
  (*txn)->scan(storage::tables::api_tokens, "",
               [&](std::string_view, std::string_view value) {
                 ++rows;
                 EXPECT_EQ(std::string{value}.find(secret), std::string::npos);
                 EXPECT_EQ(std::string{value}.find(made->token),
                           std::string::npos);
                 return true;
               });
  EXPECT_EQ(rows, 1u);
}

TYPED_TEST(token_store_test, bad_tokens_are_refused_alike) {
  auto kv = this->engine.open();
  storage::token_store tokens{kv, [this] { return this->now; }};
  auto made = tokens.create(this->alice());
  ASSERT_TRUE(made);
  auto forged = made->token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string{""}, std::string{"Bearer x"}, std::string{"rmcp_"},
        std::string{"rmcp_zzzzzzzzzzzz_abc"},
        std::string{"rmcp_000000000000_abc"}, forged}) {
    auto who = tokens.authenticate(bad);
    ASSERT_FALSE(who) << bad;
    EXPECT_EQ(error_code_of(who.error()), ec::unauthorized) << bad;
  }
}

TYPED_TEST(token_store_test, expired_and_revoked_tokens_are_refused) {
  auto kv = this->engine.open();
  storage::token_store tokens{kv, [this] { return this->now; }};
  auto tmpl = this->alice();
  tmpl.expires_at = this->now + 1000;
  auto made = tokens.create(tmpl);
  ASSERT_TRUE(made);
  EXPECT_TRUE(tokens.authenticate(made->token));
  this->now += 1000;
  EXPECT_FALSE(tokens.authenticate(made->token));
  auto other = tokens.create(this->alice());
  ASSERT_TRUE(other);
  ASSERT_TRUE(tokens.revoke(other->record.id));
  auto who = tokens.authenticate(other->token);
  ASSERT_FALSE(who);
  EXPECT_EQ(error_code_of(who.error()), ec::unauthorized);
  auto all = tokens.list();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_NE((*all)[1].revoked_at, 0);
  EXPECT_FALSE(tokens.revoke("nope"));
}

TYPED_TEST(token_store_test, a_token_needs_a_subject_and_a_role) {
  storage::token_store tokens{this->engine.open()};
  auto t = this->alice();
  t.role = "root";
  auto made = tokens.create(t);
  ASSERT_FALSE(made);
  EXPECT_NE(error_message(made.error()).find("'root' is not a role"),
            std::string::npos);
  t = this->alice();
  t.subject.clear();
  EXPECT_FALSE(tokens.create(t));
}

} // namespace rmcp
