// The console's login sessions: bounded lifetime and idle time, a bounded
// table that drops the least recently used session, constant-time secret
// comparison, cookie parsing and the cookie's attributes, and the plan id
// the live stream reads from a rollout log line.

#include <gtest/gtest.h>

#include "src/console/console_events.hpp"
#include "src/console/console_sessions.hpp"

namespace rmcp::console {

namespace {

using namespace std::chrono_literals;

identity person(const std::string& subject, const std::string& role) {
  identity who;
  who.subject = subject;
  who.role = role;
  return who;
}

class console_sessions_test : public ::testing::Test {
protected:
  int64_t now = 1'000'000;
  session_limits limits{3, std::chrono::hours{8}, std::chrono::minutes{30}};
  session_table table{limits, [this] { return now; }};
};

TEST_F(console_sessions_test, a_session_has_random_ids_and_keeps_its_identity) {
  auto a = table.open(person("bob", "approver"), "rmcp_tok");
  auto b = table.open(person("bob", "approver"), "rmcp_tok");
  EXPECT_EQ(a.id.size(), 64u);
  EXPECT_EQ(a.csrf.size(), 64u);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.id, a.csrf);
  auto found = table.find(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->who.subject, "bob");
  EXPECT_EQ(found->who.role, "approver");
  EXPECT_EQ(found->token, "rmcp_tok");
  EXPECT_EQ(found->csrf, a.csrf);
}

TEST_F(console_sessions_test, unknown_and_malformed_ids_find_nothing) {
  table.open(person("bob", "approver"), "t");
  EXPECT_FALSE(table.find(""));
  EXPECT_FALSE(table.find("not-hex"));
  EXPECT_FALSE(table.find(std::string(64, 'a')));
  EXPECT_FALSE(table.find(std::string(64, 'Z')));
}

TEST_F(console_sessions_test, a_session_ends_after_its_idle_time) {
  auto s = table.open(person("bob", "approver"), "t");
  now += std::chrono::milliseconds{29min}.count();
  EXPECT_TRUE(table.find(s.id)); // used: the idle time starts again
  now += std::chrono::milliseconds{30min}.count() - 1;
  EXPECT_TRUE(table.find(s.id));
  now += std::chrono::milliseconds{30min}.count();
  EXPECT_FALSE(table.find(s.id));
  EXPECT_EQ(table.size(), 0u);
}

TEST_F(console_sessions_test,
       a_session_ends_after_its_lifetime_even_when_used) {
  auto s = table.open(person("bob", "approver"), "t");
  for (int i = 0; i < 16; ++i) {
    now += std::chrono::milliseconds{20min}.count();
    table.find(s.id);
  }
  // 5 h 20 min of steady use: still there.
  EXPECT_TRUE(table.find(s.id));
  for (int i = 0; i < 8; ++i) {
    now += std::chrono::milliseconds{20min}.count();
    table.find(s.id);
  }
  EXPECT_FALSE(table.find(s.id));
}

TEST_F(console_sessions_test, a_full_table_drops_the_least_recently_used) {
  auto a = table.open(person("a", "read_only"), "ta");
  now += 1;
  auto b = table.open(person("b", "read_only"), "tb");
  now += 1;
  auto c = table.open(person("c", "read_only"), "tc");
  now += 1;
  EXPECT_TRUE(table.find(a.id)); // a is now more recent than b
  now += 1;
  auto d = table.open(person("d", "read_only"), "td");
  EXPECT_EQ(table.size(), 3u);
  EXPECT_TRUE(table.find(a.id));
  EXPECT_FALSE(table.find(b.id));
  EXPECT_TRUE(table.find(c.id));
  EXPECT_TRUE(table.find(d.id));
}

TEST_F(console_sessions_test, logout_and_revocation_end_sessions) {
  auto a = table.open(person("a", "approver"), "ta");
  auto b = table.open(person("a", "approver"), "ta");
  auto c = table.open(person("c", "approver"), "tc");
  EXPECT_TRUE(table.close(a.id));
  EXPECT_FALSE(table.close(a.id));
  EXPECT_FALSE(table.find(a.id));
  table.close_token("ta");
  EXPECT_FALSE(table.find(b.id));
  EXPECT_TRUE(table.find(c.id));
}

TEST(console_secrets, same_secret_compares_whole_values) {
  auto t = random_hex_token();
  EXPECT_TRUE(same_secret(t, t));
  auto other = t;
  other.back() = other.back() == '0' ? '1' : '0';
  EXPECT_FALSE(same_secret(t, other));
  EXPECT_FALSE(same_secret(t, t.substr(0, 63)));
  EXPECT_FALSE(same_secret("", ""));
  EXPECT_FALSE(same_secret(t, ""));
}

TEST(console_cookies, cookie_value_finds_the_named_cookie) {
  EXPECT_EQ(cookie_value("rmcp_console=abc", "rmcp_console"), "abc");
  EXPECT_EQ(cookie_value("a=1; rmcp_console=abc; b=2", "rmcp_console"), "abc");
  EXPECT_EQ(cookie_value("xrmcp_console=abc", "rmcp_console"), "");
  EXPECT_EQ(cookie_value("a=1;b=2", "rmcp_console"), "");
  EXPECT_EQ(cookie_value("", "rmcp_console"), "");
}

TEST(console_cookies, the_session_cookie_is_http_only_strict_and_scoped_to_ui) {
  auto c = session_cookie("rmcp_console", "abc", false, std::chrono::hours{8});
  EXPECT_EQ(c, "rmcp_console=abc; Path=/ui; HttpOnly; SameSite=Strict; "
               "Max-Age=28800");
  auto tls = session_cookie("rmcp_console", "abc", true, std::chrono::hours{1});
  EXPECT_NE(tls.find("; Secure"), std::string::npos);
  auto cleared =
    session_cookie("rmcp_console", "", false, std::chrono::hours{1});
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos);
}

TEST(console_events, the_plan_id_of_a_rollout_line) {
  EXPECT_EQ(plan_id_of_log("rollout-step plan_id=plan-20261206-ab12 step=x"),
            "plan-20261206-ab12");
  EXPECT_EQ(plan_id_of_log("rollout-start plan_id=plan-1"), "plan-1");
  EXPECT_EQ(plan_id_of_log("rollout-step step=x"), "");
  EXPECT_EQ(plan_id_of_log("rollout-step xplan_id=plan-1"), "");
  EXPECT_EQ(plan_id_of_log("rollout-step plan_id=\"a b\""), "");
}

} // namespace

} // namespace rmcp::console
