#include "actors/rollout_table.hpp"

#include <vector>

#include "protocol/plan.hpp"

namespace rmcp {

const device_row* find_row(device_step from, device_event e) {
  for (auto& r : rollout_tables::device_table)
    if (r.from == from && r.event == e)
      return &r;
  return nullptr;
}

const run_row* find_row(run_step from, run_event e) {
  for (auto& r : rollout_tables::run_table)
    if (r.from == from && r.event == e)
      return &r;
  return nullptr;
}

std::vector<device_event> outcomes(device_action a) {
  using e = device_event;
  switch (a) {
    case device_action::read_state:
      return {e::read, e::failed};
    case device_action::plan_changes:
      return {e::unchanged, e::changes, e::risky_changes, e::failed};
    case device_action::clear_deadman:
      return {e::cleared, e::failed};
    case device_action::arm_deadman:
      return {e::armed, e::failed};
    case device_action::write_changes:
      return {e::written, e::failed};
    case device_action::remove_deadman:
      return {e::disarmed, e::failed};
    case device_action::read_current:
      return {e::read, e::failed, e::unreachable};
    case device_action::write_restore:
      return {e::written, e::failed, e::unreachable};
    case device_action::read_back:
      return {e::checked, e::failed, e::unreachable};
    case device_action::drop_deadman:
      return {e::restored, e::differs};
    case device_action::wait_deadman:
      return {e::wait_over};
    case device_action::skip:
    case device_action::report_applied:
    case device_action::report_failure:
    case device_action::disarm_next:
    case device_action::disarm_failed:
    case device_action::report_rollback:
      return {};
  }
  return {};
}

std::vector<run_event> outcomes(run_action a) {
  using e = run_event;
  switch (a) {
    case run_action::open_first_batch:
      return {e::ready, e::cancelled};
    case run_action::open_batch:
      return {e::ready, e::cancelled, e::no_batch_left};
    case run_action::change_devices:
      return {e::devices_done, e::device_failed, e::cancelled};
    case run_action::await_gate:
      return {e::wait_over, e::cancelled};
    case run_action::check_gate:
      return {e::checks_passed, e::checks_failed};
    case run_action::disarm_batch:
      return {e::disarmed, e::checks_failed};
    case run_action::pause:
      return {e::wait_over};
    case run_action::decide_failure:
      return {e::roll_back, e::stop};
    case run_action::roll_back_devices:
      return {e::all_restored, e::some_failed};
    case run_action::finish:
      return {};
  }
  return {};
}

const char* to_string(device_step x) {
  switch (x) {
    case device_step::pending:
      return "pending";
    case device_step::device_snapshot:
      return "device-snapshot";
    case device_step::deadman_arming:
      return "deadman-arming";
    case device_step::device_applying:
      return "device-applying";
    case device_step::device_applied:
      return "device-applied";
    case device_step::device_apply_failed:
      return "device-apply-failed";
    case device_step::deadman_disarming:
      return "deadman-disarming";
    case device_step::device_rolling_back:
      return "device-rolling-back";
    case device_step::deadman_waiting:
      return "deadman-waiting";
    case device_step::device_rolled_back:
      return "device-rolled-back";
    case device_step::device_rollback_failed:
      return "device-rollback-failed";
  }
  return "?";
}

const char* to_string(device_event x) {
  switch (x) {
    case device_event::begin:
      return "begin";
    case device_event::read:
      return "read";
    case device_event::failed:
      return "failed";
    case device_event::unchanged:
      return "unchanged";
    case device_event::changes:
      return "changes";
    case device_event::risky_changes:
      return "risky_changes";
    case device_event::cleared:
      return "cleared";
    case device_event::armed:
      return "armed";
    case device_event::written:
      return "written";
    case device_event::disarm:
      return "disarm";
    case device_event::disarmed:
      return "disarmed";
    case device_event::roll_back:
      return "roll_back";
    case device_event::unreachable:
      return "unreachable";
    case device_event::wait_over:
      return "wait_over";
    case device_event::checked:
      return "checked";
    case device_event::restored:
      return "restored";
    case device_event::differs:
      return "differs";
  }
  return "?";
}

const char* to_string(device_action x) {
  switch (x) {
    case device_action::read_state:
      return "read_state";
    case device_action::skip:
      return "skip";
    case device_action::plan_changes:
      return "plan_changes";
    case device_action::clear_deadman:
      return "clear_deadman";
    case device_action::arm_deadman:
      return "arm_deadman";
    case device_action::write_changes:
      return "write_changes";
    case device_action::report_applied:
      return "report_applied";
    case device_action::report_failure:
      return "report_failure";
    case device_action::remove_deadman:
      return "remove_deadman";
    case device_action::disarm_next:
      return "disarm_next";
    case device_action::disarm_failed:
      return "disarm_failed";
    case device_action::read_current:
      return "read_current";
    case device_action::write_restore:
      return "write_restore";
    case device_action::read_back:
      return "read_back";
    case device_action::drop_deadman:
      return "drop_deadman";
    case device_action::wait_deadman:
      return "wait_deadman";
    case device_action::report_rollback:
      return "report_rollback";
  }
  return "?";
}

const char* to_string(run_step x) {
  switch (x) {
    case run_step::idle:
      return "idle";
    case run_step::plan_resumed:
      return "plan-resumed";
    case run_step::batch_started:
      return "batch-started";
    case run_step::gate_started:
      return "gate-started";
    case run_step::gate_passed:
      return "gate-passed";
    case run_step::gate_failed:
      return "gate-failed";
    case run_step::rollback_started:
      return "rollback-started";
    case run_step::plan_completed:
      return "plan-completed";
    case run_step::plan_failed:
      return "plan-failed";
    case run_step::plan_rolled_back:
      return "plan-rolled-back";
  }
  return "?";
}

const char* to_string(run_event x) {
  switch (x) {
    case run_event::run:
      return "run";
    case run_event::resume:
      return "resume";
    case run_event::roll_back:
      return "roll_back";
    case run_event::ready:
      return "ready";
    case run_event::cancelled:
      return "cancelled";
    case run_event::no_batch_left:
      return "no_batch_left";
    case run_event::devices_done:
      return "devices_done";
    case run_event::device_failed:
      return "device_failed";
    case run_event::wait_over:
      return "wait_over";
    case run_event::checks_passed:
      return "checks_passed";
    case run_event::checks_failed:
      return "checks_failed";
    case run_event::disarmed:
      return "disarmed";
    case run_event::stop:
      return "stop";
    case run_event::all_restored:
      return "all_restored";
    case run_event::some_failed:
      return "some_failed";
  }
  return "?";
}

const char* to_string(run_action x) {
  switch (x) {
    case run_action::open_first_batch:
      return "open_first_batch";
    case run_action::open_batch:
      return "open_batch";
    case run_action::change_devices:
      return "change_devices";
    case run_action::await_gate:
      return "await_gate";
    case run_action::check_gate:
      return "check_gate";
    case run_action::disarm_batch:
      return "disarm_batch";
    case run_action::pause:
      return "pause";
    case run_action::decide_failure:
      return "decide_failure";
    case run_action::roll_back_devices:
      return "roll_back_devices";
    case run_action::finish:
      return "finish";
  }
  return "?";
}

const char* device_state_of(device_step x) {
  switch (x) {
    case device_step::pending:
      return "pending";
    case device_step::device_snapshot:
      return "snapshotted";
    case device_step::device_applying:
      return "applying";
    case device_step::device_applied:
      return "applied";
    case device_step::device_apply_failed:
      return "apply_failed";
    case device_step::device_rolling_back:
      return "rolling_back";
    case device_step::device_rolled_back:
      return "rolled_back";
    case device_step::device_rollback_failed:
      return "rollback_failed";
    case device_step::deadman_arming:
    case device_step::deadman_disarming:
    case device_step::deadman_waiting:
      return "";
  }
  return "";
}

device_step takeover_step(const plan_device& d) {
  const auto& s = d.state;
  if (s == "applied")
    return device_step::device_applied;
  if (s == "rolling_back")
    return device_step::device_rolling_back;
  if (s == "rolled_back")
    return device_step::device_rolled_back;
  if (s == "rollback_failed")
    return device_step::device_rollback_failed;
  // snapshotted, applying, apply_failed: what followed the snapshot is
  // done again from it; without a snapshot, from the first read.
  if (s == "pending" || d.before.empty())
    return device_step::pending;
  return device_step::device_snapshot;
}

namespace {

template <class Row>
std::string render(const char* title, const Row* rows, size_t n) {
  std::string out = std::string{"| "} + title
                    + " step | event | next step | journals | action |\n"
                      "| --- | --- | --- | --- | --- |\n";
  for (size_t i = 0; i < n; ++i) {
    auto& r = rows[i];
    out += std::string{"| "} + to_string(r.from) + " | " + to_string(r.event)
           + " | " + to_string(r.to) + " | " + (r.journal ? "yes" : "") + " | "
           + to_string(r.action) + " |\n";
  }
  return out;
}

} // namespace

std::string render_rollout_tables() {
  using namespace rollout_tables;
  return render("run", run_table.data(), run_table.size()) + "\n"
         + render("device", device_table.data(), device_table.size());
}

} // namespace rmcp
