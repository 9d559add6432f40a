#pragma once

// The RouterOS SSH transport (libssh, client mode) behind the same
// `rmcp::rest_client` seam as the Beast REST client, so the device actor's
// queue, breaker, retries and shape checks apply unchanged.
//
// Each request becomes console text (`make_ssh_command` in
// protocol/routeros.hpp; reads: `:put [:serialize to=json value=[... print
// as-value ...]]`), run on an `exec` channel; its answer is turned back
// into the REST body (`ssh_read_answer`). Requests that change the router
// are sent only for devices of transport "ssh" (they reach the client
// through the device actor like every write: plans, approvals, write lock
// and audit happen before); for "auto" they are refused (ec::unsupported)
// and go over REST alone.
//
// Threads: libssh is blocking per session, so SSH work runs on a small,
// bounded pool of worker threads (`ssh_workers`), never on an actor thread
// or on the REST client's I/O threads. A client keeps ONE connection to
// its router and runs its requests on it one after another (a channel per
// command; libssh sessions are not safe to share between threads), in a
// strand-like drain that a worker runs while the client has requests;
// clients of different routers run in parallel, up to the pool's size.
// Every step has a deadline: connect, key exchange and authentication use
// libssh's timeout set to what is left of the request's deadline (at most
// the endpoint's connect timeout), each read of the answer waits at most
// what is left; a request that waited in the queue past its deadline fails
// with router_timeout unsent. The callback runs on a worker thread.
//
// Trust: the SHA-256 of the router's host key must equal the pinned
// `ssh.host_key_sha256` (else router_host_key_mismatch, nothing sent); with
// no pin (lab devices only: device_record validation refuses others, and
// the client refuses again) the first key seen is trusted for the client's
// life, logged with the command that pins it, and handed to
// `host_key_learned` when one is given. Authentication: the credential's
// SSH private key when it has one, else its password.
//
// Errors, as REST's: router_unreachable (connect refused, lost, DNS),
// router_timeout, router_auth_failed, router_host_key_mismatch,
// router_bad_request / router_not_found (console errors),
// router_bad_response (not JSON), cancelled.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "actors/rest_client.hpp"

namespace rmcp::routeros {

/// The worker threads of all SSH clients (a fixed number, a FIFO of tasks).
/// Destroying it runs no new task and joins the threads after their
/// current task (each bounded by its deadline).
class ssh_workers {
public:
  explicit ssh_workers(size_t threads);
  ~ssh_workers();

  ssh_workers(const ssh_workers&) = delete;
  ssh_workers& operator=(const ssh_workers&) = delete;

  void post(std::function<void()> task);

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

/// Told (on a worker thread) the host key an unpinned lab device's client
/// trusted on first use, so that it can be pinned.
using host_key_learned = std::function<void(
  const std::string& device_id, const std::string& host_key_sha256)>;

/// An SSH client for `ep` (its `ssh` settings, host and credentials). It
/// refers to `pool` weakly: keep the pool until every client is closed.
/// `learned` (may be empty) hears of a key trusted on first use.
std::shared_ptr<rest_client> make_ssh_client(std::shared_ptr<ssh_workers> pool,
                                             const rest_endpoint& ep,
                                             host_key_learned learned = {});

/// REST first; a request that does not change the router and fails with
/// router_unreachable (REST service disabled, port refused or filtered) is
/// sent again over `ssh`, its answer marked `fallback_used`. Writes never
/// fall back. After such a failure, reads go straight to SSH (still marked
/// `fallback_used`) for `rest_retry_after`, so a router without REST costs
/// one REST connect per period, not one per read; any REST answer ends the
/// period early.
std::shared_ptr<rest_client>
make_fallback_client(std::shared_ptr<rest_client> rest,
                     std::shared_ptr<rest_client> ssh,
                     std::chrono::milliseconds rest_retry_after);

/// The runtime's factory: `rest` builds the REST clients; a device of
/// transport "ssh" gets an SSH client, one of "auto" a fallback client.
/// `learned` goes to every SSH client.
rest_client_factory_ptr make_transport_factory(
  rest_client_factory_ptr rest, std::shared_ptr<ssh_workers> pool,
  std::chrono::milliseconds rest_retry_after, host_key_learned learned = {});

} // namespace rmcp::routeros
