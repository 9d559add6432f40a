#include "actors/rollout.hpp"

#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/metrics.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

namespace {

/// Deadline of a plan store request (an LMDB commit).
constexpr auto store_timeout = std::chrono::seconds{30};

/// Deadline of a fleet lookup.
constexpr auto fleet_timeout = std::chrono::seconds{5};

/// Upper bound of one device request (the device's own timeouts are
/// shorter).
constexpr auto device_timeout = std::chrono::seconds{120};

/// How long a device's write lease lasts while the kind's requests run.
constexpr int64_t lease_ttl_ms = 60'000;

/// Upper bound of a whole rollout run for its requesters.
constexpr auto run_timeout = std::chrono::seconds{48 * 3600};

/// Extra wait after the dead-man's due time before looking again.
constexpr auto deadman_margin = std::chrono::seconds{10};

enum class run_mode { run, resume, rollback };

const char* to_string(run_mode m) {
  switch (m) {
    case run_mode::run:
      return "run";
    case run_mode::resume:
      return "resume";
    case run_mode::rollback:
      return "rollback";
  }
  return "?";
}

/// "HH:MM:SS" (RouterOS time value) of a duration.
std::string ros_time(std::chrono::milliseconds d) {
  auto s = std::max<int64_t>(1, (d.count() + 999) / 1000);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld",
                static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60),
                static_cast<long long>(s % 60));
  return buf;
}

rest_request make_request(const char* method, std::string path,
                          json body = nullptr) {
  rest_request req;
  req.method = method;
  req.path = std::move(path);
  req.body = std::move(body);
  return req;
}

bool touched(const std::string& device_state) {
  return device_state == "snapshotted" || device_state == "applying"
         || device_state == "applied" || device_state == "apply_failed"
         || device_state == "rolling_back";
}

// -- the coordinator ------------------------------------------------------------

struct coordinator {
  static inline const char* name = "rmcp.rollout";

  rollout_actor::pointer self = nullptr;
  rollout_deps deps;
  std::string plan_id;
  run_mode mode = run_mode::run;

  plan_record plan;
  const change_kind* kind = nullptr;
  std::vector<caf::typed_response_promise<json>> waiters;
  bool started = false;
  bool finished = false;
  bool rolling_back = false;
  /// The apply call ended before the rollout (cancelled, disconnected).
  bool caller_gone = false;
  caf::actor_addr caller;

  // progress
  mcp_session_actor session;
  std::string request_key;
  json progress_token;
  size_t progress_done = 0;

  // waits
  uint64_t wait_seq = 0;
  std::function<void()> on_tick;

  // the batch under way
  std::vector<std::string> gate_failures;
  /// Devices to roll back, in order.
  std::vector<std::string> targets;
  std::string halt_reason;

  struct device_ctx {
    device_record record;
    device_actor actor;
  };

  // -- plumbing ---------------------------------------------------------------

  void progress(const std::string& message) {
    if (progress_token.is_null() || !session)
      return;
    self->send(session, atom::progress_v, request_key, progress_token,
               static_cast<double>(progress_done),
               json(static_cast<double>(plan.devices.size())), message);
  }

  void wait(std::chrono::milliseconds d, std::function<void()> next) {
    on_tick = std::move(next);
    self->delayed_send(self, d, atom::tick_v, ++wait_seq);
  }

  void on_wait_over(uint64_t seq) {
    if (seq != wait_seq || !on_tick)
      return;
    auto next = std::move(on_tick);
    on_tick = nullptr;
    next();
  }

  plan_step make_step(std::string event, int32_t batch = -1,
                      std::string device_id = {}) {
    plan_step st;
    st.plan_id = plan_id;
    st.event = std::move(event);
    st.batch = batch;
    st.device_id = std::move(device_id);
    return st;
  }

  /// Journals `st` (with its state changes), logs it, then runs `next`.
  /// A journal failure stops the coordinator: nothing is done that is not
  /// journaled; the plan stays as it is and is taken over at the next start.
  void journal(plan_step st, std::function<void()> next) {
    auto from = to_string(plan.state);
    self->request(deps.plans, store_timeout, atom::put_v, st)
      .then(
        [this, st, from, next{std::move(next)}](plan_record& rec) {
          plan = std::move(rec);
          log::rollout()->info(
            "rollout-step plan_id={} event={} batch={} device_id={} "
            "plan_state={} device_state={} seq={}{}",
            plan_id, st.event, st.batch, st.device_id.empty() ? "-" : st.device_id,
            to_string(plan.state), st.device_state.empty() ? "-" : st.device_state,
            plan.journal_seq - 1,
            st.detail.contains("error")
              ? " error=\"" + st.detail["error"].get<std::string>() + "\""
              : std::string{});
          if (deps.metrics && to_string(plan.state) != from)
            deps.metrics->rollout_transition(from, to_string(plan.state));
          next();
        },
        [this, st](caf::error& err) {
          log::rollout()->error("rollout-journal-failed plan_id={} event={} "
                                "device_id={} error=\"{}\"",
                                plan_id, st.event, st.device_id,
                                error_message(err));
          abort(make_error(ec::store_failure,
                           "rollout of plan " + plan_id
                             + " stopped: its journal could not be written ("
                             + error_message(err)
                             + "); the plan is taken over at the next start"));
        });
  }

  void abort(caf::error err) {
    if (finished)
      return;
    finished = true;
    for (auto& w : waiters)
      w.deliver(err);
    waiters.clear();
    self->quit();
  }

  bool cancel_wanted() const {
    return plan.cancel_requested || caller_gone;
  }

  std::string cancel_reason() const {
    if (caller_gone)
      return "the apply call was cancelled";
    return "cancelled by " + plan.closed_by
           + (plan.reason.empty() ? "" : ": " + plan.reason);
  }

  void with_device(const std::string& id, std::function<void(device_ctx)> ok,
                   std::function<void(caf::error)> fail) {
    self->request(deps.fleet, fleet_timeout, atom::get_v, id, atom::view_v)
      .then(
        [this, id, ok, fail](device_view& view) {
          self->request(deps.fleet, fleet_timeout, atom::get_v, id)
            .then(
              [ok, rec{view.record}](device_actor& actor) {
                ok(device_ctx{rec, actor});
              },
              [fail](caf::error& err) { fail(std::move(err)); });
        },
        [fail](caf::error& err) { fail(std::move(err)); });
  }

  /// GETs the kind's reads and hands the state to `ok`.
  void read_state(const device_actor& dev, std::function<void(json)> ok,
                  std::function<void(caf::error)> fail) {
    struct join {
      std::vector<json> bodies;
      size_t pending = 0;
      bool failed = false;
    };
    auto paths = kind->reads(plan.params);
    auto j = std::make_shared<join>();
    j->bodies.resize(paths.size());
    j->pending = paths.size();
    if (paths.empty()) {
      ok(kind->state(plan.params, j->bodies));
      return;
    }
    for (size_t i = 0; i < paths.size(); ++i)
      self->request(dev, device_timeout, atom::exec_v,
                    make_request("GET", paths[i]))
        .then(
          [this, j, i, ok](rest_response& resp) {
            if (j->failed)
              return;
            j->bodies[i] = std::move(resp.body);
            if (--j->pending == 0)
              ok(kind->state(plan.params, j->bodies));
          },
          [j, fail](caf::error& err) {
            if (j->failed)
              return;
            j->failed = true;
            fail(std::move(err));
          });
  }

  /// Runs `reqs` in order under one write lease.
  void write_all(const device_actor& dev, std::vector<rest_request> reqs,
                 std::function<void(caf::error)> done) {
    if (reqs.empty()) {
      done(caf::none);
      return;
    }
    self->request(dev, device_timeout, atom::acquire_v, lease_ttl_ms)
      .then(
        [this, dev, reqs{std::move(reqs)}, done](uint64_t lease) mutable {
          auto shared = std::make_shared<std::vector<rest_request>>(
            std::move(reqs));
          write_next(dev, shared, 0, lease, done);
        },
        [done](caf::error& err) { done(std::move(err)); });
  }

  void write_next(const device_actor& dev,
                  std::shared_ptr<std::vector<rest_request>> reqs, size_t i,
                  uint64_t lease, std::function<void(caf::error)> done) {
    if (i == reqs->size()) {
      self->send(dev, atom::release_v, lease);
      done(caf::none);
      return;
    }
    auto req = (*reqs)[i];
    req.lease = lease;
    self->request(dev, device_timeout, atom::exec_v, std::move(req))
      .then(
        [this, dev, reqs, i, lease, done](rest_response&) {
          write_next(dev, reqs, i + 1, lease, done);
        },
        [this, dev, lease, done](caf::error& err) {
          self->send(dev, atom::release_v, lease);
          done(std::move(err));
        });
  }

  /// Removes the dead-man job of this plan from a router (none: fine).
  void remove_deadman(const device_actor& dev,
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

  // -- start --------------------------------------------------------------------

  void start() {
    self->request(deps.plans, store_timeout, atom::get_v, atom::plan_v, plan_id)
      .then(
        [this](plan_record& rec) {
          plan = std::move(rec);
          kind = deps.kinds ? deps.kinds(plan.kind) : nullptr;
          if (kind == nullptr) {
            abort(make_error(ec::internal_error,
                             "plan " + plan_id + " has kind '" + plan.kind
                               + "', which this server does not know"));
            return;
          }
          if (plan.state == plan_state::rolling_back) {
            rollback("taking over an interrupted rollback");
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
              batch(0);
              break;
            case run_mode::resume:
              journal(make_step("plan-resumed"), [this] { batch(0); });
              break;
            case run_mode::rollback:
              rollback(plan.cancel_requested ? cancel_reason()
                                             : "rollback of an interrupted "
                                               "rollout (rollout.on_restart)");
              break;
          }
        },
        [this](caf::error& err) { abort(std::move(err)); });
  }

  // -- forward ------------------------------------------------------------------

  void batch(size_t b) {
    if (b >= plan.batches.size()) {
      auto st = make_step("plan-completed");
      st.to_state = to_string(plan_state::completed);
      journal(std::move(st), [this] { finish(); });
      return;
    }
    // Fresh look at the plan: a cancel may have come from another process.
    self->request(deps.plans, store_timeout, atom::get_v, atom::plan_v, plan_id)
      .then(
        [this, b](plan_record& rec) {
          plan = std::move(rec);
          if (cancel_wanted()) {
            rollback(cancel_reason());
            return;
          }
          auto st = make_step("batch-started", static_cast<int32_t>(b));
          st.detail = {{"devices", plan.batches[b]},
                       {"canary", b == 0 && plan.batches.size() > 1}};
          journal(std::move(st), [this, b] {
            gate_failures.clear();
            device(b, 0);
          });
        },
        [this](caf::error& err) { abort(std::move(err)); });
  }

  void device(size_t b, size_t i) {
    if (i >= plan.batches[b].size()) {
      after_batch(b);
      return;
    }
    if (cancel_wanted()) {
      rollback(cancel_reason());
      return;
    }
    const auto id = plan.batches[b][i];
    auto* pd = find_device(plan, id);
    if (pd == nullptr || pd->state == "applied") {
      device(b, i + 1);
      return;
    }
    auto ib = static_cast<int32_t>(b);
    auto failed = [this, b, i, ib, id](const std::string& what) {
      auto st = make_step("device-apply-failed", ib, id);
      st.device_state = "apply_failed";
      st.detail = {{"error", what}};
      journal(std::move(st), [this, b, id, what] {
        gate_failures.push_back(id + ": " + what);
        ++progress_done;
        progress(id + " failed: " + what);
        gate_failed(b);
      });
    };
    with_device(
      id,
      [this, b, i, ib, id, failed](device_ctx dev) {
        read_state(
          dev.actor,
          [this, b, i, ib, id, dev, failed](json current) {
            auto* pd = find_device(plan, id);
            // Resuming after a crash: the first snapshot stays the target.
            bool fresh = pd->state == "pending" || pd->before.empty();
            json snapshot = fresh ? current : pd->before;
            auto planned = kind->plan(plan.params, current, dev.record);
            auto go = [this, b, i, ib, id, dev, failed, snapshot, planned] {
              if (!planned) {
                failed(error_message(planned.error()));
                return;
              }
              if (planned->requests.empty()) {
                auto st = make_step("device-applied", ib, id);
                st.device_state = "applied";
                st.detail = {{"changed", false}};
                journal(std::move(st), [this, b, i, id] {
                  ++progress_done;
                  progress(id + ": already as intended");
                  device(b, i + 1);
                });
                return;
              }
              auto apply = [this, b, i, ib, id, dev, failed, planned] {
                auto st = make_step("device-applying", ib, id);
                st.device_state = "applying";
                st.detail = {{"requests", planned->requests.size()}};
                journal(std::move(st), [this, b, i, ib, id, dev, failed,
                                        planned] {
                  write_all(dev.actor, planned->requests,
                            [this, b, i, ib, id, failed](caf::error err) {
                              if (err) {
                                failed(error_message(err));
                                return;
                              }
                              auto st = make_step("device-applied", ib, id);
                              st.device_state = "applied";
                              st.detail = {{"changed", true}};
                              journal(std::move(st), [this, b, i, id] {
                                ++progress_done;
                                progress(id + ": applied");
                                device(b, i + 1);
                              });
                            });
                });
              };
              if (!kind->risky || kind->revert_script == nullptr) {
                apply();
                return;
              }
              arm_deadman(ib, id, dev, snapshot, apply, failed);
            };
            if (!fresh) {
              go();
              return;
            }
            auto st = make_step("device-snapshot", ib, id);
            st.device_state = "snapshotted";
            st.detail = {{"before", snapshot}};
            journal(std::move(st), go);
          },
          [failed](caf::error err) {
            failed("reading its state failed: " + error_message(err));
          });
      },
      [failed](caf::error err) { failed(error_message(err)); });
  }

  void arm_deadman(int32_t ib, const std::string& id, const device_ctx& dev,
                   const json& snapshot, std::function<void()> apply,
                   std::function<void(const std::string&)> failed) {
    auto name = deadman_job_name(plan_id);
    auto script = kind->revert_script(plan.params, snapshot)
                  + "; /system scheduler remove [find name=" + name + "]";
    auto st = make_step("deadman-arming", ib, id);
    st.detail = {{"job", name},
                 {"delay_ms", deps.settings.deadman_delay.count()},
                 {"script", script}};
    journal(std::move(st), [this, dev, name, script, apply, failed] {
      // A job left by an earlier attempt goes first: one job per router.
      remove_deadman(dev.actor, [this, dev, name, script, apply,
                                 failed](caf::error err) {
        if (err) {
          failed("arming the dead-man revert failed: " + error_message(err));
          return;
        }
        json body{{"name", name},
                  {"interval", ros_time(deps.settings.deadman_delay)},
                  {"on-event", script},
                  {"comment", "routeros-mcp dead-man revert of plan "
                                + plan_id}};
        write_all(dev.actor, {make_request("PUT", "/system/scheduler", body)},
                  [apply, failed](caf::error err) {
                    if (err) {
                      failed("arming the dead-man revert failed: "
                             + error_message(err));
                      return;
                    }
                    apply();
                  });
      });
    });
  }

  void after_batch(size_t b) {
    if (!gate_failures.empty()) {
      gate_failed(b);
      return;
    }
    if (deps.settings.gate_delay.count() > 0)
      wait(deps.settings.gate_delay, [this, b] { gate(b); });
    else
      gate(b);
  }

  void gate(size_t b) {
    auto st = make_step("gate-started", static_cast<int32_t>(b));
    journal(std::move(st), [this, b] {
      std::vector<std::pair<std::string, bool>> checks;
      for (auto& id : plan.batches[b])
        checks.emplace_back(id, true);
      if (deps.settings.gate_untouched)
        for (size_t later = b + 1; later < plan.batches.size(); ++later)
          for (auto& id : plan.batches[later])
            checks.emplace_back(id, false);
      gate_check(b, std::make_shared<decltype(checks)>(std::move(checks)), 0);
    });
  }

  void gate_check(size_t b,
                  std::shared_ptr<std::vector<std::pair<std::string, bool>>>
                    checks,
                  size_t k) {
    if (k == checks->size()) {
      gate_done(b);
      return;
    }
    auto [id, was_changed] = (*checks)[k];
    auto next = [this, b, checks, k] { gate_check(b, checks, k + 1); };
    auto bad = [this, next, id{id}](const std::string& what) {
      gate_failures.push_back(id + ": " + what);
      next();
    };
    with_device(
      id,
      [this, id{id}, was_changed{was_changed}, next, bad](device_ctx dev) {
        self->request(dev.actor, device_timeout, atom::check_v)
          .then(
            [this, id, was_changed, next, bad, dev](health_sample& s) {
              if (s.status != device_status::healthy) {
                std::string why = to_string(s.status);
                for (auto& issue : s.issues)
                  why += "; " + issue;
                bad("health " + why);
                return;
              }
              if (!was_changed) {
                next();
                return;
              }
              read_state(
                dev.actor,
                [this, id, next, bad, dev](json after) {
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
                  next();
                },
                [bad](caf::error err) {
                  bad("reading its state failed: " + error_message(err));
                });
            },
            [bad](caf::error& err) { bad("health " + error_message(err)); });
      },
      [bad](caf::error err) { bad(error_message(err)); });
  }

  void gate_done(size_t b) {
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
        if (b + 1 < plan.batches.size() && plan.pause_ms > 0)
          wait(std::chrono::milliseconds{plan.pause_ms},
               [this, b] { batch(b + 1); });
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

  /// Removes the dead-man jobs of batch `b` (from device `i` on).
  void disarm(size_t b, size_t i, std::function<void()> done) {
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

  void gate_failed(size_t b) {
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

  // -- rollback -----------------------------------------------------------------

  void rollback(std::string reason) {
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
      progress("rolling back " + std::to_string(targets.size())
               + " device(s)");
      roll_back_device(0);
    });
  }

  void roll_back_device(size_t k) {
    if (k >= targets.size()) {
      finish_rollback();
      return;
    }
    auto id = targets[k];
    auto st = make_step("device-rolling-back", -1, id);
    st.device_state = "rolling_back";
    journal(std::move(st), [this, k, id] { restore(k, id, 0); });
  }

  /// One attempt to bring device `id` back to its snapshot. `attempt` > 0:
  /// after a dead-man wait.
  void restore(size_t k, const std::string& id, int attempt) {
    auto unreachable = [this, k, id, attempt](const std::string& what) {
      if (!kind->risky || attempt >= deps.settings.confirm_attempts) {
        auto st = make_step("device-rollback-failed", -1, id);
        st.device_state = "rollback_failed";
        st.detail = {{"error", what}, {"attempts", attempt + 1}};
        journal(std::move(st), [this, k] { roll_back_device(k + 1); });
        return;
      }
      auto delay = attempt == 0 ? deps.settings.deadman_delay + deadman_margin
                                : deps.settings.confirm_interval;
      auto st = make_step("deadman-waiting", -1, id);
      st.detail = {{"error", what},
                   {"attempt", attempt + 1},
                   {"wait_ms", delay.count()}};
      journal(std::move(st), [this, k, id, attempt, delay] {
        wait(delay, [this, k, id, attempt] { restore(k, id, attempt + 1); });
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
                    journal(std::move(st), [this, k] { roll_back_device(k + 1); });
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

  void finish_rollback() {
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

  // -- end ------------------------------------------------------------------------

  json report() const {
    json devices = json::array();
    for (auto& b : plan.batches)
      for (auto& id : b) {
        auto& p = const_cast<plan_record&>(plan);
        auto* d = find_device(p, id);
        json entry{{"device_id", id}, {"state", d ? d->state : "unknown"}};
        if (d && !d->error.empty())
          entry["error"] = d->error;
        devices.push_back(std::move(entry));
      }
    json out{{"plan_id", plan_id},
             {"kind", plan.kind},
             {"state", to_string(plan.state)},
             {"batches", plan.batches.size()},
             {"devices", std::move(devices)},
             {"failures", gate_failures}};
    if (!halt_reason.empty())
      out["reason"] = halt_reason;
    return out;
  }

  void finish() {
    if (finished)
      return;
    finished = true;
    progress_done = plan.devices.size();
    progress("plan " + to_string(plan.state));
    auto out = report();
    for (auto& w : waiters)
      w.deliver(out);
    waiters.clear();
    self->quit();
  }
};

rollout_actor::behavior_type
coordinator_impl(rollout_actor::stateful_pointer<coordinator> self,
                 rollout_deps deps, std::string plan_id, run_mode mode) {
  auto& st = self->state;
  st.self = self;
  st.deps = std::move(deps);
  st.plan_id = std::move(plan_id);
  st.mode = mode;
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (msg.source == st.caller && !st.finished && !st.caller_gone) {
      log::rollout()->warn("rollout-caller-gone plan_id={}: rolling back",
                           st.plan_id);
      st.caller_gone = true;
    }
  });
  return {
    [self](atom::run, mcp_session_actor& session, std::string& key,
           json& token) -> caf::result<json> {
      auto& st = self->state;
      auto promise = self->make_response_promise<json>();
      st.waiters.push_back(promise);
      if (st.started)
        return promise;
      st.started = true;
      st.session = std::move(session);
      st.request_key = std::move(key);
      st.progress_token = std::move(token);
      if (auto sender = self->current_sender(); sender && st.session) {
        st.caller = caf::actor_cast<caf::actor_addr>(sender);
        self->monitor(sender);
      }
      log::rollout()->info("rollout-start plan_id={} mode={}", st.plan_id,
                           to_string(st.mode));
      st.start();
      return promise;
    },
    [self](atom::tick, uint64_t seq) { self->state.on_wait_over(seq); },
  };
}

// -- the manager ------------------------------------------------------------------

struct manager {
  static inline const char* name = "rmcp.rollouts";

  rollout_manager_actor::pointer self = nullptr;
  rollout_deps deps;
  std::map<std::string, rollout_actor> running;

  rollout_actor launch(const std::string& id, run_mode mode) {
    // Linked: stopping the manager (shutdown) stops the coordinators where
    // they are; their plans are taken over at the next start.
    auto h = self->spawn<caf::linked>(coordinator_impl, deps, id, mode);
    self->monitor(h);
    running[id] = h;
    return h;
  }
};

rollout_manager_actor::behavior_type
manager_impl(rollout_manager_actor::stateful_pointer<manager> self,
             rollout_deps deps) {
  self->state.self = self;
  self->state.deps = std::move(deps);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& running = self->state.running;
    for (auto i = running.begin(); i != running.end(); ++i)
      if (i->second.address() == msg.source) {
        running.erase(i);
        return;
      }
  });
  return {
    [self](atom::run, const std::string& id, mcp_session_actor& session,
           std::string& key, json& token) -> caf::result<json> {
      auto& st = self->state;
      if (st.running.count(id))
        return make_error(ec::conflict,
                          "plan " + id + " is already being rolled out");
      auto h = st.launch(id, run_mode::run);
      return self->delegate(h, atom::run_v, std::move(session),
                            std::move(key), std::move(token));
    },
    [self](atom::rollback, const std::string& id) -> caf::result<json> {
      auto& st = self->state;
      if (st.running.count(id))
        return json{{"plan_id", id}, {"running", true}};
      auto h = st.launch(id, run_mode::rollback);
      return self->delegate(h, atom::run_v, mcp_session_actor{},
                            std::string{}, json{});
    },
    [self](atom::recover) -> caf::result<std::vector<std::string>> {
      auto promise = self->make_response_promise<std::vector<std::string>>();
      auto& st = self->state;
      self->request(st.deps.plans, store_timeout, atom::get_v, atom::plans_v)
        .then(
          [self, promise](std::vector<plan_record>& plans) mutable {
            auto& st = self->state;
            std::vector<std::string> taken;
            for (auto& p : plans) {
              if (st.running.count(p.id))
                continue;
              run_mode mode;
              if (p.state == plan_state::rolling_back)
                mode = run_mode::rollback;
              else if (p.state == plan_state::executing)
                mode = st.deps.settings.resume_on_restart && !p.cancel_requested
                         ? run_mode::resume
                         : run_mode::rollback;
              else
                continue;
              log::rollout()->warn("rollout-recover plan_id={} state={} "
                                   "action={}",
                                   p.id, to_string(p.state), to_string(mode));
              auto h = st.launch(p.id, mode);
              auto id = p.id;
              self->request(h, run_timeout, atom::run_v, mcp_session_actor{},
                            std::string{}, json{})
                .then(
                  [id](json& report) {
                    log::rollout()->info("rollout-recovered plan_id={} "
                                         "state={}",
                                         id, report.value("state", "?"));
                  },
                  [id](caf::error& err) {
                    log::rollout()->error("rollout-recover-failed plan_id={} "
                                          "error=\"{}\"",
                                          id, error_message(err));
                  });
              taken.push_back(p.id);
            }
            promise.deliver(std::move(taken));
          },
          [promise](caf::error& err) mutable { promise.deliver(err); });
      return promise;
    },
  };
}

} // namespace

std::string deadman_job_name(const std::string& plan_id) {
  return "rmcp-deadman-" + plan_id;
}

rollout_manager_actor spawn_rollout_manager(caf::actor_system& sys,
                                            rollout_deps deps) {
  return sys.spawn(manager_impl, std::move(deps));
}

} // namespace rmcp
