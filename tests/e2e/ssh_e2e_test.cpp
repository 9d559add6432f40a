// End-to-end over real sockets: the built binary reads a simulated router
// over SSH. A device of transport `auto` whose router has REST switched off
// answers every read tool over SSH, marked as such in `_meta`; one of
// transport `ssh` reads and writes without touching REST; a wrong host
// key, a refused login and answers cut halfway through fail with their own
// error classes.

#include <set>

#include <gtest/gtest.h>

#include "sim/fleet.hpp"
#include "tests/e2e/cli_run.hpp"
#include "tests/e2e/stdio_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using namespace test;

const std::string binary = RMCP_BINARY_PATH;

/// Read tools that take a device but answer without a router: from the
/// store or the daemon's own state. Every other read tool with a
/// `device_id` must answer over SSH (a new one is covered without an edit
/// here).
const std::set<std::string> not_router_reads{};

class ssh_e2e : public ::testing::Test {
protected:
  ssh_e2e() {
    sim::fleet_options o;
    o.routers = 1;
    o.tls = true;
    o.ssh = true;
    o.time_scale = 0.01;
    routers = std::make_unique<sim::fleet>(o);
  }

  outcome cli(std::vector<std::string> args) {
    args.insert(args.begin(), "device");
    return run_cli(data.path(), args,
                   {{"ROUTEROS_MCP_DEVICE_PASSWORD", "routeros-sim"}});
  }

  void add(const std::string& id, const std::string& transport,
           const std::string& host_key) {
    std::vector<std::string> args{
      "add",           id,
      "--host",        "127.0.0.1",
      "--port",        std::to_string(routers->port(0)),
      "--username",    "admin",
      "--fingerprint", routers->fingerprint_sha256(),
      "--transport",   transport,
      "--ssh-port",    std::to_string(routers->ssh_port(0))};
    if (!host_key.empty()) {
      args.push_back("--ssh-host-key");
      args.push_back(host_key);
    }
    auto o = cli(args);
    ASSERT_EQ(o.code, 0) << o.err;
  }

  std::unique_ptr<child_process> serve(std::vector<std::string> sets = {}) {
    std::vector<std::string> argv{binary, "--set", "device.health_checks=false",
                                  "--set", "server.tools_page_size=1000"};
    for (auto& s : sets) {
      argv.push_back("--set");
      argv.push_back(s);
    }
    argv.push_back("serve");
    argv.push_back("--stdio");
    auto server = std::make_unique<child_process>(
      argv, std::map<std::string, std::string>{
              {"ROUTEROS_MCP_DATA_DIR", data.path()}});
    handshake(*server);
    return server;
  }

  /// The answer to request `id`, past any notification in between.
  json answer(child_process& server, const std::string& method,
              json params = nullptr) {
    auto id = ++next_id;
    auto line = request(server, id, method, std::move(params));
    for (int i = 0; i < 1000 && line.is_object() && line.value("id", -1) != id;
         ++i)
      line = read_json(server);
    return line;
  }

  json call_with(child_process& server, const std::string& tool, json args) {
    return answer(server, "tools/call",
                  {{"name", tool}, {"arguments", std::move(args)}});
  }

  json call(child_process& server, const std::string& tool,
            const std::string& device) {
    return call_with(server, tool, json{{"device_id", device}});
  }

  /// The read-only tools of the registry that take a device.
  std::vector<json> device_read_tools(child_process& server) {
    auto listed = answer(server, "tools/list");
    std::vector<json> out;
    for (auto& t : listed["result"]["tools"]) {
      auto props = t["inputSchema"].value("properties", json::object());
      bool read_only =
        t.value("annotations", json::object()).value("readOnlyHint", false);
      if (read_only && props.contains("device_id")
          && !not_router_reads.count(t["name"].get<std::string>()))
        out.push_back(t);
    }
    return out;
  }

  /// The device plus a value for every other argument `tool` requires
  /// (read from the router before REST is switched off).
  json args_for(const json& tool, const std::string& device) {
    json args{{"device_id", device}};
    for (auto& required :
         tool["inputSchema"].value("required", json::array())) {
      auto name = required.get<std::string>();
      if (name == "device_id")
        continue;
      if (name == "interface")
        args[name] = "ether1";
      else if (name == "target")
        args[name] = "127.0.0.1";
      else if (name == "address_id")
        args[name] = first_id("/rest/ip/address");
      else if (name == "route_id")
        args[name] = first_id("/rest/ip/route");
      else if (name == "target_device_id")
        args[name] = "peer";
      else
        ADD_FAILURE() << tool["name"] << " requires '" << name
                      << "': give it a value here";
    }
    return args;
  }

  std::string first_id(const std::string& path) {
    auto got = routers->router(0).request("GET", path);
    auto rows = json::parse(got.body, nullptr, false);
    if (!rows.is_array() || rows.empty())
      return "*0";
    return rows[0].value(".id", "*0");
  }

  /// Calls get_system_overview until it answers over `transport` (the
  /// simulator opens and closes its REST listener on its own thread);
  /// returns the last answer.
  json wait_transport(child_process& server, const std::string& device,
                      const std::string& transport) {
    json got;
    for (int i = 0; i < 200; ++i) {
      got = call(server, "get_system_overview", device);
      if (got["result"]["_meta"].value("transport", "") == transport)
        break;
    }
    return got;
  }

  size_t rest_requests() {
    size_t n = 0;
    for (auto& r : routers->router(0).request_log())
      n += r.method != "SSH";
    return n;
  }

  std::unique_ptr<sim::fleet> routers;
  temp_dir data;
  int next_id = 10;
};

} // namespace

TEST_F(ssh_e2e, with_rest_switched_off_every_read_tool_answers_over_ssh) {
  add("edge-01", "auto", routers->ssh_host_key_sha256());
  // bandwidth_test's target, and the capability it needs at both ends.
  add("peer", "rest", "");
  for (auto* id : {"edge-01", "peer"})
    ASSERT_EQ(cli({"update", id, "--allow-bandwidth-test",
                   "--allow-professional-workflows"})
                .code,
              0)
      << id;
  ASSERT_EQ(cli({"update", "edge-01", "--allow-advanced-writes"}).code, 0);
  // Once REST was refused, reads go straight to SSH (device.rest_retry_after,
  // 30 s): the closed REST port is not dialled again while the tools run,
  // so another process that binds it meanwhile cannot answer in its place.
  auto server = serve();
  auto tools = device_read_tools(*server);
  ASSERT_GE(tools.size(), 30u);
  std::vector<std::pair<std::string, json>> calls;
  for (auto& t : tools)
    calls.emplace_back(t["name"].get<std::string>(), args_for(t, "edge-01"));
  routers->router(0).update_faults([](auto& f) { f.rest_disabled = true; });
  wait_transport(*server, "edge-01", "ssh");
  auto before = rest_requests();
  for (auto& [tool, args] : calls) {
    auto got = call_with(*server, tool, args);
    auto& result = got["result"];
    EXPECT_EQ(result.value("isError", false), false)
      << tool << ": " << got.dump();
    EXPECT_EQ(result["_meta"].value("transport", ""), "ssh")
      << tool << ": " << got.dump();
    EXPECT_EQ(result["_meta"].value("fallback_used", false), true)
      << tool << ": " << got.dump();
  }
  EXPECT_EQ(rest_requests(), before);
  // REST back on: the next read goes over REST again, unmarked.
  routers->router(0).update_faults([](auto& f) { f.rest_disabled = false; });
  // Writes never fall back: the first that REST answers (once the
  // simulator reopened its port) ends the SSH period at once.
  json write;
  for (int i = 0; i < 200; ++i) {
    write = call_with(*server, "set_system_identity",
                      {{"device_id", "edge-01"}, {"identity", "back"}});
    if (!write["result"].value("isError", false))
      break;
  }
  // Its read of the state before still went over SSH: "mixed".
  EXPECT_EQ(write["result"]["_meta"].value("transport", ""), "mixed")
    << write.dump();
  auto overview = call(*server, "get_system_overview", "edge-01");
  EXPECT_EQ(overview["result"]["_meta"].value("transport", ""), "rest")
    << overview.dump();
  EXPECT_EQ(overview["result"]["_meta"].value("fallback_used", true), false)
    << overview.dump();
  server->close_stdin();
  EXPECT_EQ(server->wait(), 0) << server->stderr_text();
}

TEST_F(ssh_e2e, an_ssh_only_device_reads_and_writes_over_ssh_alone) {
  add("edge-02", "ssh", routers->ssh_host_key_sha256());
  ASSERT_EQ(cli({"update", "edge-02", "--allow-advanced-writes"}).code, 0);
  auto server = serve();
  auto answer = call(*server, "list_interfaces", "edge-02");
  ASSERT_EQ(answer["result"].value("isError", false), false) << answer.dump();
  EXPECT_EQ(answer["result"]["_meta"]["transport"], "ssh") << answer.dump();
  EXPECT_EQ(answer["result"]["_meta"]["fallback_used"], false) << answer.dump();
  auto write = request(
    *server, ++next_id, "tools/call",
    {{"name", "set_system_identity"},
     {"arguments", {{"device_id", "edge-02"}, {"identity", "renamed"}}}});
  // The write tool's own path (lease, state before, audit) over SSH.
  EXPECT_EQ(write["result"].value("isError", false), false) << write.dump();
  EXPECT_EQ(write["result"]["structuredContent"].value("changed", false), true)
    << write.dump();
  EXPECT_EQ(write["result"]["_meta"]["transport"], "ssh") << write.dump();
  EXPECT_EQ(rest_requests(), 0u);
  auto identity = routers->router(0).request("GET", "/rest/system/identity");
  EXPECT_NE(identity.body.find("renamed"), std::string::npos) << identity.body;
  server->close_stdin();
  EXPECT_EQ(server->wait(), 0) << server->stderr_text();
}

TEST_F(ssh_e2e, a_wrong_host_key_a_refused_login_and_a_cut_answer_are_classed) {
  std::string wrong;
  for (int i = 0; i < 32; ++i)
    wrong += i == 0 ? "00" : ":00";
  add("pinned-wrong", "ssh", wrong);
  add("edge-03", "ssh", routers->ssh_host_key_sha256());
  auto server = serve();
  std::string last;
  auto kind = [&](const std::string& device) {
    auto answer = call(*server, "get_system_overview", device);
    EXPECT_EQ(answer["result"].value("isError", false), true) << answer.dump();
    last = answer.dump();
    return answer["result"]["_meta"].value("error_kind", "");
  };
  EXPECT_EQ(kind("pinned-wrong"), "router_host_key_mismatch") << last;
  routers->router(0).update_faults([](auto& f) { f.reject_auth = true; });
  EXPECT_EQ(kind("edge-03"), "router_auth_failed") << last;
  routers->router(0).update_faults([](auto& f) {
    f.reject_auth = false;
    f.drop_rate = 1.0;
  });
  // A cut answer is router_unreachable; or circuit_open when the call's
  // own attempts (two GETs in parallel, each retried) tripped the breaker
  // before one of them gave up, which then names the cut as its last cause
  // (a cold run of the whole suite saw it once).
  auto cut = kind("edge-03");
  EXPECT_TRUE(
    cut == "router_unreachable"
    || (cut == "circuit_open"
        && last.find("last: router_unreachable") != std::string::npos))
    << cut << " " << last;
  EXPECT_EQ(rest_requests(), 0u);
  server->close_stdin();
  EXPECT_EQ(server->wait(), 0) << server->stderr_text();
}

TEST_F(ssh_e2e, a_wifi_capsman_controller_answers_its_remote_caps_both_ways) {
  sim::fleet_options o;
  o.routers = 1;
  o.tls = true;
  o.ssh = true;
  o.time_scale = 0.01;
  o.overrides[0] = {"RB5009UG+S+", "7.20.5", {}, sim::capsman_kind::wifi};
  sim::fleet controller{o};
  auto added =
    cli({"add", "ctrl", "--host", "127.0.0.1", "--port",
         std::to_string(controller.port(0)), "--username", "admin",
         "--fingerprint", controller.fingerprint_sha256(), "--transport",
         "auto", "--ssh-port", std::to_string(controller.ssh_port(0)),
         "--ssh-host-key", controller.ssh_host_key_sha256()});
  ASSERT_EQ(added.code, 0) << added.err;
  auto rows =
    json::parse(controller.router(0)
                  .request("GET", "/rest/interface/wifi/capsman/remote-cap")
                  .body);
  ASSERT_TRUE(rows.is_array());
  ASSERT_FALSE(rows.empty());
  auto server = serve({"device.rest_retry_after=0s"});
  auto check = [&](const std::string& transport) {
    auto got = call(*server, "get_capsman_remote_caps", "ctrl");
    auto& out = got["result"]["structuredContent"];
    EXPECT_EQ(out.value("driver", ""), "wifi") << got.dump();
    ASSERT_EQ(out.value("count", 0u), rows.size()) << got.dump();
    for (size_t k = 0; k < rows.size(); ++k) {
      EXPECT_EQ(out["caps"][k]["identity"], rows[k]["identity"]) << k;
      EXPECT_EQ(out["caps"][k]["address"], rows[k]["address"]) << k;
    }
    EXPECT_EQ(got["result"]["_meta"].value("transport", ""), transport)
      << got.dump();
    auto clients = call(*server, "get_capsman_registrations", "ctrl");
    EXPECT_EQ(clients["result"].value("isError", false), false)
      << clients.dump();
    EXPECT_EQ(clients["result"]["structuredContent"].value("driver", ""),
              "wifi")
      << clients.dump();
  };
  check("rest");
  controller.router(0).update_faults([](auto& f) { f.rest_disabled = true; });
  wait_transport(*server, "ctrl", "ssh");
  check("ssh");
  server->close_stdin();
  EXPECT_EQ(server->wait(), 0) << server->stderr_text();
}

TEST_F(ssh_e2e, an_unpinned_ssh_device_is_refused_outside_lab) {
  auto o = cli({"add", "edge-04", "--host", "127.0.0.1", "--username", "admin",
                "--environment", "prod", "--fingerprint",
                routers->fingerprint_sha256(), "--transport", "auto"});
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.err.find("ssh.host_key_sha256"), std::string::npos) << o.err;
}

} // namespace rmcp
