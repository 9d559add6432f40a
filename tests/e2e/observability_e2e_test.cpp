// End-to-end observability of the built daemon over stdio against the
// simulator: a DNS rollout followed with one jq filter on its plan_id in
// the JSON logs (the daemon's and the approving CLI's), the same rollout
// told by `routeros-mcp plan trace`, a request id from the client's _meta
// on the answer, the REST calls' debug lines and the audit trail, and
// /metrics and /health answering beside stdio (metrics.listen) with every
// metric the Grafana dashboard in docs/ names.

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "sim/fleet.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/etcd_server.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;
using namespace std::chrono_literals;

constexpr size_t router_count = 3;

/// Every JSON line of a log text (other lines are skipped and counted).
std::vector<json> json_lines(const std::string& text, size_t* other = nullptr) {
  std::vector<json> out;
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty())
      continue;
    if (auto j = parse_json(line); j && j->is_object())
      out.push_back(std::move(*j));
    else if (other != nullptr)
      ++*other;
  }
  return out;
}

/// Runs `jq -c FILTER FILE` and returns its output lines as JSON.
std::vector<json> jq(const std::string& filter, const std::string& file) {
  auto cmd = "jq -c '" + filter + "' '" + file + "' 2>&1";
  std::string out;
  if (auto* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
      out.append(buf, n);
    EXPECT_EQ(pclose(p), 0) << out;
  }
  return json_lines(out);
}

class observability_e2e : public ::testing::Test {
protected:
  observability_e2e() {
    sim::fleet_options o;
    o.routers = router_count;
    o.tls = true;
    routers = std::make_unique<sim::fleet>(o);
  }

  void SetUp() override {
    for (size_t i = 0; i < router_count; ++i)
      add_device(id(i), routers->port(i));
    // A router nobody answers for: its checks fail (REST errors).
    add_device("sim-dead", free_loopback_port());
  }

  void add_device(const std::string& name, uint16_t port) {
    auto o =
      run_cli(data.path(),
              {"device", "add", name, "--host", "127.0.0.1", "--port",
               std::to_string(port), "--username", "admin", "--fingerprint",
               routers->fingerprint_sha256(), "--allow-professional-workflows"},
              {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
    ASSERT_EQ(o.code, 0) << o.err;
  }

  static std::string id(size_t i) {
    return "sim-" + std::to_string(i);
  }

  std::unique_ptr<child_process> daemon() {
    auto p = std::make_unique<child_process>(std::vector<std::string>{
      RMCP_BINARY_PATH, "--data-dir", data.path(), "--log-level", "debug",
      "--set", "log.format=json", "--set", "metrics.listen=127.0.0.1:0",
      "--set", "device.health_checks=false", "--set", "rollout.gate_delay=0",
      "--set", "device.request_timeout=5s", "--set", "server.toolsets=all",
      "serve", "--stdio"});
    handshake(*p);
    return p;
  }

  /// The answer to request `id` (notifications before it are skipped).
  json answer(child_process& p, int want) {
    while (auto line = p.read_line(60s)) {
      auto msg = parse_json(*line).value_or(json{});
      if (msg.value("id", json{}) == want)
        return msg;
    }
    ADD_FAILURE() << "no answer to " << want << "; stderr:\n"
                  << p.stderr_text();
    return nullptr;
  }

  /// A tools/call with `meta` as its _meta; the whole answer.
  json call(child_process& p, const std::string& tool, json args,
            json meta = nullptr) {
    json params{{"name", tool}, {"arguments", std::move(args)}};
    if (!meta.is_null())
      params["_meta"] = std::move(meta);
    int my_id = ++next_id;
    p.write_line(json{{"jsonrpc", "2.0"},
                      {"id", my_id},
                      {"method", "tools/call"},
                      {"params", std::move(params)}}
                   .dump());
    return answer(p, my_id);
  }

  /// `plan approve` as another person with JSON logs at info; the token.
  std::string approve(const std::string& plan_id) {
    child_process p{{RMCP_BINARY_PATH, "--data-dir", data.path(), "--set",
                     "log.format=json", "plan", "approve", plan_id, "--as",
                     "approver", "--json"}};
    p.close_stdin();
    auto out = p.drain_stdout();
    EXPECT_EQ(p.wait().value_or(-1), 0) << p.stderr_text();
    cli_log += p.stderr_text();
    auto j = parse_json(out).value_or(json{});
    return j.value("approval_token", "");
  }

  /// The port of the metrics listener from the daemon's metrics-listening
  /// line (written before the session answered initialize).
  static uint16_t metrics_port(child_process& p) {
    for (auto& j : json_lines(p.stderr_text()))
      if (j.value("msg", "") == "metrics-listening")
        return j.value("port", uint16_t{0});
    return 0;
  }

  std::unique_ptr<sim::fleet> routers;
  temp_dir data;
  std::string cli_log;
  int next_id = 1;
};

} // namespace

TEST_F(observability_e2e, a_dns_rollout_is_followed_by_plan_id_and_plan_trace) {
  auto d = daemon();
  json ids = json::array();
  for (size_t i = 0; i < router_count; ++i)
    ids.push_back(id(i));
  auto planned = call(*d, "config_plan_dns_ntp_rollout",
                      {{"device_ids", ids},
                       {"dns_servers", {"10.9.9.9"}},
                       {"batch_size", 1},
                       {"pause_seconds", 0}},
                      {{"requestId", "obs-plan-1"}});
  auto plan_id =
    planned["result"]["structuredContent"].value("plan_id", std::string{});
  ASSERT_FALSE(plan_id.empty()) << planned.dump();
  EXPECT_EQ(planned["result"]["_meta"].value("requestId", ""), "obs-plan-1");
  auto token = approve(plan_id);
  ASSERT_FALSE(token.empty()) << cli_log;
  // A W3C traceparent names the request by its trace id.
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto applied =
    call(*d, "config_apply_dns_ntp_rollout",
         {{"plan_id", plan_id}, {"approval_token", token}},
         {{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}});
  ASSERT_FALSE(applied["result"].value("isError", false)) << applied.dump();
  EXPECT_EQ(applied["result"]["structuredContent"].value("state", ""),
            "completed")
    << applied.dump();
  EXPECT_EQ(applied["result"]["_meta"].value("requestId", ""), trace_id);
  // A read with the client's id: its REST calls carry it.
  auto read = call(*d, "get_system_overview", {{"device_id", id(0)}},
                   {{"requestId", "obs-read-1"}});
  EXPECT_FALSE(read["result"].value("isError", false)) << read.dump();
  // A malformed id is refused, naming the rule.
  auto bad = call(*d, "device_health", {{"device_id", id(0)}},
                  {{"requestId", "has space"}});
  EXPECT_NE(bad["error"].value("message", "").find("_meta.requestId"),
            std::string::npos)
    << bad.dump();
  d->close_stdin();
  ASSERT_EQ(d->wait(30s), 0) << d->stderr_text();

  // Every daemon line is JSON; the logs of both processes in one file.
  size_t not_json = 0;
  auto daemon_lines = json_lines(d->stderr_text(), &not_json);
  EXPECT_EQ(not_json, 0u) << d->stderr_text();
  EXPECT_FALSE(daemon_lines.empty());
  auto file = data.path() + "/all.log";
  {
    std::ofstream out{file};
    out << d->stderr_text() << cli_log;
  }
  auto lines = jq("select(.plan_id==\"" + plan_id + "\")", file);
  auto has = [&](const std::string& msg, const char* key, std::string value,
                 const std::string& device = {}) {
    for (auto& l : lines)
      if (l.value("msg", "") == msg
          && (key == nullptr || l.value(key, "") == value)
          && (device.empty() || l.value("device_id", "") == device))
        return true;
    return false;
  };
  EXPECT_TRUE(has("plan-created", "request_id", "obs-plan-1"));
  EXPECT_TRUE(has("tool-call", "tool", "config_plan_dns_ntp_rollout"));
  EXPECT_TRUE(has("plan-decision", "outcome", "approved")) << cli_log;
  EXPECT_TRUE(has("rollout-start", nullptr, ""));
  for (size_t i = 0; i < router_count; ++i) {
    EXPECT_TRUE(has("rollout-step", "step", "device-applied", id(i))) << id(i);
    EXPECT_TRUE(has("rest-call", nullptr, "", id(i))) << id(i);
  }
  EXPECT_TRUE(has("rollout-step", "step", "gate-passed"));
  EXPECT_TRUE(has("rollout-step", "step", "plan-completed"));
  EXPECT_TRUE(has("tool-call", "request_id", trace_id));
  for (auto& l : lines)
    if (l.value("msg", "") == "rollout-step")
      EXPECT_EQ(l.value("kind", ""), "dns_ntp") << l.dump();
  // The read's REST calls and its tool-call line carry the client's id.
  auto read_lines = jq("select(.request_id==\"obs-read-1\")", file);
  std::set<std::string> events;
  for (auto& l : read_lines)
    events.insert(l.value("msg", ""));
  EXPECT_TRUE(events.count("rest-call")) << read_lines.size();
  EXPECT_TRUE(events.count("tool-call")) << read_lines.size();
  // Secrets never reach the log.
  EXPECT_EQ(d->stderr_text().find(token), std::string::npos);

  // plan trace: who planned, approved, applied; each device's steps.
  auto traced = run_cli(data.path(), {"plan", "trace", plan_id, "--json"}, {});
  ASSERT_EQ(traced.code, 0) << traced.err;
  auto t = parse_json(traced.out).value_or(json{});
  EXPECT_EQ(t["plan"].value("state", ""), "completed") << traced.out;
  EXPECT_EQ(t["plan"].value("created_by", ""), "local-operator") << traced.out;
  EXPECT_NE(t["plan"].value("approved_by", "").find("approver"),
            std::string::npos)
    << traced.out;
  auto entry = [&](const std::string& event, const std::string& device = {},
                   const std::string& source = {}) {
    for (auto& e : t["timeline"])
      if (e.value("event", "") == event
          && (device.empty() || e.value("device_id", "") == device)
          && (source.empty() || e.value("source", "") == source))
        return e;
    return json{};
  };
  EXPECT_EQ(entry("plan-call").value("request_id", ""), "obs-plan-1")
    << traced.out;
  EXPECT_NE(entry("plan-approved", {}, "audit").value("who", "").find("cli:"),
            std::string::npos)
    << traced.out;
  EXPECT_EQ(entry("apply-call").value("request_id", ""), trace_id);
  for (size_t i = 0; i < router_count; ++i) {
    EXPECT_FALSE(entry("device-applied", id(i)).is_null()) << id(i);
    EXPECT_FALSE(entry("device-snapshot", id(i)).is_null()) << id(i);
  }
  EXPECT_FALSE(entry("gate-passed").is_null());
  EXPECT_FALSE(entry("plan-completed").is_null());
  std::string last;
  for (auto& e : t["timeline"]) {
    EXPECT_LE(last, e.value("at", "")) << "timeline out of order";
    last = e.value("at", "");
  }
  ASSERT_EQ(t["devices"].size(), router_count);
  for (auto& dev : t["devices"]) {
    EXPECT_EQ(dev.value("state", ""), "applied") << dev.dump();
    EXPECT_GE(dev.value("steps", 0), 3) << dev.dump();
  }
  auto text = run_cli(data.path(), {"plan", "trace", plan_id}, {});
  ASSERT_EQ(text.code, 0) << text.err;
  for (auto* want :
       {"planned by   local-operator", "approved by  ", "device-applied",
        "apply-call", "plan-completed", "canary"})
    EXPECT_NE(text.out.find(want), std::string::npos) << want << text.out;
  auto missing = run_cli(data.path(), {"plan", "trace", "plan-nope"}, {});
  EXPECT_EQ(missing.code, 3) << missing.err;
}

TEST_F(observability_e2e, metrics_and_health_answer_beside_stdio) {
  auto d = daemon();
  auto port = metrics_port(*d);
  ASSERT_NE(port, 0) << d->stderr_text();
  // Samples for the device gauges, the REST latencies and errors.
  for (size_t i = 0; i < router_count; ++i)
    EXPECT_FALSE(
      call(*d, "device_health", {{"device_id", id(i)}})["result"].value(
        "isError", false));
  call(*d, "device_health", {{"device_id", "sim-dead"}});
  auto plan = call(*d, "config_plan_dns_ntp_rollout",
                   {{"device_ids", {id(0), id(1)}},
                    {"dns_servers", {"10.9.9.9"}},
                    {"pause_seconds", 0}});
  auto plan_id =
    plan["result"]["structuredContent"].value("plan_id", std::string{});
  ASSERT_FALSE(plan_id.empty()) << plan.dump();
  auto applied =
    call(*d, "config_apply_dns_ntp_rollout",
         {{"plan_id", plan_id}, {"approval_token", approve(plan_id)}});
  ASSERT_FALSE(applied["result"].value("isError", false)) << applied.dump();
  // /metrics names devices: a foreign Host is refused (DNS rebinding).
  auto foreign =
    http_exchange(port, "GET", "/metrics",
                  {{"Host", "evil.example:" + std::to_string(port)}});
  EXPECT_EQ(foreign.status, 403u) << foreign.body;
  auto health = http_exchange(port, "GET", "/health", {});
  EXPECT_EQ(health.status, 200u) << health.body;
  EXPECT_EQ(http_exchange(port, "GET", "/health/live", {}).status, 200u);
  EXPECT_EQ(http_exchange(port, "POST", "/mcp", {}, "{}").status, 404u);
  // The fleet takes the health samples asynchronously: scrape until the
  // device gauges are there (bounded).
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  do {
    auto scrape = http_exchange(port, "GET", "/metrics", {});
    ASSERT_EQ(scrape.status, 200u) << scrape.body;
    text = scrape.body;
  } while (text.find("rmcp_device_uptime_seconds{device=\"sim-2\"}")
             == std::string::npos
           && std::chrono::steady_clock::now() < deadline);
  for (
    auto* want :
    {"rmcp_sessions_open{transport=\"stdio\"} ",
     "rmcp_rest_request_duration_seconds_count{device=\"sim-0\",outcome="
     "\"ok\"}",
     "rmcp_rest_errors_total{device=\"sim-dead\",kind=\"router_unreachable\"}",
     "rmcp_device_cpu_percent{device=\"sim-1\"}",
     "rmcp_device_memory_total_bytes{device=\"sim-1\"}",
     "rmcp_rollout_steps_total{kind=\"dns_ntp\",outcome=\"device-applied\"} ",
     "rmcp_audit_queue_depth ", "rmcp_http_rejections_total{reason=\"host\"} "})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  // Every metric the dashboard names is in a real scrape.
  std::ifstream in{std::string{RMCP_SOURCE_DIR}
                   + "/docs/grafana-dashboard.json"};
  std::string dashboard{std::istreambuf_iterator<char>{in}, {}};
  auto parsed = parse_json(dashboard);
  ASSERT_TRUE(parsed) << "docs/grafana-dashboard.json is not JSON";
  std::set<std::string> names;
  std::regex metric{"rmcp_[a-z_]+"};
  for (auto& panel : (*parsed)["panels"])
    for (auto& target : panel.value("targets", json::array()))
      for (std::sregex_iterator
             i{target["expr"].get_ref<const std::string&>().begin(),
               target["expr"].get_ref<const std::string&>().end(), metric},
           end;
           i != end; ++i)
        names.insert(i->str());
  EXPECT_GE(names.size(), 12u);
  for (auto& name : names)
    EXPECT_TRUE(text.find("\n" + name + "{") != std::string::npos
                || text.find("\n" + name + " ") != std::string::npos)
      << "the dashboard names " << name << ", which no scrape has";
  d->close_stdin();
  EXPECT_EQ(d->wait(30s), 0) << d->stderr_text();
}

} // namespace rmcp
