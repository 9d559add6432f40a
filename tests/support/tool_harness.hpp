#pragma once

// Runs real tools end to end under the testing scheduler: an MCP session
// with the full tool catalog, a fleet over a fake store, and device actors
// whose REST clients are scripted fakes. Tests call tools with JSON-RPC and
// read the CallToolResult; the path is the production one (session → tool
// call actor → fleet → device actor → REST client).

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/fleet.hpp"
#include "actors/mcp_session.hpp"
#include "actors/notifier.hpp"
#include "src/app/runtime.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/fake_rest_client.hpp"
#include "tests/support/fake_store.hpp"

namespace rmcp::test {

class tool_harness : public actor_fixture {
protected:
  tool_harness() {
    factory = std::make_shared<fake_rest_factory>();
    data = std::make_shared<fake_store_data>();
    fleet_cfg.seed = 1;
    fleet_cfg.device.seed = 1;
    fleet_cfg.device.health_checks = false;
  }

  ~tool_harness() override {
    for (auto& a : std::vector<caf::actor>{
           caf::actor_cast<caf::actor>(session),
           caf::actor_cast<caf::actor>(fleet),
           caf::actor_cast<caf::actor>(store),
           caf::actor_cast<caf::actor>(notifier), sink})
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
  }

  /// Registers a device directly in the store (before start()).
  void add_device(device_record r, std::string password = "secret") {
    data->creds[r.id] = credential{r.username, std::move(password)};
    data->devices[r.id] = std::move(r);
    ++data->generation;
  }

  /// Starts store, fleet and an initialized session for `environment`.
  void start(const std::string& environment = "lab") {
    auto tools = app::build_tools();
    ASSERT_TRUE(tools) << error_message(tools.error());
    auto svc = std::make_shared<services>();
    svc->system = &sys;
    svc->environment = environment;
    svc->tools = *tools;
    notifier = spawn_notifier(sys);
    svc->notifier = notifier;
    store = spawn_fake_store(sys, data);
    svc->store = store;
    fleet_cfg.environment = environment;
    fleet = spawn_fleet(sys, store,
                        client_factory ? client_factory : factory, fleet_cfg);
    svc->fleet = fleet;
    out = std::make_shared<std::vector<json>>();
    sink = sys.spawn([out{out}](caf::event_based_actor*) -> caf::behavior {
      return {[out](atom::rpc_out, const std::string& payload,
                    const std::string&) { out->push_back(*parse_json(payload)); }};
    });
    session_context ctx;
    ctx.tools = *tools;
    ctx.svc = svc;
    ctx.settings.tool_timeout = std::chrono::seconds{30};
    ctx.who = who;
    auto resources = app::build_resources();
    ASSERT_TRUE(resources) << error_message(resources.error());
    ctx.resources = *resources;
    auto prompts = app::build_prompts();
    ASSERT_TRUE(prompts) << error_message(prompts.error());
    ctx.prompts = *prompts;
    session = sys.spawn(mcp_session, caf::actor_cast<mcp_sink_actor>(sink),
                        std::move(ctx));
    run();
    send({{"jsonrpc", "2.0"},
          {"id", 0},
          {"method", "initialize"},
          {"params",
           {{"protocolVersion", "2025-11-25"},
            {"capabilities", json::object()},
            {"clientInfo", {{"name", "test"}, {"version", "1"}}}}}});
    send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }

  void send(const json& msg) {
    caf::anon_send(session, atom::rpc_in_v, msg.dump());
    run();
  }

  /// Starts a tools/call; the answer appears in `result_of(id)` once the
  /// scheduler ran (and the fakes answered).
  void call_async(int id, const std::string& tool, json args) {
    send({{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "tools/call"},
          {"params", {{"name", tool}, {"arguments", std::move(args)}}}});
  }

  /// The CallToolResult (or JSON-RPC error object) of request `id`; null
  /// while unanswered.
  json result_of(int id) const {
    for (auto& msg : *out)
      if (msg.contains("id") && msg["id"] == id)
        return msg.contains("result") ? msg["result"] : msg["error"];
    return nullptr;
  }

  /// Sends request `method` and returns its result (or JSON-RPC error
  /// object).
  json request(const std::string& method, json params = json::object()) {
    auto id = ++last_id;
    send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method},
          {"params", std::move(params)}});
    return result_of(id);
  }

  /// The JSON content of a resources/read result (or the error object).
  json read(const std::string& uri) {
    auto r = request("resources/read", {{"uri", uri}});
    if (!r.contains("contents"))
      return r;
    EXPECT_EQ(r["contents"][0]["uri"], uri);
    EXPECT_EQ(r["contents"][0]["mimeType"], "application/json");
    return parse_json(r["contents"][0]["text"].get<std::string>()).value();
  }

  /// Calls a tool and returns its result (fakes must answer synchronously).
  json call(const std::string& tool, json args = json::object()) {
    auto id = ++last_id;
    call_async(id, tool, std::move(args));
    return result_of(id);
  }

  /// The session's caller (set before start()).
  identity who{"tester", "admin", "test", {}, {}, {}};
  /// Scripted clients (the default).
  std::shared_ptr<fake_rest_factory> factory;
  /// Another client factory (e.g. sim_rest_factory) replacing `factory`.
  rest_client_factory_ptr client_factory;
  std::shared_ptr<fake_store_data> data;
  fleet_settings fleet_cfg;
  store_actor store;
  fleet_actor fleet;
  notifier_actor notifier;
  caf::actor sink;
  mcp_session_actor session;
  std::shared_ptr<std::vector<json>> out;
  int last_id = 100;
};

} // namespace rmcp::test
