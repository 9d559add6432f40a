#include "actors/metrics.hpp"

#include <gtest/gtest.h>

#include "protocol/version.hpp"

namespace rmcp {

namespace {

/// The value of the exposition line that starts with `series` ("name{…}").
std::string sample(const std::string& text, const std::string& series) {
  auto pos = text.find("\n" + series + " ");
  if (pos == std::string::npos)
    return "<absent>";
  auto start = pos + series.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

} // namespace

TEST(metrics, every_family_is_exposed_with_help_and_type_once_used) {
  metrics m;
  m.tool_call_finished("echo", tool_outcome::ok, std::chrono::milliseconds{1});
  m.http_request("health", 200);
  m.http_rejected("origin");
  m.device_health("r1", device_status::healthy);
  m.rest_error("r1", ec::router_timeout);
  m.rollout_transition("", "pending");
  auto text = m.render();
  for (auto* family : {"rmcp_build_info", "rmcp_tool_calls_total",
                       "rmcp_tool_call_duration_seconds", "rmcp_sessions_open",
                       "rmcp_http_requests_total", "rmcp_http_rejections_total",
                       "rmcp_device_health", "rmcp_rest_errors_total",
                       "rmcp_rollouts", "rmcp_rollout_transitions_total"}) {
    EXPECT_NE(text.find(std::string{"# TYPE "} + family + " "),
              std::string::npos)
      << family;
    EXPECT_NE(text.find(std::string{"# HELP "} + family + " "),
              std::string::npos)
      << family;
  }
  EXPECT_EQ(sample(text, R"(rmcp_http_rejections_total{reason="origin"})"),
            "1");
  EXPECT_EQ(sample(text, "rmcp_build_info{version=\""
                           + std::string{rmcp::version} + "\"}"),
            "1");
}

TEST(metrics, tool_calls_count_by_tool_and_outcome_and_observe_latency) {
  metrics m;
  m.tool_call_finished("echo", tool_outcome::ok, std::chrono::milliseconds{3});
  m.tool_call_finished("echo", tool_outcome::ok, std::chrono::milliseconds{7});
  m.tool_call_finished("echo", tool_outcome::timeout, std::chrono::seconds{31});
  auto text = m.render();
  EXPECT_EQ(sample(text, R"(rmcp_tool_calls_total{outcome="ok",tool="echo"})"),
            "2");
  EXPECT_EQ(
    sample(text, R"(rmcp_tool_calls_total{outcome="timeout",tool="echo"})"),
    "1");
  EXPECT_EQ(
    sample(text, R"(rmcp_tool_call_duration_seconds_count{tool="echo"})"), "3");
  EXPECT_EQ(
    sample(text,
           R"(rmcp_tool_call_duration_seconds_bucket{tool="echo",le="0.005"})"),
    "1");
  EXPECT_EQ(
    sample(text,
           R"(rmcp_tool_call_duration_seconds_bucket{tool="echo",le="30"})"),
    "2");
}

TEST(metrics, sessions_gauge_goes_up_and_down_per_transport) {
  metrics m;
  EXPECT_EQ(sample(m.render(), R"(rmcp_sessions_open{transport="sse"})"), "0");
  m.session_opened("http");
  m.session_opened("http");
  m.session_opened("stdio");
  m.session_closed("http");
  auto text = m.render();
  EXPECT_EQ(sample(text, R"(rmcp_sessions_open{transport="http"})"), "1");
  EXPECT_EQ(sample(text, R"(rmcp_sessions_open{transport="stdio"})"), "1");
}

TEST(metrics, http_requests_count_by_endpoint_and_status) {
  metrics m;
  m.http_request("mcp", 200);
  m.http_request("mcp", 200);
  m.http_request("mcp", 404);
  auto text = m.render();
  EXPECT_EQ(
    sample(text, R"(rmcp_http_requests_total{endpoint="mcp",status="200"})"),
    "2");
  EXPECT_EQ(
    sample(text, R"(rmcp_http_requests_total{endpoint="mcp",status="404"})"),
    "1");
}

TEST(metrics, device_health_marks_exactly_the_current_state) {
  metrics m;
  m.device_health("r1", device_status::healthy);
  m.device_health("r1", device_status::unreachable);
  auto text = m.render();
  EXPECT_EQ(
    sample(text, R"(rmcp_device_health{device="r1",state="unreachable"})"),
    "1");
  EXPECT_EQ(sample(text, R"(rmcp_device_health{device="r1",state="healthy"})"),
            "0");
  EXPECT_EQ(sample(text, R"(rmcp_device_health{device="r1",state="unknown"})"),
            "0");
  m.device_removed("r1");
  EXPECT_EQ(m.render().find("device=\"r1\""), std::string::npos);
}

TEST(metrics, rest_errors_count_by_device_and_kind) {
  metrics m;
  m.rest_error("r1", ec::router_timeout);
  m.rest_error("r1", ec::router_timeout);
  EXPECT_EQ(
    sample(m.render(),
           R"(rmcp_rest_errors_total{device="r1",kind="router_timeout"})"),
    "2");
}

TEST(metrics, rollout_transitions_move_rollouts_between_states) {
  metrics m;
  m.rollout_transition("", "pending");
  m.rollout_transition("", "pending");
  m.rollout_transition("pending", "running");
  m.rollout_transition("running", "done");
  auto text = m.render();
  EXPECT_EQ(sample(text, R"(rmcp_rollouts{state="pending"})"), "1");
  EXPECT_EQ(sample(text, R"(rmcp_rollouts{state="running"})"), "0");
  EXPECT_EQ(sample(text, R"(rmcp_rollouts{state="done"})"), "1");
  EXPECT_EQ(sample(text, R"(rmcp_rollout_transitions_total{state="pending"})"),
            "2");
  m.rollout_transition("done", "");
  EXPECT_EQ(sample(m.render(), R"(rmcp_rollouts{state="done"})"), "0");
}

TEST(metrics, health_samples_set_the_device_gauges_until_it_leaves) {
  metrics m;
  health_sample s;
  s.device_id = "r1";
  s.status = device_status::healthy;
  s.cpu_percent = 42.5;
  s.memory_used_bytes = 1024;
  s.memory_total_bytes = 4096;
  s.uptime_seconds = 3600;
  m.device_sample(s);
  auto text = m.render();
  EXPECT_EQ(sample(text, R"(rmcp_device_health{device="r1",state="healthy"})"),
            "1");
  EXPECT_EQ(sample(text, R"(rmcp_device_cpu_percent{device="r1"})"), "42.5");
  EXPECT_EQ(sample(text, R"(rmcp_device_memory_used_bytes{device="r1"})"),
            "1024");
  EXPECT_EQ(sample(text, R"(rmcp_device_memory_total_bytes{device="r1"})"),
            "4096");
  EXPECT_EQ(sample(text, R"(rmcp_device_uptime_seconds{device="r1"})"), "3600");
  // Unreachable: the health changes, the last readings stay.
  s.status = device_status::unreachable;
  s.cpu_percent = 0;
  m.device_sample(s);
  text = m.render();
  EXPECT_EQ(
    sample(text, R"(rmcp_device_health{device="r1",state="unreachable"})"),
    "1");
  EXPECT_EQ(sample(text, R"(rmcp_device_cpu_percent{device="r1"})"), "42.5");
  m.device_removed("r1");
  EXPECT_EQ(m.render().find("device=\"r1\""), std::string::npos);
}

TEST(metrics, rest_requests_observe_latency_by_device_and_outcome) {
  metrics m;
  m.rest_request("r1", "ok", std::chrono::milliseconds{3});
  m.rest_request("r1", "ok", std::chrono::milliseconds{30});
  m.rest_request("r1", "router_timeout", std::chrono::seconds{10});
  auto text = m.render();
  EXPECT_EQ(
    sample(
      text,
      R"(rmcp_rest_request_duration_seconds_count{device="r1",outcome="ok"})"),
    "2");
  EXPECT_EQ(
    sample(
      text,
      R"(rmcp_rest_request_duration_seconds_bucket{device="r1",outcome="ok",le="0.005"})"),
    "1");
  EXPECT_EQ(
    sample(
      text,
      R"(rmcp_rest_request_duration_seconds_count{device="r1",outcome="router_timeout"})"),
    "1");
}

TEST(metrics, rollout_steps_count_by_kind_and_outcome) {
  metrics m;
  m.rollout_step("dns_ntp", "device-applied");
  m.rollout_step("dns_ntp", "device-applied");
  m.rollout_step("dns_ntp", "gate-failed");
  auto text = m.render();
  EXPECT_EQ(
    sample(
      text,
      R"(rmcp_rollout_steps_total{kind="dns_ntp",outcome="device-applied"})"),
    "2");
  EXPECT_EQ(
    sample(text,
           R"(rmcp_rollout_steps_total{kind="dns_ntp",outcome="gate-failed"})"),
    "1");
}

TEST(metrics, audit_queue_depth_is_a_gauge_from_the_start) {
  metrics m;
  EXPECT_EQ(sample(m.render(), "rmcp_audit_queue_depth"), "0");
  m.audit_queue_depth(12);
  EXPECT_EQ(sample(m.render(), "rmcp_audit_queue_depth"), "12");
}

} // namespace rmcp
