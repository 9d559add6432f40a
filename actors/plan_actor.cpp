#include "actors/plan_actor.hpp"

#include <exception>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "protocol/error.hpp"
#include "protocol/log.hpp"

namespace rmcp {

namespace {

struct plan_actor_state {
  static inline const char* name = "rmcp.plans";

  std::shared_ptr<storage::plan_store> db;

  /// Runs one plan store call; logs failures and turns an escaping
  /// exception into store_failure.
  template <class T, class F>
  caf::result<T> call(const char* op, const std::string& subject, F&& fn) {
    try {
      auto res = fn();
      if (!res) {
        log::rollout()->debug("plan-store-refused op={} plan_id={} error=\"{}\"",
                              op, subject, error_message(res.error()));
        return res.error();
      }
      return std::move(*res);
    } catch (const std::exception& e) {
      log::rollout()->error("plan-store-exception op={} plan_id={} what=\"{}\"",
                            op, subject, e.what());
      return make_error(ec::store_failure,
                        std::string{"plan store: "} + e.what());
    }
  }
};

plan_store_actor::behavior_type
plan_impl(plan_store_actor::stateful_pointer<plan_actor_state> self,
          std::shared_ptr<storage::plan_store> db) {
  self->state.db = std::move(db);
  auto& st = self->state;
  return {
    [&st](atom::put, plan_record& plan) -> caf::result<plan_record> {
      return st.call<plan_record>("create", plan.id,
                                  [&] { return st.db->create(std::move(plan)); });
    },
    [&st](atom::get, atom::plan,
          const std::string& id) -> caf::result<plan_record> {
      return st.call<plan_record>("get", id, [&] { return st.db->get(id); });
    },
    [&st](atom::get, atom::plans) -> caf::result<std::vector<plan_record>> {
      return st.call<std::vector<plan_record>>("list", "",
                                               [&] { return st.db->list(); });
    },
    [&st](atom::start, const std::string& id,
          const std::string& token) -> caf::result<plan_record> {
      return st.call<plan_record>("start", id,
                                  [&] { return st.db->start(id, token); });
    },
    [&st](atom::put, plan_step& step) -> caf::result<plan_record> {
      auto id = step.plan_id;
      return st.call<plan_record>("step", id,
                                  [&] { return st.db->step(std::move(step)); });
    },
    [&st](atom::get, atom::journal,
          const std::string& id) -> caf::result<std::vector<plan_step>> {
      return st.call<std::vector<plan_step>>("journal", id,
                                             [&] { return st.db->journal(id); });
    },
    [&st](atom::cancel, const std::string& id, const std::string& who,
          const std::string& reason) -> caf::result<plan_record> {
      return st.call<plan_record>("cancel", id,
                                  [&] { return st.db->cancel(id, who, reason); });
    },
  };
}

} // namespace

plan_store_actor spawn_plan_actor(caf::actor_system& sys,
                                  std::shared_ptr<storage::plan_store> db,
                                  bool detached) {
  if (detached)
    return sys.spawn<caf::detached>(plan_impl, std::move(db));
  return sys.spawn(plan_impl, std::move(db));
}

} // namespace rmcp
