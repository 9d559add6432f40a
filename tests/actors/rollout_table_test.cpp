// The rollout's state tables (actors/rollout_table.hpp) as data: one row
// per (step, event); every outcome of every action has a row from the step
// the action runs in; every row's event can happen in its step; every step
// is reachable; only the final steps have no way out; and
// docs/architecture.md prints exactly these tables.

#include "actors/rollout_table.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include <gtest/gtest.h>

#include "protocol/plan.hpp"
#include "tests/test_paths.hpp"

namespace rmcp {

namespace {

using rollout_tables::device_table;
using rollout_tables::run_table;

/// Events that come from outside a device's own actions: its batch reaches
/// it, its batch's gate passed, the rollback reaches it.
const std::set<device_event> device_inputs{
  device_event::begin, device_event::disarm, device_event::roll_back};

/// Steps a device machine starts from: nothing done, or a takeover.
const std::set<device_step> device_starts{device_step::pending,
                                          device_step::device_snapshot,
                                          device_step::device_applied,
                                          device_step::device_rolling_back,
                                          device_step::device_rolled_back,
                                          device_step::device_rollback_failed};

const std::set<device_step> device_finals{device_step::device_rolled_back,
                                          device_step::device_rollback_failed};

const std::set<run_step> run_finals{
  run_step::plan_completed, run_step::plan_failed, run_step::plan_rolled_back};

/// Events of the run machine that the coordinator's start feeds in idle.
const std::set<run_event> run_inputs{run_event::run, run_event::resume,
                                     run_event::roll_back};

template <class Table, class Step, class Event>
std::set<Event> events_in(const Table& table, Step s) {
  std::set<Event> out;
  for (auto& r : table)
    if (r.to == s)
      for (auto e : outcomes(r.action))
        out.insert(e);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

TEST(rollout_table, each_step_and_event_has_at_most_one_row) {
  std::set<std::pair<device_step, device_event>> seen;
  for (auto& r : device_table)
    EXPECT_TRUE(seen.emplace(r.from, r.event).second)
      << to_string(r.from) << " × " << to_string(r.event);
  std::set<std::pair<run_step, run_event>> seen_run;
  for (auto& r : run_table)
    EXPECT_TRUE(seen_run.emplace(r.from, r.event).second)
      << to_string(r.from) << " × " << to_string(r.event);
}

TEST(rollout_table, find_row_answers_each_row_and_nothing_else) {
  for (auto& r : device_table)
    EXPECT_EQ(find_row(r.from, r.event), &r);
  for (auto& r : run_table)
    EXPECT_EQ(find_row(r.from, r.event), &r);
  EXPECT_EQ(find_row(device_step::device_rolled_back, device_event::begin),
            nullptr);
  EXPECT_EQ(find_row(run_step::plan_completed, run_event::run), nullptr);
}

TEST(rollout_table, every_outcome_of_an_action_has_a_row_from_its_step) {
  for (auto& r : device_table)
    for (auto e : outcomes(r.action))
      EXPECT_NE(find_row(r.to, e), nullptr)
        << to_string(r.action) << " runs in " << to_string(r.to)
        << " and can answer " << to_string(e) << ", which has no row";
  for (auto& r : run_table)
    for (auto e : outcomes(r.action))
      EXPECT_NE(find_row(r.to, e), nullptr)
        << to_string(r.action) << " runs in " << to_string(r.to)
        << " and can answer " << to_string(e) << ", which has no row";
}

TEST(rollout_table, every_row_event_can_happen_in_its_step) {
  for (auto& r : device_table) {
    if (device_inputs.count(r.event))
      continue;
    auto can = events_in<decltype(device_table), device_step, device_event>(
      device_table, r.from);
    EXPECT_TRUE(can.count(r.event))
      << "no action running in " << to_string(r.from) << " answers "
      << to_string(r.event);
  }
  for (auto& r : run_table) {
    if (r.from == run_step::idle && run_inputs.count(r.event))
      continue;
    auto can =
      events_in<decltype(run_table), run_step, run_event>(run_table, r.from);
    EXPECT_TRUE(can.count(r.event))
      << "no action running in " << to_string(r.from) << " answers "
      << to_string(r.event);
  }
}

TEST(rollout_table, every_step_is_reachable_and_only_final_steps_end) {
  std::set<device_step> reached(device_starts.begin(), device_starts.end());
  for (bool grew = true; grew;) {
    grew = false;
    for (auto& r : device_table)
      if (reached.count(r.from) && reached.insert(r.to).second)
        grew = true;
  }
  for (auto s = 0; s <= static_cast<int>(device_step::device_rollback_failed);
       ++s) {
    auto step = static_cast<device_step>(s);
    EXPECT_TRUE(reached.count(step)) << to_string(step) << " is unreachable";
    bool out = std::any_of(device_table.begin(), device_table.end(),
                           [step](auto& r) { return r.from == step; });
    EXPECT_EQ(out, !device_finals.count(step)) << to_string(step);
  }
  std::set<run_step> reached_run{run_step::idle};
  for (bool grew = true; grew;) {
    grew = false;
    for (auto& r : run_table)
      if (reached_run.count(r.from) && reached_run.insert(r.to).second)
        grew = true;
  }
  for (auto s = 0; s <= static_cast<int>(run_step::plan_rolled_back); ++s) {
    auto step = static_cast<run_step>(s);
    EXPECT_TRUE(reached_run.count(step))
      << to_string(step) << " is unreachable";
    bool out = std::any_of(run_table.begin(), run_table.end(),
                           [step](auto& r) { return r.from == step; });
    EXPECT_EQ(out, !run_finals.count(step)) << to_string(step);
  }
}

TEST(rollout_table, a_row_that_changes_the_step_journals_it) {
  for (auto& r : device_table) {
    if (r.to != r.from) {
      EXPECT_TRUE(r.journal)
        << to_string(r.from) << " × " << to_string(r.event);
    }
    if (r.journal) {
      EXPECT_NE(r.to, device_step::pending);
    }
  }
  for (auto& r : run_table) {
    if (r.to != r.from) {
      EXPECT_TRUE(r.journal)
        << to_string(r.from) << " × " << to_string(r.event);
    }
    if (r.journal) {
      EXPECT_NE(r.to, run_step::idle);
    }
  }
}

TEST(rollout_table, steps_record_the_device_states_that_apply_step_knows) {
  // The states a journaled device step stores, as plan_device documents
  // them; the dead-man steps store none.
  const std::set<std::string> states{
    "pending",      "snapshotted",  "applying",    "applied",
    "apply_failed", "rolling_back", "rolled_back", "rollback_failed"};
  for (auto& r : device_table) {
    std::string s = device_state_of(r.to);
    if (!s.empty()) {
      EXPECT_TRUE(states.count(s)) << s;
    }
  }
  EXPECT_STREQ(device_state_of(device_step::deadman_arming), "");
  EXPECT_STREQ(device_state_of(device_step::deadman_disarming), "");
  EXPECT_STREQ(device_state_of(device_step::deadman_waiting), "");
  EXPECT_STREQ(to_string(device_step::device_snapshot), "device-snapshot");
  EXPECT_STREQ(to_string(run_step::gate_passed), "gate-passed");
}

TEST(rollout_table, a_takeover_starts_each_device_from_its_stored_state) {
  auto step = [](std::string state, json before) {
    plan_device d;
    d.state = std::move(state);
    d.before = std::move(before);
    return takeover_step(d);
  };
  json snap{{"dns_servers", {"10.0.0.1"}}};
  EXPECT_EQ(step("pending", json::object()), device_step::pending);
  EXPECT_EQ(step("snapshotted", snap), device_step::device_snapshot);
  EXPECT_EQ(step("applying", snap), device_step::device_snapshot);
  EXPECT_EQ(step("apply_failed", snap), device_step::device_snapshot);
  // Its first read failed: no snapshot to keep.
  EXPECT_EQ(step("apply_failed", json::object()), device_step::pending);
  EXPECT_EQ(step("applied", snap), device_step::device_applied);
  EXPECT_EQ(step("rolling_back", snap), device_step::device_rolling_back);
  EXPECT_EQ(step("rolled_back", snap), device_step::device_rolled_back);
  EXPECT_EQ(step("rollback_failed", snap), device_step::device_rollback_failed);
  for (auto s :
       {"pending", "snapshotted", "applying", "applied", "apply_failed",
        "rolling_back", "rolled_back", "rollback_failed"})
    EXPECT_TRUE(device_starts.count(step(s, snap))
                || device_starts.count(step(s, json::object())))
      << s;
}

TEST(rollout_table, docs_architecture_prints_the_tables_of_the_code) {
  auto doc = read_file(RMCP_SOURCE_DIR "/docs/architecture.md");
  const std::string begin = "<!-- rollout-tables: begin (generated from "
                            "actors/rollout_table.hpp) -->\n";
  const std::string end = "<!-- rollout-tables: end -->";
  auto b = doc.find(begin);
  auto e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << "docs/architecture.md lacks " << begin;
  ASSERT_NE(e, std::string::npos) << "docs/architecture.md lacks " << end;
  auto printed = doc.substr(b + begin.size(), e - b - begin.size());
  EXPECT_EQ(printed, render_rollout_tables())
    << "docs/architecture.md's rollout tables differ from the code; the "
       "current tables are:\n"
    << render_rollout_tables();
}

} // namespace rmcp
