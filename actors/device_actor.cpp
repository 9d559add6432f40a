#include "actors/device_actor.hpp"

#include <algorithm>

#include <caf/send.hpp>

#include "actors/detail/device_state.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/routeros_shape.hpp"

namespace rmcp {

namespace detail {

namespace {

/// Beyond the request's own deadline, how long the watchdog waits for the
/// client's callback before declaring a timeout itself.
constexpr auto watchdog_grace = std::chrono::seconds{2};

bool is_transport_failure(ec code) {
  return code == ec::router_unreachable || code == ec::router_timeout
         || code == ec::router_tls_failed
         || code == ec::router_host_key_mismatch;
}

bool is_retryable_failure(ec code) {
  return code == ec::router_unreachable || code == ec::router_timeout
         || code == ec::router_server_error || code == ec::router_bad_answer;
}

bool known_method(const std::string& m) {
  return m == "GET" || m == "PUT" || m == "PATCH" || m == "DELETE"
         || m == "POST";
}

} // namespace

device_state::~device_state() {
  if (client)
    client->close();
  auto gone = [this] {
    return make_error(ec::shutting_down,
                      "device " + id() + " stopped before answering");
  };
  for (auto& [_, job] : jobs) {
    if (job.promise.pending())
      job.promise.deliver(gone());
    if (job.lease_promise.pending())
      job.lease_promise.deliver(gone());
  }
  for (auto& waiter : check_waiters)
    waiter.deliver(gone());
}

void device_state::init(device_actor::pointer self_ptr, device_setup x) {
  self = self_ptr;
  setup = std::move(x);
  rng.seed(setup.settings.seed != 0 ? setup.settings.seed
                                    : std::random_device{}());
  next_lease = (rng() & 0xffffffu) + 1;
  client = setup.factory->make(
    make_endpoint(setup.record, setup.creds, setup.settings));
  last.device_id = id();
  log::debug(log::fleet(), "device-started",
             {{"device_id", id()},
              {"host", setup.record.host},
              {"port", setup.record.port}});
  if (setup.settings.health_checks)
    schedule_check(
      jitter(std::chrono::milliseconds{0}, setup.settings.health_start_spread));
}

// -- requests -------------------------------------------------------------------

caf::result<rest_response> device_state::exec(rest_request req) {
  if (!known_method(req.method) || req.path.empty() || req.path[0] != '/')
    return make_error(ec::invalid_arguments,
                      "bad REST request '" + req.method + " " + req.path
                        + "': method must be GET, PUT, PATCH, DELETE or POST "
                          "and the path must start with '/'");
  device_job job;
  job.what = is_write(req) ? device_job::kind::write : device_job::kind::read;
  job.max_attempts = is_idempotent_read(req)
                       ? std::max<uint32_t>(1, setup.settings.read_attempts)
                       : 1;
  job.req = std::move(req);
  // Before the promise, which takes the sender out of the message.
  auto who = self->current_sender();
  job.promise = self->make_response_promise<rest_response>();
  auto promise = job.promise;
  // The promise owns the response now: errors go through it too.
  if (auto err = admit(std::move(job), std::move(who)))
    promise.deliver(std::move(err));
  return promise;
}

caf::result<uint64_t> device_state::acquire(int64_t ttl_ms) {
  if (ttl_ms <= 0)
    return make_error(ec::invalid_arguments, "lease TTL must be positive, got "
                                               + std::to_string(ttl_ms)
                                               + " ms");
  device_job job;
  job.what = device_job::kind::acquire;
  job.ttl_ms = std::min<int64_t>(ttl_ms, setup.settings.max_lease.count());
  auto who = self->current_sender();
  job.lease_promise = self->make_response_promise<uint64_t>();
  auto promise = job.lease_promise;
  if (auto err = admit(std::move(job), std::move(who)))
    promise.deliver(std::move(err));
  return promise;
}

caf::error device_state::admit(device_job job, caf::strong_actor_ptr who) {
  if (draining)
    return make_error(ec::shutting_down,
                      "device " + id() + " is stopping; retry shortly");
  // The fleet passes an empty credential when the store holds none (never
  // entered, or dropped when the endpoint changed): nothing, not even a
  // request without a password, goes to the router then.
  if (setup.creds.username.empty())
    return make_error(ec::router_auth_failed,
                      "device " + id()
                        + " has no stored credential (none was entered, or "
                          "it was dropped when its address changed); an "
                          "operator must enter the password: routeros-mcp "
                          "device update "
                        + id() + " --password-env VAR");
  if (job.req.lease != 0
      && (job.req.lease != lock.lease || lock.closing || !lock.client_lease))
    return make_error(ec::conflict,
                      "lease " + std::to_string(job.req.lease)
                        + " does not hold the write lock of device " + id()
                        + " (expired or released); acquire a new one");
  if (!job.probe && job.what != device_job::kind::acquire
      && breaker == breaker_state::open && self->clock().now() < probe_at)
    return circuit_error();
  // The call is the requester (a tool call's parallel GETs are one call);
  // health checks are the device's own.
  job.caller =
    job.probe ? self->address() : caf::actor_cast<caf::actor_addr>(who);
  if (auto err = join_call(job, who))
    return err;
  job.id = next_job++;
  auto id = job.id;
  bool needs_lock =
    job.what == device_job::kind::acquire
    || (job.what == device_job::kind::write && job.req.lease == 0);
  if (job.what == device_job::kind::write && job.req.lease != 0)
    job.lease = job.req.lease;
  jobs.emplace(id, std::move(job));
  (needs_lock ? lock_waiters : ready).push_back(id);
  pump();
  await(id);
  return caf::none;
}

void device_state::pump() {
  for (bool progress = true; progress;) {
    progress = false;
    // The lock goes to the oldest waiter (an acquire or a lease-less write).
    while (lock.lease == 0 && !lock_waiters.empty()) {
      auto i = jobs.find(lock_waiters.front());
      lock_waiters.pop_front();
      if (i == jobs.end())
        continue;
      auto& job = i->second;
      lock.lease = next_lease++;
      lock.closing = false;
      lock.writes = 0;
      if (job.what == device_job::kind::acquire) {
        lock.client_lease = true;
        self->delayed_send(self, std::chrono::milliseconds{job.ttl_ms},
                           atom::expire_v, lock.lease);
        job.lease_promise.deliver(lock.lease);
        erase_job(i);
      } else {
        lock.client_lease = false;
        job.lease = lock.lease;
        ready.push_back(job.id);
      }
      progress = true;
    }
    while (!ready.empty()) {
      auto id = ready.front();
      auto i = jobs.find(id);
      if (i == jobs.end()) {
        ready.pop_front();
        continue;
      }
      auto& job = i->second;
      if (in_flight >= slots_for(job))
        break;
      ready.pop_front();
      // A write queued under a client lease that expired (or was released)
      // meanwhile must not run next to the new lock holder.
      if (job.what == device_job::kind::write && job.lease != lock.lease) {
        fail_job(id,
                 make_error(ec::conflict,
                            "the lease of this write on device " + this->id()
                              + " expired before it could run; acquire "
                                "a new one"));
        progress = true;
        continue;
      }
      if (!breaker_allows(job)) {
        fail_job(id, circuit_error());
        progress = true;
        continue;
      }
      start(i->second);
      progress = true;
    }
  }
  quit_if_drained();
}

size_t device_state::slots_for(const device_job& job) const {
  // Reads are handed to the client ahead, one more per connection: when a
  // connection frees, the client sends the next at once instead of waiting
  // for this actor's turn (the router still sees at most max_connections).
  // Writes go only to a free connection, so one never waits behind a read
  // there (nor past the lease it was checked against).
  auto n = setup.settings.max_connections;
  return job.what == device_job::kind::read && !job.probe ? 2 * n : n;
}

void device_state::start(device_job& job) {
  unawait(job);
  ++job.attempts;
  job.token = next_token++;
  job.in_flight = true;
  job.started = self->clock().now();
  ++in_flight;
  if (job.what == device_job::kind::write)
    ++lock.writes;
  if (breaker == breaker_state::half_open)
    probe_in_flight = true;
  auto timeout = timeout_of(job.req);
  device_addr addr = self->address();
  auto job_id = job.id;
  auto token = job.token;
  job.client_id = client->async_request(
    job.req, timeout,
    [addr, job_id, token](caf::expected<rest_response> result) {
      auto hdl = caf::actor_cast<caf::actor>(addr);
      if (!hdl)
        return;
      if (result)
        caf::anon_send(hdl, atom::done_v, job_id, token, std::move(*result));
      else
        caf::anon_send(hdl, atom::failed_v, job_id, token, result.error());
    });
  watch(job, job.started + timeout + watchdog_grace);
}

void device_state::end_attempt(device_job& job) {
  unwatch(job);
  job.in_flight = false;
  --in_flight;
  if (job.what == device_job::kind::write && lock.writes > 0
      && job.lease == lock.lease) {
    --lock.writes;
    if (!lock.client_lease)
      free_lock(); // a one-request lock ends with its request
    else if (lock.closing && lock.writes == 0)
      free_lock();
  }
}

void device_state::log_attempt(const device_job& job,
                               std::string_view outcome) {
  auto latency = self->clock().now() - job.started;
  auto ms = std::chrono::duration<double, std::milli>(latency).count();
  log::debug(log::router(), "rest-call",
             {{"device_id", this->id()},
              {"method", job.req.method},
              {"path", job.req.path},
              {"request_id", job.req.context.request_id},
              {"plan_id", job.req.context.plan_id},
              {"attempt", job.attempts},
              {"outcome", outcome},
              {"latency_ms", ms}});
  if (setup.metrics && outcome != "cancelled")
    setup.metrics->rest_request(this->id(), outcome,
                                std::chrono::duration<double>(latency));
}

void device_state::on_done(uint64_t id, uint64_t token, rest_response resp) {
  auto i = jobs.find(id);
  if (i == jobs.end() || !i->second.in_flight || i->second.token != token)
    return;
  // Nothing leaves this actor that has not the shape of its path.
  const auto& req = i->second.req;
  if (auto err = ros::check_answer("device " + this->id() + ": " + req.method
                                     + " " + req.path,
                                   req, resp.body)) {
    log::warn(log::fleet(), "router-bad-answer",
              {{"device_id", this->id()},
               {"path", req.path},
               {"attempt", i->second.attempts}});
    on_failed(id, token, std::move(err));
    return;
  }
  end_attempt(i->second);
  log_attempt(i->second, "ok");
  breaker_success();
  finish(id, std::move(resp));
  pump();
}

void device_state::on_failed(uint64_t id, uint64_t token, caf::error err) {
  auto i = jobs.find(id);
  if (i == jobs.end() || !i->second.in_flight || i->second.token != token)
    return;
  auto& job = i->second;
  end_attempt(job);
  auto code = error_code_of(err);
  log_attempt(job, to_string(code));
  if (setup.metrics && code != ec::cancelled)
    setup.metrics->rest_error(this->id(), code);
  if (is_transport_failure(code))
    breaker_failure(err);
  else if (code != ec::cancelled)
    breaker_success();
  else if (breaker == breaker_state::half_open)
    probe_in_flight = false; // the probe never ran; let the next one go
  if (is_retryable_failure(code) && job.attempts < job.max_attempts && !draining
      && breaker == breaker_state::closed) {
    auto cap = std::min<std::chrono::milliseconds>(
      setup.settings.retry_max,
      setup.settings.retry_base
        * (int64_t{1} << std::min<uint32_t>(job.attempts - 1, 20)));
    auto delay = jitter(cap / 2, cap);
    log::debug(log::fleet(), "request-retry",
               {{"device_id", this->id()},
                {"path", job.req.path},
                {"attempt", job.attempts},
                {"delay_ms", delay.count()},
                {"error", to_string(code)}});
    job.waiting_retry = true;
    ++retrying;
    self->delayed_send(self, delay, atom::retry_v, id);
  } else {
    finish(id, std::move(err));
  }
  pump();
}

void device_state::on_retry(uint64_t id) {
  auto i = jobs.find(id);
  if (i == jobs.end() || !i->second.waiting_retry)
    return;
  i->second.waiting_retry = false;
  --retrying;
  ready.push_front(id);
  pump();
  await(id);
}

void device_state::on_watchdog(uint64_t id) {
  auto i = jobs.find(id);
  if (i == jobs.end() || !i->second.in_flight)
    return;
  auto token = i->second.token;
  log::warn(log::fleet(), "request-watchdog",
            {{"device_id", this->id()}, {"path", i->second.req.path}});
  client->cancel(i->second.client_id);
  on_failed(id, token,
            make_error(ec::router_timeout,
                       "device " + this->id() + ": no answer to "
                         + i->second.req.method + " " + i->second.req.path
                         + " within the request deadline"));
}

void device_state::finish(uint64_t id, caf::expected<rest_response> result) {
  auto i = jobs.find(id);
  if (i == jobs.end())
    return;
  forget(i->second);
  auto job = std::move(i->second);
  jobs.erase(i);
  if (job.promise.pending()) {
    if (result)
      job.promise.deliver(std::move(*result));
    else
      job.promise.deliver(std::move(result.error()));
  } else if (job.then) {
    job.then(std::move(result));
  }
}

void device_state::fail_job(uint64_t id, caf::error err) {
  auto i = jobs.find(id);
  if (i != jobs.end() && i->second.what == device_job::kind::write
      && !i->second.in_flight && !lock.client_lease
      && i->second.lease == lock.lease && lock.lease != 0)
    free_lock();
  if (i != jobs.end() && i->second.lease_promise.pending()) {
    i->second.lease_promise.deliver(std::move(err));
    erase_job(i);
    return;
  }
  finish(id, std::move(err));
}

namespace {

device_actor::behavior_type
device_behavior(device_actor::stateful_pointer<device_state> self,
                device_setup setup) {
  self->state.init(self, std::move(setup));
  self->set_down_handler(
    [self](caf::down_msg& down) { self->state.on_caller_down(down.source); });
  return {
    [self](atom::exec, rest_request& req) -> caf::result<rest_response> {
      return self->state.exec(std::move(req));
    },
    [self](atom::acquire, int64_t ttl_ms) -> caf::result<uint64_t> {
      return self->state.acquire(ttl_ms);
    },
    [self](atom::release, uint64_t lease) { self->state.release(lease); },
    [self](atom::get, atom::status) -> health_sample {
      return self->state.last;
    },
    [self](atom::check) -> caf::result<health_sample> {
      return self->state.check();
    },
    [self](atom::update, device_record& record, credential& creds) {
      self->state.update(std::move(record), std::move(creds));
    },
    [self](atom::stop) { self->state.stop(); },
    [self](atom::done, uint64_t job, uint64_t token, rest_response& resp) {
      self->state.on_done(job, token, std::move(resp));
    },
    [self](atom::failed, uint64_t job, uint64_t token, caf::error& err) {
      self->state.on_failed(job, token, std::move(err));
    },
    [self](atom::retry, uint64_t job) { self->state.on_retry(job); },
    // (late, 0, epoch): the one timer of deadlines and watchdogs.
    [self](atom::late, uint64_t, uint64_t epoch) {
      self->state.on_sweep(epoch);
    },
    [self](atom::expire, uint64_t lease) { self->state.on_expire(lease); },
    [self](atom::tick, uint64_t epoch) { self->state.on_tick(epoch); },
    [self](atom::deadline) { self->state.on_drain_deadline(); },
  };
}

} // namespace

} // namespace detail

device_actor spawn_device(caf::actor_system& sys, device_setup setup) {
  return sys.spawn(detail::device_behavior, std::move(setup));
}

rest_endpoint make_endpoint(const device_record& record,
                            const credential& creds,
                            const device_settings& settings) {
  rest_endpoint ep;
  ep.device_id = record.id;
  ep.host = record.host;
  ep.port = record.port;
  ep.scheme = record.scheme;
  ep.tls = record.tls;
  ep.ssh = record.ssh;
  ep.environment = record.environment;
  ep.creds = creds;
  if (ep.creds.username.empty())
    ep.creds.username = record.username;
  ep.max_connections = settings.max_connections;
  ep.connect_timeout = settings.connect_timeout;
  return ep;
}

} // namespace rmcp
