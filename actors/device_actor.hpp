#pragma once

// The device actor: one per registered router and the only path to it
// (protocol and message table: `device_actor` in protocol/fleet_actors.hpp).
//
// Key state:
//   - the REST client (from the factory; replaced on `update`), whose
//     callbacks arrive on an I/O thread and come back as (done)/(failed)
//     messages tagged with the job id and a per-attempt token, so a late or
//     cancelled answer is recognised and dropped;
//   - jobs: every admitted request until it is answered. `ready` holds jobs
//     waiting for a slot (FIFO), `lock_waiters` holds lease-less writes and
//     `acquire`s waiting for the write lock; reads waiting for a retry sit
//     in neither. The client runs at most `max_connections` requests at
//     once; writes are handed to it only when one of those is free, reads
//     up to one more per connection, which wait in the client and go out
//     the moment a connection frees, without waiting for this actor's turn
//     (`slots_for`). A read handed ahead is in flight: its deadline is the
//     client's, and its caller going away does not recall it;
//   - calls (device_queue.cpp): a job belongs to its requester (a tool
//     call's parallel GETs are one call; a rollout coordinator and the
//     health checks are callers too). `queue_size` bounds the calls that
//     have jobs here; a request of an admitted call is never refused for
//     it, a new call past it fails with queue_full. A job that cannot start
//     at once waits up to its deadline (its request timeout; an acquire:
//     its TTL), then fails with router_timeout unsent (one timer, `(late,
//     0, epoch)`, for the earliest deadline). Callers are monitored while
//     they have jobs: one that goes away (a tool call killed on its
//     deadline or cancelled) has its waiting jobs dropped;
//   - the write lock: free, or held by a lease (from `acquire`, expires
//     after its TTL) or by one lease-less write. A released or expired lease
//     stops admitting requests at once but frees the lock only when its
//     in-flight writes have finished;
//   - the circuit breaker:
//
//        closed ──N consecutive transport failures──► open
//          ▲                                           │ cooldown (jittered)
//          │ any answer from the router                ▼
//          └──────────────────────────────────── half-open (one probe;
//                                                 failure → open again)
//
//     transport failures = router_unreachable, router_timeout,
//     router_tls_failed; an HTTP error answer proves the router is reachable;
//   - answers: a GET answer that lacks the shape of its path
//     (protocol/routeros_shape.hpp) fails its attempt with
//     router_bad_answer, which idempotent reads retry like a 5xx, so no
//     caller ever converts another menu's body;
//   - health: the last sample and the adaptive schedule (device_health.hpp).
//     Checks are single GETs of /system/resource (plus /system/identity on
//     the first check and every `identity_every` checks); they bypass the
//     open breaker and act as its probe. Every sample goes to the listener
//     (the fleet) and to the store's bounded history.
//
// Life cycle: running → (stop) → draining (new work: shutting_down; queued
// work finishes; quits when idle or after `drain_timeout`) → quit. Pending
// requests get shutting_down when the actor ends for any reason.

#include <chrono>
#include <cstdint>

#include <caf/actor_system.hpp>

#include "actors/device_health.hpp"
#include "actors/metrics.hpp"
#include "actors/rest_client.hpp"
#include "protocol/fleet_actors.hpp"

namespace rmcp {

/// Policy of every device actor (from the server options).
struct device_settings {
  /// Concurrent requests to one router (RouterOS serves one request per
  /// connection at a time).
  size_t max_connections = 2;
  /// Calls (distinct requesters) served at once, waiting or running; a new
  /// call past this fails with queue_full. Requests of an admitted call are
  /// never refused for it.
  size_t queue_size = 1000;
  /// Deadline of one REST request unless the request sets its own.
  std::chrono::milliseconds request_timeout{10000};
  /// TCP connect + TLS handshake deadline.
  std::chrono::milliseconds connect_timeout{3000};
  /// Attempts of an idempotent read (1 = no retries).
  uint32_t read_attempts = 3;
  /// Backoff before retry n is in [d/2, d] with d = min(retry_max,
  /// retry_base · 2^(n-1)).
  std::chrono::milliseconds retry_base{200};
  std::chrono::milliseconds retry_max{5000};
  /// Consecutive transport failures that open the breaker.
  uint32_t breaker_threshold = 5;
  /// The breaker half-opens after a cooldown in [c, 1.5c].
  std::chrono::milliseconds breaker_cooldown{30000};
  /// Periodic health checks (off for the CLI and some tests).
  bool health_checks = true;
  health::schedule_settings health;
  /// The first check happens at a random point in [0, start_spread) so a
  /// fleet started at once does not check in lock-step.
  std::chrono::milliseconds health_start_spread{10000};
  /// /system/identity is read on the first check and then every n checks.
  uint32_t identity_every = 10;
  /// Longest lease; longer TTLs are cut to this.
  std::chrono::milliseconds max_lease{300000};
  /// How long (stop) waits for queued work.
  std::chrono::milliseconds drain_timeout{10000};
  /// Seed of the jitter generator; 0 = random (tests pin it).
  uint64_t seed = 0;
};

struct device_setup {
  device_record record;
  credential creds;
  rest_client_factory_ptr factory;
  device_settings settings;
  /// Receives every health sample (the fleet); may be null.
  health_listener_actor listener;
  /// Keeps the health history; may be null.
  store_actor store;
  /// Counts failed REST requests; may be null.
  metrics_ptr metrics;
};

/// Spawns the actor of one device.
device_actor spawn_device(caf::actor_system& sys, device_setup setup);

/// The endpoint a device actor hands to its client factory.
rest_endpoint make_endpoint(const device_record& record,
                            const credential& creds,
                            const device_settings& settings);

} // namespace rmcp
