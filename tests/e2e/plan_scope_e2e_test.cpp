// End-to-end, through the built daemon over HTTP with API tokens and four
// simulated routers (two tagged site=fra, two site=ams): a token scoped to
// site=fra cannot read, cancel, apply or approve a plan of the ams routers,
// nor read its plan:// resources, and is refused exactly as for a plan that
// does not exist; an unscoped ops token can. A session answers only the
// token that opened it, not another token of the same subject. And on the
// CLI, `plan approve --as NAME` does not let the creator approve their own
// plan: the login name and the claim both count.

#include <pwd.h>
#include <unistd.h>

#include <csignal>
#include <sstream>

#include <gtest/gtest.h>

#include "sim/fleet.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/http_daemon.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

/// A plan id that no plan has.
const std::string unknown_plan = "plan-20990101000000-0badc0de";

const char* const device_ids[] = {"fra-1", "fra-2", "ams-1", "ams-2"};

/// `text` with every `id` replaced by "ID".
std::string without(std::string text, const std::string& id) {
  for (auto i = text.find(id); i != std::string::npos; i = text.find(id))
    text.replace(i, id.size(), "ID");
  return text;
}

class plan_scope_e2e : public ::testing::Test {
protected:
  plan_scope_e2e() {
    sim::fleet_options o;
    o.routers = 4;
    o.tls = true;
    routers = std::make_unique<sim::fleet>(o);
  }

  void SetUp() override {
    for (size_t i = 0; i < 4; ++i) {
      std::string site = i < 2 ? "fra" : "ams";
      auto o =
        run_cli(data.path(),
                {"device", "add", device_ids[i], "--host", "127.0.0.1",
                 "--port", std::to_string(routers->port(i)), "--username",
                 "admin", "--fingerprint", routers->fingerprint_sha256(),
                 "--tag", "site=" + site, "--allow-professional-workflows"},
                {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
      ASSERT_EQ(o.code, 0) << o.err;
    }
    server = std::make_unique<child_process>(std::vector<std::string>{
      binary, "--data-dir", data.path(), "--log-level", "warn", "serve",
      "--http", "--listen", "127.0.0.1:0", "--set",
      "http.ports_file=" + (data / "ports"), "--set", "auth.api_tokens=true",
      "--set", "device.health_checks=false", "--set", "rollout.gate_delay=0",
      "--set", "server.toolsets=all"});
    port = wait_for_port(data / "ports", *server);
    ASSERT_NE(port, 0);
  }

  void TearDown() override {
    server->kill(SIGTERM);
    EXPECT_EQ(server->wait(), 0) << server->stderr_text();
  }

  /// `routeros-mcp token create`; the token.
  std::string token(const std::string& subject, const std::string& role,
                    const std::string& tags = {}) {
    std::vector<std::string> args{"token",  "create", "--subject", subject,
                                  "--role", role,     "--json"};
    if (!tags.empty()) {
      args.push_back("--tags");
      args.push_back(tags);
    }
    auto o = run_cli(data.path(), args);
    EXPECT_EQ(o.code, 0) << o.err;
    return parse_json(o.out).value_or(json{}).value("token", "");
  }

  /// A session of `token`, initialized.
  std::unique_ptr<mcp_http_client> session(const std::string& token) {
    auto c = std::make_unique<mcp_http_client>(port, token);
    c->open();
    return c;
  }

  /// A pending DNS plan for two devices, made by `c`.
  static std::string plan(mcp_http_client& c, const char* a, const char* b) {
    auto r =
      c.call("config_plan_dns_ntp_rollout", {{"device_ids", {a, b}},
                                             {"dns_servers", {"10.9.9.9"}},
                                             {"pause_seconds", 0}});
    EXPECT_FALSE(r.value("isError", false)) << r.dump();
    return r["structuredContent"].value("plan_id", "");
  }

  /// POST /admin/plans/{id}/approve with `token`.
  http_reply approve_over_http(const std::string& token,
                               const std::string& id) {
    return admin_over_http(token, id, "approve");
  }

  /// `method` /admin/plans/{id}/{verb} with `token` and `body`.
  http_reply admin_over_http(const std::string& token, const std::string& id,
                             const std::string& verb,
                             const std::string& body = {},
                             const std::string& method = "POST") {
    http_headers h{{"Authorization", "Bearer " + token}};
    if (!body.empty())
      h.emplace_back("Content-Type", "application/json");
    return http_exchange(port, method, "/admin/plans/" + id + "/" + verb, h,
                         body);
  }

  /// The approval records of the audit trail (`audit export`), in order.
  std::vector<json> approval_records() {
    auto exported = run_cli(data.path(), {"audit", "export"});
    EXPECT_EQ(exported.code, 0) << exported.err;
    std::istringstream lines{exported.out};
    std::vector<json> out;
    for (std::string line; std::getline(lines, line);)
      if (auto rec = parse_json(line); rec && (*rec)["kind"] == "approval")
        out.push_back(*rec);
    return out;
  }

  static std::string state_of(mcp_http_client& c, const std::string& id) {
    return c
      .call("get_plan_status", {{"plan_id", id}})["structuredContent"]["plan"]
      .value("state", "");
  }

  std::unique_ptr<sim::fleet> routers;
  temp_dir data;
  std::unique_ptr<child_process> server;
  uint16_t port = 0;
};

/// The refusal text of a tool result (isError with kind forbidden).
std::string forbidden_text(const json& result) {
  EXPECT_TRUE(result.value("isError", false)) << result.dump();
  EXPECT_EQ(result["_meta"].value("error_kind", ""), "forbidden")
    << result.dump();
  return result["content"][0].value("text", "");
}

} // namespace

TEST_F(plan_scope_e2e, a_site_token_cannot_touch_a_plan_of_another_site) {
  auto ops = session(token("ops", "ops_rw"));
  auto fra = session(token("fra-ops", "ops_rw", "site=fra"));
  auto ams_plan = plan(*ops, "ams-1", "ams-2");
  auto fra_plan = plan(*fra, "fra-1", "fra-2");
  ASSERT_FALSE(ams_plan.empty());
  ASSERT_FALSE(fra_plan.empty());
  // Read, cancel: refused, and refused the same way as an unknown plan.
  auto unknown = without(
    forbidden_text(fra->call("get_plan_status", {{"plan_id", unknown_plan}})),
    unknown_plan);
  auto read =
    forbidden_text(fra->call("get_plan_status", {{"plan_id", ams_plan}}));
  EXPECT_EQ(without(read, ams_plan), unknown);
  EXPECT_EQ(read.find("ams-"), std::string::npos) << read;
  auto cancel = forbidden_text(fra->call(
    "config_rollback_plan", {{"plan_id", ams_plan}, {"reason", "mine now"}}));
  EXPECT_EQ(without(cancel, ams_plan),
            without(forbidden_text(fra->call(
                      "config_rollback_plan",
                      {{"plan_id", unknown_plan}, {"reason", "mine now"}})),
                    unknown_plan));
  // plan:// resources: -32003 for both.
  for (auto* view : {"summary", "details", "execution-log"}) {
    auto res = fra->request("resources/read",
                            {{"uri", "plan://" + ams_plan + "/" + view}});
    EXPECT_EQ(res["error"].value("code", 0), -32003) << res.dump();
    auto none = fra->request("resources/read",
                             {{"uri", "plan://" + unknown_plan + "/" + view}});
    EXPECT_EQ(none["error"].value("code", 0), -32003) << none.dump();
    EXPECT_EQ(without(res["error"].value("message", ""), ams_plan),
              without(none["error"].value("message", ""), unknown_plan));
  }
  // Approval over the admin endpoint: 403 for both, same body.
  auto fra_approver = token("fra-approver", "approver", "site=fra");
  auto refused = approve_over_http(fra_approver, ams_plan);
  EXPECT_EQ(refused.status, 403u) << refused.body;
  auto refused_unknown = approve_over_http(fra_approver, unknown_plan);
  EXPECT_EQ(refused_unknown.status, 403u) << refused_unknown.body;
  EXPECT_EQ(without(refused.body, ams_plan),
            without(refused_unknown.body, unknown_plan));
  // An unscoped approver approves it; the fra token still cannot apply it,
  // and the token stays unused.
  auto approved = approve_over_http(token("boss", "approver"), ams_plan);
  ASSERT_EQ(approved.status, 200u) << approved.body;
  auto approval = parse_json(approved.body).value()["approval_token"];
  forbidden_text(
    fra->call("config_apply_dns_ntp_rollout",
              {{"plan_id", ams_plan}, {"approval_token", approval}}));
  // The unscoped ops token reads everything and cancels the plan.
  EXPECT_EQ(state_of(*ops, ams_plan), "approved");
  auto summary = ops->request("resources/read",
                              {{"uri", "plan://" + ams_plan + "/summary"}});
  EXPECT_FALSE(summary.contains("error")) << summary.dump();
  auto cancelled = ops->call("config_rollback_plan",
                             {{"plan_id", ams_plan}, {"reason", "done"}});
  EXPECT_FALSE(cancelled.value("isError", false)) << cancelled.dump();
  EXPECT_EQ(state_of(*ops, ams_plan), "cancelled");
  // Within its scope the fra token and a fra approver do it all.
  EXPECT_EQ(state_of(*fra, fra_plan), "pending");
  auto fra_ok = approve_over_http(fra_approver, fra_plan);
  ASSERT_EQ(fra_ok.status, 200u) << fra_ok.body;
  auto applied = fra->call(
    "config_apply_dns_ntp_rollout",
    {{"plan_id", fra_plan},
     {"approval_token", parse_json(fra_ok.body).value()["approval_token"]}});
  EXPECT_FALSE(applied.value("isError", false)) << applied.dump();
  EXPECT_EQ(applied["structuredContent"].value("state", ""), "completed");
}

TEST_F(plan_scope_e2e, approve_and_reject_over_http_decide_through_the_daemon) {
  auto ops = session(token("ops", "ops_rw"));
  auto boss = token("boss", "approver");
  auto a = plan(*ops, "fra-1", "fra-2");
  auto b = plan(*ops, "ams-1", "ams-2");
  auto c = plan(*ops, "fra-1", "ams-1");
  auto error_of = [](const http_reply& r) {
    return parse_json(r.body).value_or(json{})["error"];
  };
  auto code_of = [&](const http_reply& r) {
    return error_of(r)["data"].value("kind", "");
  };
  // Refused before the plan actor: wrong method, bad bodies.
  auto get = admin_over_http(boss, a, "reject", {}, "GET");
  EXPECT_EQ(get.status, 405u) << get.body;
  EXPECT_EQ(get.header("allow"), "POST");
  for (auto* bad : {"not json", "[\"why\"]", R"({"reason": 5})",
                    R"({"reason": "x", "force": true})"}) {
    auto r = admin_over_http(boss, a, "reject", bad);
    EXPECT_EQ(r.status, 400u) << bad << ": " << r.body;
    EXPECT_EQ(code_of(r), "invalid_arguments") << r.body;
    EXPECT_NE(error_of(r).value("message", "").find(R"({"reason": "why"})"),
              std::string::npos)
      << r.body;
  }
  // Refused by the rules: role, creator, unknown plan.
  auto reader = admin_over_http(token("reader", "read_only"), a, "reject");
  EXPECT_EQ(reader.status, 403u) << reader.body;
  auto own = approve_over_http(token("ops", "approver"), c);
  EXPECT_EQ(own.status, 403u) << own.body;
  EXPECT_NE(own.body.find("may not approve it"), std::string::npos);
  auto missing = admin_over_http(boss, unknown_plan, "reject");
  EXPECT_EQ(missing.status, 404u) << missing.body;
  EXPECT_EQ(code_of(missing), "plan_not_found") << missing.body;
  // Approved, then rejected with a reason; neither twice.
  auto approved = approve_over_http(boss, a);
  ASSERT_EQ(approved.status, 200u) << approved.body;
  auto body = parse_json(approved.body).value();
  EXPECT_EQ(body["plan_id"], a);
  EXPECT_EQ(body["approved_by"], "boss");
  EXPECT_FALSE(body.value("expires_at", "").empty());
  EXPECT_EQ(approve_over_http(boss, a).status, 409u);
  auto rejected =
    admin_over_http(boss, a, "reject", R"({"reason": "changed my mind"})");
  ASSERT_EQ(rejected.status, 200u) << rejected.body;
  EXPECT_EQ(parse_json(rejected.body).value(),
            (json{{"plan_id", a},
                  {"state", "cancelled"},
                  {"rejected_by", "boss"},
                  {"reason", "changed my mind"}}));
  auto twice = admin_over_http(boss, a, "reject");
  EXPECT_EQ(twice.status, 409u) << twice.body;
  EXPECT_EQ(code_of(twice), "plan_state_invalid") << twice.body;
  // A pending plan rejected without a body; the creator may reject.
  auto plain = admin_over_http(token("ops", "approver"), b, "reject");
  ASSERT_EQ(plain.status, 200u) << plain.body;
  EXPECT_EQ(state_of(*ops, a), "cancelled");
  EXPECT_EQ(state_of(*ops, b), "cancelled");
  EXPECT_EQ(state_of(*ops, c), "pending");
  // Every decision the rules took is in the trail, written by the daemon,
  // and the chain holds.
  auto records = approval_records();
  std::vector<std::string> seen;
  for (auto& rec : records) {
    EXPECT_EQ(rec["transport"], "http") << rec.dump();
    seen.push_back(rec["actor"].get<std::string>() + " "
                   + rec["outcome"].get<std::string>());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"reader denied", "ops denied",
                                            "boss denied", "boss approved",
                                            "boss denied", "boss rejected",
                                            "boss denied", "ops rejected"}));
  ASSERT_EQ(records.size(), 8u);
  EXPECT_EQ(records[5]["error"], "changed my mind");
  EXPECT_EQ(records[5]["plan_id"], a);
  auto verify = run_cli(data.path(), {"audit", "verify"});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
}

TEST_F(plan_scope_e2e, a_session_answers_only_the_token_that_opened_it) {
  auto first = token("ops", "ops_rw");
  auto second = token("ops", "ops_rw");
  auto owner = session(first);
  mcp_http_client thief{port, second};
  auto list = R"({"jsonrpc":"2.0","id":7,"method":"tools/list"})";
  EXPECT_EQ(thief.post(list, owner->session_id()).status, 404u);
  EXPECT_EQ(owner->post(list).status, 200u);
}

TEST_F(plan_scope_e2e, the_creator_cannot_approve_under_another_name) {
  // The plan's creator is the login name this test runs under (over HTTP,
  // a token whose subject is that name); on the CLI the same login
  // claiming another name is still the creator.
  auto* pw = getpwuid(geteuid());
  ASSERT_NE(pw, nullptr);
  std::string login = pw->pw_name;
  auto mine = plan(*session(token(login, "ops_rw")), "fra-1", "ams-1");
  for (auto as : {std::vector<std::string>{"--as", "other"},
                  std::vector<std::string>{}}) {
    std::vector<std::string> args{"plan", "approve", mine};
    args.insert(args.end(), as.begin(), as.end());
    auto o = run_cli(data.path(), args);
    EXPECT_EQ(o.code, 6) << o.out << o.err;
    EXPECT_NE(o.err.find("may not approve it"), std::string::npos) << o.err;
  }
  // Claiming to be the creator is refused too; a claim of someone else by
  // a login that did not create the plan is recorded beside the login.
  auto alices = plan(*session(token("alice", "ops_rw")), "fra-2", "ams-2");
  EXPECT_EQ(
    run_cli(data.path(), {"plan", "approve", alices, "--as", "alice"}).code, 6);
  auto ok =
    run_cli(data.path(), {"plan", "approve", alices, "--as", "bob", "--json"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(parse_json(ok.out).value()["approved_by"],
            "cli:" + login + " as bob");
  auto exported = run_cli(data.path(), {"audit", "export"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  std::istringstream lines{exported.out};
  std::vector<json> approvals;
  for (std::string line; std::getline(lines, line);)
    if (auto rec = parse_json(line); rec && (*rec)["kind"] == "approval")
      approvals.push_back(*rec);
  ASSERT_EQ(approvals.size(), 4u) << exported.out;
  EXPECT_EQ(approvals[0]["actor"], "cli:" + login);
  EXPECT_EQ(approvals[0]["arguments"], (json{{"as", "other"}}));
  EXPECT_EQ(approvals[0]["outcome"], "denied");
  EXPECT_EQ(approvals[3]["arguments"], (json{{"as", "bob"}}));
  EXPECT_EQ(approvals[3]["outcome"], "approved");
}

} // namespace rmcp
