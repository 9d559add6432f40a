// The rollout coordinator's health gates, dead-man disarming and rollback
// (actors/detail/rollout_coordinator.hpp).

#include "actors/detail/rollout_coordinator.hpp"

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::detail {

void coordinator::remove_deadman(const device_actor& dev,
                                 std::function<void(caf::error)> done) {
  self->request(dev, device_timeout, atom::exec_v,
                make_request("GET", "/system/scheduler?name="
                                      + deadman_job_name(plan_id)))
    .then(
      [this, dev, done](rest_response& resp) {
        std::vector<rest_request> reqs;
        if (resp.body.is_array())
          for (auto& row : resp.body)
            if (row.contains(".id"))
              reqs.push_back(make_request(
                "DELETE",
                "/system/scheduler/" + row[".id"].get<std::string>()));
        write_all(dev, std::move(reqs), done);
      },
      [done](caf::error& err) { done(std::move(err)); });
}

bool coordinator::batch_applied(size_t b) {
  for (auto& id : plan.batches[b])
    if (auto* pd = find_device(plan, id); pd == nullptr || pd->state != "applied")
      return false;
  return true;
}

void coordinator::gate(size_t b) {
  auto st = make_step("gate-started", static_cast<int32_t>(b));
  journal(std::move(st), [this, b] {
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
      nullptr, [this, b] { gate_done(b); });
  });
}

void coordinator::gate_check(const std::string& id, bool was_changed,
                             std::function<void()> done) {
  auto bad = [this, done, id](const std::string& what) {
    gate_failures.push_back(id + ": " + what);
    done();
  };
  with_device(
    id,
    [this, id, was_changed, done, bad](device_ctx dev) {
      self->request(dev.actor, device_timeout, atom::check_v)
        .then(
          [this, id, was_changed, done, bad, dev](health_sample& s) {
            if (s.status != device_status::healthy) {
              std::string why = to_string(s.status);
              for (auto& issue : s.issues)
                why += "; " + issue;
              bad("health " + why);
              return;
            }
            if (!was_changed) {
              done();
              return;
            }
            read_state(
              dev.actor,
              [this, id, done, bad, dev](json after) {
                auto* pd = find_device(plan, id);
                auto planned = kind->plan(plan.params, pd->before,
                                          dev.record);
                if (!planned) {
                  bad(error_message(planned.error()));
                  return;
                }
                auto diff = kind->compare(plan.params, planned->intended,
                                          after);
                if (!diff.empty()) {
                  bad("verification failed: " + diff);
                  return;
                }
                done();
              },
              [bad](caf::error err) {
                bad("reading its state failed: " + error_message(err));
              });
          },
          [bad](caf::error& err) { bad("health " + error_message(err)); });
    },
    [bad](caf::error err) { bad(error_message(err)); });
}

void coordinator::gate_done(size_t b) {
  if (!gate_failures.empty()) {
    gate_failed(b);
    return;
  }
  auto ib = static_cast<int32_t>(b);
  auto passed = [this, b, ib] {
    auto st = make_step("gate-passed", ib);
    st.detail = {{"devices", plan.batches[b]}};
    journal(std::move(st), [this, b] {
      progress("batch " + std::to_string(b) + " passed its gate");
      // No pause before a batch that has nothing left to do (a resumed
      // rollout re-checks the gates of batches applied before the
      // restart). batch() re-reads the plan and rolls back when a cancel
      // ended the pause.
      if (b + 1 < plan.batches.size() && plan.pause_ms > 0
          && !batch_applied(b + 1))
        wait(std::chrono::milliseconds{plan.pause_ms},
             [this, b] { batch(b + 1); }, true);
      else
        batch(b + 1);
    });
  };
  if (!kind->risky) {
    passed();
    return;
  }
  disarm(b, 0, passed);
}

void coordinator::disarm(size_t b, size_t i, std::function<void()> done) {
  if (i >= plan.batches[b].size()) {
    done();
    return;
  }
  auto id = plan.batches[b][i];
  auto st = make_step("deadman-disarming", static_cast<int32_t>(b), id);
  journal(std::move(st), [this, b, i, id, done] {
    auto next = [this, b, i, done] { disarm(b, i + 1, done); };
    with_device(
      id,
      [this, b, id, next](device_ctx dev) {
        remove_deadman(dev.actor, [this, b, id, next](caf::error err) {
          if (err) {
            // The job would undo a change that passed its gate: this
            // batch did not pass.
            gate_failures.push_back(id + ": removing the dead-man job "
                                    "failed: " + error_message(err));
            gate_failed(b);
            return;
          }
          next();
        });
      },
      [this, b, id](caf::error err) {
        gate_failures.push_back(id + ": " + error_message(err));
        gate_failed(b);
      });
  });
}

void coordinator::gate_failed(size_t b) {
  auto st = make_step("gate-failed", static_cast<int32_t>(b));
  st.detail = {{"failures", gate_failures}};
  halt_reason = "the gate of batch " + std::to_string(b) + " failed";
  journal(std::move(st), [this, b] {
    progress("batch " + std::to_string(b) + " failed its gate");
    if (plan.rollback_on_failure) {
      rollback(halt_reason);
      return;
    }
    auto fin = make_step("plan-failed");
    fin.to_state = to_string(plan_state::failed);
    fin.detail = {{"reason", halt_reason}};
    journal(std::move(fin), [this] { finish(); });
  });
}

void coordinator::rollback(std::string reason) {
  if (rolling_back)
    return;
  rolling_back = true;
  if (halt_reason.empty())
    halt_reason = reason;
  targets.clear();
  for (auto b = plan.batches.rbegin(); b != plan.batches.rend(); ++b)
    for (auto d = b->rbegin(); d != b->rend(); ++d)
      if (auto* pd = find_device(plan, *d); pd && touched(pd->state))
        targets.push_back(*d);
  auto st = make_step("rollback-started");
  st.to_state = to_string(plan_state::rolling_back);
  st.detail = {{"reason", reason}, {"devices", targets}};
  journal(std::move(st), [this] {
    // This step, one per device and the end.
    expect_steps(targets.size() + 2);
    progress("rolling back " + std::to_string(targets.size())
             + " device(s)");
    roll_back_device(0);
  });
}

void coordinator::roll_back_device(size_t k) {
  if (k >= targets.size()) {
    finish_rollback();
    return;
  }
  auto id = targets[k];
  auto st = make_step("device-rolling-back", -1, id);
  st.device_state = "rolling_back";
  journal(std::move(st), [this, k, id] { restore(k, id, 0); });
}

void coordinator::restore(size_t k, const std::string& id, int attempt) {
  auto unreachable = [this, k, id, attempt](const std::string& what) {
    if (!kind->risky || attempt >= deps.settings.confirm_attempts) {
      auto st = make_step("device-rollback-failed", -1, id);
      st.device_state = "rollback_failed";
      st.detail = {{"error", what}, {"attempts", attempt + 1}};
      journal(std::move(st), [this, k, id, what] {
        progress(id + ": rollback failed: " + what);
        roll_back_device(k + 1);
      });
      return;
    }
    auto delay = attempt == 0 ? deps.settings.deadman_delay + deadman_margin
                              : deps.settings.confirm_interval;
    auto st = make_step("deadman-waiting", -1, id);
    st.detail = {{"error", what},
                 {"attempt", attempt + 1},
                 {"wait_ms", delay.count()}};
    journal(std::move(st), [this, k, id, attempt, delay] {
      wait(
        delay, [this, k, id, attempt] { restore(k, id, attempt + 1); },
        false);
    });
  };
  with_device(
    id,
    [this, k, id, attempt, unreachable](device_ctx dev) {
      read_state(
        dev.actor,
        [this, k, id, attempt, unreachable, dev](json now) {
          auto* pd = find_device(plan, id);
          auto snapshot = pd->before;
          auto reqs = kind->restore(plan.params, snapshot, now);
          bool by_router = attempt > 0 && reqs.empty();
          write_all(dev.actor, reqs, [this, k, id, dev, snapshot, by_router,
                                      unreachable](caf::error err) {
            if (err) {
              unreachable(error_message(err));
              return;
            }
            read_state(
              dev.actor,
              [this, k, id, dev, snapshot, by_router](json after) {
                auto diff = kind->compare(plan.params, snapshot, after);
                auto done = [this, k, id, diff, by_router] {
                  auto st = make_step(diff.empty() ? "device-rolled-back"
                                                   : "device-rollback-failed",
                                      -1, id);
                  st.device_state = diff.empty() ? "rolled_back"
                                                 : "rollback_failed";
                  st.detail = {{"by", by_router ? "dead-man" : "coordinator"}};
                  if (!diff.empty())
                    st.detail["error"] = "state after the rollback differs "
                                         "from the snapshot: "
                                         + diff;
                  journal(std::move(st), [this, k, id, diff] {
                    progress(id + (diff.empty() ? ": rolled back"
                                                : ": rollback failed: " + diff));
                    roll_back_device(k + 1);
                  });
                };
                if (!kind->risky) {
                  done();
                  return;
                }
                remove_deadman(dev.actor, [done](caf::error) { done(); });
              },
              [unreachable](caf::error err) {
                unreachable(error_message(err));
              });
          });
        },
        [unreachable](caf::error err) { unreachable(error_message(err)); });
    },
    [unreachable](caf::error err) { unreachable(error_message(err)); });
}

void coordinator::finish_rollback() {
  bool all = true;
  for (auto& d : plan.devices)
    if (d.state == "rollback_failed")
      all = false;
  auto st = make_step(all ? "plan-rolled-back" : "plan-failed");
  st.to_state = to_string(all ? plan_state::rolled_back : plan_state::failed);
  st.detail = {{"reason", halt_reason}};
  if (!all)
    st.detail["error"] = "some devices could not be rolled back; check "
                         "them by hand (see the journal)";
  journal(std::move(st), [this] { finish(); });
}

} // namespace rmcp::detail
