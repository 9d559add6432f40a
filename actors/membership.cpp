#include "actors/membership.hpp"

#include "actors/detail/membership_state.hpp"

#include <algorithm>

#include "protocol/error.hpp"
#include "protocol/json.hpp"
#include "protocol/log.hpp"

namespace rmcp {

std::string member_key(const std::string& prefix, const std::string& node_id) {
  return prefix + "/members/" + node_id;
}

std::string owner_key(const std::string& prefix, const std::string& device_id) {
  return prefix + "/owners/" + device_id;
}

namespace detail {

namespace {

using ms = std::chrono::milliseconds;

ms keep_alive_interval(const membership_config& cfg) {
  return std::max<ms>(ms{100},
                      std::chrono::duration_cast<ms>(cfg.lease_ttl) / 3);
}

/// 9/10 of the TTL: the node gives up its claims before etcd can expire
/// the lease and let another node take them.
ms deadline_span(const membership_config& cfg) {
  return std::chrono::duration_cast<ms>(cfg.lease_ttl) * 9 / 10;
}

/// An etcd refusal that means the lease no longer exists.
bool lease_gone(const caf::error& err) {
  return error_message(err).find("lease not found") != std::string::npos;
}

} // namespace

void membership_state::init() {
  log::info(log::core(), "cluster-membership-start",
            {{"node", cfg.node_id},
             {"prefix", cfg.prefix},
             {"ttl_s", cfg.lease_ttl.count()},
             {"settle_ms", cfg.settle.count()}});
  self->send(self, atom::tick_v);
}

void membership_state::tick() {
  if (phase == member_phase::stopping)
    return;
  self->delayed_send(self, keep_alive_interval(cfg), atom::tick_v);
  if (suspended)
    return;
  if (phase == member_phase::out)
    join();
  else if (phase == member_phase::in)
    keep_alive();
}

void membership_state::expire() {
  if (phase != member_phase::in)
    return;
  // A timer may fire a little early (milliseconds are rounded): look again
  // then.
  if (now() < deadline) {
    self->delayed_send(self, until(deadline) + ms{1}, atom::expire_v);
    return;
  }
  go_out("etcd confirmed no keep-alive within the lease TTL", false);
}

void membership_state::join() {
  phase = member_phase::joining;
  auto ep = epoch;
  auto sent = now();
  // A lease that outlived an etcd restart still holds this node's claims:
  // renew it rather than start over.
  if (lease != 0) {
    etcd->lease_keep_alive(
      lease, answer<int64_t>([this, ep, sent](caf::expected<int64_t> ttl) {
        on_renewed(ep, sent, std::move(ttl));
      }));
    return;
  }
  etcd->lease_grant(
    cfg.lease_ttl.count(),
    answer<int64_t>([this, ep, sent](caf::expected<int64_t> id) {
      on_granted(ep, sent, std::move(id));
    }));
}

void membership_state::on_renewed(uint64_t ep, time_point sent,
                                  caf::expected<int64_t> ttl) {
  if (ep != epoch || phase != member_phase::joining)
    return;
  if (ttl && *ttl > 0)
    return on_granted(ep, sent, lease);
  if (!ttl) {
    phase = member_phase::out;
    reason = "etcd unreachable: " + error_message(ttl.error());
    return;
  }
  // The old lease is gone, and its claims with it.
  lease = 0;
  join();
}

void membership_state::on_granted(uint64_t ep, time_point sent,
                                  caf::expected<int64_t> id) {
  if (ep != epoch || phase != member_phase::joining)
    return;
  if (!id) {
    phase = member_phase::out;
    reason = "etcd unreachable: " + error_message(id.error());
    return;
  }
  lease = *id;
  deadline = sent + deadline_span(cfg);
  json value{{"host", cfg.host}, {"port", cfg.port}};
  etcd->put(member_key(cfg.prefix, cfg.node_id), value.dump(), lease,
            answer<int64_t>([this, ep](caf::expected<int64_t> rev) {
              on_member_put(ep, std::move(rev));
            }));
}

void membership_state::on_member_put(uint64_t ep, caf::expected<int64_t> rev) {
  if (ep != epoch || phase != member_phase::joining)
    return;
  if (!rev) {
    phase = member_phase::out;
    if (lease_gone(rev.error()))
      lease = 0;
    reason = "etcd refused the membership key: " + error_message(rev.error());
    return;
  }
  phase = member_phase::in;
  reason.clear();
  if (cfg.live_lease)
    cfg.live_lease->store(lease);
  log::info(log::core(), "cluster-joined",
            {{"node", cfg.node_id}, {"lease", fmt::format("{:x}", lease)}});
  self->delayed_send(self, until(deadline), atom::expire_v);
  start_round();
}

void membership_state::keep_alive() {
  if (keep_alive_busy)
    return;
  keep_alive_busy = true;
  auto ep = epoch;
  auto sent = now();
  etcd->lease_keep_alive(
    lease, answer<int64_t>([this, ep, sent](caf::expected<int64_t> ttl) {
      on_keep_alive(ep, sent, std::move(ttl));
    }));
}

void membership_state::on_keep_alive(uint64_t ep, time_point sent,
                                     caf::expected<int64_t> ttl) {
  if (ep != epoch)
    return;
  keep_alive_busy = false;
  if (phase != member_phase::in)
    return;
  if (!ttl) {
    log::warn(log::core(), "cluster-keep-alive-failed",
              {{"node", cfg.node_id}, {"error", error_message(ttl.error())}});
    return; // the deadline decides
  }
  if (*ttl <= 0)
    return go_out("the lease expired in etcd", true);
  deadline = sent + deadline_span(cfg);
  self->delayed_send(self, until(deadline), atom::expire_v);
}

void membership_state::go_out(std::string why, bool gone) {
  log::warn(log::core(), "cluster-out",
            {{"node", cfg.node_id}, {"reason", why}});
  phase = member_phase::out;
  reason = std::move(why);
  if (cfg.live_lease)
    cfg.live_lease->store(0);
  if (gone)
    lease = 0;
  ++epoch;
  keep_alive_busy = false;
  round_busy = false;
  txns_pending = 0;
  view = cluster_view{};
  owned.clear();
  tell_listener();
}

void membership_state::suspend(bool on) {
  if (on == suspended || phase == member_phase::stopping)
    return;
  suspended = on;
  log::warn(log::core(), "cluster-suspend",
            {{"node", cfg.node_id}, {"on", on}});
  if (!on)
    return;
  // Calls under way are as good as lost.
  ++epoch;
  keep_alive_busy = false;
  round_busy = false;
  txns_pending = 0;
  if (phase == member_phase::joining)
    phase = member_phase::out;
}

cluster_status membership_state::status() const {
  cluster_status out;
  out.member = phase == member_phase::in;
  out.node_id = cfg.node_id;
  out.lease = lease;
  out.view = view;
  out.owned.assign(owned.begin(), owned.end());
  out.reason = out.member ? std::string{} : reason;
  if (suspended && !out.member)
    out.reason += " (etcd calls suspended)";
  return out;
}

caf::result<atom::ok> membership_state::stop() {
  if (phase == member_phase::stopping)
    return atom::ok_v;
  phase = member_phase::stopping;
  if (cfg.live_lease)
    cfg.live_lease->store(0);
  ++epoch;
  view = cluster_view{};
  owned.clear();
  tell_listener();
  if (lease == 0 || suspended) {
    self->quit();
    return atom::ok_v;
  }
  // Revoking the lease deletes the member key and every claim at once, so
  // the others take over without waiting for the TTL.
  auto rp = self->make_response_promise<atom::ok>();
  etcd->lease_revoke(
    lease, answer<int64_t>([this, rp](caf::expected<int64_t> r) mutable {
      if (!r)
        log::warn(log::core(), "cluster-revoke-failed",
                  {{"node", cfg.node_id}, {"error", error_message(r.error())}});
      rp.deliver(atom::ok_v);
      self->quit();
    }));
  return rp;
}

} // namespace detail

membership_actor spawn_membership(caf::actor_system& sys, membership_config cfg,
                                  etcd_client_ptr etcd, store_actor store,
                                  cluster_listener_actor listener) {
  using state_type = detail::membership_state;
  auto body =
    [](membership_actor::stateful_pointer<state_type> self,
       membership_config cfg, etcd_client_ptr etcd, store_actor store,
       cluster_listener_actor listener) -> membership_actor::behavior_type {
    auto& st = self->state;
    st.self = self;
    st.cfg = std::move(cfg);
    st.etcd = std::move(etcd);
    st.store = std::move(store);
    st.listener = std::move(listener);
    self->attach_functor([client = st.etcd] { client->close(); });
    st.init();
    return {
      [self](atom::get, atom::status) { return self->state.status(); },
      [self](atom::suspend, bool on) { self->state.suspend(on); },
      [self](atom::stop) { return self->state.stop(); },
      [self](atom::tick) { self->state.tick(); },
      [self](atom::expire) { self->state.expire(); },
      [self](atom::poll) { self->state.poll(); },
      [](atom::done, cluster_task& task) {
        if (task.run)
          task.run();
      },
    };
  };
  return sys.spawn(body, std::move(cfg), std::move(etcd), std::move(store),
                   std::move(listener));
}

} // namespace rmcp
