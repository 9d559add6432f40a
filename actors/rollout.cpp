#include "actors/rollout.hpp"

#include <functional>
#include <map>
#include <set>

#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/detail/rollout_coordinator.hpp"
#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

namespace {

using detail::coordinator_impl;
using detail::run_mode;
using detail::run_timeout;
using detail::store_timeout;

// -- the manager ------------------------------------------------------------------

struct manager {
  static inline const char* name = "rmcp.rollouts";

  rollout_manager_actor::pointer self = nullptr;
  rollout_deps deps;
  std::map<std::string, rollout_actor> running;
  /// Plans whose coordinator claim is being asked for (cluster).
  std::set<std::string> claiming;
  /// A takeover poll is scheduled (cluster).
  bool poll_armed = false;

  /// Runs `then` once this node holds plan `id`'s coordinator claim: at
  /// once without claims (a single node), else after the claimer said so.
  /// `refused` gets the reason when another node holds it or the claim
  /// failed.
  void with_claim(const std::string& id, std::function<void()> then,
                  std::function<void(caf::error)> refused) {
    if (!deps.claims)
      return then();
    claiming.insert(id);
    self->request(deps.claims, store_timeout, atom::acquire_v, atom::plan_v, id)
      .then(
        [this, id, then, refused](bool ok) {
          claiming.erase(id);
          if (ok)
            return then();
          refused(make_error(ec::conflict,
                             "plan " + id
                               + " is being rolled out by another node of "
                                 "the cluster"));
        },
        [this, id, refused](caf::error& err) {
          claiming.erase(id);
          refused(std::move(err));
        });
  }

  /// Runs a coordinator for plan `id`, left `state` (executing or
  /// rolling back) by a crash, a kill or a lost node.
  void take_over(const std::string& id, run_mode mode,
                 const std::string& state) {
    log::warn(log::rollout(), "rollout-recover",
              {{"plan_id", id}, {"state", state}, {"action", to_string(mode)}});
    auto h = launch(id, mode);
    self
      ->request(h, run_timeout, atom::run_v, mcp_session_actor{}, std::string{},
                json{})
      .then(
        [id](json& report) {
          log::info(log::rollout(), "rollout-recovered",
                    {{"plan_id", id}, {"state", report.value("state", "?")}});
        },
        [id](caf::error& err) {
          log::error(log::rollout(), "rollout-recover-failed",
                     {{"plan_id", id}, {"error", error_message(err)}});
        });
  }

  bool busy(const std::string& id) const {
    return running.count(id) > 0 || claiming.count(id) > 0;
  }

  /// `caller`: the apply call (the coordinator monitors it), none for
  /// rollbacks and takeovers.
  rollout_actor launch(const std::string& id, run_mode mode,
                       caf::strong_actor_ptr caller = nullptr) {
    // Linked: stopping the manager (shutdown) stops the coordinators where
    // they are; their plans are taken over at the next start.
    auto h = self->spawn<caf::linked>(coordinator_impl, deps, id, mode,
                                      std::move(caller));
    self->monitor(h);
    running[id] = h;
    return h;
  }
};

rollout_manager_actor::behavior_type
manager_impl(rollout_manager_actor::stateful_pointer<manager> self,
             rollout_deps deps) {
  self->state.self = self;
  self->state.deps = std::move(deps);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    for (auto i = st.running.begin(); i != st.running.end(); ++i)
      if (i->second.address() == msg.source) {
        // Finished, or stopped without finishing: either way another
        // node's takeover poll may claim what is left.
        if (st.deps.claims)
          caf::anon_send(st.deps.claims, atom::release_v, atom::plan_v,
                         i->first);
        st.running.erase(i);
        return;
      }
  });
  return {
    [self](atom::run, const std::string& id, mcp_session_actor& session,
           std::string& key, json& token) -> caf::result<json> {
      auto& st = self->state;
      if (st.busy(id))
        return make_error(ec::conflict,
                          "plan " + id + " is already being rolled out");
      if (!st.deps.claims) {
        // The caller goes along explicitly: the delegated request does not
        // carry it to the coordinator.
        auto h = st.launch(id, run_mode::run, self->current_sender());
        return self->delegate(h, atom::run_v, std::move(session),
                              std::move(key), std::move(token));
      }
      auto rp = self->make_response_promise<json>();
      auto caller = self->current_sender();
      st.with_claim(
        id,
        [self, id, rp, caller, session, key, token]() mutable {
          auto h = self->state.launch(id, run_mode::run, caller);
          self->request(h, run_timeout, atom::run_v, session, key, token)
            .then([rp](json& report) mutable { rp.deliver(std::move(report)); },
                  [rp](caf::error& err) mutable { rp.deliver(err); });
        },
        [rp](caf::error err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self](atom::rollback, const std::string& id) -> caf::result<json> {
      auto& st = self->state;
      if (auto i = st.running.find(id); i != st.running.end()) {
        // The cancel is stored: its coordinator re-reads the plan now and
        // ends a gate delay or pause at once.
        self->send(i->second, atom::cancel_v);
        // Through a promise: caf::result<json> brace-initializes its value,
        // which would wrap this object in an array.
        auto promise = self->make_response_promise<json>();
        promise.deliver(json{{"plan_id", id}, {"running", true}});
        return promise;
      }
      if (!st.deps.claims) {
        auto h = st.launch(id, run_mode::rollback);
        return self->delegate(h, atom::run_v, mcp_session_actor{},
                              std::string{}, json{});
      }
      auto rp = self->make_response_promise<json>();
      st.with_claim(
        id,
        [self, id, rp]() mutable {
          auto h = self->state.launch(id, run_mode::rollback);
          self
            ->request(h, run_timeout, atom::run_v, mcp_session_actor{},
                      std::string{}, json{})
            .then([rp](json& report) mutable { rp.deliver(std::move(report)); },
                  [rp](caf::error& err) mutable { rp.deliver(err); });
        },
        [rp, id](caf::error err) mutable {
          // Coordinated by another node: the stored cancel reaches it.
          if (error_code_of(err) == ec::conflict)
            rp.deliver(json{{"plan_id", id}, {"running", true}});
          else
            rp.deliver(std::move(err));
        });
      return rp;
    },
    [self](atom::recover) -> caf::result<std::vector<std::string>> {
      auto promise = self->make_response_promise<std::vector<std::string>>();
      auto& st = self->state;
      // Cluster: recover again after `takeover_poll`, so the plans of a
      // lost node are claimed once its lease (and its claims) are gone.
      if (!self->current_sender())
        st.poll_armed = false;
      if (st.deps.claims && st.deps.takeover_poll.count() > 0
          && !st.poll_armed) {
        st.poll_armed = true;
        caf::delayed_anon_send(self, st.deps.takeover_poll, atom::recover_v);
      }
      self->request(st.deps.plans, store_timeout, atom::get_v, atom::plans_v)
        .then(
          [self, promise](std::vector<plan_record>& plans) mutable {
            auto& st = self->state;
            std::vector<std::string> taken;
            for (auto& p : plans) {
              if (st.busy(p.id))
                continue;
              run_mode mode;
              if (p.state == plan_state::rolling_back)
                mode = run_mode::rollback;
              else if (p.state == plan_state::executing)
                mode = st.deps.settings.resume_on_restart && !p.cancel_requested
                         ? run_mode::resume
                         : run_mode::rollback;
              else
                continue;
              auto id = p.id;
              auto state = std::string{to_string(p.state)};
              // Cluster: only under this node's claim; a plan another
              // node coordinates is left to it (answered as not taken).
              st.with_claim(
                id,
                [self, id, mode, state] {
                  self->state.take_over(id, mode, state);
                },
                [id](caf::error err) {
                  if (error_code_of(err) != ec::conflict)
                    log::debug(
                      log::rollout(), "rollout-takeover-deferred",
                      {{"plan_id", id}, {"reason", error_message(err)}});
                });
              if (!st.deps.claims)
                taken.push_back(id);
            }
            promise.deliver(std::move(taken));
          },
          [promise](caf::error& err) mutable { promise.deliver(err); });
      return promise;
    },
  };
}

} // namespace

std::string deadman_job_name(const std::string& plan_id) {
  return "rmcp-deadman-" + plan_id;
}

rollout_manager_actor spawn_rollout_manager(caf::actor_system& sys,
                                            rollout_deps deps) {
  return sys.spawn(manager_impl, std::move(deps));
}

} // namespace rmcp
