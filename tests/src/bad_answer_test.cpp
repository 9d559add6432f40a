// A router's answer is untrusted: every read tool of the registry against a
// simulated router that answers GETs of other menus with /system/resource's
// body (RouterOS's post-boot race; the simulator's wrong_body_count fault).
// After one wrong body a tool answers the true data (the device actor
// retried); while wrong bodies persist it answers router_bad_answer, never
// an empty or default result. Fleet reads, resources and plan previews too.

#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

using namespace std::chrono_literals;

/// Objects → their keys, arrays → their lengths, values → their types: what
/// two reads of the same router a moment apart agree on (counters and
/// uptimes move).
json skeleton(const json& x) {
  if (x.is_object()) {
    json out = json::object();
    for (auto& [key, v] : x.items())
      out[key] = skeleton(v);
    return out;
  }
  if (x.is_array()) {
    json out = json::array();
    for (auto& v : x)
      out.push_back(skeleton(v));
    return out;
  }
  return x.type_name();
}

class bad_answer_test : public test::sim_harness {
protected:
  /// The read-only tools of the registry that read one device.
  std::vector<mcp::tool_spec> read_tools() {
    auto tools = app::build_tools();
    EXPECT_TRUE(tools);
    std::vector<mcp::tool_spec> out;
    for (auto& t : (*tools)->all()) {
      auto props = t.spec.input_schema.value("properties", json::object());
      if (t.spec.annotations.read_only && props.contains("device_id")
          && t.spec.tier != mcp::tool_tier::professional)
        out.push_back(t.spec);
    }
    return out;
  }

  /// sim-0 plus a value for every other argument the tool requires.
  json args_for(const mcp::tool_spec& t) {
    auto args = on(0);
    for (auto& required : t.input_schema.value("required", json::array())) {
      auto name = required.get<std::string>();
      if (name == "device_id")
        continue;
      if (name == "interface")
        args[name] = "ether1";
      else if (name == "target")
        args[name] = "127.0.0.1";
      else if (name == "address_id")
        args[name] = router_get(0, "/ip/address")[0][".id"];
      else if (name == "route_id")
        args[name] = router_get(0, "/ip/route")[0][".id"];
      else
        ADD_FAILURE() << t.name << " requires '" << name
                      << "': give it a value here";
    }
    return args;
  }

  void set_wrong_bodies(uint32_t n) {
    sim_fleet->router(0).update_faults(
      [n](sim::fault_config& f) { f.wrong_body_count = n; });
  }

  uint32_t wrong_bodies_left() {
    return sim_fleet->router(0).faults().wrong_body_count;
  }

  /// Calls a tool and lets the device actor's retries (jittered backoff,
  /// well under a second) run.
  json call_through_retries(const std::string& tool, json args) {
    auto id = ++last_id;
    call_async(id, tool, std::move(args));
    for (int i = 0; i < 50 && result_of(id).is_null(); ++i)
      advance_time(100ms);
    return result_of(id);
  }

  static std::string kind_of(const json& res) {
    return res.value("_meta", json::object()).value("error_kind", "");
  }
};

} // namespace

TEST_F(bad_answer_test,
       every_read_tool_answers_the_true_data_after_one_wrong_body) {
  start_with(1);
  size_t hit = 0;
  auto tools = read_tools();
  ASSERT_GT(tools.size(), 25u);
  for (auto& t : tools) {
    auto args = args_for(t);
    auto truth = call(t.name, args);
    ASSERT_TRUE(truth.is_object()) << t.name << " did not answer";
    ASSERT_FALSE(truth.value("isError", false)) << t.name << truth.dump();
    set_wrong_bodies(1);
    auto res = call_through_retries(t.name, args);
    ASSERT_TRUE(res.is_object()) << t.name << " did not answer";
    hit += wrong_bodies_left() == 0 ? 1 : 0;
    set_wrong_bodies(0);
    EXPECT_FALSE(res.value("isError", false)) << t.name << ": " << res.dump();
    EXPECT_EQ(skeleton(res["structuredContent"]),
              skeleton(truth["structuredContent"]))
      << t.name << ": " << res.dump() << "\ntruth: " << truth.dump();
  }
  // Most tools read a menu other than /system/resource.
  EXPECT_GT(hit, 25u);
}

TEST_F(bad_answer_test,
       while_wrong_bodies_persist_every_read_tool_answers_router_bad_answer) {
  start_with(1);
  size_t refused = 0;
  for (auto& t : read_tools()) {
    auto args = args_for(t);
    auto truth = call(t.name, args);
    set_wrong_bodies(1000);
    auto res = call_through_retries(t.name, args);
    ASSERT_TRUE(res.is_object()) << t.name << " did not answer";
    bool hit = wrong_bodies_left() < 1000;
    set_wrong_bodies(0);
    if (!hit) {
      // The tool reads no other menu (/system/resource, the fleet's health,
      // commands): its answer is the true one.
      EXPECT_EQ(skeleton(res), skeleton(truth)) << t.name << ": " << res.dump();
      continue;
    }
    if (t.name == "get_system_overview") {
      // The identity is a nicety: its failure is reported beside the
      // resource figures, never replaced by a default.
      EXPECT_TRUE(res["structuredContent"]["identity"].is_null()) << res.dump();
      EXPECT_NE(
        res["structuredContent"]["identity_error"].get<std::string>().find(
          "router_bad_answer"),
        std::string::npos)
        << res.dump();
      continue;
    }
    EXPECT_TRUE(res.value("isError", false)) << t.name << ": " << res.dump();
    EXPECT_EQ(kind_of(res), "router_bad_answer")
      << t.name << ": " << res.dump();
    EXPECT_EQ(res["_meta"]["retryable"], true) << t.name;
    ++refused;
  }
  EXPECT_GT(refused, 25u);
}

TEST_F(bad_answer_test, the_retry_re_reads_the_menu_a_few_times_then_gives_up) {
  start_with(1);
  set_wrong_bodies(1000);
  auto res = call_through_retries("get_routing_summary", on(0));
  EXPECT_EQ(kind_of(res), "router_bad_answer") << res.dump();
  auto text = res["content"][0]["text"].get<std::string>();
  EXPECT_NE(text.find("GET /ip/route: the router answered an object instead "
                      "of a list"),
            std::string::npos)
    << text;
  // device.read_attempts (3) GETs, no more.
  EXPECT_EQ(wrong_bodies_left(), 997u);
}

TEST_F(bad_answer_test, a_fleet_read_reports_the_device_as_failed_not_empty) {
  start_with(2);
  sim_fleet->router(1).update_faults(
    [](sim::fault_config& f) { f.wrong_body_count = 1000; });
  auto id = ++last_id;
  call_async(id, "fleet_read",
             {{"tool", "list_firewall_filter_rules"},
              {"device_ids", {"sim-0", "sim-1"}}});
  for (int i = 0; i < 50 && result_of(id).is_null(); ++i)
    advance_time(100ms);
  auto res = result_of(id);
  ASSERT_TRUE(res.is_object()) << "fleet_read did not answer";
  ASSERT_FALSE(res.value("isError", false)) << res.dump();
  auto& results = res["structuredContent"]["results"];
  ASSERT_EQ(results.size(), 2u) << res.dump();
  EXPECT_EQ(results[0]["ok"], true) << res.dump();
  EXPECT_EQ(results[1]["ok"], false) << res.dump();
  EXPECT_EQ(results[1]["error_kind"], "router_bad_answer") << res.dump();
  EXPECT_FALSE(results[1].contains("result")) << res.dump();
}

TEST_F(bad_answer_test, a_resource_read_fails_with_router_bad_answer) {
  start_with(1);
  set_wrong_bodies(1000);
  auto id = ++last_id;
  send({{"jsonrpc", "2.0"},
        {"id", id},
        {"method", "resources/read"},
        {"params", {{"uri", "device://sim-0/dhcp-leases"}}}});
  for (int i = 0; i < 50 && result_of(id).is_null(); ++i)
    advance_time(100ms);
  auto res = result_of(id);
  ASSERT_TRUE(res.is_object()) << "resources/read did not answer";
  EXPECT_FALSE(res.contains("contents")) << res.dump();
  EXPECT_EQ(res["data"]["kind"], "router_bad_answer") << res.dump();
}

TEST_F(bad_answer_test, a_plan_never_snapshots_a_state_it_did_not_understand) {
  device_flags flags;
  flags.allow_professional_workflows = true;
  flags.allow_routing_writes = true;
  start_with(1, {}, flags);
  start_plans();
  json args{{"device_ids", {"sim-0"}},
            {"dst_address", "10.99.0.0/16"},
            {"gateway", "10.155.0.254"}};
  auto truth = call("plan_add_static_route", args);
  ASSERT_FALSE(truth.value("isError", false)) << truth.dump();
  auto current = truth["structuredContent"]["preview"][0]["current"];
  ASSERT_FALSE(current.empty()) << truth.dump();
  set_wrong_bodies(1000);
  auto refused = call_through_retries("plan_add_static_route", args);
  EXPECT_TRUE(refused.value("isError", false)) << refused.dump();
  auto text = refused["content"][0]["text"].get<std::string>();
  EXPECT_NE(text.find("no plan was created"), std::string::npos) << text;
  EXPECT_NE(text.find("the router answered an object instead of a list"),
            std::string::npos)
    << text;
  set_wrong_bodies(1);
  auto planned = call_through_retries("plan_add_static_route", args);
  EXPECT_EQ(wrong_bodies_left(), 0u);
  set_wrong_bodies(0);
  ASSERT_FALSE(planned.value("isError", false)) << planned.dump();
  EXPECT_EQ(planned["structuredContent"]["preview"][0]["current"], current);
}

} // namespace rmcp
