// End-to-end, through the built daemon over HTTP with API tokens and two
// simulated routers: the web console at /ui. Its answers carry the strict
// CSP and nosniff; logging in takes the API's tokens (a bad one is
// refused) and sets an HttpOnly, SameSite=Strict session cookie; every
// POST needs the session's CSRF token; a read_only identity cannot
// approve even with a well-formed POST, nor the creator of a plan its own
// plan; an approver can, and the decision is audited with the identity
// and the console as transport; a revoked token ends its sessions.

#include <csignal>
#include <cstdio>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/e2e/console_fixture.hpp"

namespace rmcp {

namespace {

using namespace test;

using console_e2e = console_fixture;

void expect_strict_headers(const http_reply& r) {
  auto csp = r.header("content-security-policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
}

TEST_F(console_e2e, serves_the_embedded_console_with_a_strict_policy) {
  auto page = get("/ui/");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script type=\"module\" src=\"/ui/app.js\">"),
            std::string::npos);
  // No inline script or style in the page.
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);
  EXPECT_EQ(page.body.find("<style"), std::string::npos);
  EXPECT_EQ(page.body.find("style="), std::string::npos);
  expect_strict_headers(page);
  auto js = get("/ui/app.js");
  ASSERT_EQ(js.status, 200u);
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  expect_strict_headers(js);
  EXPECT_EQ(get("/ui").status, 308u);
  EXPECT_EQ(get("/ui").header("location"), "/ui/");
  EXPECT_EQ(get("/ui/nope.js").status, 404u);
  auto api = get("/ui/api/session");
  EXPECT_EQ(api.status, 401u);
  expect_strict_headers(api);
  EXPECT_EQ(api.header("cache-control"), "no-store");
  auto rebinding =
    http_exchange(server.port, "GET", "/ui/", {{"Host", "evil.example.com"}});
  EXPECT_EQ(rebinding.status, 403u);
}

TEST_F(console_e2e, login_takes_the_api_tokens_and_sets_a_strict_cookie) {
  auto bob = token("bob", "approver");
  auto bad = login("rmcp_0000_not-a-token");
  EXPECT_EQ(bad.reply.status, 401u) << bad.reply.body;
  EXPECT_TRUE(bad.reply.header("set-cookie").empty());
  // A form (not JSON) cannot log in: a cross-site form post is refused.
  auto form = http_exchange(
    server.port, "POST", "/ui/api/login",
    {{"Content-Type", "application/x-www-form-urlencoded"}}, "token=" + bob);
  EXPECT_EQ(form.status, 415u);

  auto s = login(bob);
  ASSERT_EQ(s.reply.status, 200u) << s.reply.body;
  auto set = s.reply.header("set-cookie");
  EXPECT_NE(set.find("; HttpOnly"), std::string::npos) << set;
  EXPECT_NE(set.find("; SameSite=Strict"), std::string::npos) << set;
  EXPECT_NE(set.find("; Path=/ui"), std::string::npos) << set;
  EXPECT_EQ(set.find("Secure"), std::string::npos) << set; // plain HTTP
  EXPECT_EQ(s.reply.body.find(bob), std::string::npos);
  EXPECT_EQ(s.csrf.size(), 64u);
  auto me = get("/ui/api/session", s.cookie);
  ASSERT_EQ(me.status, 200u) << me.body;
  auto doc = parse_json(me.body).value_or(json{});
  EXPECT_EQ(doc.value("subject", ""), "bob");
  EXPECT_EQ(doc.value("role", ""), "approver");
  auto devices = get("/ui/api/devices", s.cookie);
  ASSERT_EQ(devices.status, 200u) << devices.body;
  EXPECT_EQ(parse_json(devices.body).value_or(json{})["devices"].size(), 2u);
  auto one = get("/ui/api/devices/edge-1", s.cookie);
  ASSERT_EQ(one.status, 200u) << one.body;
  EXPECT_EQ(get("/ui/api/devices/edge-9", s.cookie).status, 404u);

  auto logins = audit("call");
  ASSERT_FALSE(logins.empty());
  EXPECT_EQ(logins.back().value("tool", ""), "console_login");
  EXPECT_EQ(logins.back().value("actor", ""), "bob");

  // Logout needs the CSRF token too, then the cookie is worthless.
  EXPECT_EQ(post("/ui/api/logout", s.cookie, "").status, 403u);
  EXPECT_EQ(post("/ui/api/logout", s.cookie, s.csrf).status, 200u);
  EXPECT_EQ(get("/ui/api/session", s.cookie).status, 401u);
}

TEST_F(console_e2e, approval_needs_csrf_the_approver_role_and_another_person) {
  auto alice = token("alice", "admin");
  auto bob_token = token("bob", "approver");
  auto carol_token = token("carol", "read_only");
  auto id = plan(alice);
  ASSERT_FALSE(id.empty());
  auto bob = login(bob_token);
  auto carol = login(carol_token);
  auto creator = login(alice);
  ASSERT_EQ(bob.reply.status, 200u);
  ASSERT_EQ(carol.reply.status, 200u);
  ASSERT_EQ(creator.reply.status, 200u);
  auto approve = "/ui/api/plans/" + id + "/approve";

  // Without the CSRF token, or with another session's, nothing happens.
  EXPECT_EQ(post(approve, bob.cookie, "").status, 403u);
  EXPECT_EQ(post(approve, bob.cookie, carol.csrf).status, 403u);
  EXPECT_EQ(post(approve, bob.cookie, std::string(64, '0')).status, 403u);
  EXPECT_EQ(state_of(bob, id), "pending");

  // read_only, with a perfectly crafted POST: refused by the plan store.
  auto refused = post(approve, carol.cookie, carol.csrf);
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(post("/ui/api/plans/" + id + "/reject", carol.cookie, carol.csrf,
                 R"({"reason":"no"})")
              .status,
            403u);
  // The creator (an admin) cannot approve their own plan.
  auto own = post(approve, creator.cookie, creator.csrf);
  EXPECT_EQ(own.status, 403u) << own.body;
  EXPECT_EQ(state_of(bob, id), "pending");
  auto shown =
    parse_json(get("/ui/api/plans/" + id, carol.cookie).body).value_or(json{});
  EXPECT_FALSE(shown.value("may_decide", true));
  EXPECT_FALSE(shown["plan"].contains("approval_nonce"));

  auto ok = post(approve, bob.cookie, bob.csrf);
  ASSERT_EQ(ok.status, 200u) << ok.body;
  auto doc = parse_json(ok.body).value_or(json{});
  EXPECT_EQ(doc.value("approved_by", ""), "bob");
  EXPECT_FALSE(doc.value("approval_token", "").empty());
  EXPECT_EQ(state_of(bob, id), "approved");

  auto records = audit("approval");
  ASSERT_GE(records.size(), 4u);
  auto& last = records.back();
  EXPECT_EQ(last.value("actor", ""), "bob");
  EXPECT_EQ(last.value("outcome", ""), "approved");
  EXPECT_EQ(last.value("transport", ""), "console");
  bool carol_denied = false;
  for (auto& r : records)
    carol_denied |=
      r.value("actor", "") == "carol" && r.value("outcome", "") != "approved";
  EXPECT_TRUE(carol_denied);
}

TEST_F(console_e2e, a_revoked_token_ends_its_console_sessions) {
  std::string token_id;
  auto dave_token = token("dave", "approver", &token_id);
  auto dave = login(dave_token);
  ASSERT_EQ(dave.reply.status, 200u);
  EXPECT_EQ(get("/ui/api/plans", dave.cookie).status, 200u);
  auto o = run_cli(data.path(), {"token", "revoke", token_id});
  ASSERT_EQ(o.code, 0) << o.err;
  auto after = get("/ui/api/plans", dave.cookie);
  EXPECT_EQ(after.status, 401u) << after.body;
}

TEST_F(console_e2e, the_event_stream_needs_a_session_and_sends_rollout_steps) {
  // At log level warn the rollout's info records never reach the notifier:
  // the stream's own poll must carry the rollout.
  ASSERT_EQ(server.stop(), 0) << server.log();
  std::remove((data / "ports").c_str());
  server = launch_http(
    data, {"auth.api_tokens=true", "device.health_checks=false",
           "rollout.gate_delay=0", "server.toolsets=all", "log.level=warn"});
  ASSERT_NE(server.port, 0);
  EXPECT_EQ(get("/ui/api/events").status, 401u);
  auto bob = login(token("bob", "approver"));
  sse_stream events{server.port,
                    "GET",
                    "/ui/api/events",
                    {{"Cookie", bob.cookie}, {"Accept", "text/event-stream"}}};
  ASSERT_EQ(events.head().status, 200u) << events.head().error;
  auto first = events.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event, "ready");
  auto alice = token("alice", "admin");
  auto id = plan(alice);
  auto ok = post("/ui/api/plans/" + id + "/approve", bob.cookie, bob.csrf);
  ASSERT_EQ(ok.status, 200u) << ok.body;
  auto approval = parse_json(ok.body).value_or(json{});
  mcp_http_client c{server.port, alice};
  c.open();
  auto applied =
    c.call("config_apply_dns_ntp_rollout",
           {{"plan_id", id}, {"approval_token", approval["approval_token"]}});
  EXPECT_FALSE(applied.value("isError", false)) << applied.dump();
  // The stream carries the rollout's steps up to the final state.
  std::string state;
  for (int i = 0; i < 200 && state != "completed"; ++i) {
    auto e = events.next();
    if (!e)
      break;
    if (e->event != "plan")
      continue;
    auto doc = parse_json(e->data).value_or(json{});
    EXPECT_EQ(doc["plan"].value("id", ""), id);
    EXPECT_TRUE(doc["journal"].is_array());
    state = doc["plan"].value("state", "");
  }
  EXPECT_EQ(state, "completed");
}

} // namespace

} // namespace rmcp
