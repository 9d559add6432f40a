// The device actor's admission by call, the deadlines of waiting jobs and
// the watchdogs of attempts in flight (the design is in
// actors/device_actor.hpp).
//
// A call is one requester: a tool call actor (its parallel GETs are one
// call), a rollout coordinator, the device's own health checks. The bound
// `queue_size` counts calls that have a job here (waiting, in flight or
// waiting for a retry); a request of a call already admitted is never
// refused for the bound, so an admitted call gets all its requests served.
// Jobs that cannot start at once wait for a connection slot or the write
// lock, each up to its own deadline; past it they fail with router_timeout
// without reaching the router. A caller that goes away (a tool call killed
// on timeout or cancel) is seen through its monitor: its waiting jobs are
// dropped at once.

#include <algorithm>

#include "actors/detail/device_state.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::detail {

namespace {

/// Longest deadline a request may ask for.
constexpr int64_t max_request_timeout_ms = 600000;

} // namespace

std::chrono::milliseconds
device_state::timeout_of(const rest_request& req) const {
  if (req.timeout_ms > 0)
    return std::chrono::milliseconds{
      std::min(req.timeout_ms, max_request_timeout_ms)};
  return setup.settings.request_timeout;
}

std::chrono::milliseconds
device_state::wait_budget(const device_job& job) const {
  // An acquire waits for the lock as long as it asked to hold it: a holder
  // frees it within its own TTL, so a longer wait means a line of writers.
  if (job.what == device_job::kind::acquire)
    return std::chrono::milliseconds{job.ttl_ms};
  return timeout_of(job.req);
}

// -- calls ----------------------------------------------------------------------

caf::error device_state::join_call(const device_job& job,
                                   const caf::strong_actor_ptr& who) {
  auto i = callers.find(job.caller);
  if (i != callers.end()) {
    ++i->second;
    return caf::none;
  }
  const auto limit = setup.settings.queue_size;
  if (callers.size() >= limit)
    return make_error(ec::queue_full,
                      "device " + id() + " already serves "
                        + std::to_string(callers.size())
                        + " calls, its limit (device.queue_size = "
                        + std::to_string(limit) + " calls); retry later");
  callers.emplace(job.caller, 1);
  if (who && job.caller != self->address())
    self->monitor(who);
  return caf::none;
}

void device_state::leave_call(const caf::actor_addr& caller) {
  auto i = callers.find(caller);
  if (i == callers.end() || --i->second > 0)
    return;
  callers.erase(i);
  if (caller && caller != self->address())
    self->demonitor(caller);
}

void device_state::on_caller_down(const caf::actor_addr& caller) {
  // Only jobs that wait: one in flight ends with its request (an answer to
  // a dead caller goes nowhere, and a write's outcome must be known).
  std::vector<uint64_t> dropped;
  for (auto& [job_id, job] : jobs)
    if (job.caller == caller && !job.in_flight)
      dropped.push_back(job_id);
  if (dropped.empty())
    return;
  log::debug(log::fleet(), "caller-gone",
             {{"device_id", id()}, {"dropped", dropped.size()}});
  for (auto job_id : dropped)
    fail_job(job_id,
             make_error(ec::cancelled, "the caller of this request on device "
                                         + id() + " went away"));
  pump();
}

void device_state::forget(device_job& job) {
  unawait(job);
  unwatch(job);
  if (job.waiting_retry) {
    job.waiting_retry = false;
    --retrying;
  }
  leave_call(job.caller);
  job.caller = caf::actor_addr{};
}

void device_state::erase_job(
  std::unordered_map<uint64_t, device_job>::iterator i) {
  forget(i->second);
  jobs.erase(i);
}

// -- deadlines of waiting jobs -------------------------------------------------------

void device_state::await(uint64_t id) {
  auto i = jobs.find(id);
  if (i == jobs.end() || i->second.in_flight || i->second.waiting_retry
      || i->second.has_deadline)
    return;
  auto& job = i->second;
  auto at = self->clock().now() + wait_budget(job);
  job.deadline = deadlines.emplace(at, id);
  job.has_deadline = true;
  arm_sweep(at);
}

void device_state::watch(device_job& job, caf::actor_clock::time_point at) {
  unwatch(job);
  job.watchdog = watchdogs.emplace(at, job.id);
  job.has_watchdog = true;
  arm_sweep(at);
}

void device_state::unwatch(device_job& job) {
  if (!job.has_watchdog)
    return;
  watchdogs.erase(job.watchdog);
  job.has_watchdog = false;
}

void device_state::arm_sweep(caf::actor_clock::time_point at) {
  // Under steady traffic every new deadline is later than the armed one,
  // so this sets no timer: one per request timeout, not one per request.
  if (sweep_armed && sweep_at <= at)
    return;
  // One timer for the earliest deadline; an older one goes stale.
  sweep_armed = true;
  sweep_at = at;
  auto now = self->clock().now();
  self->delayed_send(self, at > now ? at - now : caf::timespan{0}, atom::late_v,
                     uint64_t{0}, ++sweep_epoch);
}

void device_state::unawait(device_job& job) {
  if (!job.has_deadline)
    return;
  deadlines.erase(job.deadline);
  job.has_deadline = false;
}

void device_state::on_sweep(uint64_t epoch) {
  if (epoch != sweep_epoch)
    return;
  sweep_armed = false;
  auto now = self->clock().now();
  while (!deadlines.empty() && deadlines.begin()->first <= now) {
    auto job_id = deadlines.begin()->second;
    auto& job = jobs.at(job_id);
    unawait(job);
    auto waited = wait_budget(job).count();
    std::string what;
    if (job.what == device_job::kind::acquire)
      what = "the write lock was not free within " + std::to_string(waited)
             + " ms (the lease TTL asked for)";
    else
      what = job.req.method + " " + job.req.path + " waited "
             + std::to_string(waited) + " ms (its deadline) for "
             + (job.what == device_job::kind::write && job.lease == 0
                  ? "the write lock"
                  : "one of " + std::to_string(setup.settings.max_connections)
                      + " connections")
             + " behind " + std::to_string(callers.size() - 1)
             + " other calls; it was not sent";
    log::info(log::fleet(), "request-wait-expired",
              {{"device_id", id()}, {"ms", waited}});
    fail_job(job_id,
             make_error(ec::router_timeout, "device " + id() + ": " + what));
  }
  while (!watchdogs.empty() && watchdogs.begin()->first <= now) {
    auto job_id = watchdogs.begin()->second;
    unwatch(jobs.at(job_id));
    on_watchdog(job_id);
  }
  // What the loops above started or retried armed its own timer; this one
  // is for what still waits.
  if (!deadlines.empty())
    arm_sweep(deadlines.begin()->first);
  if (!watchdogs.empty())
    arm_sweep(watchdogs.begin()->first);
  pump();
}

} // namespace rmcp::detail
