#pragma once

// The SSH side of the simulator (libssh in server mode): one loopback
// listener per router, password login against the router's users, and
// `exec` channels whose command runs through the router's script
// interpreter (`router::ssh_exec`, as the user: a `read` user's writes are
// refused), so SSH reads see the same state as
// REST. One host key for the fleet, and a second one presented while a
// router has the fault `ssh_wrong_host_key`. Faults: reject_auth refuses
// logins, timeout_rate leaves a command unanswered, drop_rate cuts the
// connection halfway through an answer, latency_ms delays answers.
//
// Threads: one accept thread per listener (poll with a 100 ms tick, so
// stop() is prompt) and one thread per connection; every libssh wait has a
// finite timeout, and stop() shuts the sockets down before joining.
// libssh stays inside ssh_server.cpp.

#include <cstdint>
#include <memory>
#include <string>

#include "sim/router.hpp"

namespace rmcp::sim {

class ssh_server {
public:
  /// Generates the host keys. Throws std::runtime_error when libssh fails.
  ssh_server();
  ~ssh_server();

  ssh_server(const ssh_server&) = delete;
  ssh_server& operator=(const ssh_server&) = delete;

  /// Listens on 127.0.0.1:`port` (0 = ephemeral) for `r` and starts
  /// accepting; returns the bound port. Throws std::system_error when the
  /// port cannot be bound.
  std::uint16_t listen_router(router& r, std::uint16_t port);

  /// SHA-256 of the fleet's host key (the public key blob), upper-case
  /// colon-separated hex like the TLS fingerprint.
  const std::string& host_key_sha256() const;
  /// The same of the key presented under `ssh_wrong_host_key`.
  const std::string& other_host_key_sha256() const;

  /// Closes listeners and connections and joins every thread (idempotent).
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace rmcp::sim
