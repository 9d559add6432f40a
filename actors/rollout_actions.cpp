// The rollout coordinator's device actions (actors/rollout_table.hpp): each
// does one asynchronous thing to one device and feeds its outcome back to
// the device's machine as an event; and the checks of a health gate
// (actors/detail/rollout_coordinator.hpp).

#include "actors/detail/rollout_coordinator.hpp"

#include "actors/device_ops.hpp"

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/ros_script.hpp"

namespace rmcp::detail {

void coordinator::remove_deadman(const device_actor& dev,
                                 std::function<void(caf::error)> done) {
  auto req = get_request("/system/scheduler?name=" + deadman_job_name(plan_id));
  req.context = context();
  device_ops::exec(
    self, dev, std::move(req),
    [this, dev, done](rest_response& resp) {
      std::vector<rest_request> reqs;
      if (resp.body.is_array())
        for (auto& row : resp.body)
          if (row.contains(".id"))
            reqs.push_back(delete_request("/system/scheduler/"
                                          + row[".id"].get<std::string>()));
      write(dev, std::move(reqs), done);
    },
    done);
}

void coordinator::write(const device_actor& dev, std::vector<rest_request> reqs,
                        std::function<void(caf::error)> done) {
  device_ops::write_all(
    self, dev, std::move(reqs),
    [done](std::vector<rest_response>&) { done(caf::none); }, done,
    device_ops::write_options{0, lease_ttl_ms, context()});
}

void coordinator::act(device_run& d, device_action a) {
  switch (a) {
    case device_action::read_state:
      return read_state(d);
    case device_action::plan_changes:
      return plan_changes(d);
    case device_action::clear_deadman:
      return clear_deadman(d);
    case device_action::arm_deadman:
      return arm_deadman(d);
    case device_action::write_changes:
      return write_changes(d);
    case device_action::remove_deadman:
      return remove_deadman(d);
    case device_action::read_current:
      return read_current(d);
    case device_action::write_restore:
      return write_restore(d);
    case device_action::read_back:
      return read_back(d);
    case device_action::drop_deadman:
      return drop_deadman(d);
    case device_action::wait_deadman:
      return wait_deadman(d);
    case device_action::skip:
      return end_forward(d);
    case device_action::report_applied:
      progress(d.id
               + (d.requests.empty() ? ": already as intended" : ": applied"));
      return end_forward(d);
    case device_action::report_failure:
      gate_failures.push_back(d.id + ": " + d.error);
      progress(d.id + " failed: " + d.error);
      return end_forward(d);
    case device_action::disarm_next:
      ++disarm_index;
      return disarm_next();
    case device_action::disarm_failed:
      // The job would undo a change that passed its gate: this batch did
      // not pass.
      gate_failures.push_back(d.id + ": " + d.error);
      return advance(run_event::checks_failed);
    case device_action::report_rollback:
      progress(d.id
               + (d.step == device_step::device_rolled_back
                    ? ": rolled back"
                    : ": rollback failed: " + d.error));
      ++target_index;
      return roll_back_next();
  }
}

void coordinator::end_forward(device_run& d) {
  auto done = std::move(d.done);
  d.done = nullptr;
  if (done)
    done();
}

void coordinator::fail_device(const std::string& id, const std::string& what) {
  run_of(id).error = what;
  advance(id, device_event::failed);
}

void coordinator::rollback_error(const std::string& id, const caf::error& err) {
  auto& d = run_of(id);
  d.error = error_message(err);
  // A risky device waits for its dead-man job. Any device is tried again
  // after a transient failure: one 500, dropped connection or reboot during
  // a restore must not end the rollback, and the retry plans the restore
  // afresh from a new read, so no write is repeated blindly.
  bool again = kind->risky || is_retryable(error_code_of(err));
  if (!again || d.attempt >= deps.settings.confirm_attempts) {
    advance(id, device_event::failed);
    return;
  }
  d.wait = kind->risky && d.attempt == 0
             ? deps.settings.deadman_delay + deadman_margin
             : deps.settings.confirm_interval;
  advance(id, device_event::unreachable);
}

// -- forward -------------------------------------------------------------------------

void coordinator::find_and_read(
  const std::string& id, std::string read_prefix,
  std::function<void(const caf::error&, const std::string&)> failed) {
  device_ops::with_device(
    self, deps.fleet, id,
    [this, id, read_prefix, failed](device_handle dev) {
      run_of(id).ctx = dev;
      device_ops::read_state(
        self, dev.actor, *kind, plan.params,
        [this, id](json current) {
          run_of(id).current = std::move(current);
          advance(id, device_event::read);
        },
        [read_prefix, failed](caf::error err) {
          failed(err, read_prefix + error_message(err));
        },
        0, context());
    },
    [failed](caf::error err) { failed(err, error_message(err)); });
}

void coordinator::read_state(device_run& d) {
  find_and_read(d.id, "reading its state failed: ",
                [this, id{d.id}](const caf::error&, const std::string& what) {
                  fail_device(id, what);
                });
}

void coordinator::plan_changes(device_run& d) {
  // The snapshot is the stored one: journaled just now, or kept from
  // before a restart.
  auto* pd = find_device(plan, d.id);
  auto planned = kind->plan(plan.params, d.current, d.ctx.view.record);
  if (!planned) {
    fail_device(d.id, error_message(planned.error()));
    return;
  }
  d.requests = planned->requests;
  if (d.requests.empty()) {
    advance(d.id, device_event::unchanged);
    return;
  }
  if (!kind->risky || kind->revert_script == nullptr) {
    advance(d.id, device_event::changes);
    return;
  }
  auto revert = kind->revert_script(plan.params, pd->before);
  if (!revert) {
    fail_device(d.id, "arming the dead-man revert failed: "
                        + error_message(revert.error()));
    return;
  }
  d.deadman_script = *revert + "; /system scheduler remove [find name="
                     + ros_script::literal(deadman_job_name(plan_id)) + "]";
  advance(d.id, device_event::risky_changes);
}

void coordinator::clear_deadman(device_run& d) {
  // A job left by an earlier attempt goes first: one job per router.
  auto id = d.id;
  remove_deadman(d.ctx.actor, [this, id](caf::error err) {
    if (err)
      fail_device(id,
                  "arming the dead-man revert failed: " + error_message(err));
    else
      advance(id, device_event::cleared);
  });
}

void coordinator::arm_deadman(device_run& d) {
  auto id = d.id;
  auto name = deadman_job_name(plan_id);
  // Explicitly enabled: a revert that a router's default left disabled
  // would never run.
  json body{{"name", name},
            {"disabled", "false"},
            {"interval", ros_time(deps.settings.deadman_delay)},
            {"on-event", d.deadman_script},
            {"comment", "routeros-mcp dead-man revert of plan " + plan_id}};
  write(d.ctx.actor, {put_request("/system/scheduler", body)},
        [this, id](caf::error err) {
          if (err)
            fail_device(id, "arming the dead-man revert failed: "
                              + error_message(err));
          else
            advance(id, device_event::armed);
        });
}

void coordinator::write_changes(device_run& d) {
  auto id = d.id;
  write(d.ctx.actor, d.requests, [this, id](caf::error err) {
    if (err)
      fail_device(id, error_message(err));
    else
      advance(id, device_event::written);
  });
}

void coordinator::remove_deadman(device_run& d) {
  auto id = d.id;
  device_ops::with_device(
    self, deps.fleet, id,
    [this, id](device_handle dev) {
      remove_deadman(dev.actor, [this, id](caf::error err) {
        if (err)
          fail_device(id, "removing the dead-man job failed: "
                            + error_message(err));
        else
          advance(id, device_event::disarmed);
      });
    },
    [this, id](caf::error err) { fail_device(id, error_message(err)); });
}

// -- rollback ------------------------------------------------------------------------

void coordinator::read_current(device_run& d) {
  find_and_read(d.id, "",
                [this, id{d.id}](const caf::error& err, const std::string&) {
                  rollback_error(id, err);
                });
}

void coordinator::write_restore(device_run& d) {
  auto id = d.id;
  auto* pd = find_device(plan, id);
  d.requests = kind->restore(plan.params, pd->before, d.current);
  // After a dead-man wait, nothing left to write: the router's job did it.
  // (Without a job, an earlier attempt's write was applied after all.)
  d.by_router = kind->risky && d.attempt > 0 && d.requests.empty();
  write(d.ctx.actor, d.requests, [this, id](caf::error err) {
    if (err)
      rollback_error(id, err);
    else
      advance(id, device_event::written);
  });
}

void coordinator::read_back(device_run& d) {
  auto id = d.id;
  device_ops::read_state(
    self, d.ctx.actor, *kind, plan.params,
    [this, id](json after) {
      // The difference to the snapshot (empty: restored).
      run_of(id).error =
        kind->compare(plan.params, find_device(plan, id)->before, after);
      advance(id, device_event::checked);
    },
    [this, id](caf::error err) { rollback_error(id, err); }, 0, context());
}

void coordinator::drop_deadman(device_run& d) {
  auto id = d.id;
  auto outcome =
    d.error.empty() ? device_event::restored : device_event::differs;
  if (!kind->risky) {
    advance(id, outcome);
    return;
  }
  // Restored or not, the job has nothing left to do.
  remove_deadman(d.ctx.actor,
                 [this, id, outcome](caf::error) { advance(id, outcome); });
}

void coordinator::wait_deadman(device_run& d) {
  auto id = d.id;
  wait(
    d.wait,
    [this, id] {
      ++run_of(id).attempt;
      advance(id, device_event::wait_over);
    },
    false);
}

// -- gate checks ---------------------------------------------------------------------

void coordinator::gate_check(const std::string& id, bool was_changed,
                             std::function<void()> done) {
  auto bad = [this, done, id](const std::string& what) {
    gate_failures.push_back(id + ": " + what);
    done();
  };
  device_ops::with_device(
    self, deps.fleet, id,
    [this, id, was_changed, done, bad](device_handle dev) {
      device_ops::ask(self, dev.actor, device_ops::device_timeout,
                      atom::check_v)
        .then(
          [this, id, was_changed, done, bad, dev](health_sample& s) {
            if (s.status != device_status::healthy) {
              std::string why = to_string(s.status);
              for (auto& issue : s.issues)
                why += "; " + issue;
              bad("health " + why);
              return;
            }
            if (!was_changed)
              done();
            else
              gate_read_back(id, dev, bad, done);
          },
          [bad](caf::error& err) { bad("health " + error_message(err)); });
    },
    [bad](caf::error err) { bad(error_message(err)); });
}

void coordinator::gate_read_back(const std::string& id,
                                 const device_handle& dev,
                                 std::function<void(const std::string&)> bad,
                                 std::function<void()> done) {
  device_ops::read_state(
    self, dev.actor, *kind, plan.params,
    [this, id, dev, bad, done](json after) {
      auto* pd = find_device(plan, id);
      auto planned = kind->plan(plan.params, pd->before, dev.view.record);
      if (!planned) {
        bad(error_message(planned.error()));
        return;
      }
      auto diff = kind->compare(plan.params, planned->intended, after);
      if (!diff.empty()) {
        bad("verification failed: " + diff);
        return;
      }
      done();
    },
    [bad](caf::error err) {
      bad("reading its state failed: " + error_message(err));
    },
    0, context());
}

} // namespace rmcp::detail
