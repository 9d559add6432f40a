// The device actor's write lock, circuit breaker, update and stop (the
// design is in actors/device_actor.hpp).

#include <algorithm>

#include "actors/detail/device_state.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp::detail {

namespace {

int64_t seconds_until(caf::actor_clock::time_point from,
                      caf::actor_clock::time_point to) {
  auto d = std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
  return std::max<int64_t>(d, 0);
}

} // namespace

// -- write lock -------------------------------------------------------------------

void device_state::release(uint64_t lease) {
  if (lease == 0 || lease != lock.lease || !lock.client_lease || lock.closing)
    return;
  close_lock();
}

void device_state::on_expire(uint64_t lease) {
  if (lease != lock.lease || !lock.client_lease || lock.closing)
    return;
  log::warn(
    log::fleet(), "lease-expired",
    {{"device_id", id()}, {"lease", lease}, {"writes_in_flight", lock.writes}});
  close_lock();
}

void device_state::close_lock() {
  lock.closing = true;
  if (lock.writes == 0)
    free_lock();
}

void device_state::free_lock() {
  lock = write_lock{};
  pump();
}

// -- breaker ----------------------------------------------------------------------

bool device_state::breaker_allows(const device_job& job) {
  if (job.probe || breaker == breaker_state::closed)
    return true;
  if (breaker == breaker_state::open) {
    if (self->clock().now() < probe_at)
      return false;
    breaker = breaker_state::half_open;
    probe_in_flight = false;
    log::info(log::fleet(), "breaker-half-open", {{"device_id", id()}});
  }
  return !probe_in_flight;
}

void device_state::breaker_success() {
  failures = 0;
  if (breaker != breaker_state::closed) {
    log::info(log::fleet(), "breaker-closed", {{"device_id", id()}});
    breaker = breaker_state::closed;
    probe_in_flight = false;
  }
}

void device_state::breaker_failure(const caf::error& err) {
  ++failures;
  last_failure = to_string(error_code_of(err)) + ": " + error_message(err);
  bool reopen = breaker == breaker_state::half_open;
  if (!reopen
      && !(breaker == breaker_state::closed
           && failures >= setup.settings.breaker_threshold))
    return;
  auto cooldown = setup.settings.breaker_cooldown;
  probe_at = self->clock().now() + jitter(cooldown, cooldown + cooldown / 2);
  breaker = breaker_state::open;
  probe_in_flight = false;
  log::warn(log::fleet(), "breaker-open",
            {{"device_id", id()},
             {"failures", failures},
             {"probe_in_s", seconds_until(self->clock().now(), probe_at)},
             {"last_error", to_string(error_code_of(err))}});
}

caf::error device_state::circuit_error() const {
  if (breaker == breaker_state::half_open)
    return make_error(ec::circuit_open,
                      "device " + id()
                        + " is being probed after repeated failures; retry "
                          "in a few seconds");
  return make_error(
    ec::circuit_open,
    "device " + id() + " failed " + std::to_string(failures)
      + " times in a row (last: " + last_failure
      + "); requests fail fast until the next probe in "
      + std::to_string(seconds_until(self->clock().now(), probe_at)) + " s");
}

// -- update and stop ------------------------------------------------------------------

void device_state::update(device_record record, credential creds) {
  auto& old = setup.record;
  bool reconnect = record.host != old.host || record.port != old.port
                   || record.scheme != old.scheme || !(record.tls == old.tls)
                   || !(record.ssh == old.ssh)
                   || record.environment != old.environment
                   || creds != setup.creds;
  setup.record = std::move(record);
  setup.creds = std::move(creds);
  if (!reconnect) {
    log::debug(log::fleet(), "device-updated",
               {{"device_id", id()}, {"reconnect", "false"}});
    return;
  }
  log::info(log::fleet(), "device-updated",
            {{"device_id", id()},
             {"reconnect", "true"},
             {"host", setup.record.host},
             {"port", setup.record.port}});
  auto old_client = std::move(client);
  client = setup.factory->make(
    make_endpoint(setup.record, setup.creds, setup.settings));
  // In-flight requests went to the old address: reads run again, writes
  // fail because nobody knows whether the router applied them.
  // Collect first: ending an attempt may free the lock and start queued
  // jobs on the new client, which must not be touched here.
  std::vector<uint64_t> in_flight_ids;
  for (auto& [job_id, job] : jobs)
    if (job.in_flight)
      in_flight_ids.push_back(job_id);
  std::vector<uint64_t> rerun;
  std::vector<uint64_t> failed;
  for (auto job_id : in_flight_ids) {
    auto& job = jobs.at(job_id);
    end_attempt(job);
    (is_idempotent_read(job.req) ? rerun : failed).push_back(job_id);
  }
  old_client->close();
  breaker_success();
  for (auto job_id : failed)
    finish(job_id, make_error(ec::cancelled,
                              "the settings of device " + id()
                                + " changed while the request was in flight; "
                                  "it may or may not have been applied"));
  for (auto it = rerun.rbegin(); it != rerun.rend(); ++it)
    ready.push_front(*it);
  if (setup.settings.health_checks && !draining)
    schedule_check(
      jitter(std::chrono::milliseconds{0}, std::chrono::milliseconds{1000}));
  pump();
  for (auto job_id : rerun)
    await(job_id);
}

void device_state::stop() {
  if (draining)
    return;
  draining = true;
  ++tick_epoch; // no more health checks
  log::debug(log::fleet(), "device-draining",
             {{"device_id", id()}, {"jobs", jobs.size()}});
  std::vector<uint64_t> acquires;
  for (auto& [job_id, job] : jobs)
    if (job.what == device_job::kind::acquire)
      acquires.push_back(job_id);
  for (auto job_id : acquires)
    fail_job(job_id,
             make_error(ec::shutting_down, "device " + id() + " is stopping"));
  if (!jobs.empty())
    self->delayed_send(self, setup.settings.drain_timeout, atom::deadline_v);
  quit_if_drained();
}

void device_state::on_drain_deadline() {
  std::vector<uint64_t> ids;
  for (auto& [job_id, _] : jobs)
    ids.push_back(job_id);
  for (auto job_id : ids)
    fail_job(job_id, make_error(ec::shutting_down,
                                "device " + id()
                                  + " stopped before the request finished"));
  self->quit();
}

void device_state::quit_if_drained() {
  if (draining && jobs.empty())
    self->quit();
}

std::chrono::milliseconds device_state::jitter(std::chrono::milliseconds lo,
                                               std::chrono::milliseconds hi) {
  if (hi <= lo)
    return lo;
  std::uniform_int_distribution<int64_t> dist{lo.count(), hi.count()};
  return std::chrono::milliseconds{dist(rng)};
}

} // namespace rmcp::detail
