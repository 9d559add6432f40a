#include "src/app/service_notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdlib>

#include <caf/send.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/log.hpp"
#include "protocol/type_ids.hpp"

namespace rmcp::app {

namespace {

using watchdog_actor = caf::typed_actor<caf::reacts_to<atom::tick>>;

watchdog_actor::behavior_type watchdog(watchdog_actor::pointer self,
                                       std::chrono::microseconds interval) {
  self->send(self, atom::tick_v);
  return {
    [self, interval](atom::tick) {
      sd_notify(0, "WATCHDOG=1");
      self->delayed_send(self, interval, atom::tick_v);
    },
  };
}

/// sd_notify's result as a log line (it never fails the service: a lost
/// notification shows up in systemd's own log).
void notify(const char* state) {
  auto r = sd_notify(0, state);
  if (r < 0)
    log::warn(log::core(), "sd-notify-failed",
              {{"state", state}, {"errno", -r}});
}

} // namespace

service_notifier::service_notifier(caf::actor_system& sys) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && *socket != '\0';
  if (!active_)
    return;
  uint64_t usec = 0;
  // > 0: WATCHDOG_USEC is set and WATCHDOG_PID (if set) is this process.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    interval_ = std::chrono::microseconds{static_cast<int64_t>(usec / 2)};
    watchdog_ = caf::actor_cast<caf::actor>(sys.spawn(watchdog, interval_));
  }
  log::info(log::core(), "sd-notify",
            {{"socket", socket}, {"watchdog_ms", interval_.count() / 1000}});
}

service_notifier::~service_notifier() {
  if (watchdog_)
    caf::anon_send_exit(watchdog_, caf::exit_reason::user_shutdown);
}

void service_notifier::ready(const std::string& status) {
  if (!active_)
    return;
  auto state = "READY=1\nSTATUS=" + status;
  notify(state.c_str());
}

void service_notifier::stopping() {
  if (!active_ || stopping_)
    return;
  stopping_ = true;
  notify("STOPPING=1\nSTATUS=draining");
}

} // namespace rmcp::app
