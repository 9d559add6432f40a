// The console's one-time login codes: a code logs its identity in once,
// only before it expires; malformed, unknown and forged codes are
// refused; validity is bounded; the table keeps a bounded number of codes
// and only their hashes.

#include <gtest/gtest.h>

#include "protocol/error.hpp"
#include "src/console/login_codes.hpp"

namespace rmcp::console {

namespace {

using namespace std::chrono_literals;

identity person(const std::string& subject, const std::string& role) {
  identity who;
  who.subject = subject;
  who.role = role;
  return who;
}

class login_codes_test : public ::testing::Test {
protected:
  int64_t now = 1'000'000;
  login_codes codes{{3, std::chrono::minutes{60}}, [this] { return now; }};
};

TEST_F(login_codes_test, a_code_logs_its_identity_in_once) {
  auto code = codes.mint(person("dora", "approver"), 10min);
  ASSERT_TRUE(code) << error_message(code.error());
  EXPECT_EQ(code->rfind("rmcpc_", 0), 0u);
  EXPECT_EQ(code->size(), 70u);
  auto who = codes.redeem(*code);
  ASSERT_TRUE(who) << error_message(who.error());
  EXPECT_EQ(who->subject, "dora");
  EXPECT_EQ(who->role, "approver");
  auto again = codes.redeem(*code);
  ASSERT_FALSE(again);
  EXPECT_EQ(error_code_of(again.error()), ec::unauthorized);
  EXPECT_NE(error_message(again.error()).find("already used"),
            std::string::npos);
}

TEST_F(login_codes_test, an_expired_code_is_refused) {
  auto code = codes.mint(person("dora", "approver"), 5min);
  ASSERT_TRUE(code);
  now += 5 * 60 * 1000;
  auto late = codes.redeem(*code);
  ASSERT_FALSE(late);
  EXPECT_NE(error_message(late.error()).find("expired"), std::string::npos);
}

TEST_F(login_codes_test, malformed_unknown_and_forged_codes_are_refused) {
  auto code = codes.mint(person("dora", "approver"), 5min);
  ASSERT_TRUE(code);
  auto forged = *code;
  forged.back() = forged.back() == 'a' ? 'b' : 'a';
  for (auto bad : {std::string{}, std::string{"rmcpc_"}, forged,
                   "rmcpc_" + std::string(64, 'g'), code->substr(6)}) {
    auto r = codes.redeem(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(error_code_of(r.error()), ec::unauthorized);
    // The refusal never repeats the code (the prefix alone is in its help).
    if (bad.size() > 6)
      EXPECT_EQ(error_message(r.error()).find(bad), std::string::npos);
  }
  // The genuine code still works.
  EXPECT_TRUE(codes.redeem(*code));
}

TEST_F(login_codes_test, validity_is_bounded_and_an_identity_is_needed) {
  EXPECT_FALSE(codes.mint(person("dora", "approver"), 0ms));
  EXPECT_FALSE(codes.mint(person("dora", "approver"), 61min));
  EXPECT_FALSE(codes.mint(person("", "approver"), 5min));
  EXPECT_TRUE(codes.mint(person("dora", "approver"), 60min));
}

TEST_F(login_codes_test, the_table_is_bounded_used_codes_going_first) {
  auto a = codes.mint(person("a", "read_only"), 10min);
  auto b = codes.mint(person("b", "read_only"), 10min);
  auto c = codes.mint(person("c", "read_only"), 10min);
  ASSERT_TRUE(a && b && c);
  ASSERT_TRUE(codes.redeem(*b));
  auto d = codes.mint(person("d", "read_only"), 10min);
  ASSERT_TRUE(d);
  EXPECT_EQ(codes.size(), 3u);
  // b (used) made room; a, c and d still work.
  EXPECT_TRUE(codes.redeem(*a));
  EXPECT_TRUE(codes.redeem(*c));
  EXPECT_TRUE(codes.redeem(*d));
  // Full of used codes: the oldest goes.
  auto e = codes.mint(person("e", "read_only"), 10min);
  ASSERT_TRUE(e);
  EXPECT_EQ(codes.size(), 3u);
  EXPECT_TRUE(codes.redeem(*e));
}

TEST(login_link, puts_the_code_in_the_fragment) {
  EXPECT_EQ(login_link("http://127.0.0.1:8090/", "rmcpc_ab"),
            "http://127.0.0.1:8090/ui/#code=rmcpc_ab");
}

} // namespace

} // namespace rmcp::console
