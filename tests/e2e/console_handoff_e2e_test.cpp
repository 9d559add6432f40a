// End-to-end, through the built daemon over HTTP with API tokens and two
// simulated routers: the console's one-time login links and plans whose
// approval is handed to the waiting apply call.
//
// A login link (POST /admin/console/login-link, admin only, also through
// `routeros-mcp console login-link`, or `serve --console-login-as` at
// start) logs its identity in once: a second use
// and an expired link are refused, and the login is audited. An apply
// without a token of a plan made with hand_to_apply waits: an approval in
// the console releases it (no token shown anywhere), a rejection ends it
// with the reason, no decision ends it with a retryable timeout.

#include <chrono>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/console_fixture.hpp"

namespace rmcp {

namespace {

using namespace test;

using console_handoff_e2e = console_fixture;

/// The code of a login link ("…/ui/#code=CODE").
std::string code_of(const std::string& url) {
  auto at = url.find("/ui/#code=");
  return at == std::string::npos ? std::string{} : url.substr(at + 10);
}

/// A tools/call of `tool` with a progressToken, its answer streamed: the
/// events arrive while the call runs.
class streamed_call {
public:
  streamed_call(uint16_t port, const std::string& token,
                const mcp_http_client& session, const std::string& tool,
                json args)
    : stream_(port, "POST", "/mcp",
              {{"Content-Type", "application/json"},
               {"Accept", "application/json, text/event-stream"},
               {"Authorization", "Bearer " + token},
               {"Mcp-Session-Id", session.session_id()},
               {"MCP-Protocol-Version", "2025-11-25"}},
              json{{"jsonrpc", "2.0"},
                   {"id", 77},
                   {"method", "tools/call"},
                   {"params",
                    {{"name", tool},
                     {"arguments", std::move(args)},
                     {"_meta", {{"progressToken", "wait-1"}}}}}}
                .dump(),
              std::chrono::seconds{60}) {
    // nop
  }

  /// The next progress message (empty when the stream gave none).
  std::string progress() {
    for (int i = 0; i < 20; ++i) {
      auto e = stream_.next(std::chrono::seconds{30});
      if (!e)
        return {};
      auto doc = parse_json(e->data).value_or(json{});
      if (doc.value("method", "") == "notifications/progress")
        return doc["params"].value("message", "");
      if (doc.contains("result"))
        result_ = doc["result"];
    }
    return {};
  }

  /// The call's result.
  json result() {
    for (int i = 0; i < 500 && result_.is_null(); ++i) {
      auto e = stream_.next(std::chrono::seconds{30});
      if (!e)
        break;
      auto doc = parse_json(e->data).value_or(json{});
      if (doc.contains("result"))
        result_ = doc["result"];
    }
    return result_;
  }

  const http_reply& head() const {
    return stream_.head();
  }

private:
  sse_stream stream_;
  json result_;
};

std::string text_of(const json& result) {
  auto content = result.value("content", json::array());
  return content.empty() ? std::string{} : content[0].value("text", "");
}

TEST_F(console_handoff_e2e, a_login_link_logs_in_once_as_its_identity) {
  auto admin = token("alice", "admin");
  auto approver = token("bob", "approver");
  auto mint = [this](const std::string& tok, const json& body) {
    return http_exchange(server.port, "POST", "/admin/console/login-link",
                         {{"Content-Type", "application/json"},
                          {"Authorization", "Bearer " + tok}},
                         body.dump());
  };
  // Only an admin makes links; a bad body is refused naming the member.
  EXPECT_EQ(mint(approver, {{"subject", "erin"}}).status, 403u);
  auto bad = mint(admin, {{"subject", "erin"}, {"role", "root"}});
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("role"), std::string::npos) << bad.body;
  EXPECT_EQ(mint(admin, {{"subject", "erin"}, {"ttl_seconds", 7200}}).status,
            400u);

  auto made = mint(admin, {{"subject", "erin"}, {"role", "approver"}});
  ASSERT_EQ(made.status, 200u) << made.body;
  auto url = parse_json(made.body).value_or(json{}).value("url", "");
  EXPECT_EQ(url.rfind("http://127.0.0.1:" + std::to_string(server.port)
                        + "/ui/#code=rmcpc_",
                      0),
            0u)
    << url;
  auto code = code_of(url);
  ASSERT_EQ(code.size(), 70u);

  auto first = post("/ui/api/login", {}, {}, json{{"code", code}}.dump());
  ASSERT_EQ(first.status, 200u) << first.body;
  auto set = first.header("set-cookie");
  EXPECT_NE(set.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("; SameSite=Strict"), std::string::npos);
  auto doc = parse_json(first.body).value_or(json{});
  EXPECT_EQ(doc.value("subject", ""), "erin");
  EXPECT_EQ(doc.value("role", ""), "approver");
  auto cookie = set.substr(0, set.find(';'));
  EXPECT_EQ(get("/ui/api/plans", cookie).status, 200u);
  // The session still needs its CSRF token on a POST.
  EXPECT_EQ(post("/ui/api/logout", cookie, "").status, 403u);

  // Used twice: refused with a clear message, no cookie.
  auto again = post("/ui/api/login", {}, {}, json{{"code", code}}.dump());
  EXPECT_EQ(again.status, 401u);
  EXPECT_NE(again.body.find("already used"), std::string::npos) << again.body;
  EXPECT_TRUE(again.header("set-cookie").empty());
  // A code never made, and a malformed one.
  auto forged = code;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(post("/ui/api/login", {}, {}, json{{"code", forged}}.dump()).status,
            401u);
  EXPECT_EQ(post("/ui/api/login", {}, {}, R"({"code":"x"})").status, 401u);

  // Expired: a link valid for one second, used after it.
  auto brief = mint(admin, {{"subject", "frank"}, {"ttl_seconds", 1}});
  ASSERT_EQ(brief.status, 200u) << brief.body;
  // The link's validity is what is under test: let it pass.
  std::this_thread::sleep_for(std::chrono::milliseconds{1100});
  auto late =
    post("/ui/api/login", {}, {},
         json{{"code", code_of(parse_json(brief.body).value_or(json{})["url"])}}
           .dump());
  EXPECT_EQ(late.status, 401u);
  EXPECT_NE(late.body.find("expired"), std::string::npos) << late.body;

  // The CLI asks the running daemon for a link with an admin token.
  auto cli = run_cli(data.path(),
                     {"console", "login-link", "--as", "gina", "--url",
                      "http://127.0.0.1:" + std::to_string(server.port)},
                     {{"ROUTEROS_MCP_TOKEN", admin}});
  ASSERT_EQ(cli.code, 0) << cli.err;
  auto gina = code_of(cli.out.substr(0, cli.out.find('\n')));
  auto in = post("/ui/api/login", {}, {}, json{{"code", gina}}.dump());
  ASSERT_EQ(in.status, 200u) << in.body;
  EXPECT_EQ(parse_json(in.body).value_or(json{}).value("subject", ""), "gina");
  auto refused = run_cli(data.path(),
                         {"console", "login-link", "--as", "gina", "--url",
                          "http://127.0.0.1:" + std::to_string(server.port)},
                         {{"ROUTEROS_MCP_TOKEN", approver}});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("role admin"), std::string::npos) << refused.err;

  // The exchange is audited with the identity; no code reaches the log.
  bool audited = false;
  for (auto& rec : audit("call"))
    audited |= rec.value("tool", "") == "console_login"
               && rec.value("actor", "") == "erin"
               && rec["arguments"].value("via", "") == "login_link";
  EXPECT_TRUE(audited);
  EXPECT_EQ(server.log().find(code), std::string::npos);
}

TEST_F(console_handoff_e2e, serve_prints_a_login_link_on_stderr_at_start) {
  ASSERT_EQ(server.stop(), 0) << server.log();
  std::remove((data / "ports").c_str());
  http_server_process d;
  d.process = std::make_unique<child_process>(std::vector<std::string>{
    RMCP_BINARY_PATH, "--data-dir", data.path(), "serve", "--http", "--listen",
    "127.0.0.1:0", "--console-login-as", "demo-approver", "--set",
    "http.ports_file=" + (data / "ports"), "--set", "auth.api_tokens=true",
    "--set", "device.health_checks=false"});
  d.port = wait_for_port(data / "ports", *d.process);
  ASSERT_NE(d.port, 0);
  server = std::move(d);
  std::smatch m;
  auto log = server.log();
  ASSERT_TRUE(std::regex_search(
    log, m,
    std::regex{"http://127\\.0\\.0\\.1:[0-9]+/ui/#code=(rmcpc_[0-9a-f]+)"}))
    << log;
  auto code = m[1].str();
  auto in = post("/ui/api/login", {}, {}, json{{"code", code}}.dump());
  ASSERT_EQ(in.status, 200u) << in.body;
  EXPECT_EQ(parse_json(in.body).value_or(json{}).value("subject", ""),
            "demo-approver");
  EXPECT_EQ(post("/ui/api/login", {}, {}, json{{"code", code}}.dump()).status,
            401u);
}

TEST_F(console_handoff_e2e, an_approval_in_the_console_releases_the_apply) {
  auto alice = token("alice", "ops_rw");
  auto bob = login(token("bob", "approver"));
  auto id = plan(alice, true);
  ASSERT_FALSE(id.empty());
  mcp_http_client session{server.port, alice};
  session.open();
  // Another identity cannot take the creator's hand-off; a token-less
  // apply of an ordinary plan is refused.
  mcp_http_client other{server.port, token("oscar", "ops_rw")};
  other.open();
  auto stolen = other.call("config_apply_dns_ntp_rollout", {{"plan_id", id}});
  EXPECT_TRUE(stolen.value("isError", false)) << stolen.dump();
  EXPECT_NE(text_of(stolen).find("its creator"), std::string::npos);
  auto plain = plan(alice);
  auto tokenless =
    session.call("config_apply_dns_ntp_rollout", {{"plan_id", plain}});
  EXPECT_TRUE(tokenless.value("isError", false));
  EXPECT_NE(text_of(tokenless).find("approval_token"), std::string::npos);

  streamed_call apply{server.port,
                      alice,
                      session,
                      "config_apply_dns_ntp_rollout",
                      {{"plan_id", id}}};
  ASSERT_EQ(apply.head().status, 200u) << apply.head().error;
  auto waiting = apply.progress();
  EXPECT_NE(waiting.find("waiting up to 600 s"), std::string::npos) << waiting;
  EXPECT_EQ(state_of(bob, id), "pending");

  auto ok = post("/ui/api/plans/" + id + "/approve", bob.cookie, bob.csrf);
  ASSERT_EQ(ok.status, 200u) << ok.body;
  auto doc = parse_json(ok.body).value_or(json{});
  EXPECT_TRUE(doc.value("handed_to_apply", false)) << ok.body;
  EXPECT_TRUE(doc.value("apply_waiting", false)) << ok.body;
  EXPECT_FALSE(doc.contains("approval_token"));
  EXPECT_EQ(ok.body.find("rmcp-approval"), std::string::npos);

  auto result = apply.result();
  EXPECT_FALSE(result.value("isError", false)) << result.dump();
  EXPECT_EQ(result["structuredContent"].value("state", ""), "completed")
    << result.dump();
  EXPECT_EQ(state_of(bob, id), "completed");
  // The approval was used: a second apply cannot take it again.
  auto twice = session.call("config_apply_dns_ntp_rollout", {{"plan_id", id}});
  EXPECT_TRUE(twice.value("isError", false));
}

TEST_F(console_handoff_e2e,
       a_rejection_ends_the_waiting_apply_with_the_reason) {
  auto alice = token("alice", "ops_rw");
  auto bob = login(token("bob", "approver"));
  auto id = plan(alice, true);
  mcp_http_client session{server.port, alice};
  session.open();
  streamed_call apply{server.port,
                      alice,
                      session,
                      "config_apply_dns_ntp_rollout",
                      {{"plan_id", id}}};
  ASSERT_FALSE(apply.progress().empty());
  auto no = post("/ui/api/plans/" + id + "/reject", bob.cookie, bob.csrf,
                 R"({"reason":"not during the freeze"})");
  ASSERT_EQ(no.status, 200u) << no.body;
  auto result = apply.result();
  EXPECT_TRUE(result.value("isError", false)) << result.dump();
  auto text = text_of(result);
  EXPECT_NE(text.find("rejected by bob"), std::string::npos) << text;
  EXPECT_NE(text.find("not during the freeze"), std::string::npos) << text;
  EXPECT_EQ(state_of(bob, id), "cancelled");
}

TEST_F(console_handoff_e2e, a_waiting_apply_times_out_retryably) {
  auto alice = token("alice", "ops_rw");
  auto bob = login(token("bob", "approver"));
  auto id = plan(alice, true);
  mcp_http_client session{server.port, alice};
  session.open();
  auto result = session.call("config_apply_dns_ntp_rollout",
                             {{"plan_id", id}, {"approval_wait_seconds", 1}});
  EXPECT_TRUE(result.value("isError", false)) << result.dump();
  EXPECT_EQ(result["_meta"].value("error_kind", ""), "tool_timeout")
    << result.dump();
  EXPECT_TRUE(result["_meta"].value("retryable", false));
  EXPECT_NE(text_of(result).find("still pending"), std::string::npos);
  EXPECT_EQ(state_of(bob, id), "pending");
  // Called again, the apply waits anew; an approval made with the CLI, in
  // its own process, reaches it through the plan store.
  streamed_call apply{server.port,
                      alice,
                      session,
                      "config_apply_dns_ntp_rollout",
                      {{"plan_id", id}}};
  ASSERT_FALSE(apply.progress().empty());
  auto cli = run_cli(data.path(), {"--set", "cli.role=approver", "plan",
                                   "approve", id, "--json"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  auto approved = parse_json(cli.out).value_or(json{});
  EXPECT_TRUE(approved.value("handed_to_apply", false)) << cli.out;
  EXPECT_FALSE(approved.contains("approval_token"));
  auto done = apply.result();
  EXPECT_FALSE(done.value("isError", false)) << done.dump();
  EXPECT_EQ(done["structuredContent"].value("state", ""), "completed");
}

} // namespace

} // namespace rmcp
