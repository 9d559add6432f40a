#pragma once

// One simulated router: its state behind a mutex, its faults, its users and
// the request handling that sits between the HTTP server and the REST
// engine (authentication, fault injection, timing, session limit, login and
// reboot bookkeeping). Every public member is thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "sim/faults.hpp"
#include "sim/state.hpp"

namespace rmcp::sim {

/// Settings shared by all routers of a fleet.
struct router_settings {
  std::string username = "admin";
  std::string password = "routeros-sim";
  /// Real milliseconds after which an unbounded command answers "Session
  /// closed"; 0 = 60 simulated seconds.
  std::int64_t session_limit_ms = 0;
  /// Simulated downtime of `/system/reboot`.
  std::int64_t reboot_downtime_s = 20;
};

/// What the HTTP server hands to a router.
struct http_in {
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
  std::string authorization;
  std::string peer = "127.0.0.1";
};

/// What the router wants the HTTP server to do.
struct http_out {
  enum class action : std::uint8_t { respond, drop, hang };
  action act = action::respond;
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  /// Wait this long (real time) before answering.
  std::chrono::nanoseconds delay{0};
  /// Reboot the router once the answer is written.
  bool reboot = false;
};

/// What the router wants the SSH server to do with one `exec` command.
struct ssh_out {
  enum class action : std::uint8_t { respond, drop, hang };
  action act = action::respond;
  /// What the command printed (CRLF lines; an error is printed too, as
  /// RouterOS's console does).
  std::string output;
  /// Wait this long (real time) before answering.
  std::chrono::nanoseconds delay{0};
};

/// Result of an in-process request.
struct rest_result {
  unsigned status = 0;
  std::string body;
};

/// One request as the router saw it (the request log).
struct request_record {
  std::string method;
  /// Path and query, e.g. "/rest/ip/route?dst-address=0.0.0.0/0".
  std::string target;
  /// Status answered; 0 when the connection was dropped or left hanging.
  unsigned status = 0;
  /// A state-changing command (PUT, PATCH, DELETE, POST of anything but
  /// print-like commands), whether or not it succeeded.
  bool write = false;
};

struct router_stats {
  std::uint64_t connections = 0; ///< TCP connections accepted
  std::uint64_t requests = 0;    ///< HTTP requests read
  std::uint64_t reboots = 0;
};

class router {
public:
  router(router_profile profile, const sim_clock& clock,
         const router_settings& settings);

  router(const router&) = delete;
  router& operator=(const router&) = delete;

  // -- identity ---------------------------------------------------------------

  std::size_t index() const {
    return profile_.index;
  }
  /// The immutable start profile (board, version, ...).
  const router_profile& profile() const {
    return profile_;
  }
  std::uint16_t port() const {
    return port_.load();
  }
  void set_port(std::uint16_t p) {
    port_ = p;
  }

  // -- faults -----------------------------------------------------------------

  fault_config faults() const;
  void set_faults(const fault_config& f);
  /// Changes the faults under the router's lock.
  void update_faults(const std::function<void(fault_config&)>& fn);

  // -- credentials ------------------------------------------------------------

  /// Sets (or creates, in group full) the password of `user`.
  void set_credentials(const std::string& user, const std::string& password);

  // -- state ------------------------------------------------------------------

  /// Runs a REST request in-process as the admin user: no HTTP, no faults,
  /// no waiting (a ping with count=4 answers at once).
  rest_result request(const std::string& method, const std::string& path,
                      const std::string& body = {});

  /// Locked access to the state, for test setup and inspection.
  template <class F>
  auto with_state(F&& f) {
    std::lock_guard<std::mutex> guard{mu_};
    return f(state_);
  }

  router_stats stats() const;
  /// The requests served so far, oldest first (the last 10,000): tests
  /// prove a hostile input reached no router, or changed nothing on it.
  std::vector<request_record> request_log() const;

  // -- lifecycle --------------------------------------------------------------

  /// Takes the router off the network for `downtime` of simulated time,
  /// then brings it back with its state (uptime reset, boot log).
  void reboot(std::chrono::milliseconds downtime);
  bool is_up() const {
    return up_.load();
  }
  /// Runs scheduler items that are due (called by the fleet's timer).
  void run_scheduler();

  // -- used by the server -----------------------------------------------------

  http_out handle(const http_in& in, const std::string& base_url);
  /// SSH password login (faults: reject_auth refuses every login).
  bool ssh_login(const std::string& user, const std::string& password,
                 const std::string& peer);
  /// Runs one SSH `exec` command as `user` with the script interpreter
  /// (faults: timeout_rate hangs, drop_rate cuts the answer, latency).
  ssh_out ssh_exec(const std::string& user, const std::string& command,
                   const std::string& peer);
  /// The server's hook that closes (false) or reopens (true) the REST
  /// listener when the fault `rest_disabled` changes.
  void set_rest_hook(std::function<void(bool)> hook);
  void note_connection();
  /// Called when the downtime of a reboot is over.
  void boot();
  /// The server's hook that closes the listener for the given real time.
  void set_reboot_hook(std::function<void(std::chrono::nanoseconds)> hook);

private:
  http_out handle_locked(const http_in& in, const std::string& base_url);
  bool check_auth(const http_in& in, std::string& user, bool& read_only);
  bool password_ok(const std::string& user, const std::string& password,
                   bool& read_only);
  void note_request(std::string method, std::string target, unsigned status,
                    bool write);
  std::chrono::nanoseconds session_limit() const;
  double roll();

  router_profile profile_;
  const sim_clock& clock_;
  const router_settings& settings_;
  mutable std::mutex mu_;
  router_state state_;
  fault_config faults_;
  router_stats stats_;
  std::deque<request_record> request_log_;
  prng rng_;
  std::atomic<std::uint16_t> port_{0};
  std::atomic<bool> up_{true};
  std::function<void(std::chrono::nanoseconds)> reboot_hook_;
  std::function<void(bool)> rest_hook_;
};

} // namespace rmcp::sim
