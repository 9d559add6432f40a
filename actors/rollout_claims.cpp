#include "actors/rollout_claims.hpp"

#include <future>

#include <caf/event_based_actor.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"
#include "protocol/type_ids.hpp"
#include "storage/plan_store.hpp"

namespace rmcp {

namespace {

template <class T, class Call>
caf::expected<T> wait_for(std::chrono::milliseconds limit, Call call) {
  auto p = std::make_shared<std::promise<caf::expected<T>>>();
  auto f = p->get_future();
  call([p](caf::expected<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(limit) != std::future_status::ready)
    return make_error(ec::store_failure, "etcd did not answer within "
                                           + std::to_string(limit.count())
                                           + " ms");
  return f.get();
}

struct claimer_state {
  static inline const char* name = "rmcp.rollout-claims";

  rollout_claims_config cfg;
  etcd_client_ptr etcd;
  lease_cell lease;

  caf::expected<bool> claim(const std::string& plan_id) {
    auto held = lease->load();
    if (held == 0)
      return make_error(ec::device_moving,
                        "node " + cfg.node_id
                          + " is not in the cluster (no lease): it cannot "
                            "coordinate plan "
                          + plan_id + " now");
    auto key = rollout_claim_key(cfg.prefix, plan_id);
    etcd_txn t;
    t.compare.push_back({etcd_compare::target::create, key, 0});
    t.success.push_back({etcd_op::kind::put, key, cfg.node_id, held});
    t.failure.push_back({etcd_op::kind::get, key, {}, 0});
    auto r = wait_for<etcd_txn_result>(
      cfg.timeout, [&](auto cb) { etcd->txn(t, std::move(cb)); });
    if (!r)
      return make_error(ec::store_failure, "claiming the coordination of plan "
                                             + plan_id + ": "
                                             + error_message(r.error()));
    if (r->succeeded) {
      log::info(log::rollout(), "rollout-claimed",
                {{"plan_id", plan_id}, {"node", cfg.node_id}});
      return true;
    }
    // Held: ours (a claim this node made before) or another node's.
    return !r->read.empty() && r->read.front().lease == held;
  }

  void release(const std::string& plan_id) {
    auto held = lease->load();
    if (held == 0)
      return; // the claim went with the lease
    auto key = rollout_claim_key(cfg.prefix, plan_id);
    etcd_txn t;
    t.compare.push_back({etcd_compare::target::lease, key, held});
    t.success.push_back({etcd_op::kind::remove, key, {}, 0});
    auto r = wait_for<etcd_txn_result>(
      cfg.timeout, [&](auto cb) { etcd->txn(t, std::move(cb)); });
    if (!r)
      log::warn(log::rollout(), "rollout-claim-release-failed",
                {{"plan_id", plan_id},
                 {"error", error_message(r.error())},
                 {"note", "the claim goes with the lease"}});
  }
};

caf::behavior claimer(caf::stateful_actor<claimer_state>* self,
                      rollout_claims_config cfg, etcd_client_ptr etcd,
                      lease_cell lease) {
  self->state.cfg = std::move(cfg);
  self->state.etcd = std::move(etcd);
  self->state.lease = std::move(lease);
  return {
    [self](atom::acquire, atom::plan,
           const std::string& plan_id) -> caf::result<bool> {
      auto r = self->state.claim(plan_id);
      if (!r)
        return r.error();
      return *r;
    },
    [self](atom::release, atom::plan, const std::string& plan_id) {
      self->state.release(plan_id);
    },
  };
}

} // namespace

std::string rollout_claim_key(const std::string& prefix,
                              const std::string& plan_id) {
  return prefix + "/" + storage::rollout_claim_name(plan_id);
}

caf::actor spawn_rollout_claimer(caf::actor_system& sys,
                                 rollout_claims_config cfg,
                                 etcd_client_ptr etcd, lease_cell lease,
                                 bool detached) {
  if (detached)
    return sys.spawn<caf::detached>(claimer, std::move(cfg), std::move(etcd),
                                    std::move(lease));
  return sys.spawn(claimer, std::move(cfg), std::move(etcd), std::move(lease));
}

} // namespace rmcp
