#pragma once

// rmcp::sim::fleet -- the in-process RouterOS v7 REST simulator.
//
// A fleet is N simulated routers, each listening on its own 127.0.0.1 port
// (HTTP, or HTTPS with one self-signed certificate shared by all), plus a
// JSON control endpoint on its own loopback port. It owns its io threads;
// the destructor (or stop()) closes everything and joins.
//
//   rmcp::sim::fleet_options opts;
//   opts.routers = 5;          // routers 0..4
//   opts.tls = true;           // HTTPS; pin f.fingerprint_sha256()
//   opts.time_scale = 0.001;   // simulated waits 1000x shorter
//   rmcp::sim::fleet f{opts};  // binds ephemeral ports, starts threads
//
//   f.port(0);                         // where router 0 listens
//   f.routers();                       // index, port, identity, board, version
//   f.router(0).set_faults(faults);    // thread-safe, takes effect at once
//   f.router(0).update_faults([](auto& x) { x.latency_ms = 200; });
//   f.router(0).request("GET", "/rest/system/identity");  // in-process, no HTTP
//   f.router(0).with_state([](rmcp::sim::router_state& s) { ... });  // locked
//   f.router(0).stats().connections;   // accepted TCP connections
//   f.router(0).reboot(std::chrono::seconds{30});  // simulated downtime
//   f.ssh_port(0);                     // with opts.ssh: router 0's SSH
//   f.router(0).update_faults([](auto& x) { x.rest_disabled = true; });
//   f.advance_clock(std::chrono::minutes{5});      // runs due scheduler jobs
//
// Credentials: every router accepts `username`/`password` (default
// admin / routeros-sim) and `readonly` with the same password (group read:
// writes answer 500 "not enough permissions (9)").
//
// Every public member is thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/clock.hpp"
#include "sim/faults.hpp"
#include "sim/router.hpp"

namespace rmcp::sim {

/// Per-router choices that replace the seeded ones.
struct router_overrides {
  std::optional<std::string>
    board; ///< a board of the catalogue (docs/simulator.md)
  std::optional<std::string> version; ///< "7.19" or "7.23.7 (long-term)"
  std::optional<std::string> identity;
  /// The CAPsMAN the router runs as a controller (legacy needs a board
  /// without the wifi package, wifi one without legacy wireless and
  /// RouterOS 7.13 or later); a radio-less board gets the package.
  std::optional<capsman_kind> capsman;
};

struct fleet_options {
  std::size_t routers = 1;
  /// Router i listens on base_port + i; 0 = ephemeral ports.
  std::uint16_t base_port = 0;
  bool tls = false;
  /// An SSH endpoint per router too (libssh server; sim/ssh_server.hpp),
  /// on its own ephemeral loopback port.
  bool ssh = false;
  std::uint64_t seed = 42;
  /// Port of the control endpoint (0 = ephemeral).
  std::uint16_t control_port = 0;
  /// Real seconds per simulated second (0.001 runs simulated waits 1000x
  /// faster, and the simulated clock 1000x faster).
  double time_scale = 1.0;
  /// Real milliseconds before an unbounded command answers "Session
  /// closed"; 0 = 60 simulated seconds.
  std::int64_t session_limit_ms = 0;
  std::string username = "admin";
  std::string password = "routeros-sim";
  std::size_t io_threads = 1;
  /// Simulated UTC time at start in epoch milliseconds (0 = now).
  std::int64_t start_time_ms = 0;
  /// Simulated downtime of `/system/reboot`.
  std::int64_t reboot_downtime_s = 20;
  /// Faults every router starts with.
  fault_config faults;
  /// Faults of single routers (replace `faults` for them).
  std::map<std::size_t, fault_config> router_faults;
  std::map<std::size_t, router_overrides> overrides;
};

struct router_info {
  std::size_t index = 0;
  std::uint16_t port = 0;
  /// 0 without the SSH endpoint.
  std::uint16_t ssh_port = 0;
  std::string identity;
  std::string board;
  std::string version;
};

class fleet {
public:
  /// Builds and starts the fleet. Throws std::system_error when a port
  /// cannot be bound and std::invalid_argument for a bad override.
  explicit fleet(fleet_options opts);
  ~fleet();

  fleet(const fleet&) = delete;
  fleet& operator=(const fleet&) = delete;

  std::size_t size() const;
  std::vector<router_info> routers() const;
  std::uint16_t port(std::size_t i) const;
  std::uint16_t control_port() const;
  bool tls() const;
  /// SHA-256 of the DER certificate, "AB:CD:..."; empty without TLS.
  const std::string& fingerprint_sha256() const;
  /// The certificate (usable as a CA file); empty without TLS.
  const std::string& certificate_pem() const;
  const std::string& username() const;
  /// Where router `i`'s SSH endpoint listens; 0 without `ssh`.
  std::uint16_t ssh_port(std::size_t i) const;
  /// SHA-256 of the SSH host key, "AB:CD:..."; empty without `ssh`.
  const std::string& ssh_host_key_sha256() const;

  /// Router `i` (0-based). @pre i < size()
  sim::router& router(std::size_t i);

  const sim_clock& clock() const;
  /// Moves the simulated clock forward and runs the scheduler jobs that
  /// became due, before returning.
  void advance_clock(std::chrono::milliseconds d);
  /// Runs due scheduler jobs of every router now.
  void run_scheduler();

  /// The JSON line printed at start by `routeros-sim`.
  std::string startup_json() const;

  /// Stops listening and joins the io threads (idempotent).
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace rmcp::sim
