// The 2026-07-28 era over Streamable HTTP, in process: the real runtime and
// listener on an ephemeral port, our Beast client on the wire. Stateless
// POSTs beside handshake-era sessions, the header checks (-32020), version
// and method errors, 405 for GET/DELETE, and subscriptions/listen as a
// long-lived answer stream.

#include <gtest/gtest.h>

#include "protocol/json.hpp"
#include "protocol/mcp_era.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/http_daemon.hpp"
#include "tests/support/http_test_client.hpp"

namespace rmcp::test {
namespace {

json modern_meta(const std::string& version = "2026-07-28") {
  return {{"io.modelcontextprotocol/protocolVersion", version},
          {"io.modelcontextprotocol/clientCapabilities", json::object()}};
}

std::string stateless_body(int id, const std::string& method,
                           json params = json::object(),
                           json meta = modern_meta()) {
  params["_meta"] = std::move(meta);
  return json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", method},
              {"params", std::move(params)}}
    .dump();
}

json body_json(const http_reply& r) {
  auto parsed = parse_json(r.body);
  EXPECT_TRUE(parsed.has_value()) << "not JSON: " << r.body << r.error;
  return parsed ? *parsed : json{};
}

class http_modern : public http_daemon {
protected:
  /// The headers a 2026-07-28 client sends for `method` (and `name`).
  static http_headers headers_for(const std::string& method,
                                  const std::string& name = {}) {
    http_headers h{{"Content-Type", "application/json"},
                   {"Accept", accept_both},
                   {"MCP-Protocol-Version", "2026-07-28"},
                   {"Mcp-Method", method}};
    if (!name.empty())
      h.emplace_back("Mcp-Name", name);
    return h;
  }

  http_reply post(const http_headers& h, const std::string& body) {
    return http_exchange(port, "POST", "/mcp", h, body);
  }

  /// The JSON-RPC error code of a refused POST with the given status.
  int refused(const http_headers& h, const std::string& body, unsigned status) {
    auto r = post(h, body);
    EXPECT_EQ(r.status, status) << r.body << r.error;
    auto j = body_json(r);
    EXPECT_TRUE(j.contains("error")) << r.body;
    return j.contains("error") ? j["error"].value("code", 0) : 0;
  }
};

} // namespace

TEST_F(http_modern, a_stateless_post_is_answered_without_a_session) {
  start();
  auto r = post(headers_for("tools/call", "echo"),
                stateless_body(3, "tools/call",
                               {{"name", "echo"},
                                {"arguments", {{"message", "stateless"}}}}));
  ASSERT_EQ(r.status, 200u) << r.body << r.error;
  EXPECT_EQ(r.header("mcp-session-id"), "");
  auto answer = body_json(r);
  EXPECT_EQ(answer["id"], 3);
  EXPECT_EQ(answer["result"]["resultType"], "complete");
  EXPECT_EQ(answer["result"]["structuredContent"]["message"], "stateless");
  EXPECT_EQ(
    answer["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
    "routeros-mcp");
  // Its session lived for the request only.
  EXPECT_TRUE(wait_until([&] { return http->sessions() == 0; }));
  auto discover =
    post(headers_for("server/discover"), stateless_body(4, "server/discover"));
  ASSERT_EQ(discover.status, 200u) << discover.body;
  EXPECT_EQ(body_json(discover)["result"]["supportedVersions"],
            json(mcp::all_versions()));
  // A name outside plain ASCII comes base64-encoded in the sentinel.
  auto read = post(
    headers_for("resources/read",
                "=?base64?ZmxlZXQ6Ly9oZWFsdGgtc3VtbWFyeQ==?="),
    stateless_body(5, "resources/read", {{"uri", "fleet://health-summary"}}));
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(body_json(read)["result"]["cacheScope"], "private");
}

TEST_F(http_modern, both_eras_share_the_endpoint_at_the_same_time) {
  start();
  auto init =
    post({{"Content-Type", "application/json"}, {"Accept", accept_both}},
         initialize_line(1, "2025-11-25"));
  ASSERT_EQ(init.status, 200u) << init.body;
  auto sid = init.header("mcp-session-id");
  ASSERT_EQ(sid.size(), 32u);
  // A stateless request in between: the session is untouched.
  auto list = post(headers_for("tools/list"), stateless_body(2, "tools/list"));
  ASSERT_EQ(list.status, 200u) << list.body;
  EXPECT_EQ(body_json(list)["result"]["resultType"], "complete");
  auto ping = post({{"Content-Type", "application/json"},
                    {"Accept", accept_both},
                    {"Mcp-Session-Id", sid},
                    {"MCP-Protocol-Version", "2025-11-25"}},
                   R"({"jsonrpc":"2.0","id":3,"method":"ping"})");
  ASSERT_EQ(ping.status, 200u) << ping.body;
  EXPECT_FALSE(body_json(ping)["result"].contains("resultType"));
  // Only the handshake session stays (the stateless one ends after its
  // answer).
  EXPECT_TRUE(wait_until([&] { return http->sessions() == 1; }));
  // The handshake era keeps its GET stream; 2026-07-28 has none.
  sse_stream stream(port, "GET", "/mcp",
                    {{"Accept", "text/event-stream"},
                     {"Mcp-Session-Id", sid},
                     {"MCP-Protocol-Version", "2025-11-25"}});
  EXPECT_EQ(stream.head().status, 200u);
  stream.close();
  for (auto* method : {"GET", "DELETE"}) {
    auto r = http_exchange(port, method, "/mcp",
                           {{"Accept", "text/event-stream"},
                            {"MCP-Protocol-Version", "2026-07-28"}});
    EXPECT_EQ(r.status, 405u) << method << r.body;
    EXPECT_EQ(r.header("allow"), "POST") << method;
  }
  // A 2026-07-28 header without the _meta of that era is malformed.
  EXPECT_EQ(refused(headers_for("tools/list"),
                    R"({"jsonrpc":"2.0","id":4,"method":"tools/list"})", 400),
            -32602);
}

TEST_F(http_modern, headers_must_mirror_the_body) {
  start();
  auto call = stateless_body(
    1, "tools/call", {{"name", "echo"}, {"arguments", {{"message", "x"}}}});
  auto without = [](http_headers h, const std::string& name) {
    h.erase(std::remove_if(h.begin(), h.end(),
                           [&](auto& kv) { return kv.first == name; }),
            h.end());
    return h;
  };
  EXPECT_EQ(refused(headers_for("tools/list", "echo"), call, 400), -32020);
  EXPECT_EQ(refused(headers_for("tools/call", "service_health"), call, 400),
            -32020);
  EXPECT_EQ(refused(headers_for("tools/call"), call, 400), -32020);
  EXPECT_EQ(refused(without(headers_for("tools/call", "echo"), "Mcp-Method"),
                    call, 400),
            -32020);
  auto h = without(headers_for("tools/call", "echo"), "MCP-Protocol-Version");
  EXPECT_EQ(refused(h, call, 400), -32020);
  h.emplace_back("MCP-Protocol-Version", "2025-11-25");
  EXPECT_EQ(refused(h, call, 400), -32020);
  EXPECT_EQ(refused(headers_for("tools/call", "=?base64?!!?="), call, 400),
            -32020);
  auto read = stateless_body(2, "resources/read", {{"uri", "fleet://x"}});
  EXPECT_EQ(refused(headers_for("resources/read", "fleet://y"), read, 400),
            -32020);
  // Nothing ran: no session was opened for a refused request.
  EXPECT_EQ(http->sessions(), 0u);
}

TEST_F(http_modern, version_and_method_errors_are_the_2026_ones) {
  start();
  auto h = headers_for("tools/list");
  h.pop_back();
  h.pop_back();
  h.emplace_back("MCP-Protocol-Version", "2099-01-01");
  h.emplace_back("Mcp-Method", "tools/list");
  auto r =
    post(h, stateless_body(1, "tools/list", {}, modern_meta("2099-01-01")));
  EXPECT_EQ(r.status, 400u) << r.body;
  auto err = body_json(r)["error"];
  EXPECT_EQ(err["code"], -32022);
  EXPECT_EQ(err["data"]["supported"], json(mcp::all_versions()));
  EXPECT_EQ(err["data"]["requested"], "2099-01-01");
  for (auto* method : {"ping", "initialize", "logging/setLevel",
                       "resources/subscribe", "unknown/method"})
    EXPECT_EQ(refused(headers_for(method), stateless_body(2, method), 404),
              -32601)
      << method;
  // The header is checked against the body before the version.
  auto other = headers_for("tools/list");
  EXPECT_EQ(
    refused(other,
            stateless_body(6, "tools/list", {}, modern_meta("2099-01-01")),
            400),
    -32020);
  EXPECT_EQ(refused(headers_for("resources/read", "device://nope/health"),
                    stateless_body(3, "resources/read",
                                   {{"uri", "device://nope/health"}}),
                    200),
            -32602);
  // A client notification of this era is accepted and dropped.
  auto note =
    post(headers_for("notifications/cancelled"),
         json{{"jsonrpc", "2.0"},
              {"method", "notifications/cancelled"},
              {"params", {{"requestId", 9}, {"_meta", modern_meta()}}}}
           .dump());
  EXPECT_EQ(note.status, 202u);
}

TEST_F(http_modern, listen_is_a_long_lived_stream_with_keepalive_and_cleanup) {
  start({{"http.sse_keepalive", "1s"}});
  auto body =
    stateless_body(7, "subscriptions/listen",
                   {{"notifications",
                     {{"resourceSubscriptions", {"fleet://health-summary"}}}}});
  sse_stream stream(port, "POST", "/mcp", headers_for("subscriptions/listen"),
                    body);
  ASSERT_EQ(stream.head().status, 200u) << stream.head().error;
  EXPECT_EQ(stream.head().header("content-type"), "text/event-stream");
  EXPECT_EQ(stream.head().header("x-accel-buffering"), "no");
  auto ack = stream.next();
  ASSERT_TRUE(ack);
  auto msg = parse_json(ack->data).value();
  EXPECT_EQ(msg["method"], "notifications/subscriptions/acknowledged");
  EXPECT_EQ(msg["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
            7);
  EXPECT_EQ(http->sessions(), 1u);
  // Quiet: keepalive comments keep the stream open, nothing ends it.
  EXPECT_FALSE(stream.ended(std::chrono::milliseconds{2500}));
  EXPECT_NE(stream.body().find(": keepalive"), std::string::npos);
  // The client going away is the cancellation: its session ends.
  stream.close();
  EXPECT_TRUE(wait_until([&] { return http->sessions() == 0; }));
}

TEST_F(http_modern, listen_ends_with_its_response_when_its_lifetime_is_over) {
  start({{"server.listen_lifetime", "1s"}});
  sse_stream stream(port, "POST", "/mcp", headers_for("subscriptions/listen"),
                    stateless_body(8, "subscriptions/listen",
                                   {{"notifications",
                                     {{"resourceSubscriptions",
                                       {"fleet://health-summary"}}}}}));
  ASSERT_EQ(stream.head().status, 200u);
  ASSERT_TRUE(stream.next());
  auto last = stream.next(std::chrono::seconds{5});
  ASSERT_TRUE(last);
  auto msg = parse_json(last->data).value();
  EXPECT_EQ(msg["id"], 8);
  EXPECT_EQ(msg["result"]["resultType"], "complete");
  EXPECT_EQ(msg["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
            8);
  EXPECT_TRUE(stream.ended());
  EXPECT_TRUE(wait_until([&] { return http->sessions() == 0; }));
}

} // namespace rmcp::test
