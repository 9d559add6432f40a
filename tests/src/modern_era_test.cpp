// The 2026-07-28 era through a real session, fleet and scripted routers
// (tests/support/tool_harness.hpp): the era chosen per request, the
// fields of stateless results, its error codes, server/discover and
// subscriptions/listen. Over HTTP: tests/src/http_modern_test.cpp.

#include <gtest/gtest.h>

#include "protocol/mcp_era.hpp"
#include "tests/support/tool_harness.hpp"

namespace rmcp {

namespace {

/// The `_meta` of a 2026-07-28 request.
json modern_meta(const std::string& version = "2026-07-28") {
  return {{"io.modelcontextprotocol/protocolVersion", version},
          {"io.modelcontextprotocol/clientCapabilities", json::object()},
          {"io.modelcontextprotocol/clientInfo",
           {{"name", "modern-test"}, {"version", "1"}}}};
}

class modern_era_test : public test::tool_harness {
protected:
  modern_era_test() {
    router = std::make_shared<test::fake_router>();
    factory->answer = test::router_responder(router);
  }

  /// A stateless request: `params` plus the era's `_meta`; returns the
  /// whole answer (result or error member inside).
  json stateless(const std::string& method, json params = json::object(),
                 json meta = modern_meta()) {
    auto id = ++last_id;
    params["_meta"] = std::move(meta);
    send({{"jsonrpc", "2.0"},
          {"id", id},
          {"method", method},
          {"params", std::move(params)}});
    for (auto& msg : *out)
      if (msg.contains("id") && msg["id"] == id)
        return msg;
    return nullptr;
  }

  std::vector<json> sent(const std::string& method) const {
    std::vector<json> result;
    for (auto& msg : *out)
      if (msg.value("method", "") == method)
        result.push_back(msg);
    return result;
  }

  std::shared_ptr<test::fake_router> router;
};

void expect_complete(const json& answer) {
  ASSERT_TRUE(answer.contains("result")) << answer.dump();
  const auto& result = answer["result"];
  EXPECT_EQ(result["resultType"], "complete") << result.dump();
  EXPECT_EQ(result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
            "routeros-mcp")
    << result.dump();
}

} // namespace

TEST_F(modern_era_test, discover_names_both_eras_capabilities_and_identity) {
  start();
  auto answer = stateless("server/discover");
  expect_complete(answer);
  const auto& r = answer["result"];
  EXPECT_EQ(r["supportedVersions"][0], "2026-07-28");
  EXPECT_NE(std::find(r["supportedVersions"].begin(),
                      r["supportedVersions"].end(), "2025-11-25"),
            r["supportedVersions"].end());
  EXPECT_TRUE(r["capabilities"].contains("tools"));
  EXPECT_EQ(r["capabilities"]["resources"]["subscribe"], true);
  EXPECT_TRUE(r["capabilities"].contains("completions"));
  EXPECT_EQ(r["cacheScope"], "public");
  EXPECT_GT(r["ttlMs"].get<int64_t>(), 0);
}

TEST_F(modern_era_test, stateless_requests_get_the_fields_of_their_era) {
  add_device(test::test_device("edge-1"));
  start();
  auto tools = stateless("tools/list");
  expect_complete(tools);
  EXPECT_FALSE(tools["result"]["tools"].empty());
  // Filtered by the caller's role: private to it.
  EXPECT_EQ(tools["result"]["cacheScope"], "private");
  EXPECT_GE(tools["result"]["ttlMs"].get<int64_t>(), 0);
  auto call =
    stateless("tools/call", {{"name", "device_health"},
                             {"arguments", {{"device_id", "edge-1"}}}});
  expect_complete(call);
  EXPECT_EQ(call["result"]["structuredContent"]["status"], "healthy")
    << call.dump();
  auto read = stateless("resources/read", {{"uri", "fleet://health-summary"}});
  expect_complete(read);
  EXPECT_EQ(read["result"]["cacheScope"], "private");
  EXPECT_EQ(read["result"]["ttlMs"], 0);
  for (auto* method :
       {"prompts/list", "resources/list", "resources/templates/list"}) {
    auto list = stateless(method);
    expect_complete(list);
    EXPECT_EQ(list["result"]["cacheScope"], "public") << method;
  }
  // A tool call answered as an error result is still a complete result.
  auto bad = stateless("tools/call", {{"name", "device_health"},
                                      {"arguments", {{"device_id", 7}}}});
  expect_complete(bad);
  EXPECT_EQ(bad["result"]["isError"], true);
}

TEST_F(modern_era_test, errors_use_the_2026_codes) {
  start();
  auto version = stateless("tools/list", {}, modern_meta("2099-01-01"));
  ASSERT_TRUE(version.contains("error")) << version.dump();
  EXPECT_EQ(version["error"]["code"], -32022);
  EXPECT_EQ(version["error"]["data"]["requested"], "2099-01-01");
  EXPECT_EQ(version["error"]["data"]["supported"], json(mcp::all_versions()));
  auto meta = modern_meta();
  meta.erase("io.modelcontextprotocol/clientCapabilities");
  auto caps = stateless("tools/list", {}, meta);
  EXPECT_EQ(caps["error"]["code"], -32602);
  EXPECT_NE(
    caps["error"]["message"].get<std::string>().find("clientCapabilities"),
    std::string::npos);
  meta = modern_meta();
  meta["io.modelcontextprotocol/logLevel"] = "loud";
  EXPECT_EQ(stateless("tools/list", {}, meta)["error"]["code"], -32602);
  // Not in this era: initialize (with the era's _meta), ping,
  // logging/setLevel, resources/subscribe; and unknown methods.
  for (auto* method : {"initialize", "ping", "logging/setLevel",
                       "resources/subscribe", "unknown/method"})
    EXPECT_EQ(stateless(method)["error"]["code"], -32601) << method;
  auto subscribe =
    stateless("resources/subscribe", {{"uri", "fleet://health-summary"}});
  EXPECT_NE(subscribe["error"]["message"].get<std::string>().find(
              "subscriptions/listen"),
            std::string::npos);
  auto missing = stateless("resources/read", {{"uri", "device://nope/health"}});
  EXPECT_EQ(missing["error"]["code"], -32602) << missing.dump();
  EXPECT_NE(missing["error"]["message"].get<std::string>().find("nope"),
            std::string::npos);
}

TEST_F(modern_era_test, the_era_is_chosen_per_request_on_one_connection) {
  start();
  // start() opened a 2025-11-25 session on this connection; stateless
  // requests in between are served by their own rules, and the session's
  // by its.
  expect_complete(stateless("server/discover"));
  auto legacy_missing =
    request("resources/read", {{"uri", "device://nope/health"}});
  EXPECT_EQ(legacy_missing["code"], -32002);
  EXPECT_FALSE(legacy_missing["data"].contains("uri"));
  EXPECT_TRUE(request("ping").is_object());
  auto legacy_list = request("tools/list");
  EXPECT_FALSE(legacy_list.contains("resultType"));
  EXPECT_FALSE(legacy_list.contains("ttlMs"));
  auto missing = stateless("resources/read", {{"uri", "device://nope/health"}});
  EXPECT_EQ(missing["error"]["code"], -32602);
  EXPECT_EQ(missing["error"]["data"]["uri"], "device://nope/health");
  expect_complete(stateless("tools/list"));
  // A second initialize is still refused: the session is the handshake's.
  auto again = request("initialize", {{"protocolVersion", "2025-11-25"}});
  EXPECT_EQ(again["code"], -32600);
}

TEST_F(modern_era_test,
       listen_acknowledges_then_reports_updates_until_cancelled) {
  add_device(test::test_device("edge-1"));
  start();
  auto refused = stateless(
    "subscriptions/listen",
    {{"notifications", {{"resourceSubscriptions", {"fleet://devices/lab"}}}}});
  EXPECT_EQ(refused["error"]["code"], -32602);
  EXPECT_EQ(stateless("subscriptions/listen")["error"]["code"], -32602);
  out->clear();
  auto id = ++last_id;
  json params{{"notifications",
               {{"resourceSubscriptions", {"device://edge-1/health"}},
                {"toolsListChanged", true}}},
              {"_meta", modern_meta()}};
  send({{"jsonrpc", "2.0"},
        {"id", id},
        {"method", "subscriptions/listen"},
        {"params", params}});
  ASSERT_EQ(out->size(), 1u);
  const auto& ack = out->front();
  EXPECT_EQ(ack["method"], "notifications/subscriptions/acknowledged");
  EXPECT_EQ(ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
            id);
  // Our lists never change: only the resource updates are honoured.
  EXPECT_EQ(ack["params"]["notifications"],
            json({{"resourceSubscriptions", {"device://edge-1/health"}}}));
  EXPECT_TRUE(result_of(id).is_null()) << "the listen stays open";
  call("device_health", {{"device_id", "edge-1"}});
  auto updates = sent("notifications/resources/updated");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["params"]["uri"], "device://edge-1/health");
  EXPECT_EQ(
    updates[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
    id);
  // Cancelled: no answer, no more updates.
  send({{"jsonrpc", "2.0"},
        {"method", "notifications/cancelled"},
        {"params", {{"requestId", id}}}});
  router->cpu_load = 99;
  call("device_health", {{"device_id", "edge-1"}});
  EXPECT_EQ(sent("notifications/resources/updated").size(), 1u);
  EXPECT_TRUE(result_of(id).is_null());
}

TEST_F(modern_era_test, listen_ends_gracefully_at_its_lifetime_and_on_drain) {
  start();
  auto open = [this] {
    auto id = ++last_id;
    send({{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "subscriptions/listen"},
          {"params",
           {{"notifications",
             {{"resourceSubscriptions", {"fleet://health-summary"}}}},
            {"_meta", modern_meta()}}}});
    return id;
  };
  auto first = open();
  advance_time(std::chrono::minutes{29});
  run();
  EXPECT_TRUE(result_of(first).is_null()) << "still open before its lifetime";
  advance_time(std::chrono::minutes{2});
  run();
  auto ended = result_of(first);
  EXPECT_EQ(ended["resultType"], "complete") << ended.dump();
  EXPECT_EQ(ended["_meta"]["io.modelcontextprotocol/subscriptionId"], first);
  auto second = open();
  EXPECT_TRUE(result_of(second).is_null());
  caf::anon_send(session, atom::eof_v);
  run();
  EXPECT_EQ(
    result_of(second)["_meta"]["io.modelcontextprotocol/subscriptionId"],
    second);
}

} // namespace rmcp
