// Health checks of the device actor: the adaptive timer, the check itself
// (GET /system/resource, now and then /system/identity) and publication.

#include <chrono>

#include "actors/detail/device_state.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/system_resource.hpp"

namespace rmcp::detail {

namespace {

/// How long a device actor waits for the store to take a health sample.
constexpr auto store_timeout = std::chrono::seconds{5};

bool is_busy(ec code) {
  return code == ec::queue_full || code == ec::shutting_down
         || code == ec::cancelled;
}

rest_request get(const char* path) {
  rest_request req;
  req.method = "GET";
  req.path = path;
  return req;
}

} // namespace

void device_state::schedule_check(std::chrono::milliseconds delay) {
  ++tick_epoch;
  self->delayed_send(self, delay, atom::tick_v, tick_epoch);
}

void device_state::on_tick(uint64_t epoch) {
  // A stale timer, or a check is already running (it reschedules).
  if (epoch != tick_epoch || draining || checking)
    return;
  start_check();
}

caf::result<health_sample> device_state::check() {
  auto promise = self->make_response_promise<health_sample>();
  if (draining) {
    promise.deliver(
      make_error(ec::shutting_down, "device " + id() + " is stopping"));
    return promise;
  }
  check_waiters.push_back(promise);
  if (!checking)
    start_check();
  return promise;
}

void device_state::start_check() {
  checking = true;
  auto started = self->clock().now();
  device_job job;
  job.probe = true;
  job.req = get("/system/resource");
  job.then = [this, started](caf::expected<rest_response> result) {
    if (!result) {
      on_resource(std::move(result));
      return;
    }
    if (result->latency_us <= 0)
      result->latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(
          self->clock().now() - started)
          .count();
    on_resource(std::move(result));
  };
  if (auto err = admit(std::move(job)))
    on_resource(std::move(err));
}

void device_state::on_resource(caf::expected<rest_response> result) {
  health_sample sample;
  sample.device_id = id();
  sample.timestamp = health::unix_ms_now();
  // Last-known facts survive a failed check.
  sample.routeros_version = last.routeros_version;
  sample.board_name = last.board_name;
  sample.identity = last.identity;
  if (!result) {
    auto code = error_code_of(result.error());
    if (is_busy(code)) {
      // No observation: the device was busy or stopping, not unreachable.
      checking = false;
      for (auto& waiter : check_waiters)
        waiter.deliver(result.error());
      check_waiters.clear();
      if (setup.settings.health_checks && !draining)
        schedule_check(health::next_interval(sched, device_status::unknown,
                                             setup.record.flags.critical,
                                             setup.settings.health));
      return;
    }
  }
  health::evaluate_answer(result, sample);
  if (sample.status == device_status::unreachable) {
    finish_check(std::move(sample));
    return;
  }
  bool need_identity =
    last.identity.empty()
    || ++checks_since_identity >= setup.settings.identity_every;
  if (!need_identity) {
    finish_check(std::move(sample));
    return;
  }
  checks_since_identity = 0;
  device_job job;
  job.probe = true;
  job.req = get("/system/identity");
  job.then = [this, sample](caf::expected<rest_response> answer) mutable {
    // Identity is a nicety: a failure keeps the last known name.
    if (answer) {
      auto name = parse_system_identity(answer->body);
      if (!name.empty())
        sample.identity = std::move(name);
    }
    finish_check(std::move(sample));
  };
  auto fallback = job.then;
  if (auto err = admit(std::move(job)))
    fallback(std::move(err));
}

void device_state::finish_check(health_sample sample) {
  checking = false;
  if (sample.status != last.status)
    log::info(log::fleet(), "health-changed",
              {{"device_id", id()},
               {"from", to_string(last.status)},
               {"to", to_string(sample.status)},
               {"issues", sample.issues.size()}});
  last = sample;
  if (setup.listener)
    self->send(setup.listener, atom::health_v, sample);
  if (setup.store)
    self->request(setup.store, store_timeout, atom::put_v, sample)
      .then([this](atom::ok) { store_failing = false; },
            [this](caf::error& err) {
              if (!store_failing)
                log::warn(log::fleet(), "health-history-failed",
                          {{"device_id", id()}, {"error", error_message(err)}});
              store_failing = true;
            });
  for (auto& waiter : check_waiters)
    waiter.deliver(sample);
  check_waiters.clear();
  if (setup.settings.health_checks && !draining) {
    auto interval = health::next_interval(
      sched, sample.status, setup.record.flags.critical, setup.settings.health);
    schedule_check(jitter(interval * 9 / 10, interval * 11 / 10));
  }
}

} // namespace rmcp::detail
