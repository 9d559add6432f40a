#pragma once

// The seam between a device actor and the network.
//
// A device actor owns one `rest_client` (built by a `rest_client_factory`
// the runtime provides; the Boost.Beast implementation lives in
// src/routeros/, and so do the SSH client and the REST-then-SSH client the
// runtime's factory builds for devices of transport ssh and auto; tests use
// a scripted fake). The client runs at most `max_connections` requests at
// once, keeps up to as many idle keep-alive connections to its router, and
// never blocks: `async_request` returns at once and runs `done` exactly
// once, on an I/O thread — the device actor turns it into a message to
// itself. A request given while every connection is busy waits in the
// client, in order, and goes out when one frees (still within its own
// deadline): the device actor hands reads ahead, at most one per
// connection, and queues everything else itself.
//
// Policy (queueing, write lock, retries with backoff, circuit breaker,
// health timers) lives in the device actor, where the testing scheduler can
// drive it; the client only does transport, TLS and error mapping.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "protocol/device.hpp"
#include "protocol/routeros.hpp"

namespace rmcp {

/// Where and how to reach one router.
struct rest_endpoint {
  std::string device_id;
  std::string host;
  uint16_t port = 443;
  /// https or http.
  std::string scheme = "https";
  tls_settings tls;
  /// Transport (rest, ssh, auto), SSH port and pinned host key.
  ssh_settings ssh;
  /// lab, staging or prod: an SSH host key is trusted on first use only in
  /// lab.
  std::string environment = "lab";
  credential creds;
  /// Concurrent requests, and idle keep-alive connections kept (RouterOS
  /// runs one user's requests one at a time per connection). The device
  /// actor enforces it; the client starts what it is given.
  size_t max_connections = 2;
  /// TCP connect + TLS handshake deadline.
  std::chrono::milliseconds connect_timeout{3000};
};

class rest_client {
public:
  using callback = std::function<void(caf::expected<rest_response>)>;

  virtual ~rest_client() = default;

  /// Starts one request with its own deadline. Failures are `rmcp::ec`
  /// errors: router_unreachable, router_timeout, router_tls_failed,
  /// router_auth_failed (401), router_not_found (404), router_bad_request
  /// (400/406/415, message = RouterOS's `detail`), router_permission_denied
  /// (403, 500 "not enough permissions"), router_server_error (other 5xx),
  /// router_bad_response (unparsable body), cancelled. Returns an id for
  /// `cancel`.
  virtual uint64_t async_request(const rest_request& req,
                                 std::chrono::milliseconds timeout,
                                 callback done) = 0;

  /// Aborts one request (its callback runs with ec::cancelled, unless it
  /// already ran). Unknown ids are ignored.
  virtual void cancel(uint64_t id) = 0;

  /// Aborts everything and closes the connections; callbacks of pending
  /// requests run with ec::cancelled. No callback runs after close returns.
  virtual void close() = 0;
};

class rest_client_factory {
public:
  virtual ~rest_client_factory() = default;

  virtual std::shared_ptr<rest_client> make(const rest_endpoint& endpoint) = 0;
};

using rest_client_factory_ptr = std::shared_ptr<rest_client_factory>;

} // namespace rmcp
