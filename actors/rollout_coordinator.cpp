#include "actors/detail/rollout_coordinator.hpp"

#include <cstdio>

#include "actors/metrics.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::detail {

/// "HH:MM:SS" (RouterOS time value) of a duration.
std::string ros_time(std::chrono::milliseconds d) {
  auto s = std::max<int64_t>(1, (d.count() + 999) / 1000);
  char buf[32];
  std::snprintf(
    buf, sizeof(buf), "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
    static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

bool touched(const std::string& device_state) {
  return device_state == "snapshotted" || device_state == "applying"
         || device_state == "applied" || device_state == "apply_failed"
         || device_state == "rolling_back";
}

// -- plumbing and the run ------------------------------------------------------------

namespace {

struct fan_state {
  size_t n = 0;
  size_t limit = 1;
  size_t next = 0;
  size_t in_flight = 0;
  bool launching = false;
  bool over = false;
  std::function<void(size_t, std::function<void()>)> one;
  std::function<bool()> stop;
  std::function<void()> all;
};

void pump(const std::shared_ptr<fan_state>& f) {
  f->launching = true;
  while (f->in_flight < f->limit && f->next < f->n && !(f->stop && f->stop())) {
    auto i = f->next++;
    ++f->in_flight;
    f->one(i, [f] {
      --f->in_flight;
      if (!f->launching)
        pump(f);
    });
  }
  f->launching = false;
  if (f->in_flight == 0 && !f->over) {
    f->over = true;
    f->all();
  }
}

} // namespace

void fan_out(size_t n, size_t limit,
             std::function<void(size_t, std::function<void()>)> one,
             std::function<bool()> stop, std::function<void()> all) {
  auto f = std::make_shared<fan_state>();
  f->n = n;
  f->limit = std::max<size_t>(1, limit);
  f->one = std::move(one);
  f->stop = std::move(stop);
  f->all = std::move(all);
  pump(f);
}

size_t coordinator::parallel() const {
  return static_cast<size_t>(std::max<int64_t>(1, deps.settings.parallel));
}

plan_step coordinator::make_step(std::string event, int32_t batch,
                                 std::string device_id) {
  plan_step st;
  st.plan_id = plan_id;
  st.event = std::move(event);
  st.batch = batch;
  st.device_id = std::move(device_id);
  return st;
}

void coordinator::log_step(const plan_step& st) const {
  auto kind_name = kind != nullptr ? kind->name : std::string{};
  std::string error;
  if (auto e = st.detail.find("error"); e != st.detail.end() && e->is_string())
    error = e->get<std::string>();
  log::info(log::rollout(), "rollout-step",
            {{"plan_id", plan_id},
             {"step", st.event},
             {"kind", kind_name},
             {"batch", st.batch},
             {"device_id", st.device_id},
             {"plan_state", to_string(plan.state)},
             {"device_state", st.device_state},
             {"seq", st.seq},
             {"error", error}});
  if (deps.metrics)
    deps.metrics->rollout_step(kind_name, st.event);
}

void coordinator::journal(plan_step st, std::function<void()> next) {
  auto from = to_string(plan.state);
  self->request(deps.plans, store_timeout, atom::put_v, st)
    .then(
      [this, st, from, next{std::move(next)}](step_receipt& r) {
        // The store applied the same step to its copy in one transaction.
        apply_step(plan, r.step);
        apply_receipt(plan, r);
        log_step(r.step);
        if (deps.metrics && to_string(plan.state) != from)
          deps.metrics->rollout_transition(from, to_string(plan.state));
        next();
      },
      [this, st](caf::error& err) {
        log::error(log::rollout(), "rollout-journal-failed",
                   {{"plan_id", plan_id},
                    {"event", st.event},
                    {"device_id", st.device_id},
                    {"error", error_message(err)}});
        abort(make_error(ec::store_failure,
                         "rollout of plan " + plan_id
                           + " stopped: its journal could not be written ("
                           + error_message(err)
                           + "); the plan is taken over at the next start"));
      });
}

void coordinator::abort(caf::error err) {
  if (finished)
    return;
  finished = true;
  for (auto& w : waiters)
    w.deliver(err);
  waiters.clear();
  self->quit();
}

bool coordinator::cancel_wanted() const {
  return plan.cancel_requested || caller_gone;
}

std::string coordinator::cancel_reason() const {
  if (caller_gone)
    return "the apply call was cancelled";
  return "cancelled by " + plan.closed_by
         + (plan.reason.empty() ? "" : ": " + plan.reason);
}

// -- end ------------------------------------------------------------------------------

json coordinator::report() const {
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

void coordinator::finish() {
  if (finished)
    return;
  finished = true;
  expect_steps(1);
  progress("plan " + to_string(plan.state));
  auto out = report();
  for (auto& w : waiters)
    w.deliver(out);
  waiters.clear();
  self->quit();
}

// -- the actor ------------------------------------------------------------------------

rollout_actor::behavior_type
coordinator_impl(rollout_actor::stateful_pointer<coordinator> self,
                 rollout_deps deps, std::string plan_id, run_mode mode,
                 caf::strong_actor_ptr caller) {
  auto& st = self->state;
  st.self = self;
  st.deps = std::move(deps);
  st.plan_id = std::move(plan_id);
  st.mode = mode;
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (msg.source == st.caller && !st.finished && !st.caller_gone) {
      log::warn(log::rollout(), "rollout-caller-gone",
                {{"plan_id", st.plan_id}, {"action", "roll-back"}});
      st.caller_gone = true;
      st.interrupt_wait();
    }
  });
  return {
    [self, caller](atom::run, mcp_session_actor& session, std::string& key,
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
      if (caller && st.session) {
        st.caller = caf::actor_cast<caf::actor_addr>(caller);
        self->monitor(caller);
      }
      log::info(log::rollout(), "rollout-start",
                {{"plan_id", st.plan_id}, {"mode", to_string(st.mode)}});
      st.start();
      return promise;
    },
    [self](atom::cancel) { self->state.on_cancel(); },
    [self](atom::tick, uint64_t seq) { self->state.on_wait_over(seq); },
    [self](atom::poll, uint64_t seq) { self->state.on_poll(seq); },
  };
}

} // namespace rmcp::detail
