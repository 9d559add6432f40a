#include "actors/rollout.hpp"

#include <map>

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
    auto& running = self->state.running;
    for (auto i = running.begin(); i != running.end(); ++i)
      if (i->second.address() == msg.source) {
        running.erase(i);
        return;
      }
  });
  return {
    [self](atom::run, const std::string& id, mcp_session_actor& session,
           std::string& key, json& token) -> caf::result<json> {
      auto& st = self->state;
      if (st.running.count(id))
        return make_error(ec::conflict,
                          "plan " + id + " is already being rolled out");
      // The caller goes along explicitly: the delegated request does not
      // carry it to the coordinator.
      auto h = st.launch(id, run_mode::run, self->current_sender());
      return self->delegate(h, atom::run_v, std::move(session), std::move(key),
                            std::move(token));
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
      auto h = st.launch(id, run_mode::rollback);
      return self->delegate(h, atom::run_v, mcp_session_actor{}, std::string{},
                            json{});
    },
    [self](atom::recover) -> caf::result<std::vector<std::string>> {
      auto promise = self->make_response_promise<std::vector<std::string>>();
      auto& st = self->state;
      self->request(st.deps.plans, store_timeout, atom::get_v, atom::plans_v)
        .then(
          [self, promise](std::vector<plan_record>& plans) mutable {
            auto& st = self->state;
            std::vector<std::string> taken;
            for (auto& p : plans) {
              if (st.running.count(p.id))
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
              log::rollout()->warn("rollout-recover plan_id={} state={} "
                                   "action={}",
                                   p.id, to_string(p.state), to_string(mode));
              auto h = st.launch(p.id, mode);
              auto id = p.id;
              self
                ->request(h, run_timeout, atom::run_v, mcp_session_actor{},
                          std::string{}, json{})
                .then(
                  [id](json& report) {
                    log::rollout()->info("rollout-recovered plan_id={} "
                                         "state={}",
                                         id, report.value("state", "?"));
                  },
                  [id](caf::error& err) {
                    log::rollout()->error("rollout-recover-failed plan_id={} "
                                          "error=\"{}\"",
                                          id, error_message(err));
                  });
              taken.push_back(p.id);
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
