// The rollout coordinator's state machines (actors/rollout_table.hpp):
// start, the two `advance` functions, the journal entries of the steps, and
// the run machine's actions (batches, gates, pauses, the rollback's order)
// (actors/detail/rollout_coordinator.hpp).

#include "actors/detail/rollout_coordinator.hpp"

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::detail {

// -- the machines --------------------------------------------------------------------

void coordinator::start() {
  self->request(deps.plans, store_timeout, atom::get_v, atom::plan_v, plan_id)
    .then([this](plan_record& rec) { loaded(std::move(rec)); },
          [this](caf::error& err) { abort(std::move(err)); });
}

void coordinator::loaded(plan_record rec) {
  plan = std::move(rec);
  kind = deps.kinds ? deps.kinds(plan.kind) : nullptr;
  if (kind == nullptr) {
    abort(make_error(ec::internal_error,
                     "plan " + plan_id + " has kind '" + plan.kind
                       + "', which this server does not know"));
    return;
  }
  if (plan.batches.empty()) {
    abort(make_error(ec::internal_error,
                     "plan " + plan_id + " has no batch to roll out"));
    return;
  }
  for (auto& d : plan.devices) {
    auto& r = runs[d.id];
    r.id = d.id;
    r.step = takeover_step(d);
  }
  // One step per device and per gate, and the end.
  expect_steps(plan.devices.size() + plan.batches.size() + 1);
  bool takeover = mode != run_mode::run || plan.state != plan_state::executing;
  if (deps.claims && takeover) {
    await_owners(static_cast<int>(takeover_settle / owner_poll),
                 [this] { start_run(); });
    return;
  }
  start_run();
}

void coordinator::start_run() {
  if (plan.state == plan_state::rolling_back) {
    rollback_reason = "taking over an interrupted rollback";
    advance(run_event::roll_back);
    return;
  }
  if (plan.state != plan_state::executing) {
    abort(make_error(ec::plan_state_invalid,
                     "plan " + plan_id + " is " + to_string(plan.state)
                       + "; only an executing plan can be run or "
                         "rolled back"));
    return;
  }
  switch (mode) {
    case run_mode::run:
      advance(run_event::run);
      break;
    case run_mode::resume:
      advance(run_event::resume);
      break;
    case run_mode::rollback:
      rollback_reason = plan.cancel_requested
                          ? cancel_reason()
                          : "rollback of an interrupted rollout "
                            "(rollout.on_restart)";
      advance(run_event::roll_back);
      break;
  }
}

void coordinator::advance(run_event e) {
  auto* row = find_row(step, e);
  if (row == nullptr) {
    abort(make_error(ec::internal_error,
                     "rollout of plan " + plan_id + ": no transition from "
                       + to_string(step) + " on " + to_string(e)));
    return;
  }
  auto index = static_cast<size_t>(row - rollout_tables::run_table.data());
  auto enter = [this, row, index] {
    step = row->to;
    if (observe({}, index))
      act(row->action);
  };
  if (row->journal)
    journal(entry(row->to, e), enter);
  else
    enter();
}

void coordinator::advance(const std::string& id, device_event e) {
  auto& d = run_of(id);
  auto* row = find_row(d.step, e);
  if (row == nullptr) {
    abort(make_error(ec::internal_error,
                     "rollout of plan " + plan_id + ", device " + id
                       + ": no transition from " + to_string(d.step) + " on "
                       + to_string(e)));
    return;
  }
  auto index = static_cast<size_t>(row - rollout_tables::device_table.data());
  auto enter = [this, id, row, index] {
    auto& d = run_of(id);
    d.step = row->to;
    if (observe(id, index))
      act(d, row->action);
  };
  if (row->journal)
    journal(entry(d, row->to, e), enter);
  else
    enter();
}

bool coordinator::observe(const std::string& device_id, size_t row) {
  if (!deps.on_transition
      || deps.on_transition(rollout_transition{plan_id, device_id, row}))
    return true;
  // Stopped by the observer, as a crash would stop it: no answer, nothing
  // more journaled; the plan is taken over at the next start.
  log::warn(log::rollout(), "rollout-stopped",
            {{"plan_id", plan_id}, {"step", to_string(step)}});
  finished = true;
  waiters.clear();
  self->quit();
  return false;
}

plan_step coordinator::entry(run_step to, run_event e) {
  auto st = make_step(to_string(to));
  auto b = static_cast<int32_t>(batch_index);
  switch (to) {
    case run_step::idle:
    case run_step::plan_resumed:
      break;
    case run_step::batch_started:
      st.batch = b;
      st.detail = {{"devices", plan.batches[batch_index]},
                   {"canary", batch_index == 0 && plan.batches.size() > 1}};
      break;
    case run_step::gate_started:
      st.batch = b;
      break;
    case run_step::gate_passed:
      st.batch = b;
      st.detail = {{"devices", plan.batches[batch_index]}};
      break;
    case run_step::gate_failed:
      st.batch = b;
      st.detail = {{"failures", gate_failures}};
      halt_reason =
        "the gate of batch " + std::to_string(batch_index) + " failed";
      break;
    case run_step::rollback_started:
      if (halt_reason.empty())
        halt_reason = rollback_reason;
      // Every device that may have been changed, last changed first.
      targets.clear();
      for (auto bi = plan.batches.rbegin(); bi != plan.batches.rend(); ++bi)
        for (auto d = bi->rbegin(); d != bi->rend(); ++d)
          if (auto* pd = find_device(plan, *d); pd && touched(pd->state))
            targets.push_back(*d);
      st.to_state = to_string(plan_state::rolling_back);
      st.detail = {{"reason", rollback_reason}, {"devices", targets}};
      break;
    case run_step::plan_completed:
      st.to_state = to_string(plan_state::completed);
      break;
    case run_step::plan_failed:
      st.to_state = to_string(plan_state::failed);
      st.detail = {{"reason", halt_reason}};
      if (e == run_event::some_failed)
        st.detail["error"] = "some devices could not be rolled back; check "
                             "them by hand (see the journal)";
      break;
    case run_step::plan_rolled_back:
      st.to_state = to_string(plan_state::rolled_back);
      st.detail = {{"reason", halt_reason}};
      break;
  }
  return st;
}

plan_step coordinator::entry(const device_run& d, device_step to,
                             device_event e) {
  auto st = make_step(to_string(to), d.batch, d.id);
  st.device_state = device_state_of(to);
  switch (to) {
    case device_step::pending:
    case device_step::deadman_disarming:
    case device_step::device_rolling_back:
      break;
    case device_step::device_snapshot:
      st.detail = {{"before", d.current}};
      break;
    case device_step::deadman_arming:
      st.detail = {{"job", deadman_job_name(plan_id)},
                   {"delay_ms", deps.settings.deadman_delay.count()},
                   {"script", d.deadman_script}};
      break;
    case device_step::device_applying:
      st.detail = {{"requests", d.requests.size()}};
      break;
    case device_step::device_applied:
      st.detail = {{"changed", e == device_event::written}};
      break;
    case device_step::device_apply_failed:
      st.detail = {{"error", d.error}};
      break;
    case device_step::deadman_waiting:
      st.detail = {{"error", d.error},
                   {"attempt", d.attempt + 1},
                   {"wait_ms", d.wait.count()}};
      break;
    case device_step::device_rolled_back:
      st.detail = {{"by", d.by_router ? "dead-man" : "coordinator"}};
      break;
    case device_step::device_rollback_failed:
      if (e == device_event::differs)
        st.detail = {{"by", d.by_router ? "dead-man" : "coordinator"},
                     {"error", "state after the rollback differs from the "
                               "snapshot: "
                                 + d.error}};
      else
        st.detail = {{"error", d.error}, {"attempts", d.attempt + 1}};
      break;
  }
  return st;
}

void coordinator::act(run_action a) {
  switch (a) {
    case run_action::open_first_batch:
      batch_index = 0;
      open_batch_read();
      return;
    case run_action::open_batch:
      open_batch();
      return;
    case run_action::change_devices:
      change_devices();
      return;
    case run_action::await_gate:
      await_gate();
      return;
    case run_action::check_gate:
      check_gate();
      return;
    case run_action::disarm_batch:
      disarm_batch();
      return;
    case run_action::pause:
      pause();
      return;
    case run_action::decide_failure:
      decide_failure();
      return;
    case run_action::roll_back_devices:
      roll_back_devices();
      return;
    case run_action::finish:
      finish();
      return;
  }
}

coordinator::device_run& coordinator::run_of(const std::string& id) {
  auto& d = runs[id];
  d.id = id;
  return d;
}

// -- run actions --------------------------------------------------------------------

void coordinator::open_batch() {
  ++batch_index;
  if (batch_index >= plan.batches.size()) {
    advance(run_event::no_batch_left);
    return;
  }
  open_batch_read();
}

void coordinator::open_batch_read() {
  // Fresh look at the plan: a cancel may have come from another process.
  self->request(deps.plans, store_timeout, atom::get_v, atom::plan_v, plan_id)
    .then(
      [this](plan_record& rec) {
        plan = std::move(rec);
        if (cancel_wanted()) {
          rollback_reason = cancel_reason();
          advance(run_event::cancelled);
          return;
        }
        advance(run_event::ready);
      },
      [this](caf::error& err) { abort(std::move(err)); });
}

void coordinator::change_devices() {
  gate_failures.clear();
  auto b = batch_index;
  fan_out(
    plan.batches[b].size(), parallel(),
    [this, b](size_t i, std::function<void()> done) {
      const auto id = plan.batches[b][i];
      if (find_device(plan, id) == nullptr) {
        done();
        return;
      }
      auto& d = run_of(id);
      d.batch = static_cast<int32_t>(b);
      d.done = std::move(done);
      advance(id, device_event::begin);
    },
    // A failed device or a cancel: no further device of the batch starts;
    // those under way finish first.
    [this] { return !gate_failures.empty() || cancel_wanted(); },
    [this] {
      if (!gate_failures.empty()) {
        advance(run_event::device_failed);
      } else if (cancel_wanted()) {
        rollback_reason = cancel_reason();
        advance(run_event::cancelled);
      } else {
        advance(run_event::devices_done);
      }
    });
}

void coordinator::await_gate() {
  if (deps.settings.gate_delay.count() == 0) {
    advance(run_event::wait_over);
    return;
  }
  wait(
    deps.settings.gate_delay,
    [this] {
      if (cancel_wanted()) {
        rollback_reason = cancel_reason();
        advance(run_event::cancelled);
      } else {
        advance(run_event::wait_over);
      }
    },
    true);
}

void coordinator::check_gate() {
  auto b = batch_index;
  auto checks = std::make_shared<std::vector<std::pair<std::string, bool>>>();
  for (auto& id : plan.batches[b])
    checks->emplace_back(id, true);
  if (deps.settings.gate_untouched)
    for (size_t later = b + 1; later < plan.batches.size(); ++later)
      for (auto& id : plan.batches[later])
        checks->emplace_back(id, false);
  fan_out(
    checks->size(), parallel(),
    [this, checks](size_t k, std::function<void()> done) {
      gate_check((*checks)[k].first, (*checks)[k].second, std::move(done));
    },
    nullptr,
    [this] {
      advance(gate_failures.empty() ? run_event::checks_passed
                                    : run_event::checks_failed);
    });
}

void coordinator::disarm_batch() {
  if (!kind->risky) {
    advance(run_event::disarmed);
    return;
  }
  disarm_index = 0;
  disarm_next();
}

void coordinator::disarm_next() {
  auto& batch = plan.batches[batch_index];
  if (disarm_index >= batch.size()) {
    advance(run_event::disarmed);
    return;
  }
  auto& d = run_of(batch[disarm_index]);
  d.batch = static_cast<int32_t>(batch_index);
  advance(d.id, device_event::disarm);
}

void coordinator::pause() {
  auto b = batch_index;
  progress("batch " + std::to_string(b) + " passed its gate");
  // No pause before a batch that has nothing left to do (a resumed rollout
  // re-checks the gates of batches applied before the restart). The next
  // batch re-reads the plan and rolls back when a cancel ended the pause.
  if (b + 1 < plan.batches.size() && plan.pause_ms > 0 && !batch_applied(b + 1))
    wait(
      std::chrono::milliseconds{plan.pause_ms},
      [this] { advance(run_event::wait_over); }, true);
  else
    advance(run_event::wait_over);
}

bool coordinator::batch_applied(size_t b) {
  for (auto& id : plan.batches[b])
    if (auto* pd = find_device(plan, id);
        pd == nullptr || pd->state != "applied")
      return false;
  return true;
}

void coordinator::decide_failure() {
  progress("batch " + std::to_string(batch_index) + " failed its gate");
  if (plan.rollback_on_failure) {
    rollback_reason = halt_reason;
    advance(run_event::roll_back);
    return;
  }
  advance(run_event::stop);
}

void coordinator::roll_back_devices() {
  // This step, one per device and the end.
  expect_steps(targets.size() + 2);
  progress("rolling back " + std::to_string(targets.size()) + " device(s)");
  target_index = 0;
  roll_back_next();
}

void coordinator::roll_back_next() {
  if (target_index >= targets.size()) {
    bool all = true;
    for (auto& d : plan.devices)
      if (d.state == "rollback_failed")
        all = false;
    advance(all ? run_event::all_restored : run_event::some_failed);
    return;
  }
  auto& d = run_of(targets[target_index]);
  d.batch = -1;
  d.attempt = 0;
  advance(d.id, device_event::roll_back);
}

} // namespace rmcp::detail
