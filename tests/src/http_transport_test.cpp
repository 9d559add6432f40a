// The HTTP transport end to end, in process: the real runtime (store,
// fleet, notifier), the real listener on an ephemeral port, and our own
// Beast client (tests/support/http_test_client.hpp) on the wire.

#include <fstream>
#include <thread>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "actors/metrics.hpp"
#include "protocol/json.hpp"
#include "src/app/http_frontend.hpp"
#include "src/app/runtime.hpp"
#include "src/config/options_table.hpp"
#include "src/sim/tls.hpp"
#include "src/transport/http_server.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/sim/http_client.hpp"
#include "tests/support/fake_rest_client.hpp"
#include "tests/support/http_daemon.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace rmcp::test {
namespace {

/// The initialize request of the stdio tests, as an HTTP body.
std::string initialize_body(int id = 1,
                            const std::string& version = "2025-11-25") {
  return initialize_line(id, version);
}

std::string request_body(int id, const std::string& method,
                         json params = json::object()) {
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

class http_transport : public http_daemon {
protected:
  http_reply post(const std::string& body, const std::string& sid,
                  http_headers extra = {}) {
    http_headers h{{"Content-Type", "application/json"},
                   {"Accept", accept_both}};
    if (!sid.empty())
      h.emplace_back("Mcp-Session-Id", sid);
    h.insert(h.end(), extra.begin(), extra.end());
    return http_exchange(port, "POST", "/mcp", h, body);
  }

  /// initialize + notifications/initialized; returns the session id.
  std::string open_session() {
    auto init = post(initialize_body(), "");
    EXPECT_EQ(init.status, 200u) << init.body << init.error;
    auto sid = init.header("mcp-session-id");
    EXPECT_EQ(sid.size(), 32u);
    auto ack = post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                    sid, {{"MCP-Protocol-Version", "2025-11-25"}});
    EXPECT_EQ(ack.status, 202u) << ack.body;
    return sid;
  }
};

TEST_F(http_transport, initialize_opens_a_session_and_tools_answer_as_json) {
  start();
  auto init = post(initialize_body(), "");
  ASSERT_EQ(init.status, 200u) << init.body << init.error;
  EXPECT_EQ(init.header("content-type"), "application/json");
  auto sid = init.header("mcp-session-id");
  ASSERT_EQ(sid.size(), 32u);
  EXPECT_EQ(sid.find_first_not_of("0123456789abcdef"), std::string::npos);
  auto result = body_json(init)["result"];
  EXPECT_EQ(result["protocolVersion"], "2025-11-25");
  EXPECT_EQ(result["serverInfo"]["name"], "routeros-mcp");
  auto call = post(
    request_body(2, "tools/call",
                 {{"name", "echo"}, {"arguments", {{"message", "over http"}}}}),
    sid, {{"MCP-Protocol-Version", "2025-11-25"}});
  ASSERT_EQ(call.status, 200u) << call.body;
  auto answer = body_json(call);
  EXPECT_EQ(answer["id"], 2);
  EXPECT_EQ(answer["result"]["structuredContent"]["message"], "over http");
  // Two sessions are independent: a second initialize gets another id.
  auto other = post(initialize_body(), "");
  EXPECT_NE(other.header("mcp-session-id"), sid);
}

TEST_F(http_transport,
       a_traceparent_header_names_the_call_unless_the_body_does) {
  start();
  auto sid = open_session();
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string tp = "00-" + trace + "-00f067aa0ba902b7-01";
  auto echo = [&](int id, json meta, const std::string& header) {
    json params{{"name", "echo"}, {"arguments", {{"message", "hi"}}}};
    if (!meta.is_null())
      params["_meta"] = std::move(meta);
    http_headers h{{"MCP-Protocol-Version", "2025-11-25"}};
    if (!header.empty())
      h.emplace_back("traceparent", header);
    auto r = post(request_body(id, "tools/call", params), sid, h);
    EXPECT_EQ(r.status, 200u) << r.body;
    return body_json(r)["result"]["_meta"].value("requestId", "");
  };
  EXPECT_EQ(echo(2, nullptr, tp), trace);
  // The body's own id or traceparent wins over the header.
  EXPECT_EQ(echo(3, {{"requestId", "mine-1"}}, tp), "mine-1");
  EXPECT_EQ(echo(4,
                 {{"traceparent", "00-" + std::string(31, 'a') + "b"
                                    + "-00f067aa0ba902b7-01"}},
                 tp),
            std::string(31, 'a') + "b");
  // A malformed header is ignored: the daemon makes an id.
  auto made = echo(5, nullptr, "not-a-traceparent");
  EXPECT_EQ(made.size(), 16u) << made;
  EXPECT_NE(made, trace);
}

TEST_F(http_transport, older_revisions_are_negotiated) {
  start();
  for (auto version : {"2025-06-18", "2025-03-26"}) {
    auto init = post(initialize_body(1, version), "");
    ASSERT_EQ(init.status, 200u);
    EXPECT_EQ(body_json(init)["result"]["protocolVersion"], version);
  }
}

TEST_F(http_transport, an_sse_only_client_gets_its_answer_as_an_event) {
  start();
  auto sid = open_session();
  auto reply = http_exchange(port, "POST", "/mcp",
                             {{"Content-Type", "application/json"},
                              {"Accept", "text/event-stream"},
                              {"Mcp-Session-Id", sid}},
                             request_body(7, "ping"));
  ASSERT_EQ(reply.status, 200u) << reply.error;
  EXPECT_EQ(reply.header("content-type"), "text/event-stream");
  auto events = parse_sse(reply.body);
  ASSERT_EQ(events.size(), 1u) << reply.body;
  EXPECT_EQ(parse_json(events[0].data).value()["id"], 7);
}

TEST_F(http_transport, notifications_and_responses_are_accepted_with_202) {
  start();
  auto sid = open_session();
  auto r = post(
    R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}})",
    sid);
  EXPECT_EQ(r.status, 202u);
  EXPECT_EQ(r.body, "");
  auto resp = post(R"({"jsonrpc":"2.0","id":5,"result":{}})", sid);
  EXPECT_EQ(resp.status, 202u);
}

TEST_F(http_transport, session_lifecycle_missing_unknown_and_deleted_ids) {
  start();
  auto missing = post(request_body(2, "ping"), "");
  EXPECT_EQ(missing.status, 400u);
  EXPECT_NE(missing.body.find("Mcp-Session-Id"), std::string::npos);
  auto unknown =
    post(request_body(2, "ping"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(unknown.status, 404u);
  auto sid = open_session();
  EXPECT_EQ(post(request_body(3, "ping"), sid).status, 200u);
  auto del = http_exchange(port, "DELETE", "/mcp", {{"Mcp-Session-Id", sid}});
  EXPECT_EQ(del.status, 200u);
  EXPECT_EQ(post(request_body(4, "ping"), sid).status, 404u);
  EXPECT_EQ(
    http_exchange(port, "DELETE", "/mcp", {{"Mcp-Session-Id", sid}}).status,
    404u);
  EXPECT_TRUE(wait_until([&] { return http->sessions() == 0; }));
  // initialize must not name a session.
  auto reinit = post(initialize_body(), sid);
  EXPECT_EQ(reinit.status, 400u);
}

TEST_F(http_transport, protocol_version_header_and_media_types_are_checked) {
  start();
  auto sid = open_session();
  auto bad = post(request_body(2, "ping"), sid,
                  {{"MCP-Protocol-Version", "1999-01-01"}});
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("2025-11-25"), std::string::npos) << bad.body;
  EXPECT_EQ(
    post(request_body(3, "ping"), sid, {{"MCP-Protocol-Version", "2025-03-26"}})
      .status,
    200u);
  auto text =
    http_exchange(port, "POST", "/mcp",
                  {{"Content-Type", "text/plain"}, {"Mcp-Session-Id", sid}},
                  request_body(4, "ping"));
  EXPECT_EQ(text.status, 415u);
  auto html = http_exchange(port, "POST", "/mcp",
                            {{"Content-Type", "application/json"},
                             {"Accept", "text/html"},
                             {"Mcp-Session-Id", sid}},
                            request_body(5, "ping"));
  EXPECT_EQ(html.status, 406u);
  auto garbage = post("{not json", sid);
  EXPECT_EQ(garbage.status, 400u);
  EXPECT_EQ(body_json(garbage)["error"]["code"], -32700);
  auto batch = post("[" + request_body(6, "ping") + "]", sid);
  EXPECT_EQ(batch.status, 400u);
  auto put = http_exchange(port, "PUT", "/mcp", {{"Mcp-Session-Id", sid}});
  EXPECT_EQ(put.status, 405u);
  EXPECT_EQ(put.header("allow"), "GET, POST, DELETE");
}

TEST_F(http_transport, foreign_host_or_origin_is_refused_with_403) {
  start({{"http.allowed_hosts", "mcp.example.com"},
         {"http.allowed_origins", "https://app.example.com"}});
  auto host = post(initialize_body(), "",
                   {{"Host", "evil.example:" + std::to_string(port)}});
  EXPECT_EQ(host.status, 403u);
  EXPECT_NE(host.body.find("http.allowed_hosts"), std::string::npos);
  auto origin =
    post(initialize_body(), "", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(origin.status, 403u);
  EXPECT_NE(origin.body.find("http.allowed_origins"), std::string::npos);
  // Conformance dns-rebinding-protection: localhost Host and Origin pass.
  auto local = post(initialize_body(), "",
                    {{"Host", "localhost:" + std::to_string(port)},
                     {"Origin", "http://localhost:" + std::to_string(port)}});
  EXPECT_EQ(local.status, 200u);
  auto proxied =
    post(initialize_body(), "",
         {{"Host", "mcp.example.com"}, {"Origin", "https://app.example.com"}});
  EXPECT_EQ(proxied.status, 200u);
  // The legacy endpoints and /metrics are guarded too; /health is not.
  EXPECT_EQ(
    http_exchange(port, "GET", "/sse", {{"Host", "evil.example"}}).status,
    403u);
  EXPECT_EQ(
    http_exchange(port, "GET", "/metrics", {{"Host", "evil.example"}}).status,
    403u);
  EXPECT_EQ(
    http_exchange(port, "GET", "/health/live", {{"Host", "10.1.1.1"}}).status,
    200u);
  auto metrics = http_exchange(port, "GET", "/metrics", {});
  EXPECT_NE(metrics.body.find(R"(rmcp_http_rejections_total{reason="host"} 3)"),
            std::string::npos)
    << metrics.body;
  EXPECT_NE(
    metrics.body.find(R"(rmcp_http_rejections_total{reason="origin"} 1)"),
    std::string::npos);
}

TEST_F(http_transport, bodies_over_the_limit_get_413) {
  start({{"server.max_message_bytes", "2048"}});
  auto sid = open_session();
  auto big = request_body(
    2, "tools/call",
    {{"name", "echo"}, {"arguments", {{"message", std::string(4096, 'x')}}}});
  auto r = post(big, sid);
  EXPECT_EQ(r.status, 413u);
  EXPECT_NE(r.body.find("2048"), std::string::npos) << r.body;
  EXPECT_EQ(post(request_body(3, "ping"), sid).status, 200u);
}

TEST_F(http_transport, a_session_over_its_rate_gets_429_with_retry_after) {
  start({{"http.rate_limit", "1"}, {"http.rate_burst", "3"}});
  auto sid = open_session(); // initialize is free; the ack takes a token
  EXPECT_EQ(post(request_body(2, "ping"), sid).status, 200u);
  EXPECT_EQ(post(request_body(3, "ping"), sid).status, 200u);
  auto limited = post(request_body(4, "ping"), sid);
  EXPECT_EQ(limited.status, 429u);
  EXPECT_EQ(limited.header("retry-after"), "1");
  // Other sessions have their own budget.
  auto other = open_session();
  EXPECT_EQ(post(request_body(2, "ping"), other).status, 200u);
}

TEST_F(http_transport, the_session_limit_answers_503) {
  start({{"http.max_sessions", "1"}});
  open_session();
  auto second = post(initialize_body(), "");
  EXPECT_EQ(second.status, 503u);
  EXPECT_NE(second.body.find("http.max_sessions"), std::string::npos);
}

TEST_F(http_transport, the_get_stream_carries_server_log_notifications) {
  start();
  auto sid = open_session();
  EXPECT_EQ(
    post(request_body(2, "logging/setLevel", {{"level", "info"}}), sid).status,
    200u);
  sse_stream stream{port,
                    "GET",
                    "/mcp",
                    {{"Accept", "text/event-stream"},
                     {"Mcp-Session-Id", sid},
                     {"MCP-Protocol-Version", "2025-11-25"}}};
  ASSERT_EQ(stream.head().status, 200u) << stream.head().error;
  EXPECT_EQ(stream.head().header("content-type"), "text/event-stream");
  // A second GET stream for the same session is a conflict.
  auto second =
    http_exchange(port, "GET", "/mcp",
                  {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}});
  EXPECT_EQ(second.status, 409u);
  // A fleet log record reaches the session through the notifier.
  caf::anon_send(rt->svc()->notifier, atom::log_v, int32_t{1},
                 std::string{"fleet"}, std::string{"device-added id=r1"});
  auto ev = stream.next();
  ASSERT_TRUE(ev.has_value()) << stream.body();
  auto msg = parse_json(ev->data).value();
  EXPECT_EQ(msg["method"], "notifications/message");
  EXPECT_EQ(msg["params"]["data"], "device-added id=r1");
  // DELETE ends the stream.
  EXPECT_EQ(
    http_exchange(port, "DELETE", "/mcp", {{"Mcp-Session-Id", sid}}).status,
    200u);
  EXPECT_TRUE(stream.ended());
}

TEST_F(http_transport, a_get_stream_resumes_after_last_event_id) {
  start();
  auto sid = open_session();
  EXPECT_EQ(
    post(request_body(2, "logging/setLevel", {{"level", "info"}}), sid).status,
    200u);
  auto log = [this](const std::string& text) {
    caf::anon_send(rt->svc()->notifier, atom::log_v, int32_t{1},
                   std::string{"fleet"}, text);
  };
  auto text_of = [](const sse_event& ev) {
    return parse_json(ev.data).value()["params"]["data"].get<std::string>();
  };
  http_headers get{{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}};
  std::string first_id;
  {
    sse_stream stream{port, "GET", "/mcp", get};
    ASSERT_EQ(stream.head().status, 200u) << stream.head().error;
    log("one");
    auto ev = stream.next();
    ASSERT_TRUE(ev.has_value()) << stream.body();
    EXPECT_EQ(text_of(*ev), "one");
    EXPECT_FALSE(ev->id.empty());
    first_id = ev->id;
    stream.close();
  }
  // Sent while the client is away: kept for it.
  log("two");
  log("three");
  // A second round trip makes sure the server saw both before resuming.
  EXPECT_EQ(post(request_body(3, "ping"), sid).status, 200u);
  auto resume = get;
  resume.emplace_back("Last-Event-ID", first_id);
  sse_stream again{port, "GET", "/mcp", resume};
  ASSERT_EQ(again.head().status, 200u) << again.head().error;
  auto two = again.next();
  auto three = again.next();
  ASSERT_TRUE(two && three) << again.body();
  EXPECT_EQ(text_of(*two), "two");
  EXPECT_EQ(text_of(*three), "three");
  EXPECT_NE(two->id, first_id);
  // New messages follow on the resumed stream, each once.
  log("four");
  auto four = again.next();
  ASSERT_TRUE(four.has_value()) << again.body();
  EXPECT_EQ(text_of(*four), "four");
  // An id the server never sent replays nothing.
  auto bogus = get;
  bogus.emplace_back("Last-Event-ID", "999999");
  sse_stream other{port, "GET", "/mcp", bogus};
  ASSERT_EQ(other.head().status, 200u);
  log("five");
  auto five = other.next();
  ASSERT_TRUE(five.has_value()) << other.body();
  EXPECT_EQ(text_of(*five), "five");
}

TEST_F(http_transport,
       legacy_sse_announces_the_endpoint_and_answers_on_the_stream) {
  start();
  sse_stream stream{port, "GET", "/sse", {{"Accept", "text/event-stream"}}};
  ASSERT_EQ(stream.head().status, 200u) << stream.head().error;
  auto endpoint = stream.next();
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_EQ(endpoint->event, "endpoint");
  ASSERT_EQ(endpoint->data.rfind("/messages?sessionId=", 0), 0u)
    << endpoint->data;
  auto target = endpoint->data;
  http_headers json_type{{"Content-Type", "application/json"}};
  auto accepted = http_exchange(port, "POST", target, json_type,
                                initialize_body(1, "2024-11-05"));
  EXPECT_EQ(accepted.status, 202u);
  EXPECT_EQ(accepted.body, "Accepted");
  auto init = stream.next();
  ASSERT_TRUE(init.has_value());
  EXPECT_EQ(init->event, "message");
  EXPECT_EQ(parse_json(init->data).value()["result"]["protocolVersion"],
            "2024-11-05");
  http_exchange(port, "POST", target, json_type,
                R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  http_exchange(
    port, "POST", target, json_type,
    request_body(2, "tools/call",
                 {{"name", "echo"}, {"arguments", {{"message", "legacy"}}}}));
  auto call = stream.next();
  ASSERT_TRUE(call.has_value());
  EXPECT_EQ(parse_json(call->data).value()["result"]["content"][0]["text"],
            "Echo: legacy");
  // Unknown and missing session ids.
  EXPECT_EQ(http_exchange(port, "POST", "/messages?sessionId=nope", json_type,
                          request_body(3, "ping"))
              .status,
            404u);
  EXPECT_EQ(
    http_exchange(port, "POST", "/messages", json_type, request_body(3, "ping"))
      .status,
    400u);
  // The session ends when the client closes the stream.
  EXPECT_EQ(http->sessions(), 1u);
  stream.close();
  EXPECT_TRUE(wait_until([&] { return http->sessions() == 0; }));
  EXPECT_EQ(
    http_exchange(port, "POST", target, json_type, request_body(4, "ping"))
      .status,
    404u);
}

TEST_F(http_transport, health_checks_the_store_fleet_and_sessions) {
  start();
  open_session();
  auto health = http_exchange(port, "GET", "/health", {});
  ASSERT_EQ(health.status, 200u) << health.body;
  auto report = body_json(health);
  EXPECT_EQ(report["status"], "ok");
  EXPECT_EQ(report["ready"], true);
  EXPECT_EQ(report["checks"]["store"]["status"], "ok");
  EXPECT_EQ(report["checks"]["store"]["backend"], "lmdb");
  EXPECT_EQ(report["checks"]["fleet"]["status"], "ok");
  EXPECT_EQ(report["checks"]["sessions"]["open"], 1);
  EXPECT_GT(report["checks"]["actor_system"]["running_actors"].get<int>(), 0);
  // A store that is gone makes the service not ready.
  caf::anon_send_exit(rt->svc()->store, caf::exit_reason::user_shutdown);
  auto down = http_exchange(port, "GET", "/health/ready", {});
  EXPECT_EQ(down.status, 503u) << down.body;
  EXPECT_EQ(body_json(down)["checks"]["store"]["status"], "failed");
  EXPECT_EQ(http_exchange(port, "GET", "/health/live", {}).status, 200u);
}

TEST_F(http_transport, metrics_count_calls_sessions_and_requests) {
  start();
  auto sid = open_session();
  post(request_body(2, "tools/call",
                    {{"name", "echo"}, {"arguments", {{"message", "m"}}}}),
       sid);
  post(request_body(3, "tools/call",
                    {{"name", "echo"}, {"arguments", {{"message", 1}}}}),
       sid);
  auto m = http_exchange(port, "GET", "/metrics", {});
  ASSERT_EQ(m.status, 200u);
  EXPECT_EQ(m.header("content-type"), std::string{metrics::content_type});
  for (auto line :
       {R"(rmcp_tool_calls_total{outcome="ok",tool="echo"} 1)",
        R"(rmcp_tool_calls_total{outcome="error",tool="echo"} 1)",
        R"(rmcp_tool_call_duration_seconds_count{tool="echo"} 2)",
        R"(rmcp_sessions_open{transport="http"} 1)",
        R"(rmcp_http_requests_total{endpoint="mcp",status="202"} 1)"})
    EXPECT_NE(m.body.find(line), std::string::npos) << line << "\n" << m.body;
  auto unknown = http_exchange(port, "GET", "/nothing", {});
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_NE(unknown.body.find("/mcp"), std::string::npos);
}

TEST_F(http_transport, idle_sessions_end_and_their_ids_answer_404) {
  start({{"http.session_idle_timeout", "1s"}});
  auto sid = open_session();
  EXPECT_EQ(http->sessions(), 1u);
  EXPECT_TRUE(wait_until([&] { return http->sessions() == 0; }));
  EXPECT_EQ(post(request_body(2, "ping"), sid).status, 404u);
}

TEST_F(http_transport, the_tls_listener_serves_https_only) {
  auto identity = sim::make_self_signed();
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream out{dir / name};
    out << text;
    return dir / name;
  };
  start({{"http.tls_cert_file", write("cert.pem", identity.certificate_pem)},
         {"http.tls_key_file", write("key.pem", identity.private_key_pem)}});
  EXPECT_TRUE(http->tls());
  sim::test::client_options tls;
  tls.tls = true;
  tls.pin = identity.fingerprint_sha256;
  sim::test::http_client client{port, tls};
  auto init = client.request("POST", "/mcp", initialize_body());
  ASSERT_EQ(init.status, 200u) << init.error << init.body;
  EXPECT_EQ(client.seen_fingerprint(), identity.fingerprint_sha256);
  EXPECT_FALSE(init.headers.empty());
  EXPECT_EQ(parse_json(init.body).value()["result"]["serverInfo"]["name"],
            "routeros-mcp");
  // Plain HTTP on the TLS port gets no HTTP answer.
  auto plain =
    http_exchange(port, "GET", "/health/live", {}, {}, std::chrono::seconds{2});
  EXPECT_EQ(plain.status, 0u);
}

TEST_F(http_transport, unreadable_tls_files_fail_the_start_naming_the_key) {
  config::server_options opts;
  opts.data_dir = dir.path();
  opts.http_listen = "127.0.0.1:0";
  opts.http_tls_cert_file = dir / "missing.pem";
  opts.http_tls_key_file = dir / "missing.key";
  rt = std::make_unique<app::runtime>(opts);
  ASSERT_FALSE(rt->start("http"));
  http = std::make_unique<app::http_frontend>(*rt);
  auto err = http->start();
  ASSERT_TRUE(err);
  EXPECT_NE(error_message(err).find("http.tls_cert_file"), std::string::npos)
    << error_message(err);
}

TEST_F(http_transport, resource_updates_reach_the_get_stream) {
  start();
  // A registered device (no health checks in this fixture) ...
  caf::scoped_actor self{rt->system()};
  bool stored = false;
  self
    ->request(rt->svc()->store, std::chrono::seconds{5}, atom::put_v,
              test_device("edge-1"), credential{"api", "secret"})
    .receive([&](atom::ok) { stored = true; },
             [&](caf::error& err) { ADD_FAILURE() << error_message(err); });
  ASSERT_TRUE(stored);
  bool loaded = false;
  self->request(rt->svc()->fleet, std::chrono::seconds{5}, atom::reload_v)
    .receive([&](atom::ok) { loaded = true; },
             [&](caf::error& err) { ADD_FAILURE() << error_message(err); });
  ASSERT_TRUE(loaded);
  auto sid = open_session();
  auto sub = post(
    request_body(2, "resources/subscribe", {{"uri", "device://edge-1/health"}}),
    sid);
  ASSERT_EQ(sub.status, 200u) << sub.body;
  sse_stream stream{port,
                    "GET",
                    "/mcp",
                    {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}}};
  ASSERT_EQ(stream.head().status, 200u);
  // ... whose health changes, as its device actor would report it.
  health_sample sample;
  sample.device_id = "edge-1";
  sample.status = device_status::healthy;
  sample.timestamp = 1;
  caf::anon_send(rt->svc()->fleet, atom::health_v, sample);
  auto ev = stream.next();
  ASSERT_TRUE(ev.has_value()) << stream.body();
  auto msg = parse_json(ev->data).value();
  EXPECT_EQ(msg["method"], "notifications/resources/updated");
  EXPECT_EQ(msg["params"]["uri"], "device://edge-1/health");
}

TEST(http_server_routes,
     a_route_that_throws_answers_500_and_the_server_serves_on) {
  transport::http_server_settings settings;
  settings.port = 0;
  settings.io_threads = 1;
  transport::http_server server{
    settings,
    [](transport::http_request&& req, transport::channel_ptr ch) {
      if (req.path == "/throw")
        throw std::runtime_error("route failure");
      ch->respond_json(200, "{}");
    },
    nullptr};
  ASSERT_FALSE(server.start());
  auto failed = http_exchange(server.port(), "GET", "/throw", {});
  EXPECT_EQ(failed.status, 500u) << failed.error;
  EXPECT_EQ(body_json(failed)["error"]["code"], -32603) << failed.body;
  // The same connection's I/O thread serves the next request.
  EXPECT_EQ(http_exchange(server.port(), "GET", "/ok", {}).status, 200u);
  server.stop();
}

} // namespace
} // namespace rmcp::test
