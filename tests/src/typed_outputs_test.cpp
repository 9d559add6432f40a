// Tools whose output is typed (output_check::typed) skip the per-call
// outputSchema check: their handlers build every value with our own typed
// code. This proves it for each of them, against simulated routers of
// every kind the simulator has (legacy wireless, wifi, no radio, CAPsMAN
// controllers of either kind, an older RouterOS): every result is checked
// against the tool's declared outputSchema here instead.

#include <set>
#include <string>

#include "actors/tool_registry.hpp"
#include "protocol/json_schema.hpp"
#include "src/app/runtime.hpp"
#include "tests/support/sim_harness.hpp"

namespace rmcp {

namespace {

constexpr size_t routers = 5;

class typed_outputs_test : public test::sim_harness {
protected:
  void SetUp() override {
    using sim::capsman_kind;
    sim_overrides[0] = {"hAP ac^2", "7.20.5", {}, capsman_kind::legacy};
    sim_overrides[1] = {"RB5009UG+S+", "7.20.5", {}, capsman_kind::wifi};
    sim_overrides[2] = {"hAP ax^2", "7.20.5", {}, capsman_kind::none};
    sim_overrides[3] = {"RB5009UG+S+", "7.20.5", {}, capsman_kind::none};
    sim_overrides[4] = {"hAP ax^3", "7.16.2", {}, capsman_kind::wifi};
    start_with(routers);
  }

  /// The arguments a typed tool is called with on router i: the device,
  /// and what a tool needs beyond it, read from the router.
  json args_for(const std::string& tool, size_t i) {
    if (tool == "echo")
      return {{"message", "typed"}};
    auto args = on(i);
    if (tool == "get_interface")
      args["interface"] = first(i, "/interface", "name");
    else if (tool == "get_ip_address")
      args["address_id"] = first(i, "/ip/address", ".id");
    else if (tool == "get_route")
      args["route_id"] = first(i, "/ip/route", ".id");
    return args;
  }

  /// Field `key` of the first row of a router's menu.
  std::string first(size_t i, const std::string& path, const char* key) {
    auto rows = router_get(i, path);
    EXPECT_TRUE(rows.is_array() && !rows.empty()) << path;
    return rows.is_array() && !rows.empty() ? rows[0].value(key, std::string{})
                                            : std::string{};
  }
};

} // namespace

TEST_F(typed_outputs_test, every_typed_output_conforms_to_its_output_schema) {
  auto tools = app::build_tools();
  ASSERT_TRUE(tools) << error_message(tools.error());
  std::set<std::string> typed;
  for (auto& desc : (*tools)->all()) {
    if (desc.check != output_check::typed)
      continue;
    typed.insert(desc.spec.name);
    for (size_t i = 0; i < routers; ++i) {
      auto res = call(desc.spec.name, args_for(desc.spec.name, i));
      ASSERT_FALSE(res.value("isError", false))
        << desc.spec.name << " on sim-" << i << ": " << res.dump();
      ASSERT_TRUE(res.contains("structuredContent"))
        << desc.spec.name << ": " << res.dump();
      auto violations = desc.output.validate(res["structuredContent"]);
      EXPECT_TRUE(violations.empty())
        << desc.spec.name << " on sim-" << i << ": "
        << schema::to_string(violations) << "\n"
        << res["structuredContent"].dump();
    }
  }
  // The reads on the hot path are among them (and the check ran at all).
  for (const char* name :
       {"echo", "get_system_clock", "get_system_overview", "list_interfaces"})
    EXPECT_TRUE(typed.count(name)) << name << " is not marked typed";
}

TEST_F(typed_outputs_test, a_typed_output_needs_an_output_schema) {
  tool_registry reg;
  mcp::tool_spec spec;
  spec.name = "t_typed";
  spec.description = "a typed tool without an outputSchema";
  spec.input_schema = {{"type", "object"}};
  auto err = reg.add(
    spec, [](tool_call&) {}, {}, output_check::typed);
  ASSERT_TRUE(err);
  EXPECT_NE(error_message(err).find("needs an outputSchema"), std::string::npos)
    << error_message(err);
  spec.output_schema = {{"type", "object"}};
  EXPECT_FALSE(reg.add(
    spec, [](tool_call&) {}, {}, output_check::typed));
  EXPECT_EQ(reg.find("t_typed")->check, output_check::typed);
}

} // namespace rmcp
