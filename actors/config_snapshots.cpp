#include "actors/config_snapshots.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "actors/device_health.hpp"
#include "actors/device_ops.hpp"
#include "protocol/config_export.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

namespace {

/// FNV-1a: stable across runs and builds, unlike std::hash.
uint64_t fnv1a(const std::string& text, uint64_t round) {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ull;
  };
  for (unsigned char c : text)
    mix(c);
  for (int i = 0; i < 8; ++i)
    mix(static_cast<unsigned char>(round >> (8 * i)));
  return h;
}

/// A fraction in [0, 1) from the hash.
double unit(uint64_t h) {
  return static_cast<double>(h >> 11) / static_cast<double>(uint64_t{1} << 53);
}

/// The metric families of this actor, registered on the shared registry.
struct snapshot_metrics {
  explicit snapshot_metrics(prometheus::Registry& reg)
    : snapshots(prometheus::BuildCounter()
                  .Name("rmcp_config_snapshots_total")
                  .Help("Periodic configuration snapshots by device and "
                        "outcome (ok, failed).")
                  .Register(reg)),
      drift(prometheus::BuildCounter()
              .Name("rmcp_config_drift_total")
              .Help("Periodic snapshots whose configuration differed from "
                    "the previous snapshot, by device.")
              .Register(reg)),
      taken(prometheus::BuildGauge()
              .Name("rmcp_config_snapshot_timestamp_seconds")
              .Help("Unix time of the last successful periodic snapshot "
                    "of a device.")
              .Register(reg)) {}

  prometheus::Family<prometheus::Counter>& snapshots;
  prometheus::Family<prometheus::Counter>& drift;
  prometheus::Family<prometheus::Gauge>& taken;

  void outcome(const std::string& device, const char* what) {
    snapshots.Add({{"device", device}, {"outcome", what}}).Increment();
  }

  void drifted(const std::string& device) {
    drift.Add({{"device", device}}).Increment();
  }

  void succeeded(const std::string& device, int64_t unix_ms) {
    outcome(device, "ok");
    taken.Add({{"device", device}}).Set(static_cast<double>(unix_ms) / 1000);
  }

  /// Drops every series of a device that left the list.
  void forget(const std::string& device) {
    for (const char* what : {"ok", "failed"})
      if (snapshots.Has({{"device", device}, {"outcome", what}}))
        snapshots.Remove(
          &snapshots.Add({{"device", device}, {"outcome", what}}));
    if (drift.Has({{"device", device}}))
      drift.Remove(&drift.Add({{"device", device}}));
    if (taken.Has({{"device", device}}))
      taken.Remove(&taken.Add({{"device", device}}));
  }
};

} // namespace

std::chrono::milliseconds snapshot_delay(const std::string& id, uint64_t round,
                                         std::chrono::milliseconds interval) {
  auto factor = 0.9 + 0.2 * unit(fnv1a(id, round + 1));
  return std::chrono::milliseconds{
    static_cast<int64_t>(static_cast<double>(interval.count()) * factor)};
}

std::chrono::milliseconds
first_snapshot_delay(const std::string& id,
                     std::chrono::milliseconds interval) {
  return std::chrono::milliseconds{static_cast<int64_t>(
    static_cast<double>(interval.count()) * (0.1 + 0.9 * unit(fnv1a(id, 0))))};
}

std::chrono::milliseconds
snapshot_poll_period(std::chrono::milliseconds interval) {
  return std::clamp<std::chrono::milliseconds>(
    interval / 10, std::chrono::seconds{1}, std::chrono::seconds{60});
}

namespace {

struct snapshots_state {
  static inline const char* name = "rmcp.config_snapshots";

  using clock = caf::actor_clock;

  struct device_entry {
    clock::time_point due;
    uint64_t round = 0;
    bool running = false;
  };

  config_snapshot_actor::pointer self = nullptr;
  snapshot_deps deps;
  std::unique_ptr<snapshot_metrics> stats;
  std::map<std::string, device_entry> devices;
  bool listing = false;

  void init(config_snapshot_actor::pointer ptr, snapshot_deps d) {
    self = ptr;
    deps = std::move(d);
    if (deps.metrics)
      stats = std::make_unique<snapshot_metrics>(deps.metrics->registry());
    // Ends with the fleet; a monitor, not a link: a failure here must not
    // take the fleet down.
    self->monitor(deps.fleet);
    self->set_down_handler([this](caf::down_msg& msg) {
      if (msg.source == deps.fleet.address())
        self->quit(msg.reason);
    });
    self->send(self, atom::poll_v);
  }

  void on_poll() {
    self->delayed_send(self, snapshot_poll_period(deps.settings.interval),
                       atom::poll_v);
    // A slow fleet answer must not pile up list requests.
    if (listing)
      return;
    listing = true;
    self
      ->request(deps.fleet, deps.settings.request_timeout, atom::cluster_v,
                atom::devices_v)
      .then(
        [this](std::vector<device_view>& views) {
          listing = false;
          on_devices(views);
        },
        [this](caf::error& err) {
          listing = false;
          log::warn(log::fleet(), "config-snapshot-list-failed",
                    {{"error", error_message(err)}});
        });
  }

  void on_devices(const std::vector<device_view>& views) {
    auto now = self->clock().now();
    std::set<std::string> seen;
    for (auto& v : views) {
      auto& id = v.record.id;
      seen.insert(id);
      auto [i, fresh] = devices.try_emplace(id);
      auto& e = i->second;
      if (fresh)
        e.due = now + first_snapshot_delay(id, deps.settings.interval);
      if (e.running || now < e.due)
        continue;
      if (v.last.status != device_status::healthy) {
        log::debug(log::fleet(), "config-snapshot-deferred",
                   {{"device_id", id}, {"status", to_string(v.last.status)}});
        continue;
      }
      e.running = true;
      e.due = now + snapshot_delay(id, e.round++, deps.settings.interval);
      take(id);
    }
    for (auto i = devices.begin(); i != devices.end();) {
      if (seen.count(i->first) > 0) {
        ++i;
        continue;
      }
      if (stats)
        stats->forget(i->first);
      i = devices.erase(i);
    }
  }

  // -- one snapshot: handle → export → previous → store ---------------------------

  void take(const std::string& id) {
    self
      ->request(deps.fleet, deps.settings.request_timeout, atom::get_v, id,
                atom::handle_v)
      .then(
        [this, id](device_handle& h) {
          if (!h.actor) {
            failed(id, h.unavailable
                         ? h.unavailable
                         : make_error(ec::internal_error, "no device actor"));
            return;
          }
          export_config(id, h.actor);
        },
        [this, id](caf::error& err) { failed(id, err); });
  }

  void export_config(const std::string& id, const device_actor& dev) {
    auto req = export_request();
    req.timeout_ms = deps.settings.export_timeout.count();
    // The device's own deadline applies first; this one only guards
    // against a device actor that never answers.
    auto guard = deps.settings.export_timeout + deps.settings.request_timeout;
    device_ops::ask(self, dev, guard, atom::exec_v, std::move(req))
      .then(
        [this, id](rest_response& resp) {
          auto snap = export_snapshot(id, resp, health::unix_ms_now());
          if (!snap) {
            failed(id, snap.error());
            return;
          }
          compare(std::move(*snap));
        },
        [this, id](caf::error& err) { failed(id, err); });
  }

  void compare(snapshot_record snap) {
    auto id = snap.device_id;
    self
      ->request(deps.store, deps.settings.request_timeout, atom::get_v,
                atom::snapshot_v, id, std::string{"config"})
      .then([this, snap](snapshot_record& prev) { store(snap, &prev); },
            [this, snap](caf::error& err) {
              if (err == ec::resource_not_found)
                store(snap, nullptr);
              else
                failed(snap.device_id, err);
            });
  }

  void store(snapshot_record snap, const snapshot_record* prev) {
    // Newer than the snapshot it is compared with, even within one
    // millisecond: the store orders a device's snapshots by timestamp.
    if (prev && snap.timestamp <= prev->timestamp)
      snap.timestamp = prev->timestamp + 1;
    std::optional<nlohmann::json> drift;
    if (prev) {
      auto diff = diff_config(prev->content, snap.content);
      if (diff.changed()) {
        drift = drift_summary(diff);
        (*drift)["previous_snapshot_id"] = prev->id;
        (*drift)["previous_taken_ms"] = prev->timestamp;
        (*drift)["taken_ms"] = snap.timestamp;
      }
    }
    self->request(deps.store, deps.settings.request_timeout, atom::put_v, snap)
      .then([this, snap, drift, first{prev == nullptr}](
              std::string& snap_id) { stored(snap, snap_id, drift, first); },
            [this, id{snap.device_id}](caf::error& err) { failed(id, err); });
  }

  void stored(const snapshot_record& snap, const std::string& snap_id,
              std::optional<nlohmann::json> drift, bool first) {
    auto& id = snap.device_id;
    finished(id);
    if (stats)
      stats->succeeded(id, snap.timestamp);
    if (!drift) {
      log::info(log::fleet(), "config-snapshot",
                {{"device_id", id}, {"snapshot", snap_id}, {"drift", false}});
      if (first)
        announce(id);
      return;
    }
    (*drift)["snapshot_id"] = snap_id;
    log::warn(
      log::fleet(), "config-drift",
      {{"device_id", id},
       {"snapshot", snap_id},
       {"previous", (*drift)["previous_snapshot_id"].get<std::string>()},
       {"added", (*drift)["lines_added"].get<size_t>()},
       {"removed", (*drift)["lines_removed"].get<size_t>()}});
    if (stats)
      stats->drifted(id);
    snapshot_record rec;
    rec.device_id = id;
    rec.kind = "config-drift";
    rec.timestamp = snap.timestamp;
    rec.content = drift->dump();
    self->request(deps.store, deps.settings.request_timeout, atom::put_v, rec)
      .then([this, id](std::string&) { announce(id); },
            [this, id](caf::error& err) {
              log::warn(log::fleet(), "config-drift-record-failed",
                        {{"device_id", id}, {"error", error_message(err)}});
              announce(id); // the configuration itself changed
            });
  }

  /// resources/updated for the device's configuration and drift.
  void announce(const std::string& id) {
    if (!deps.notifier)
      return;
    self->send(deps.notifier, atom::update_v, config_resource_uri(id));
    self->send(deps.notifier, atom::update_v, config_drift_resource_uri(id));
  }

  void failed(const std::string& id, const caf::error& err) {
    finished(id);
    if (stats)
      stats->outcome(id, "failed");
    log::warn(log::fleet(), "config-snapshot-failed",
              {{"device_id", id}, {"error", error_message(err)}});
  }

  void finished(const std::string& id) {
    auto i = devices.find(id);
    if (i != devices.end())
      i->second.running = false;
  }
};

config_snapshot_actor::behavior_type snapshots_behavior(
  config_snapshot_actor::stateful_pointer<snapshots_state> self,
  snapshot_deps deps) {
  self->state.init(self, std::move(deps));
  return {
    [self](atom::poll) { self->state.on_poll(); },
  };
}

} // namespace

config_snapshot_actor spawn_config_snapshots(caf::actor_system& sys,
                                             snapshot_deps deps) {
  if (deps.settings.interval.count() <= 0 || !deps.fleet || !deps.store)
    return {};
  return sys.spawn(snapshots_behavior, std::move(deps));
}

} // namespace rmcp
