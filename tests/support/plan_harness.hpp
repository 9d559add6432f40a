#pragma once

// sim_harness for the plan/apply tools of one change kind: routers whose
// devices allow professional workflows and the kind's flag, plans created
// through the tool, approved through the plan store as the CLI does, and
// applied through the kind's apply tool.

#include <string>
#include <vector>

#include "actors/rollout.hpp"
#include "tests/support/sim_harness.hpp"

namespace rmcp::test {

class plan_harness : public sim_harness {
protected:
  /// Starts `routers` routers whose devices allow professional workflows
  /// and `flag`.
  void start_pro(size_t routers, bool device_flags::*flag) {
    device_flags flags;
    flags.allow_professional_workflows = true;
    flags.*flag = true;
    start_with(routers, {}, flags);
  }

  /// ["sim-<from>", …, "sim-<to - 1>"].
  static json ids(size_t from, size_t to) {
    json out = json::array();
    for (auto i = from; i < to; ++i)
      out.push_back("sim-" + std::to_string(i));
    return out;
  }

  /// Creates a plan with `tool` (which must succeed); returns its answer.
  json plan(const std::string& tool, json args) {
    auto out = ok(tool, std::move(args));
    EXPECT_EQ(out.value("state", ""), "pending") << out.dump();
    EXPECT_FALSE(out.dump().find("approval_token") != std::string::npos);
    return out;
  }

  /// Approves plan `id` out of band and applies it with `apply_tool`;
  /// returns the rollout report.
  json approve_and_apply(const std::string& apply_tool, const std::string& id) {
    return ok(apply_tool, {{"plan_id", id}, {"approval_token", approve(id)}});
  }

  /// The error text of a tool call that must fail.
  std::string error_text(const std::string& tool, json args) {
    auto res = call(tool, std::move(args));
    EXPECT_TRUE(res.value("isError", false)) << tool << ": " << res.dump();
    std::string out;
    for (auto& c : res.value("content", json::array()))
      out += c.value("text", "");
    return out;
  }

  /// Dead-man jobs of plan `id` left on router `i`.
  size_t deadman_jobs(size_t i, const std::string& id) {
    size_t n = 0;
    for (auto& r : router_get(i, "/system/scheduler"))
      n += r.value("name", "") == deadman_job_name(id) ? 1 : 0;
    return n;
  }

  /// Fails the health gate of router `i` (high CPU).
  void fail_gate(size_t i) {
    sim_fleet->router(i).update_faults(
      [](sim::fault_config& f) { f.high_cpu = true; });
  }
};

} // namespace rmcp::test
