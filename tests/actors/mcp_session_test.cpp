#include "tests/actors/mcp_session_fixture.hpp"

#include <caf/detail/simple_actor_clock.hpp>

namespace rmcp {

using namespace session_test;

TEST_F(mcp_session_test, initialize_echoes_a_supported_revision) {
  request(1, "initialize",
          {{"protocolVersion", "2025-06-18"},
           {"capabilities", json::object()},
           {"clientInfo", {{"name", "c"}, {"version", "1"}}}});
  auto r = response(1);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["result"]["protocolVersion"], "2025-06-18");
  EXPECT_EQ(r["result"]["serverInfo"]["name"], "routeros-mcp");
  EXPECT_EQ(r["result"]["instructions"], "test instructions");
  EXPECT_TRUE(r["result"]["capabilities"].contains("tools"));
  EXPECT_TRUE(r["result"]["capabilities"].contains("logging"));
  EXPECT_FALSE(r["result"]["capabilities"].contains("resources"));
}

TEST_F(mcp_session_test,
       initialize_answers_the_latest_revision_for_unknown_ones) {
  request(1, "initialize", {{"protocolVersion", "1999-01-01"}});
  EXPECT_EQ(response(1)["result"]["protocolVersion"], "2025-11-25");
}

TEST_F(mcp_session_test, initialize_without_version_is_invalid_params) {
  request(1, "initialize", json::object());
  EXPECT_EQ(response(1)["error"]["code"], -32602);
}

TEST_F(mcp_session_test, second_initialize_is_refused) {
  initialize();
  request(9, "initialize", {{"protocolVersion", "2025-11-25"}});
  EXPECT_EQ(response(9)["error"]["code"], -32600);
}

TEST_F(mcp_session_test, requests_before_initialize_are_refused_except_ping) {
  request(1, "tools/list");
  EXPECT_EQ(response(1)["error"]["code"], -32600);
  request(2, "ping");
  EXPECT_EQ(response(2)["result"], json::object());
}

TEST_F(mcp_session_test, unknown_method_is_method_not_found) {
  initialize();
  request(3, "resources/list");
  EXPECT_EQ(response(3)["error"]["code"], -32601);
}

TEST_F(mcp_session_test, parse_errors_are_answered_and_the_session_survives) {
  initialize();
  send_line("{not json");
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].first["error"]["code"], -32700);
  EXPECT_TRUE((*out)[0].first["id"].is_null());
  request(4, "ping");
  EXPECT_EQ(response(4)["result"], json::object());
}

TEST_F(mcp_session_test,
       deep_messages_are_parse_errors_and_the_session_survives) {
  initialize();
  send_line(R"({"jsonrpc":"2.0","id":5,"method":"ping","params":{"a":)"
            + std::string(100, '[') + std::string(100, ']') + "}}");
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].first["error"]["code"], -32700);
  EXPECT_NE((*out)[0].first["error"]["message"].get<std::string>().find(
              "deeper than 64 levels"),
            std::string::npos);
  request(6, "ping");
  EXPECT_EQ(response(6)["result"], json::object());
}

TEST_F(mcp_session_test, wrong_typed_client_members_never_end_the_session) {
  request(1, "initialize",
          {{"protocolVersion", "2025-11-25"}, {"clientInfo", {{"name", 5}}}});
  EXPECT_EQ(response(1)["result"]["protocolVersion"], "2025-11-25");
  send_line(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  call(7, "t_slow");
  send_line(R"({"jsonrpc":"2.0","method":"notifications/cancelled",
                "params":{"requestId":7,"reason":{"why":1}}})");
  request(8, "ping");
  EXPECT_FALSE(response(8).is_null());
  EXPECT_TRUE(alive());
}

TEST_F(mcp_session_test, oversized_messages_are_refused) {
  initialize();
  send_line(std::string(5000, 'x'));
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].first["error"]["code"], -32600);
}

TEST_F(mcp_session_test, tools_list_paginates_with_opaque_cursors) {
  initialize();
  request(1, "tools/list");
  auto page1 = response(1)["result"];
  ASSERT_EQ(page1["tools"].size(), 2u);
  ASSERT_TRUE(page1.contains("nextCursor"));
  std::vector<std::string> names;
  json cursor = page1["nextCursor"];
  for (auto& t : page1["tools"])
    names.push_back(t["name"]);
  int id = 2;
  while (!cursor.is_null()) {
    request(id, "tools/list", {{"cursor", cursor}});
    auto page = response(id)["result"];
    for (auto& t : page["tools"])
      names.push_back(t["name"]);
    cursor = page.value("nextCursor", json{});
    ++id;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"t_echo", "t_slow", "t_progress",
                                             "t_throw", "t_bad_output",
                                             "t_fail", "t_write", "t_wait"}));
}

TEST_F(mcp_session_test, tools_list_rejects_invalid_cursors) {
  initialize();
  request(1, "tools/list", {{"cursor", "tools-999"}});
  EXPECT_EQ(response(1)["error"]["code"], -32602);
  request(2, "tools/list", {{"cursor", 5}});
  EXPECT_EQ(response(2)["error"]["code"], -32602);
}

TEST_F(mcp_session_test, tool_result_has_structured_content_and_text) {
  initialize();
  auto r = call(1, "t_echo", {{"text", "hi"}});
  EXPECT_EQ(r["result"]["structuredContent"]["text"], "hi");
  EXPECT_EQ(r["result"]["content"][0]["type"], "text");
  EXPECT_EQ(r["result"]["content"][0]["text"], "text=hi");
  EXPECT_FALSE(r["result"].contains("isError"));
}

TEST_F(mcp_session_test, old_revisions_get_no_structured_content) {
  initialize("2025-03-26");
  auto r = call(1, "t_echo", {{"text", "hi"}});
  EXPECT_FALSE(r["result"].contains("structuredContent"));
  EXPECT_EQ(r["result"]["content"][0]["text"], "text=hi");
}

TEST_F(mcp_session_test, unknown_tool_is_invalid_params) {
  initialize();
  auto r = call(1, "nope");
  EXPECT_EQ(r["error"]["code"], -32602);
  EXPECT_EQ(r["error"]["message"], "Unknown tool: nope");
}

TEST_F(mcp_session_test, malformed_call_params_are_invalid_params) {
  initialize();
  request(1, "tools/call", {{"arguments", json::object()}});
  EXPECT_EQ(response(1)["error"]["code"], -32602);
  request(2, "tools/call", {{"name", "t_echo"}, {"arguments", "x"}});
  EXPECT_EQ(response(2)["error"]["code"], -32602);
}

TEST_F(mcp_session_test, schema_violations_are_tool_errors_naming_the_path) {
  initialize();
  auto r = call(1, "t_echo", {{"text", "toolong"}});
  ASSERT_TRUE(r.contains("result"));
  EXPECT_EQ(r["result"]["isError"], true);
  auto text = r["result"]["content"][0]["text"].get<std::string>();
  EXPECT_NE(text.find("$.text: must be at most 5 characters long, got 7"),
            std::string::npos)
    << text;
  auto extra = call(2, "t_echo", {{"colour", "red"}});
  EXPECT_NE(extra["result"]["content"][0]["text"].get<std::string>().find(
              "$.colour: unknown property"),
            std::string::npos);
}

TEST_F(mcp_session_test, tool_failures_are_error_results_with_their_kind) {
  initialize();
  auto r = call(1, "t_fail");
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_EQ(r["result"]["content"][0]["text"],
            "router_unreachable: router r1 refused the connection");
  EXPECT_EQ(r["result"]["_meta"]["retryable"], true);
}

TEST_F(mcp_session_test, exceptions_in_tools_become_internal_error_results) {
  initialize();
  auto r = call(1, "t_throw");
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_NE(r["result"]["content"][0]["text"].get<std::string>().find("boom"),
            std::string::npos);
  request(2, "ping");
  EXPECT_FALSE(response(2).is_null());
}

TEST_F(mcp_session_test, output_violating_the_output_schema_is_never_sent) {
  initialize();
  auto r = call(1, "t_bad_output");
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_FALSE(r["result"].contains("structuredContent"));
}

TEST_F(mcp_session_test, slow_tools_time_out_with_a_retryable_error) {
  initialize();
  EXPECT_TRUE(call(1, "t_slow").is_null());
  advance_time(std::chrono::seconds{6});
  auto r = response(1);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_EQ(r["result"]["_meta"]["error_kind"], "tool_timeout");
}

TEST_F(mcp_session_test, cancelled_calls_get_no_response) {
  initialize();
  call(7, "t_slow");
  send_line(R"({"jsonrpc":"2.0","method":"notifications/cancelled",
                "params":{"requestId":7,"reason":"user"}})");
  advance_time(std::chrono::seconds{10});
  EXPECT_TRUE(response(7).is_null());
  request(8, "ping");
  EXPECT_FALSE(response(8).is_null());
}

TEST_F(mcp_session_test, duplicate_in_flight_ids_are_refused) {
  initialize();
  call(7, "t_slow");
  auto r = call(7, "t_echo");
  EXPECT_EQ(r["error"]["code"], -32600);
}

TEST_F(mcp_session_test,
       progress_is_forwarded_only_with_a_token_and_increasing) {
  initialize();
  call(1, "t_progress", json::object(), {{"progressToken", "p1"}});
  auto ps = notifications("notifications/progress");
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0]["params"]["progressToken"], "p1");
  EXPECT_EQ(ps[0]["params"]["progress"], 1.0);
  EXPECT_EQ(ps[0]["params"]["total"], 3.0);
  EXPECT_EQ(ps[1]["params"]["message"], "two");
  EXPECT_FALSE(response(1).is_null());
  out->clear();
  call(2, "t_progress");
  EXPECT_TRUE(notifications("notifications/progress").empty());
}

TEST_F(mcp_session_test, set_level_validates_and_enables_log_notifications) {
  initialize();
  request(1, "logging/setLevel", {{"level", "verbose"}});
  EXPECT_EQ(response(1)["error"]["code"], -32602);
  request(2, "logging/setLevel", {{"level", "warning"}});
  EXPECT_EQ(response(2)["result"], json::object());
  caf::anon_send(notifier, atom::log_v, int32_t{1}, std::string{"fleet"},
                 std::string{"info-event"});
  caf::anon_send(notifier, atom::log_v, int32_t{4}, std::string{"fleet"},
                 std::string{"error-event"});
  run();
  auto logs = notifications("notifications/message");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0]["params"]["level"], "error");
  EXPECT_EQ(logs[0]["params"]["logger"], "fleet");
  EXPECT_EQ(logs[0]["params"]["data"], "error-event");
}

TEST_F(mcp_session_test, eof_drains_in_flight_calls_then_quits) {
  initialize();
  call(1, "t_slow");
  caf::anon_send(session, atom::eof_v);
  run();
  EXPECT_TRUE(alive());
  advance_time(std::chrono::seconds{3});
  auto r = response(1);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["error"]["code"], -32000);
  EXPECT_FALSE(alive());
}

TEST_F(mcp_session_test, draining_session_refuses_new_requests) {
  initialize();
  call(1, "t_slow");
  caf::anon_send(session, atom::shutdown_v);
  run();
  request(2, "ping");
  EXPECT_EQ(response(2)["error"]["code"], -32000);
}

TEST_F(mcp_session_test, idle_session_quits_at_once_on_eof) {
  initialize();
  caf::anon_send(session, atom::eof_v);
  run();
  EXPECT_FALSE(alive());
}

TEST_F(mcp_session_test, tool_calls_are_counted_by_tool_and_outcome) {
  initialize();
  call(1, "t_echo", {{"text", "hi"}});
  call(2, "t_fail");
  call(3, "t_echo", {{"text", "too long"}});
  call(4, "t_slow");
  advance_time(std::chrono::seconds{6});
  call(5, "no_such_tool");
  auto text = stats->render();
  auto has = [&](const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(has(R"(rmcp_tool_calls_total{outcome="ok",tool="t_echo"} 1)"))
    << text;
  EXPECT_TRUE(has(R"(rmcp_tool_calls_total{outcome="error",tool="t_echo"} 1)"));
  EXPECT_TRUE(has(R"(rmcp_tool_calls_total{outcome="error",tool="t_fail"} 1)"));
  EXPECT_TRUE(
    has(R"(rmcp_tool_calls_total{outcome="timeout",tool="t_slow"} 1)"));
  EXPECT_TRUE(has(R"(rmcp_tool_call_duration_seconds_count{tool="t_echo"} 2)"));
  EXPECT_EQ(text.find("no_such_tool"), std::string::npos);
}

// CAF 0.17.6 hands every request timeout to its timer thread and keeps it
// until it fires, also after the answer arrived (actors/request_timeout.hpp):
// the session keeps its calls' deadlines itself, so answered calls put one
// sweep into the clock, not a timeout each, and the sweep disarms once
// nothing is pending; a call that times out still times out.
TEST_F(mcp_session_test, answered_calls_leave_no_timeout_in_the_clock) {
  auto pending_request_timeouts = [&] {
    const auto& lookup = sched.clock().actor_lookup();
    auto range = lookup.equal_range(session.id());
    size_t n = 0;
    for (auto i = range.first; i != range.second; ++i)
      if (i->second->second->subtype
          == caf::detail::simple_actor_clock::request_timeout_type)
        ++n;
    return n;
  };
  initialize();
  call(1, "t_echo", {{"text", "hi"}});
  call(2, "t_fail");
  call(3, "t_throw");
  ASSERT_FALSE(response(1).is_null());
  ASSERT_FALSE(response(3).is_null());
  // Three answered calls: the one sweep armed by the first.
  EXPECT_EQ(pending_request_timeouts(), 1u);
  advance_time(std::chrono::seconds{5});
  EXPECT_EQ(pending_request_timeouts(), 0u);
  // A call in flight keeps the sweep armed; once it timed out, nothing is
  // left.
  call(4, "t_slow");
  EXPECT_EQ(pending_request_timeouts(), 1u);
  advance_time(std::chrono::seconds{5});
  EXPECT_EQ(response(4)["result"]["_meta"]["error_kind"], "tool_timeout");
  EXPECT_EQ(pending_request_timeouts(), 0u);
}

// A call the session spawned is ended by the session at its deadline, so
// its own requests wait without a CAF timer (tool_call::wait); nothing of
// the call stays in the clock.
TEST_F(mcp_session_test, calls_of_the_session_wait_without_their_own_timer) {
  initialize();
  call(1, "t_wait");
  EXPECT_EQ(response(1)["result"]["structuredContent"]["text"], "infinite");
}

TEST_F(mcp_session_test, open_sessions_gauge_follows_the_session_lifetime) {
  auto gauge = [&] {
    auto text = stats->render();
    auto pos = text.find("rmcp_sessions_open{transport=\"test\"} ");
    return pos == std::string::npos ? std::string{"<absent>"}
                                    : text.substr(pos + 37, 1);
  };
  EXPECT_EQ(gauge(), "1");
  caf::anon_send(session, atom::eof_v);
  run();
  ASSERT_FALSE(alive());
  EXPECT_EQ(gauge(), "0");
}

} // namespace rmcp
