// HTTP authentication end to end, in process (real runtime and listener):
// API tokens and OAuth JWT access tokens, 401/403 with WWW-Authenticate,
// the protected resource metadata, sessions bound to their subject, the
// caller's role and scope enforced on tool calls, and the refusal to serve
// a non-loopback address without authentication.

#include <fstream>

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "src/app/http_frontend.hpp"
#include "src/app/runtime.hpp"
#include "src/app/store_setup.hpp"
#include "src/auth/http_auth.hpp"
#include "src/config/options_table.hpp"
#include "src/sim/tls.hpp"
#include "storage/audit_log.hpp"
#include "storage/token_store.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/doc_server.hpp"
#include "tests/support/http_daemon.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/jwt_keys.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::test {
namespace {

class http_auth : public http_daemon {
protected:
  std::string make_token(const std::string& subject, const std::string& role,
                         device_scope scope = {}) {
    storage::token_store tokens{rt->kv()};
    storage::api_token t;
    t.subject = subject;
    t.role = role;
    t.scope = std::move(scope);
    auto made = tokens.create(t);
    EXPECT_TRUE(made);
    return made ? made->token : std::string{};
  }

  http_reply post(const std::string& body, const std::string& sid,
                  const std::string& bearer) {
    http_headers h{{"Content-Type", "application/json"},
                   {"Accept", accept_both},
                   {"MCP-Protocol-Version", "2025-11-25"}};
    if (!sid.empty())
      h.emplace_back("Mcp-Session-Id", sid);
    if (!bearer.empty())
      h.emplace_back("Authorization", "Bearer " + bearer);
    return http_exchange(port, "POST", "/mcp", h, body);
  }

  std::string open_session(const std::string& bearer) {
    auto init = post(initialize_line(1, "2025-11-25"), "", bearer);
    EXPECT_EQ(init.status, 200u) << init.body << init.error;
    auto sid = init.header("mcp-session-id");
    post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", sid,
         bearer);
    return sid;
  }

  json call(const std::string& sid, const std::string& bearer,
            const std::string& tool, json args = json::object()) {
    auto r = post(json{{"jsonrpc", "2.0"},
                       {"id", ++last_id},
                       {"method", "tools/call"},
                       {"params", {{"name", tool}, {"arguments", args}}}}
                    .dump(),
                  sid, bearer);
    EXPECT_EQ(r.status, 200u) << r.body;
    return parse_json(r.body).value_or(json{})["result"];
  }

  int last_id = 10;
};

} // namespace

TEST_F(http_auth, requests_without_a_token_get_401_naming_the_metadata) {
  start({{"auth.api_tokens", "true"}});
  auto r = post(initialize_line(1, "2025-11-25"), "", "");
  EXPECT_EQ(r.status, 401u) << r.body;
  auto challenge = r.header("www-authenticate");
  EXPECT_NE(challenge.find("Bearer resource_metadata=\"http://127.0.0.1:"
                           + std::to_string(port)
                           + "/.well-known/oauth-protected-resource\""),
            std::string::npos)
    << challenge;
  auto bad = post(initialize_line(1, "2025-11-25"), "", "rmcp_nope");
  EXPECT_EQ(bad.status, 401u);
  EXPECT_NE(bad.header("www-authenticate").find("error=\"invalid_token\""),
            std::string::npos);
  auto basic = http_exchange(port, "POST", "/mcp",
                             {{"Content-Type", "application/json"},
                              {"Accept", accept_both},
                              {"Authorization", "Basic YTpi"}},
                             initialize_line(1, "2025-11-25"));
  EXPECT_EQ(basic.status, 400u);
  auto meta =
    http_exchange(port, "GET", "/.well-known/oauth-protected-resource", {});
  ASSERT_EQ(meta.status, 200u) << meta.body;
  auto doc = parse_json(meta.body).value();
  EXPECT_EQ(doc["resource"],
            "http://127.0.0.1:" + std::to_string(port) + "/mcp");
  EXPECT_EQ(doc["bearer_methods_supported"], json::array({"header"}));
  EXPECT_TRUE(doc["scopes_supported"].is_array());
}

TEST_F(http_auth, an_api_token_carries_its_identity_into_the_session) {
  start({{"auth.api_tokens", "true"}, {"server.toolsets", "all"}});
  auto reader = make_token("robot", "read_only");
  auto sid = open_session(reader);
  ASSERT_EQ(sid.size(), 32u);
  auto ok = call(sid, reader, "echo", {{"message", "hi"}});
  EXPECT_FALSE(ok.value("isError", false)) << ok.dump();
  auto no =
    call(sid, reader, "update_device", {{"device_id", "r9"}, {"name", "r9"}});
  EXPECT_TRUE(no.value("isError", false)) << no.dump();
  auto text = no["content"][0]["text"].get<std::string>();
  EXPECT_NE(text.find("identity 'robot' (role read_only"), std::string::npos)
    << text;
  // Another caller cannot use robot's session.
  auto other = make_token("mallory", "admin");
  auto stolen =
    post(R"({"jsonrpc":"2.0","id":99,"method":"tools/list"})", sid, other);
  EXPECT_EQ(stolen.status, 404u) << stolen.body;
  // Every request needs the token, also inside a session.
  auto bare =
    post(R"({"jsonrpc":"2.0","id":98,"method":"tools/list"})", sid, "");
  EXPECT_EQ(bare.status, 401u);
  // The audit trail names robot, its role, the refusal and the call (the
  // session appends after answering: wait, bounded).
  storage::audit_log log{rt->kv()};
  bool denied = false, called = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  while (!(denied && called) && std::chrono::steady_clock::now() < deadline) {
    auto recent = log.recent("", 0);
    ASSERT_TRUE(recent);
    for (auto& rec : *recent) {
      denied = denied
               || (rec.kind == "denied" && rec.actor == "robot"
                   && rec.tool == "update_device" && rec.role == "read_only");
      called = called
               || (rec.kind == "call" && rec.tool == "echo"
                   && rec.actor == "robot" && rec.outcome == "ok");
    }
    if (!(denied && called))
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  EXPECT_TRUE(denied);
  EXPECT_TRUE(called);
  // No resource shows the token.
  auto read = post(json{{"jsonrpc", "2.0"},
                        {"id", 77},
                        {"method", "resources/read"},
                        {"params", {{"uri", "audit://recent"}}}}
                     .dump(),
                   sid, reader);
  EXPECT_EQ(read.status, 200u) << read.body;
  EXPECT_NE(read.body.find("update_device"), std::string::npos) << read.body;
  EXPECT_EQ(read.body.find(reader.substr(5)), std::string::npos);
  // The secret follows the id ("rmcp_<id>_<secret>"); base64url may put
  // '_' inside the secret, so it is found after the id, not after the
  // last '_' (a one-letter tail is found in any body).
  EXPECT_EQ(read.body.find(reader.substr(reader.find('_', 5) + 1)),
            std::string::npos);
  EXPECT_TRUE(log.verify()->ok);
  // Refusals show in the metrics.
  auto metrics = http_exchange(port, "GET", "/metrics", {});
  EXPECT_NE(
    metrics.body.find(
      "rmcp_tool_calls_total{outcome=\"denied\",tool=\"update_device\"}"),
    std::string::npos)
    << metrics.body.substr(0, 2000);
  EXPECT_NE(metrics.body.find("reason=\"unauthenticated\""), std::string::npos);
}

TEST_F(http_auth, a_revoked_token_is_refused_at_once) {
  start({{"auth.api_tokens", "true"}});
  auto t = make_token("robot", "admin");
  auto sid = open_session(t);
  storage::token_store tokens{rt->kv()};
  auto all = tokens.list();
  ASSERT_TRUE(all && all->size() == 1u);
  ASSERT_TRUE(tokens.revoke((*all)[0].id));
  auto r = post(R"({"jsonrpc":"2.0","id":5,"method":"tools/list"})", sid, t);
  EXPECT_EQ(r.status, 401u);
}

TEST_F(http_auth, oauth_jwt_access_tokens_from_a_jwks_file) {
  auto rsa = make_key("RS256", "k1");
  auto jwks_path = dir / "jwks.json";
  std::ofstream{jwks_path}
    << json{{"keys", json::array({jwk_of(*rsa)})}}.dump();
  start({{"auth.oauth_issuer", "https://as.example.com"},
         {"auth.oauth_audience", "https://mcp.example.com/mcp"},
         {"auth.oauth_jwks", jwks_path},
         {"http.public_url", "https://mcp.example.com"}});
  auto claims = access_claims("carol", "mcp:read");
  auto good = token(*rsa, claims);
  auto sid = open_session(good);
  ASSERT_EQ(sid.size(), 32u);
  auto ok = call(sid, good, "echo", {{"message", "x"}});
  EXPECT_FALSE(ok.value("isError", false)) << ok.dump();
  auto meta =
    http_exchange(port, "GET", "/.well-known/oauth-protected-resource/mcp", {});
  auto doc = parse_json(meta.body).value();
  EXPECT_EQ(doc["resource"], "https://mcp.example.com/mcp");
  EXPECT_EQ(doc["authorization_servers"],
            json::array({"https://as.example.com"}));
  // No MCP scope: 403 insufficient_scope.
  claims["scope"] = "openid";
  auto r = post(initialize_line(1, "2025-11-25"), "", token(*rsa, claims));
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_NE(r.header("www-authenticate").find("error=\"insufficient_scope\""),
            std::string::npos);
  EXPECT_NE(r.header("www-authenticate")
              .find("resource_metadata=\"https://mcp.example.com/.well-known/"
                    "oauth-protected-resource\""),
            std::string::npos);
  // Wrong audience: 401 invalid_token.
  claims["scope"] = "mcp:read";
  claims["aud"] = "https://elsewhere.example.com/mcp";
  auto wrong = post(initialize_line(1, "2025-11-25"), "", token(*rsa, claims));
  EXPECT_EQ(wrong.status, 401u);
}

TEST_F(http_auth, a_jwks_url_on_loopback_is_reloaded_for_a_new_key_id) {
  auto k1 = make_key("ES256", "k1");
  auto k2 = make_key("RS256", "k2");
  auto k3 = make_key("RS256", "k3");
  doc_server as;
  auto jwks = [&](std::initializer_list<const key_pair*> keys) {
    json doc{{"keys", json::array()}};
    for (auto* k : keys)
      doc["keys"].push_back(jwk_of(*k));
    as.set("/jwks", {200, doc.dump(), ""});
  };
  jwks({k1.get()});
  start({{"auth.oauth_issuer", "https://as.example.com"},
         {"auth.oauth_audience", "https://mcp.example.com/mcp"},
         {"auth.oauth_jwks", as.origin() + "/jwks"}});
  EXPECT_EQ(as.hits("/jwks"), 1);
  auto sid = open_session(token(*k1, access_claims("dave", "mcp:read")));
  EXPECT_EQ(sid.size(), 32u);
  // The authorization server rotates in k2: the first unknown kid reloads.
  jwks({k1.get(), k2.get()});
  auto r = post(initialize_line(1, "2025-11-25"), "",
                token(*k2, access_claims("dave", "mcp:read")));
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(as.hits("/jwks"), 2);
  // Another unknown kid right after: no new fetch, refused.
  auto r3 = post(initialize_line(1, "2025-11-25"), "",
                 token(*k3, access_claims("dave", "mcp:read")));
  EXPECT_EQ(r3.status, 401u);
  EXPECT_EQ(as.hits("/jwks"), 2);
}

TEST_F(http_auth, an_identity_provider_over_https_is_found_by_discovery) {
  auto identity = sim::make_self_signed();
  auto ca = dir / "issuer-ca.pem";
  std::ofstream{ca} << identity.certificate_pem;
  doc_server as{identity};
  auto issuer = as.origin() + "/realms/ops";
  auto k1 = make_key("RS256", "k1");
  as.set("/realms/ops/.well-known/openid-configuration",
         {200,
          json{{"issuer", issuer}, {"jwks_uri", as.origin() + "/certs"}}.dump(),
          ""});
  as.set("/certs", {200, json{{"keys", json::array({jwk_of(*k1)})}}.dump(),
                    "public, max-age=600"});
  start({{"auth.oauth_issuer", issuer},
         {"auth.oauth_audience", "https://mcp.example.com/mcp"},
         {"auth.oauth_ca_file", ca}});
  EXPECT_EQ(as.hits("/certs"), 1);
  auto claims = access_claims("erin", "mcp:read");
  claims["iss"] = issuer;
  auto sid = open_session(token(*k1, claims));
  EXPECT_EQ(sid.size(), 32u);
  auto listed = post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", sid,
                     token(*k1, claims));
  EXPECT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(as.hits("/certs"), 1);
}

TEST(http_auth_setup, an_untrusted_issuer_certificate_fails_the_start) {
  temp_dir dir;
  auto trusted = sim::make_self_signed();
  auto ca = dir / "other-ca.pem";
  std::ofstream{ca} << trusted.certificate_pem;
  doc_server as{sim::make_self_signed()};
  config::server_options opts;
  opts.auth_oauth_issuer = as.origin();
  opts.auth_oauth_audience = "https://mcp.example.com/mcp";
  opts.auth_oauth_ca_file = ca;
  auto made = auth::bearer_auth::make(opts, nullptr);
  ASSERT_FALSE(made);
  auto text = error_message(made.error());
  EXPECT_NE(text.find("auth.oauth_issuer"), std::string::npos) << text;
  EXPECT_NE(text.find("certificate"), std::string::npos) << text;
  EXPECT_NE(text.find("/.well-known/openid-configuration"), std::string::npos)
    << text;
  EXPECT_EQ(as.hits("/.well-known/openid-configuration"), 0);
}

TEST_F(http_auth, the_admin_endpoint_approves_a_plan_for_an_approver_only) {
  start({{"auth.api_tokens", "true"}});
  config::server_options opts;
  opts.data_dir = dir.path();
  auto plans = app::open_plan_store(opts, rt->kv());
  ASSERT_TRUE(plans) << error_message(plans.error());
  plan_record p;
  p.kind = "dns_ntp";
  p.tool = "plan_dns_ntp_rollout";
  p.apply_tool = "apply_dns_ntp_rollout";
  p.created_by = "erin";
  p.environment = "lab";
  p.params = {{"dns_servers", {"1.1.1.1"}}};
  p.batches = {{"r1"}};
  plan_device d;
  d.id = "r1";
  p.devices.push_back(d);
  auto made = (*plans)->create(p);
  ASSERT_TRUE(made) << error_message(made.error());
  auto path = "/admin/plans/" + made->id + "/approve";
  auto as = [&](const std::string& token) {
    return http_exchange(port, "POST", path,
                         {{"Authorization", "Bearer " + token}}, "");
  };
  EXPECT_EQ(http_exchange(port, "POST", path, {}, "").status, 401u);
  auto ops = as(make_token("olga", "ops_rw"));
  EXPECT_EQ(ops.status, 403u) << ops.body;
  EXPECT_NE(ops.body.find("approver or admin"), std::string::npos) << ops.body;
  auto creator = as(make_token("erin", "approver"));
  EXPECT_EQ(creator.status, 403u) << creator.body;
  auto approver = make_token("frank", "approver");
  auto ok = as(approver);
  ASSERT_EQ(ok.status, 200u) << ok.body;
  auto doc = parse_json(ok.body).value();
  EXPECT_EQ(doc["approved_by"], "frank");
  EXPECT_EQ(
    doc["approval_token"].get<std::string>().rfind("rmcp-approval.v1.", 0), 0u);
  EXPECT_EQ(ok.header("cache-control"), "no-store");
  auto again = as(approver);
  EXPECT_EQ(again.status, 409u) << again.body;
  EXPECT_EQ(http_exchange(port, "POST", "/admin/plans/nope/approve",
                          {{"Authorization", "Bearer " + approver}}, "")
              .status,
            404u);
  storage::audit_log log{rt->kv()};
  auto recent = log.recent("", 0);
  ASSERT_TRUE(recent);
  size_t approved = 0, denied = 0;
  for (auto& rec : *recent)
    if (rec.kind == "approval") {
      approved += rec.outcome == "approved";
      denied += rec.outcome == "denied";
    }
  EXPECT_EQ(approved, 1u);
  EXPECT_GE(denied, 3u);
}

TEST(http_auth_setup, a_public_listener_without_auth_is_refused) {
  temp_dir dir;
  config::server_options opts;
  opts.data_dir = dir.path();
  opts.http_listen = "0.0.0.0:0";
  opts.fleet.device.health_checks = false;
  app::runtime rt{opts};
  ASSERT_FALSE(rt.start("http"));
  app::http_frontend http{rt};
  auto err = http.start();
  ASSERT_TRUE(err);
  EXPECT_NE(error_message(err).find("without authentication"),
            std::string::npos)
    << error_message(err);
  rt.stop();
}

} // namespace rmcp::test
