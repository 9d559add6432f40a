#pragma once

// The fixture of the web console's end-to-end tests: the built daemon over
// HTTP with API tokens and two simulated routers, logins, plans and the
// audit trail.

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/fleet.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/http_daemon.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp::test {

/// A logged-in console user: the session cookie and the CSRF token.
struct console_login {
  http_reply reply;
  std::string cookie;
  std::string csrf;
};

class console_fixture : public ::testing::Test {
protected:
  console_fixture() {
    sim::fleet_options o;
    o.routers = 2;
    o.tls = true;
    routers = std::make_unique<sim::fleet>(o);
  }

  void SetUp() override {
    for (size_t i = 0; i < 2; ++i) {
      auto o = run_cli(data.path(),
                       {"device", "add", "edge-" + std::to_string(i + 1),
                        "--host", "127.0.0.1", "--port",
                        std::to_string(routers->port(i)), "--username", "admin",
                        "--fingerprint", routers->fingerprint_sha256(), "--tag",
                        "site=fra", "--allow-professional-workflows"},
                       {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
      ASSERT_EQ(o.code, 0) << o.err;
    }
    server =
      launch_http(data, {"auth.api_tokens=true", "device.health_checks=false",
                         "rollout.gate_delay=0", "server.toolsets=all"});
    ASSERT_NE(server.port, 0);
  }

  void TearDown() override {
    EXPECT_EQ(server.stop(), 0) << server.log();
  }

  /// `routeros-mcp token create`; the token (and its id in `id`).
  std::string token(const std::string& subject, const std::string& role,
                    std::string* id = nullptr) {
    auto o = run_cli(data.path(), {"token", "create", "--subject", subject,
                                   "--role", role, "--json"});
    EXPECT_EQ(o.code, 0) << o.err;
    auto doc = parse_json(o.out).value_or(json{});
    if (id != nullptr)
      *id = doc.value("id", "");
    return doc.value("token", "");
  }

  http_reply get(const std::string& path, const std::string& cookie = {}) {
    http_headers h;
    if (!cookie.empty())
      h.emplace_back("Cookie", cookie);
    return http_exchange(server.port, "GET", path, h);
  }

  http_reply post(const std::string& path, const std::string& cookie,
                  const std::string& csrf, const std::string& body = "{}") {
    http_headers h{{"Content-Type", "application/json"}};
    if (!cookie.empty())
      h.emplace_back("Cookie", cookie);
    if (!csrf.empty())
      h.emplace_back("X-CSRF-Token", csrf);
    return http_exchange(server.port, "POST", path, h, body);
  }

  console_login login(const std::string& tok) {
    console_login out;
    out.reply = post("/ui/api/login", {}, {}, json{{"token", tok}}.dump());
    auto set = out.reply.header("set-cookie");
    out.cookie = set.substr(0, set.find(';'));
    out.csrf = parse_json(out.reply.body).value_or(json{}).value("csrf", "");
    return out;
  }

  /// A pending DNS plan for both routers, made over MCP by `tok` (its
  /// approval handed to the apply call with `hand_to_apply`).
  std::string plan(const std::string& tok, bool hand_to_apply = false) {
    mcp_http_client c{server.port, tok};
    c.open();
    auto r = c.call("config_plan_dns_ntp_rollout",
                    {{"device_ids", {"edge-1", "edge-2"}},
                     {"dns_servers", {"10.9.9.9"}},
                     {"pause_seconds", 0},
                     {"hand_to_apply", hand_to_apply}});
    EXPECT_FALSE(r.value("isError", false)) << r.dump();
    return r["structuredContent"].value("plan_id", "");
  }

  std::string state_of(const console_login& who, const std::string& id) {
    auto r = get("/ui/api/plans/" + id, who.cookie);
    EXPECT_EQ(r.status, 200u) << r.body;
    return parse_json(r.body).value_or(json{})["plan"].value("state", "");
  }

  /// The approval records of the audit trail, in order.
  std::vector<json> audit(const std::string& kind) {
    auto exported = run_cli(data.path(), {"audit", "export"});
    EXPECT_EQ(exported.code, 0) << exported.err;
    std::istringstream lines{exported.out};
    std::vector<json> out;
    for (std::string line; std::getline(lines, line);)
      if (auto rec = parse_json(line); rec && (*rec)["kind"] == kind)
        out.push_back(*rec);
    return out;
  }

  std::unique_ptr<sim::fleet> routers;
  temp_dir data;
  http_server_process server;
};

} // namespace rmcp::test
