#pragma once

// systemd's service notification protocol (sd_notify(3)) for `serve`:
// READY=1 once the store, the actors and the listeners are up, STOPPING=1
// when shutdown begins, and WATCHDOG=1 at half of WATCHDOG_USEC from a
// timer actor, so a wedged actor scheduler stops the pings and systemd
// restarts the service (WatchdogSec= in the unit). Everything is a no-op
// unless systemd started us with NOTIFY_SOCKET set; WATCHDOG_USEC (and
// WATCHDOG_PID, when set, naming this process) enable the watchdog.
//
// The watchdog actor (spawned only with the watchdog enabled):
//
// | message | from                         | effect                       |
// |---------|------------------------------|------------------------------|
// | tick    | itself, every WATCHDOG_USEC/2| sends WATCHDOG=1, schedules  |
// |         | (the first at once)          | the next tick                |

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace rmcp::app {

class service_notifier {
public:
  /// Reads NOTIFY_SOCKET and WATCHDOG_USEC; spawns the watchdog actor in
  /// `sys` when the watchdog is enabled.
  explicit service_notifier(caf::actor_system& sys);

  /// Stops the watchdog actor.
  ~service_notifier();

  service_notifier(const service_notifier&) = delete;
  service_notifier& operator=(const service_notifier&) = delete;

  /// True when NOTIFY_SOCKET is set.
  bool active() const noexcept {
    return active_;
  }

  /// The watchdog interval (half of WATCHDOG_USEC); zero when disabled.
  std::chrono::microseconds watchdog_interval() const noexcept {
    return interval_;
  }

  /// READY=1 with `status` as the STATUS= line.
  void ready(const std::string& status);

  /// STOPPING=1 (once; later calls do nothing).
  void stopping();

private:
  bool active_ = false;
  bool stopping_ = false;
  std::chrono::microseconds interval_{0};
  caf::actor watchdog_;
};

} // namespace rmcp::app
