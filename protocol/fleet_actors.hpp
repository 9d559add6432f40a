#pragma once

// Typed actor protocols of the fleet: the store, the fleet supervisor /
// directory, and the per-router device actors.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/typed_actor.hpp>

#include "protocol/cluster.hpp"
#include "protocol/device.hpp"
#include "protocol/routeros.hpp"
#include "protocol/type_ids.hpp"

namespace rmcp {

/// Receives health changes.
///
/// | message                         | meaning                              |
/// |---------------------------------|--------------------------------------|
/// | (health, sample)                | a device's status, version or model  |
/// |                                 | changed, or it was just checked      |
/// |                                 | after being unknown                  |
using health_listener_actor =
  caf::typed_actor<caf::reacts_to<atom::health, health_sample>>;

/// The only owner of the persistent store (LMDB or its in-memory twin).
///
/// | message                                  | reply                        |
/// |------------------------------------------|------------------------------|
/// | (get, devices)                           | vector<device_record>        |
/// | (put, device_record)                     | ok (upsert; bumps generation)|
/// | (put, device_record, credential)         | ok: record and credential in |
/// |                                          | one transaction (registration|
/// |                                          | never leaves half a device)  |
/// | (remove, devices, id)                    | ok; error device_not_found   |
/// |                                          | (also drops credential,      |
/// |                                          | health and snapshots)        |
/// | (get, generation)                        | uint64: changes to devices   |
/// |                                          | (other processes included)   |
/// | (get, credential, device_id)             | credential (decrypted);      |
/// |                                          | error device_not_found       |
/// | (get, devices, credential, environment)  | fleet_registry: generation,  |
/// |                                          | every record and the         |
/// |                                          | credentials of the           |
/// |                                          | environment's devices, one   |
/// |                                          | snapshot (the fleet's load)  |
/// | (put, device_id, credential)             | ok (encrypted at rest)       |
/// | (put, health_sample)                     | ok (bounded history; queued  |
/// |                                          | samples share one commit,    |
/// |                                          | answered after it)           |
/// | (get, health, device_id, limit)          | vector<health_sample>,       |
/// |                                          | newest first (limit 0 = all  |
/// |                                          | kept)                        |
/// | (put, snapshot_record)                   | snapshot id                  |
/// | (get, snapshot, device_id, kind)         | newest snapshot_record;      |
/// |                                          | error resource_not_found     |
/// | (get, status)                            | store_status (probes the     |
/// |                                          | store with a read txn)       |
/// | (put, audit_record)                      | uint64 sequence number       |
/// |                                          | (append-only audit trail)    |
/// | (get, audit, device_id, limit)           | vector<audit_record>, newest |
/// |                                          | first ("" = every device,    |
/// |                                          | limit 0 = all)               |
using store_actor = caf::typed_actor<
  caf::replies_to<atom::get, atom::devices>::with<std::vector<device_record>>,
  caf::replies_to<atom::put, device_record>::with<atom::ok>,
  caf::replies_to<atom::put, device_record, credential>::with<atom::ok>,
  caf::replies_to<atom::remove, atom::devices, std::string>::with<atom::ok>,
  caf::replies_to<atom::get, atom::generation>::with<uint64_t>,
  caf::replies_to<atom::get, atom::credential, std::string>::with<credential>,
  caf::replies_to<atom::get, atom::devices, atom::credential,
                  std::string>::with<fleet_registry>,
  caf::replies_to<atom::put, std::string, credential>::with<atom::ok>,
  caf::replies_to<atom::put, health_sample>::with<atom::ok>,
  caf::replies_to<atom::get, atom::health, std::string,
                  uint32_t>::with<std::vector<health_sample>>,
  caf::replies_to<atom::put, snapshot_record>::with<std::string>,
  caf::replies_to<atom::get, atom::snapshot, std::string,
                  std::string>::with<snapshot_record>,
  caf::replies_to<atom::get, atom::status>::with<store_status>,
  caf::replies_to<atom::put, audit_record>::with<uint64_t>,
  caf::replies_to<atom::get, atom::audit, std::string,
                  uint32_t>::with<std::vector<audit_record>>>;

/// One router. The only path to it: every REST call goes through here.
///
/// Reads run concurrently up to the device's connection cap; writes are
/// serialised by a write lock. A caller that needs several steps without
/// another writer in between (pre-read → guard → write → post-read) acquires
/// a lease and passes its id in `rest_request::lease`; a write without a
/// lease takes the lock for that one request. Leases expire after their TTL.
/// The queue is bounded in calls (requesters), not requests: a call past
/// `device.queue_size` fails at once with queue_full; an admitted call's
/// requests wait for a connection or the lock up to their own deadline
/// (router_timeout past it), and a requester that dies frees its place.
/// Idempotent reads are retried with jittered exponential backoff on
/// router_unreachable / router_timeout / router_server_error; writes never.
/// A circuit breaker fails requests fast (circuit_open) after consecutive
/// transport failures until a probe succeeds. Health checks run on their
/// own adaptive, jittered timer (actors/device_health.hpp).
///
/// | message                           | reply                               |
/// |-----------------------------------|-------------------------------------|
/// | (exec, rest_request)              | rest_response; router errors as     |
/// |                                   | rmcp::ec (router_*, circuit_open,   |
/// |                                   | queue_full, conflict: the request's |
/// |                                   | lease is not the lock holder,       |
/// |                                   | shutting_down while stopping)       |
/// | (acquire, ttl_ms)                 | lease id (waits for the lock)       |
/// | (release, lease id)               | —                                   |
/// | (get, status)                     | health_sample: last known, no I/O   |
/// | (check)                           | health_sample: checks now (a probe: |
/// |                                   | bypasses the open breaker; an       |
/// |                                   | unreachable router is a sample, not |
/// |                                   | an error)                           |
/// | (update, device_record,           | — (new address, TLS, credentials)   |
/// |  credential)                      |                                     |
/// | (stop)                            | — drain and quit                    |
/// | internal (only the actor itself sends these):                           |
/// | (done, job, token, rest_response) | a REST client callback succeeded    |
/// | (failed, job, token, error)       | a REST client callback failed       |
/// | (retry, job)                      | a read's backoff elapsed            |
/// | (late, job, token)                | watchdog: the client missed its     |
/// |                                   | deadline                            |
/// | (expire, lease id)                | a lease's TTL elapsed               |
/// | (tick, epoch)                     | the health timer fired              |
/// | (deadline)                        | the drain deadline after (stop)     |
using device_actor = caf::typed_actor<
  caf::replies_to<atom::exec, rest_request>::with<rest_response>,
  caf::replies_to<atom::acquire, int64_t>::with<uint64_t>,
  caf::reacts_to<atom::release, uint64_t>,
  caf::replies_to<atom::get, atom::status>::with<health_sample>,
  caf::replies_to<atom::check>::with<health_sample>,
  caf::reacts_to<atom::update, device_record, credential>,
  caf::reacts_to<atom::stop>,
  caf::reacts_to<atom::done, uint64_t, uint64_t, rest_response>,
  caf::reacts_to<atom::failed, uint64_t, uint64_t, caf::error>,
  caf::reacts_to<atom::retry, uint64_t>,
  caf::reacts_to<atom::late, uint64_t, uint64_t>,
  caf::reacts_to<atom::expire, uint64_t>, caf::reacts_to<atom::tick, uint64_t>,
  caf::reacts_to<atom::deadline>>;

/// A device as the fleet knows it, in one answer: its registry record, its
/// last health sample and its device actor. Every path to a router starts
/// with one `(get, device_id, handle)` (actors/device_ops.hpp).
struct device_handle {
  device_view view;
  /// Null when this service cannot reach the device; `unavailable` says why.
  device_actor actor;
  /// Why `actor` is null: environment_mismatch (the device belongs to
  /// another environment: listed, never contacted), unsupported (a registry
  /// without a REST client), circuit_open (its actor is restarting after a
  /// crash). No error when `actor` is set.
  caf::error unavailable;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_handle& x) {
  return f(caf::meta::type_name("device_handle"), x.view, x.actor,
           x.unavailable);
}

/// Supervisor and directory of the device actors.
///
/// Spawns one device actor per registered device of the service's
/// environment (devices of other environments are listed, never contacted),
/// restarts crashed ones with capped, jittered exponential backoff, and
/// follows the store's generation counter so devices changed by another
/// process (the admin CLI writes the store) appear without a restart.
///
/// | message                          | reply                                |
/// |----------------------------------|--------------------------------------|
/// | (get, device_id, handle)         | device_handle: record, last health   |
/// |                                  | and actor in one answer (the lookup  |
/// |                                  | of every tool call and rollout       |
/// |                                  | step); error device_not_found. A     |
/// |                                  | device of another environment is a  |
/// |                                  | handle without actor, `unavailable`  |
/// |                                  | = environment_mismatch (its record   |
/// |                                  | still decides a scoped caller's      |
/// |                                  | authorization)                       |
/// | (get, devices)                   | vector<device_view> (record + last   |
/// |                                  | health), sorted by id                |
/// | (get, device_id, atom::view)     | device_view (resources, prompts: no  |
/// |                                  | actor needed)                        |
/// | (subscribe, listener)            | — health changes of every device     |
/// | (unsubscribe, listener)          | —                                    |
/// | (health, sample)                 | — (from device actors: every check;  |
/// |                                  | listeners get only changes)          |
/// | (reload)                         | ok once a reconcile with the store   |
/// |                                  | that started after it ended (the     |
/// |                                  | store's error if it failed)          |
/// | cluster mode (a node id is configured; actors/fleet.hpp):              |
/// | (cluster, view, owned)           | — from the membership: the live      |
/// |                                  | members and the devices whose claim  |
/// |                                  | this node holds; device actors run   |
/// |                                  | for `owned` only, lookups of other   |
/// |                                  | devices go to owner_of(view, id)     |
/// | (cluster, get, device_id)        | device_handle, from another node's   |
/// |                                  | fleet: only a device owned here (the |
/// |                                  | actor travels as a remote proxy);    |
/// |                                  | never forwarded again, so views that |
/// |                                  | disagree for a moment cannot loop;   |
/// |                                  | error device_moving when not owned   |
/// | (cluster, devices)               | vector<device_view> of the devices   |
/// |                                  | owned here (their health), for       |
/// |                                  | another node's (get, devices)        |
/// | (cluster, join, node_id)         | ok, from the fleet of the member     |
/// |                                  | `node_id` over the connection it     |
/// |                                  | made: of each pair only the member   |
/// |                                  | whose id sorts lower connects, and   |
/// |                                  | the other talks back to the sender   |
/// |                                  | over that one connection; error      |
/// |                                  | invalid_arguments for an id that is  |
/// |                                  | this node's or sorts higher          |
/// | internal (only the actor itself sends these):                          |
/// | (poll)                           | poll the store's generation          |
/// | (restart, device_id)             | a crashed device's backoff elapsed   |
/// | (cluster, node_id)               | a member's reconnect backoff, or the |
/// |                                  | wait for its join, elapsed           |
using fleet_actor = caf::typed_actor<
  caf::replies_to<atom::get, std::string, atom::handle>::with<device_handle>,
  caf::replies_to<atom::get, atom::devices>::with<std::vector<device_view>>,
  caf::replies_to<atom::get, std::string, atom::view>::with<device_view>,
  caf::reacts_to<atom::subscribe, health_listener_actor>,
  caf::reacts_to<atom::unsubscribe, health_listener_actor>,
  caf::reacts_to<atom::health, health_sample>,
  caf::replies_to<atom::reload>::with<atom::ok>, caf::reacts_to<atom::poll>,
  caf::reacts_to<atom::restart, std::string>,
  caf::reacts_to<atom::cluster, cluster_view, std::vector<std::string>>,
  caf::replies_to<atom::cluster, atom::get, std::string>::with<device_handle>,
  caf::replies_to<atom::cluster, atom::devices>::with<std::vector<device_view>>,
  caf::replies_to<atom::cluster, atom::join, std::string>::with<atom::ok>,
  caf::reacts_to<atom::cluster, std::string>>;

} // namespace rmcp
