#pragma once

// Private state of the device actor (see actors/device_actor.hpp for the
// design). Shared by device_actor.cpp (requests), device_control.cpp
// (write lock, breaker, update, stop) and device_checks.cpp (health);
// nothing outside those files includes it.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/device_actor.hpp"

namespace rmcp::detail {

/// One admitted request until it is answered.
struct device_job {
  enum class kind : uint8_t { read, write, acquire };

  uint64_t id = 0;
  kind what = kind::read;
  rest_request req;
  /// Health checks: bypass the open breaker, never retried.
  bool probe = false;
  uint32_t attempts = 0;
  uint32_t max_attempts = 1;
  /// Token of the attempt in flight; callbacks with another token are stale.
  uint64_t token = 0;
  uint64_t client_id = 0;
  bool in_flight = false;
  bool waiting_retry = false;
  /// Lease the write runs under (a client lease or a one-request lease).
  uint64_t lease = 0;
  /// exec: the caller's promise. Checks: an internal continuation instead.
  caf::typed_response_promise<rest_response> promise;
  std::function<void(caf::expected<rest_response>)> then;
  /// acquire
  int64_t ttl_ms = 0;
  caf::typed_response_promise<uint64_t> lease_promise;
  caf::actor_clock::time_point started;
  /// The call it belongs to: the sender of (exec) or (acquire); the device
  /// itself for health checks.
  caf::actor_addr caller;
  /// Waiting for a slot or the write lock: its entry in `deadlines`.
  bool has_deadline = false;
  std::multimap<caf::actor_clock::time_point, uint64_t>::iterator deadline;
  /// In flight: its entry in `watchdogs`.
  bool has_watchdog = false;
  std::multimap<caf::actor_clock::time_point, uint64_t>::iterator watchdog;
};

struct device_state {
  static inline const char* name = "rmcp.device";

  enum class breaker_state : uint8_t { closed, open, half_open };

  device_actor::pointer self = nullptr;
  device_setup setup;
  std::shared_ptr<rest_client> client;
  std::mt19937_64 rng;
  bool draining = false;

  // -- jobs ---------------------------------------------------------------------
  std::unordered_map<uint64_t, device_job> jobs;
  std::deque<uint64_t> ready;
  std::deque<uint64_t> lock_waiters;
  /// Jobs handed to the client: up to max_connections on the wire, reads
  /// one more per connection waiting there (`slots_for`).
  size_t in_flight = 0;
  size_t retrying = 0;
  uint64_t next_job = 1;
  uint64_t next_token = 1;

  // -- calls -------------------------------------------------------------------------
  /// Jobs per call (caller). A call is admitted with its first job and
  /// counts against `queue_size` until its last job ends; callers are
  /// monitored meanwhile, so a caller that goes away frees its place.
  struct addr_hash {
    // std::hash<caf::actor_addr> reads the id through the pointer: not for
    // an anonymous sender's null address.
    size_t operator()(const caf::actor_addr& x) const noexcept {
      return std::hash<const void*>{}(x.get());
    }
  };
  std::unordered_map<caf::actor_addr, size_t, addr_hash> callers;
  /// When each waiting job gives up (its request timeout after admission;
  /// an acquire: its TTL), and when the watchdog of each attempt in flight
  /// stops waiting for the client's callback (the attempt's deadline plus
  /// a grace). One timer, `(late, 0, sweep_epoch)`, for the earliest of
  /// both: a timer per request would wake CAF's clock thread twice per
  /// REST request (set, then the timeout message itself).
  std::multimap<caf::actor_clock::time_point, uint64_t> deadlines;
  std::multimap<caf::actor_clock::time_point, uint64_t> watchdogs;
  uint64_t sweep_epoch = 0;
  bool sweep_armed = false;
  caf::actor_clock::time_point sweep_at;

  // -- write lock ------------------------------------------------------------------
  struct write_lock {
    /// 0 = free.
    uint64_t lease = 0;
    /// Granted by (acquire) rather than taken by one lease-less write.
    bool client_lease = false;
    /// Released or expired; frees when `writes` drops to 0.
    bool closing = false;
    size_t writes = 0;
  } lock;
  uint64_t next_lease = 1;

  // -- breaker -------------------------------------------------------------------
  breaker_state breaker = breaker_state::closed;
  uint32_t failures = 0;
  caf::actor_clock::time_point probe_at;
  bool probe_in_flight = false;
  std::string last_failure;

  // -- health --------------------------------------------------------------------
  health_sample last;
  health::schedule sched;
  uint64_t tick_epoch = 0;
  bool checking = false;
  uint32_t checks_since_identity = 0;
  std::vector<caf::typed_response_promise<health_sample>> check_waiters;
  bool store_failing = false;

  ~device_state();

  void init(device_actor::pointer self_ptr, device_setup x);

  // -- requests (device_actor.cpp) -------------------------------------------------

  caf::result<rest_response> exec(rest_request req);
  caf::result<uint64_t> acquire(int64_t ttl_ms);
  void on_done(uint64_t job, uint64_t token, rest_response resp);
  void on_failed(uint64_t job, uint64_t token, caf::error err);
  void on_retry(uint64_t job);

  /// Admits a job (queue bound, lease check) and runs the dispatcher.
  /// `who`: the requester (null for health checks, which are the device's
  /// own call).
  caf::error admit(device_job job, caf::strong_actor_ptr who = nullptr);
  /// Grants the lock and starts ready jobs while slots are free.
  void pump();
  /// How many jobs may be handed to the client when `job` would be next.
  size_t slots_for(const device_job& job) const;
  void start(device_job& job);
  /// Ends an attempt's bookkeeping (slot, lock writes, breaker).
  void end_attempt(device_job& job);

  /// The debug line of one REST attempt (method, path, request context,
  /// outcome, latency) and its round trip in the metrics; `outcome` is
  /// "ok" or the error code's name.
  void log_attempt(const device_job& job, std::string_view outcome);
  /// Answers and forgets a job.
  void finish(uint64_t id, caf::expected<rest_response> result);
  void fail_job(uint64_t id, caf::error err);
  /// Ends a job's bookkeeping: its deadline, retry count and its call's
  /// place; erase_job also removes it.
  void forget(device_job& job);
  void erase_job(std::unordered_map<uint64_t, device_job>::iterator i);
  void quit_if_drained();

  // -- calls and waiting deadlines (device_queue.cpp) ---------------------------

  /// Counts `job` in its call; queue_full when it starts a call past
  /// `queue_size`.
  caf::error join_call(const device_job& job, const caf::strong_actor_ptr& who);
  void leave_call(const caf::actor_addr& caller);
  /// A caller went away: its waiting jobs are dropped.
  void on_caller_down(const caf::actor_addr& caller);
  /// Gives a job that could not start at once its deadline.
  void await(uint64_t id);
  void unawait(device_job& job);
  /// Gives an attempt in flight its watchdog deadline.
  void watch(device_job& job, caf::actor_clock::time_point at);
  void unwatch(device_job& job);
  /// Makes the sweep timer fire at `at` at the latest.
  void arm_sweep(caf::actor_clock::time_point at);
  /// The earliest deadline passed: waiting jobs past theirs fail with
  /// router_timeout, and so do attempts whose client never called back.
  void on_sweep(uint64_t epoch);
  /// The client never called back within the attempt's deadline plus the
  /// grace: cancels the attempt and fails it with router_timeout.
  void on_watchdog(uint64_t job);
  std::chrono::milliseconds wait_budget(const device_job& job) const;
  /// The deadline of one attempt: the request's own (at most 10 min) or
  /// `request_timeout`.
  std::chrono::milliseconds timeout_of(const rest_request& req) const;

  // -- write lock, breaker, update, stop (device_control.cpp) -----------------

  void release(uint64_t lease);
  void on_expire(uint64_t lease);
  void update(device_record record, credential creds);
  void stop();
  void on_drain_deadline();
  void close_lock();
  void free_lock();

  /// True when `job` may go out now (moves open → half-open when due).
  bool breaker_allows(const device_job& job);
  void breaker_success();
  void breaker_failure(const caf::error& err);
  caf::error circuit_error() const;

  // -- health (device_checks.cpp) -----------------------------------------------------

  void on_tick(uint64_t epoch);
  caf::result<health_sample> check();
  void start_check();
  void on_resource(caf::expected<rest_response> result);
  void finish_check(health_sample sample);
  void schedule_check(std::chrono::milliseconds delay);

  // -- helpers -----------------------------------------------------------------------

  /// Uniform in [lo, hi].
  std::chrono::milliseconds jitter(std::chrono::milliseconds lo,
                                   std::chrono::milliseconds hi);
  const std::string& id() const noexcept {
    return setup.record.id;
  }
};

/// The untyped handle the client callbacks send to (weak: a callback never
/// keeps a terminated actor alive).
using device_addr = caf::actor_addr;

} // namespace rmcp::detail
