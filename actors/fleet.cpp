#include "actors/fleet.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <unordered_map>
#include <vector>

#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/device_health.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

bool is_health_change(const health_sample& before, const health_sample& now) {
  return before.status != now.status
         || before.routeros_version != now.routeros_version
         || before.board_name != now.board_name
         || before.identity != now.identity;
}

namespace {

struct fleet_entry {
  device_record record;
  credential creds;
  health_sample last;
  /// Null for devices of another environment and while restarting.
  device_actor actor;
  uint32_t restarts = 0;
  caf::actor_clock::time_point started;
  bool restart_pending = false;
};

struct fleet_state {
  static inline const char* name = "rmcp.fleet";

  fleet_actor::pointer self = nullptr;
  store_actor store;
  rest_client_factory_ptr factory;
  fleet_settings cfg;
  metrics_ptr metrics;
  std::map<std::string, fleet_entry> devices;
  std::unordered_map<caf::actor_addr, std::string> by_addr;
  std::vector<health_listener_actor> listeners;
  uint64_t generation = 0;
  /// The first reconcile finished (or failed); lookups before it wait.
  bool loaded = false;
  /// Why the last load failed while none has succeeded yet.
  caf::error load_error;
  struct load_waiter {
    std::function<void()> ok;
    std::function<void(caf::error)> fail;
  };
  std::vector<load_waiter> waiting_for_load;
  bool reconciling = false;
  bool dirty = false;
  /// (reload) requests: answered when a reconcile started after them ends
  /// (the one under way may have read the store before).
  std::vector<caf::typed_response_promise<atom::ok>> reloads_waiting;
  std::vector<caf::typed_response_promise<atom::ok>> reloads_in_progress;
  bool poll_failing = false;
  std::mt19937_64 rng;
  /// View, claims and connections to the other members (cluster mode).
  fleet_cluster cluster;

  ~fleet_state() {
    for (auto& [_, e] : devices)
      if (e.actor)
        caf::anon_send_exit(e.actor, caf::exit_reason::user_shutdown);
  }

  bool in_environment(const device_record& r) const {
    return r.environment == cfg.environment;
  }

  /// Its actor runs here: the service's environment (cluster: claimed here).
  bool managed(const device_record& r) const {
    return in_environment(r) && cluster.owns(r.id);
  }

  /// Cluster mode: a device of the environment another node serves (or none).
  bool elsewhere(const std::string& id) const {
    if (!cluster.enabled() || cluster.owns(id))
      return false;
    auto i = devices.find(id);
    return i != devices.end() && in_environment(i->second.record);
  }

  /// Starts actors of devices now claimed here, stops (draining) the others.
  void apply_ownership() {
    for (auto& [id, e] : devices) {
      if (managed(e.record)) {
        if (!e.actor && !e.restart_pending)
          spawn(e);
        continue;
      }
      if (!e.actor)
        continue;
      log::info(log::fleet(), "device-released", {{"device_id", id}});
      stop(e);
      if (metrics)
        metrics->device_removed(id);
      e.last = health_sample{};
      e.last.device_id = id;
    }
  }

  // -- device actors --------------------------------------------------------------

  void spawn(fleet_entry& e) {
    if (!factory)
      return; // registry only: no way to reach routers in this process
    auto settings = cfg.device;
    if (settings.seed != 0)
      settings.seed ^= std::hash<std::string>{}(e.record.id);
    device_setup setup{e.record,
                       e.creds,
                       factory,
                       settings,
                       caf::actor_cast<health_listener_actor>(self),
                       store,
                       metrics};
    e.actor = spawn_device(self->home_system(), std::move(setup));
    self->monitor(e.actor);
    by_addr[e.actor.address()] = e.record.id;
    e.started = self->clock().now();
    e.restart_pending = false;
  }

  void stop(fleet_entry& e) {
    if (!e.actor)
      return;
    by_addr.erase(e.actor.address());
    self->send(e.actor, atom::stop_v);
    e.actor = nullptr;
  }

  /// Inserts or changes one device; `creds` is null when unchanged.
  void upsert(const device_record& r, const credential* creds) {
    auto i = devices.find(r.id);
    if (i == devices.end()) {
      auto& e = devices[r.id];
      e.record = r;
      e.last.device_id = r.id;
      if (creds)
        e.creds = *creds;
      log::info(log::fleet(), "device-added",
                {{"device_id", r.id},
                 {"environment", r.environment},
                 {"managed", managed(r)}});
      if (managed(r))
        spawn(e);
      return;
    }
    auto& e = i->second;
    bool creds_changed = creds && *creds != e.creds;
    if (e.record == r && !creds_changed)
      return;
    e.record = r;
    if (creds)
      e.creds = *creds;
    if (!managed(r)) {
      stop(e);
      if (metrics)
        metrics->device_removed(r.id);
      e.restart_pending = false;
      e.last = health_sample{};
      e.last.device_id = r.id;
    } else if (e.actor) {
      self->send(e.actor, atom::update_v, e.record, e.creds);
    } else if (!e.restart_pending) {
      spawn(e);
    }
  }

  void erase(const std::string& id) {
    auto i = devices.find(id);
    if (i == devices.end())
      return;
    stop(i->second);
    devices.erase(i);
    if (metrics)
      metrics->device_removed(id);
    log::info(log::fleet(), "device-removed", {{"device_id", id}});
  }

  void on_down(const caf::down_msg& msg) {
    if (cluster.on_down(msg.source))
      return;
    auto i = by_addr.find(msg.source);
    if (i == by_addr.end()) {
      listeners.erase(std::remove_if(listeners.begin(), listeners.end(),
                                     [&](const health_listener_actor& l) {
                                       return l.address() == msg.source;
                                     }),
                      listeners.end());
      return;
    }
    auto id = i->second;
    by_addr.erase(i);
    auto d = devices.find(id);
    if (d == devices.end())
      return;
    auto& e = d->second;
    e.actor = nullptr;
    if (self->clock().now() - e.started >= cfg.stable_after)
      e.restarts = 0;
    auto cap = std::min<std::chrono::milliseconds>(
      cfg.restart_max,
      cfg.restart_base * (int64_t{1} << std::min<uint32_t>(e.restarts, 20)));
    std::uniform_int_distribution<int64_t> dist{cap.count() / 2, cap.count()};
    auto delay = std::chrono::milliseconds{dist(rng)};
    ++e.restarts;
    e.restart_pending = true;
    log::error(log::fleet(), "device-crashed",
               {{"device_id", id},
                {"reason", caf::to_string(msg.reason)},
                {"restarts", e.restarts},
                {"restart_in_ms", delay.count()}});
    self->delayed_send(self, delay, atom::restart_v, id);
  }

  void on_restart(const std::string& id) {
    auto i = devices.find(id);
    if (i == devices.end() || !i->second.restart_pending
        || !managed(i->second.record))
      return;
    log::info(log::fleet(), "device-restarted",
              {{"device_id", id}, {"restarts", i->second.restarts}});
    spawn(i->second);
  }

  void on_health(health_sample sample) {
    auto i = devices.find(sample.device_id);
    if (i == devices.end())
      return;
    bool changed = is_health_change(i->second.last, sample);
    if (metrics)
      metrics->device_sample(sample);
    i->second.last = std::move(sample);
    if (changed)
      for (auto& l : listeners)
        self->send(l, atom::health_v, i->second.last);
  }

  // -- reconcile with the store ------------------------------------------------------

  /// Runs `f` once the registry is loaded; while it could not be (the
  /// last load failed and none is under way) `fail` gets why at once: an
  /// empty fleet would answer "no such device" or list nothing, as if the
  /// registry were empty.
  void when_loaded(std::function<void()> f,
                   std::function<void(caf::error)> fail) {
    if (loaded)
      f();
    else if (load_error && !reconciling)
      fail(not_loaded());
    else
      waiting_for_load.push_back({std::move(f), std::move(fail)});
  }

  caf::error not_loaded() const {
    return make_error(ec::store_failure,
                      "the device registry could not be read from the store ("
                        + error_message(load_error)
                        + "); it is read again every fleet.poll_interval");
  }

  void finish_reconcile(const caf::error& err = caf::none) {
    reconciling = false;
    answer_reloads(err);
    if (!loaded) {
      load_error = err;
      loaded = !err;
      auto waiting = std::move(waiting_for_load);
      waiting_for_load.clear();
      for (auto& w : waiting) {
        if (loaded)
          w.ok();
        else
          w.fail(not_loaded());
      }
    }
    if (dirty)
      reconcile();
  }

  void reconcile_failed(const caf::error& err) {
    log::warn(log::fleet(), "fleet-reconcile-failed",
              {{"error", error_message(err)}});
    finish_reconcile(err);
  }

  void reconcile() {
    if (reconciling) {
      dirty = true;
      return;
    }
    reconciling = true;
    dirty = false;
    reloads_in_progress = std::move(reloads_waiting);
    reloads_waiting.clear();
    // One message, one store snapshot: the records and the credentials of
    // every device of the environment, claimed or not (a claim may move
    // here later, and its actor needs the credential then). On the shared
    // store a few paged etcd range reads at one revision, whatever the
    // fleet's size (the generation also counts credential-only changes).
    self
      ->request(store, cfg.store_timeout, atom::get_v, atom::devices_v,
                atom::credential_v, cfg.environment)
      .then([this](fleet_registry& reg) { apply(reg); },
            [this](caf::error& err) { reconcile_failed(err); });
  }

  void apply(fleet_registry& reg) {
    std::set<std::string> seen;
    for (auto& r : reg.devices) {
      seen.insert(r.id);
      if (!in_environment(r)) {
        upsert(r, nullptr);
        continue;
      }
      auto c = reg.credentials.find(r.id);
      if (c == reg.credentials.end()) {
        log::warn(log::fleet(), "device-without-credential",
                  {{"device_id", r.id}});
        credential none;
        upsert(r, &none);
        continue;
      }
      upsert(r, &c->second);
    }
    std::vector<std::string> gone;
    for (auto& [id, _] : devices)
      if (seen.count(id) == 0)
        gone.push_back(id);
    for (auto& id : gone)
      erase(id);
    generation = reg.generation;
    finish_reconcile();
  }

  void on_poll() {
    self->request(store, cfg.store_timeout, atom::get_v, atom::generation_v)
      .then(
        [this](uint64_t gen) {
          poll_failing = false;
          if (gen != generation || !loaded)
            reconcile();
        },
        [this](caf::error& err) {
          if (!poll_failing)
            log::warn(log::fleet(), "fleet-poll-failed",
                      {{"error", error_message(err)}});
          poll_failing = true;
        });
    self->delayed_send(self, cfg.poll_interval, atom::poll_v);
  }

  // -- requests -----------------------------------------------------------------------

  caf::error lookup_error(const std::string& id) const {
    auto i = devices.find(id);
    if (i == devices.end())
      return make_error(ec::device_not_found,
                        "no device '" + id
                          + "' is registered; call list_devices for the ids");
    return unavailable(i->second);
  }

  /// Why a registered device has no actor to talk to (none when it has).
  caf::error unavailable(const fleet_entry& e) const {
    const auto& id = e.record.id;
    if (!in_environment(e.record))
      return make_error(ec::environment_mismatch,
                        "device '" + id + "' belongs to environment '"
                          + e.record.environment
                          + "' but this service manages '" + cfg.environment
                          + "'; cross-environment operations are refused");
    if (!factory)
      return make_error(ec::unsupported,
                        "this service has no RouterOS REST client; router "
                        "tools are unavailable");
    if (!cluster.owns(id))
      return cluster.not_claimed(id);
    if (!e.actor)
      return make_error(ec::circuit_open,
                        "the actor of device '" + id
                          + "' is restarting after a crash; retry in a few "
                            "seconds");
    return caf::none;
  }

  /// The answer of (get, id, handle): record, last health and actor.
  caf::expected<device_handle> handle(const std::string& id) const {
    auto i = devices.find(id);
    if (i == devices.end())
      return lookup_error(id);
    const auto& e = i->second;
    device_handle h;
    h.view = device_view{e.record, e.last};
    h.unavailable = unavailable(e);
    if (!h.unavailable)
      h.actor = e.actor;
    return h;
  }

  /// Answers every (reload) that arrived before the reconcile now ending.
  void answer_reloads(const caf::error& err) {
    auto answered = std::move(reloads_in_progress);
    reloads_in_progress.clear();
    for (auto& p : answered)
      if (err)
        p.deliver(err);
      else
        p.deliver(atom::ok_v);
  }
};

fleet_actor::behavior_type
fleet_behavior(fleet_actor::stateful_pointer<fleet_state> self,
               store_actor store, rest_client_factory_ptr factory,
               fleet_settings cfg, metrics_ptr metrics) {
  auto& st = self->state;
  st.self = self;
  st.store = std::move(store);
  st.factory = std::move(factory);
  st.cfg = std::move(cfg);
  st.metrics = std::move(metrics);
  st.rng.seed(st.cfg.seed != 0 ? st.cfg.seed : std::random_device{}());
  st.cluster.init(self, st.cfg.cluster, st.cfg.seed);
  self->set_down_handler(
    [self](caf::down_msg& msg) { self->state.on_down(msg); });
  st.reconcile();
  self->delayed_send(self, st.cfg.poll_interval, atom::poll_v);
  return {
    [self](atom::get, const std::string& id,
           atom::handle) -> caf::result<device_handle> {
      auto promise = self->make_response_promise<device_handle>();
      self->state.when_loaded(
        [self, id, promise]() mutable {
          if (self->state.elsewhere(id)) {
            self->state.cluster.forward_handle(
              id, [promise](caf::expected<device_handle> h) mutable {
                if (h)
                  promise.deliver(std::move(*h));
                else
                  promise.deliver(std::move(h.error()));
              });
            return;
          }
          auto h = self->state.handle(id);
          if (h)
            promise.deliver(std::move(*h));
          else
            promise.deliver(std::move(h.error()));
        },
        [promise](caf::error err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [self](atom::get, atom::devices) -> caf::result<std::vector<device_view>> {
      auto promise = self->make_response_promise<std::vector<device_view>>();
      self->state.when_loaded(
        [self, promise]() mutable {
          std::vector<device_view> views;
          views.reserve(self->state.devices.size());
          for (auto& [_, e] : self->state.devices)
            views.push_back(device_view{e.record, e.last});
          if (!self->state.cluster.enabled()) {
            promise.deliver(std::move(views));
            return;
          }
          self->state.cluster.owners_health(
            std::move(views), [promise](std::vector<device_view> all) mutable {
              promise.deliver(std::move(all));
            });
        },
        [promise](caf::error err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [self](atom::get, const std::string& id,
           atom::view) -> caf::result<device_view> {
      auto promise = self->make_response_promise<device_view>();
      self->state.when_loaded(
        [self, id, promise]() mutable {
          auto i = self->state.devices.find(id);
          if (i == self->state.devices.end()) {
            promise.deliver(self->state.lookup_error(id));
            return;
          }
          device_view local{i->second.record, i->second.last};
          if (!self->state.elsewhere(id)) {
            promise.deliver(std::move(local));
            return;
          }
          // The owner's health; this node's record when it cannot say.
          self->state.cluster.forward_handle(
            id, [promise, local](caf::expected<device_handle> h) mutable {
              promise.deliver(h ? std::move(h->view) : std::move(local));
            });
        },
        [promise](caf::error err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [self](atom::subscribe, health_listener_actor& l) {
      self->monitor(l);
      self->state.listeners.push_back(std::move(l));
    },
    [self](atom::unsubscribe, const health_listener_actor& l) {
      auto& ls = self->state.listeners;
      ls.erase(std::remove(ls.begin(), ls.end(), l), ls.end());
    },
    [self](atom::health, health_sample& sample) {
      self->state.on_health(std::move(sample));
    },
    [self](atom::reload) -> caf::result<atom::ok> {
      auto promise = self->make_response_promise<atom::ok>();
      self->state.reloads_waiting.push_back(promise);
      self->state.reconcile();
      return promise;
    },
    [self](atom::poll) { self->state.on_poll(); },
    [self](atom::restart, const std::string& id) {
      self->state.on_restart(id);
    },
    [self](atom::cluster, cluster_view& view, std::vector<std::string>& owned) {
      if (self->state.cluster.set_view(std::move(view), std::move(owned)))
        self->state.apply_ownership();
    },
    [self](atom::cluster, atom::get,
           const std::string& id) -> caf::result<device_handle> {
      auto promise = self->make_response_promise<device_handle>();
      self->state.when_loaded(
        [self, id, promise]() mutable {
          auto& st = self->state;
          if (st.elsewhere(id) || !st.cluster.enabled()) {
            promise.deliver(st.cluster.not_claimed(id));
            return;
          }
          auto h = st.handle(id);
          if (h)
            promise.deliver(std::move(*h));
          else
            promise.deliver(std::move(h.error()));
        },
        [promise](caf::error err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [self](atom::cluster,
           atom::devices) -> caf::result<std::vector<device_view>> {
      auto promise = self->make_response_promise<std::vector<device_view>>();
      self->state.when_loaded(
        [self, promise]() mutable {
          std::vector<device_view> views;
          for (auto& [_, e] : self->state.devices)
            if (e.actor)
              views.push_back(device_view{e.record, e.last});
          promise.deliver(std::move(views));
        },
        [promise](caf::error err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [self](atom::cluster, atom::join, const std::string& node) {
      return self->state.cluster.on_join(node, self->current_sender());
    },
    [self](atom::cluster, const std::string& node) {
      self->state.cluster.on_retry(node);
    },
  };
}

} // namespace

fleet_actor spawn_fleet(caf::actor_system& sys, store_actor store,
                        rest_client_factory_ptr factory,
                        fleet_settings settings, metrics_ptr metrics) {
  return sys.spawn(fleet_behavior, std::move(store), std::move(factory),
                   std::move(settings), std::move(metrics));
}

} // namespace rmcp
