#pragma once

// Runs real tools end to end under the testing scheduler: an MCP session
// with the full tool catalog, a fleet over a fake store, and device actors
// whose REST clients are scripted fakes. Tests call tools with JSON-RPC and
// read the CallToolResult; the path is the production one (session → tool
// call actor → fleet → device actor → REST client).

#include <functional>
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
#include "actors/plan_actor.hpp"
#include "actors/rollout.hpp"
#include "src/app/runtime.hpp"
#include "src/tools/change_kinds.hpp"
#include "storage/memory_store.hpp"
#include "storage/plan_store.hpp"
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
    rollout_cfg.gate_delay = std::chrono::milliseconds{0};
    rollout_cfg.pause = std::chrono::milliseconds{0};
  }

  ~tool_harness() override {
    for (auto& a :
         std::vector<caf::actor>{caf::actor_cast<caf::actor>(session),
                                 caf::actor_cast<caf::actor>(rollouts),
                                 caf::actor_cast<caf::actor>(plans),
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
    fleet = spawn_fleet(sys, store, client_factory ? client_factory : factory,
                        fleet_cfg);
    svc->fleet = wrap_fleet ? wrap_fleet(fleet) : fleet;
    start_plans();
    svc->plans = plans;
    svc->rollouts = rollouts;
    svc->rollout = rollout_cfg;
    svc->membership = membership;
    out = std::make_shared<std::vector<json>>();
    sink = sys.spawn([out{out}](caf::event_based_actor*) -> caf::behavior {
      return {
        [out](atom::rpc_out, const std::string& payload, const std::string&) {
          out->push_back(*parse_json(payload));
        }};
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

  /// (Re)starts the plan store actor and the rollout manager over
  /// `plan_kv` (a fresh memory store when unset), like a daemon start.
  void start_plans() {
    if (!plan_kv)
      plan_kv = storage::make_memory_store();
    storage::plan_store_options popts;
    popts.clock = [this] { return plan_clock_ms; };
    plan_db = std::make_shared<storage::plan_store>(
      plan_kv, *storage::credential_key::parse(std::string(64, 'c')), popts);
    plans = spawn_plan_actor(sys, plan_db, false);
    rollout_deps deps;
    deps.plans = plans;
    deps.fleet = fleet;
    deps.kinds = tools::find_change_kind;
    deps.settings = rollout_cfg;
    deps.on_transition = rollout_observer;
    deps.claims = rollout_claims;
    rollouts = spawn_rollout_manager(sys, std::move(deps));
  }

  /// Approves plan `id` as another person (what `routeros-mcp plan approve`
  /// does); returns the token.
  std::string approve(const std::string& id,
                      const std::string& who = "cli:approver") {
    auto token = plan_db->approve(id, who);
    EXPECT_TRUE(token) << error_message(token.error());
    return token ? *token : std::string{};
  }

  void send(const json& msg) {
    caf::anon_send(session, atom::rpc_in_v, msg.dump());
    run();
  }

  /// Request timeouts in CAF's clock: the session's (its one deadline
  /// sweep, request_within) or, with `of_session` false, all others'.
  /// CAF 0.17.6 keeps a finite request timeout there until it fires,
  /// answered or not.
  size_t request_timeouts(bool of_session) {
    size_t n = 0;
    for (auto& entry : sched.clock().actor_lookup())
      if ((entry.first == session.id()) == of_session
          && entry.second->second->subtype
               == caf::detail::simple_actor_clock::request_timeout_type)
        ++n;
    return n;
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
    send({{"jsonrpc", "2.0"},
          {"id", id},
          {"method", method},
          {"params", std::move(params)}});
    return result_of(id);
  }

  /// notifications/resources/updated received for `uri` so far.
  size_t updates_for(const std::string& uri) const {
    size_t n = 0;
    for (auto& msg : *out)
      if (msg.value("method", "") == "notifications/resources/updated"
          && msg["params"]["uri"] == uri)
        ++n;
    return n;
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

  /// Puts an actor between the session (and its tools) and the fleet,
  /// e.g. one that counts the messages (set before start()).
  std::function<fleet_actor(fleet_actor)> wrap_fleet;
  /// The node's cluster membership as the sessions see it (set before
  /// start(); none by default: a single node).
  membership_actor membership;
  /// The session's caller (set before start()).
  identity who = [] {
    identity i;
    i.subject = "tester";
    i.role = "admin";
    i.transport = "test";
    return i;
  }();
  /// Scripted clients (the default).
  std::shared_ptr<fake_rest_factory> factory;
  /// Another client factory (e.g. sim_rest_factory) replacing `factory`.
  rest_client_factory_ptr client_factory;
  std::shared_ptr<fake_store_data> data;
  fleet_settings fleet_cfg;
  /// Rollout policy for plans (no gate delay, no pause by default).
  rollout_settings rollout_cfg;
  /// Sees every transition of the rollout coordinators (set before
  /// start_plans(); none by default): rollout_deps::on_transition.
  std::function<bool(const rollout_transition&)> rollout_observer;
  /// Optional: the rollout claimer (a cluster node's), for the rollout
  /// manager started by start_plans.
  caf::actor rollout_claims;
  /// Table layer of the plans (survives start_plans(): a restart).
  std::shared_ptr<storage::kv_store> plan_kv;
  std::shared_ptr<storage::plan_store> plan_db;
  /// The plan store's clock (approval expiry), Unix ms.
  int64_t plan_clock_ms = 1'767'225'600'000;
  plan_store_actor plans;
  rollout_manager_actor rollouts;
  store_actor store;
  fleet_actor fleet;
  notifier_actor notifier;
  caf::actor sink;
  mcp_session_actor session;
  std::shared_ptr<std::vector<json>> out;
  int last_id = 100;
};

} // namespace rmcp::test
